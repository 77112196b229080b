"""Golden files of published contract versions: ``python -m tests.unit.contracts.golden_files``.

Writes the schema and example of every (type, version) that has no golden file yet. It never
overwrites: a published shape is frozen, a change needs a new schema_version and an upcaster.
"""

import json
from pathlib import Path

from mailferry_contracts.registry import REGISTRY, current_version
from tests.fixtures.factories import example

GOLDEN = Path(__file__).parent / "golden"


def schema_path(type_name: str, version: int) -> Path:
    return GOLDEN / f"{type_name}.v{version}.schema.json"


def example_path(type_name: str, version: int) -> Path:
    return GOLDEN / f"{type_name}.v{version}.example.json"


def render_schema(type_name: str) -> str:
    schema = REGISTRY[type_name].model_json_schema()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_example(type_name: str) -> str:
    data = example(type_name).model_dump(mode="json")
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_missing() -> list[Path]:
    GOLDEN.mkdir(exist_ok=True)
    written = []
    for type_name, cls in sorted(REGISTRY.items()):
        version = current_version(cls)
        for path, render in (
            (schema_path(type_name, version), render_schema),
            (example_path(type_name, version), render_example),
        ):
            if not path.exists():
                path.write_text(render(type_name), encoding="utf-8")
                written.append(path)
    return written


if __name__ == "__main__":
    for path in write_missing():
        print(f"wrote {path}")  # noqa: T201
