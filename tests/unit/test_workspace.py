"""Workspace rules no linter checks: a service never imports another service (STYLE §1)."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.parent.parent for p in ROOT.glob("services/*/src/mailferry_*"))
LIBRARIES = sorted(p.parent.parent for p in ROOT.glob("libs/*/src/mailferry_*"))
SERVICE_PACKAGES = {
    path.name for service in SERVICES for path in (service / "src").glob("mailferry_*")
}


def imported_packages(member: Path) -> Iterator[tuple[Path, str]]:
    for source in (member / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield from ((source, alias.name.split(".")[0]) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield source, node.module.split(".")[0]


def own_package(member: Path) -> str:
    return next((member / "src").glob("mailferry_*")).name


def test_the_workspace_has_services_to_check():
    assert len(SERVICES) >= 4


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_a_service_imports_no_other_service(service):
    others = SERVICE_PACKAGES - {own_package(service)}
    found = [
        f"{source.relative_to(ROOT)}: {package}"
        for source, package in imported_packages(service)
        if package in others
    ]
    assert found == []


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda p: p.name)
def test_a_library_imports_no_service(library):
    found = [
        f"{source.relative_to(ROOT)}: {package}"
        for source, package in imported_packages(library)
        if package in SERVICE_PACKAGES
    ]
    assert found == []
