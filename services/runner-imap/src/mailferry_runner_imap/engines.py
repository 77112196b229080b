"""Which engine runs a command: ``auto`` = imapsync when installed, else native (pure)."""

from dataclasses import dataclass

from mailferry_contracts.common import Engine as EngineChoice
from mailferry_runner_imap.engine import Engine


@dataclass(frozen=True)
class Engines:
    """The engines this runner process has."""

    imapsync: Engine | None
    native: Engine | None

    def pick(self, choice: EngineChoice) -> Engine | None:
        """The engine for a job's choice, or ``None`` when that engine is not installed."""
        if choice == EngineChoice.IMAPSYNC:
            return self.imapsync
        if choice == EngineChoice.NATIVE:
            return self.native
        return self.imapsync or self.native

    def describe(self) -> str:
        names = [n for n, e in (("imapsync", self.imapsync), ("native", self.native)) if e]
        return ", ".join(names) or "none"
