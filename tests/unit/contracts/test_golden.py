"""Published contract shapes never change: compare with golden files written when published."""

import json
import subprocess
from pathlib import Path

import pytest

from mailferry_contracts import decode, encode
from mailferry_contracts.registry import REGISTRY, current_version
from tests.fixtures.factories import envelope_of, example
from tests.unit.contracts.golden_files import GOLDEN, example_path, render_schema, schema_path

TYPES = sorted(REGISTRY)


@pytest.mark.parametrize("type_name", TYPES)
def test_current_schema_equals_its_golden_file(type_name):
    path = schema_path(type_name, current_version(REGISTRY[type_name]))
    assert path.exists(), f"{path.name} missing: run python -m tests.unit.contracts.golden_files"
    assert render_schema(type_name) == path.read_text(encoding="utf-8"), (
        f"{type_name} changed shape: publish a new schema_version with an upcaster instead"
    )


def _historical_examples():
    for path in sorted(GOLDEN.glob("*.example.json")):
        type_name, version = path.name.split(".")[:2]
        yield pytest.param(type_name, int(version[1:]), path, id=path.name)


@pytest.mark.parametrize(("type_name", "version", "path"), list(_historical_examples()))
def test_every_historical_example_upcasts_to_the_current_model(type_name, version, path):
    payload = json.loads(path.read_text(encoding="utf-8"))
    wrapped = json.loads(encode(envelope_of(example(type_name))))
    wrapped.update(schema_version=version, payload=payload)
    decoded = decode(json.dumps(wrapped))
    assert isinstance(decoded.payload, REGISTRY[type_name])


def test_every_registered_type_has_an_example():
    for type_name in TYPES:
        assert example_path(type_name, current_version(REGISTRY[type_name])).exists()


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"not a git checkout: {result.stderr.strip()}")
    return result.stdout


def test_golden_files_are_only_ever_added():
    golden = str(GOLDEN.relative_to(Path(__file__).resolve().parents[3]))
    history = _git("log", "--format=", "--name-status", "--diff-filter=MDR", "--", golden)
    worktree = [
        line
        for line in _git("status", "--porcelain", "--", golden).splitlines()
        if not line.startswith("??")
    ]
    assert history.strip() == "", f"published golden files were changed:\n{history}"
    assert worktree == [], f"published golden files are being changed: {worktree}"
