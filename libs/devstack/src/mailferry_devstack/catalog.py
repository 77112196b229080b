"""The services the local stack runs, and which of them are installed."""

import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.machinery import ModuleSpec


@dataclass(frozen=True)
class ServiceSpec:
    """One service: ``python -m <module>``; ``http`` services answer ``/healthz`` themselves."""

    name: str
    module: str
    http: bool = False


SERVICES = (
    ServiceSpec("api", "mailferry_api", http=True),
    ServiceSpec("projector", "mailferry_projector"),
    ServiceSpec("gate", "mailferry_gate"),
    ServiceSpec("runner-imap", "mailferry_runner_imap"),
    ServiceSpec("runner-pst", "mailferry_runner_pst"),
    ServiceSpec("runner-tgz", "mailferry_runner_tgz"),
)
API = SERVICES[0]

FindSpec = Callable[[str], ModuleSpec | None]


def runnable(spec: ServiceSpec, find_spec: FindSpec = importlib.util.find_spec) -> bool:
    """Whether ``python -m <module>`` would run: the package has a ``__main__``."""
    try:
        return find_spec(f"{spec.module}.__main__") is not None
    except ModuleNotFoundError:
        return False


def split_runnable(
    specs: Iterable[ServiceSpec], find_spec: FindSpec = importlib.util.find_spec
) -> tuple[list[ServiceSpec], list[ServiceSpec]]:
    """The services that can run, and those that cannot (not written or not installed yet)."""
    present: list[ServiceSpec] = []
    missing: list[ServiceSpec] = []
    for spec in specs:
        (present if runnable(spec, find_spec) else missing).append(spec)
    return present, missing
