"""Upcasting: raw payloads of old schema versions -> the current version, once, at decode time.

One pure ``dict -> dict`` function per step (v1->v2, v2->v3, ...), registered under
``(type, from_version)``; steps chain. Never edit a published version: add the next one.
"""

from collections.abc import Callable
from typing import Any

RawPayload = dict[str, Any]
Step = Callable[[RawPayload], RawPayload]


class UpcastError(ValueError):
    """No step is registered to bring a payload to the requested version."""


class Upcasters:
    """A table of upcasting steps."""

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Step] = {}

    def register(self, type_name: str, from_version: int) -> Callable[[Step], Step]:
        """Decorator registering ``step`` as the ``from_version -> from_version + 1`` step."""

        def decorate(step: Step) -> Step:
            key = (type_name, from_version)
            if key in self._steps:
                raise ValueError(f"upcaster {type_name} v{from_version} registered twice")
            self._steps[key] = step
            return step

        return decorate

    def upcast(self, type_name: str, version: int, target: int, payload: RawPayload) -> RawPayload:
        """Apply every step from ``version`` up to ``target``."""
        data = dict(payload)
        while version < target:
            step = self._steps.get((type_name, version))
            if step is None:
                raise UpcastError(f"no upcaster for {type_name} v{version} -> v{version + 1}")
            data = step(data)
            version += 1
            data["schema_version"] = version
        return data


UPCASTERS = Upcasters()
"""The production table."""


@UPCASTERS.register("StartTgzMigration", 1)
def start_tgz_migration_v1_to_v2(data: RawPayload) -> RawPayload:
    """v2 names the source server (the Zimbra host); a v1 command did not know it."""
    return {**data, "source": None}
