"""What a connection hands around: completions, untagged responses, pending commands."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mailferry_imap.protocol import StatusText, Token, parse_status, tokenize


@dataclass(frozen=True, slots=True)
class Completion:
    """The tagged response that ended a command."""

    status: str
    code: str | None
    code_args: str
    text: str

    @property
    def ok(self) -> bool:
        """Whether the command succeeded."""
        return self.status == "OK"


@dataclass(slots=True)
class Untagged:
    """One untagged response; ``parts``/``literals`` start after the keyword."""

    number: int | None
    keyword: str
    parts: list[bytes]
    literals: list[object]

    def tokens(self) -> list[Token]:
        """The response's data as tokens."""
        return tokenize(self.parts, self.literals)

    def status(self) -> StatusText:
        """For OK/NO/BAD/BYE/PREAUTH responses: code and text."""
        return parse_status(self.keyword.encode() + b" " + b"".join(self.parts))


class LiteralSink(Protocol):
    """Receives a streamed literal from the reader task."""

    async def feed(self, chunk: bytes) -> None: ...

    async def close(self, error: BaseException | None) -> None: ...


UntaggedHandler = Callable[[Untagged], Awaitable[None] | None]
LiteralHook = Callable[[int | None, Sequence[bytes], int], Awaitable[LiteralSink | None]]
Trace = Callable[[str], None]


@dataclass(slots=True)
class Pending:
    """A command on the wire, waiting for its tagged response."""

    tag: bytes
    name: str
    future: "asyncio.Future[Completion]"
    handlers: Mapping[str, UntaggedHandler] = field(default_factory=dict)
    literal_hook: LiteralHook | None = None
