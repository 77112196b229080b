from importlib.machinery import ModuleSpec

from mailferry_devstack.catalog import SERVICES, ServiceSpec, runnable, split_runnable


def finder(*installed: str):
    def find_spec(name: str) -> ModuleSpec | None:
        package = name.removesuffix(".__main__")
        if package not in installed:
            raise ModuleNotFoundError(name)
        return ModuleSpec(name, None) if f"{package}.__main__" in installed else None

    return find_spec


def test_a_package_with_a_main_module_is_runnable():
    find_spec = finder("mailferry_gate", "mailferry_gate.__main__")

    assert runnable(ServiceSpec("gate", "mailferry_gate"), find_spec)


def test_a_package_without_a_main_module_is_not_runnable_yet():
    assert not runnable(ServiceSpec("gate", "mailferry_gate"), finder("mailferry_gate"))


def test_an_uninstalled_package_is_not_runnable():
    assert not runnable(ServiceSpec("gate", "mailferry_gate"), finder())


def test_services_are_split_in_catalog_order():
    find_spec = finder("mailferry_api", "mailferry_api.__main__", "mailferry_gate")

    present, missing = split_runnable(SERVICES, find_spec)

    assert [s.name for s in present] == ["api"]
    assert [s.name for s in missing] == [
        "projector",
        "gate",
        "runner-imap",
        "runner-pst",
        "runner-tgz",
    ]


def test_the_catalog_names_every_service_once_and_only_the_api_speaks_http():
    assert len({s.name for s in SERVICES}) == 6
    assert [s.name for s in SERVICES if s.http] == ["api"]
