"""Tamper evidence: walk each aggregate's hash chain and name what does not fit. Pure.

Each stored event carries ``prev_hash`` = SHA-256 of the previous stored event of its
aggregate (``EventStore``). So:

* an **altered** event no longer hashes to what its successor says: the break names it;
* a **missing** event leaves its successor pointing at a hash nothing has; with the stream's
  deleted sequences known (the event log denies deletes, so any is tampering) the break names
  the missing sequence;
* an event whose subject and envelope disagree on aggregate or type was altered too;
* the **last** event of an aggregate has no successor to vouch for it, so every event is also
  stored with its own hash in a header (``EVENT_HASH_HEADER``): bytes that no longer match it
  were altered, wherever the event sits in its chain.

None of this is a signature: whoever rewrites an event together with its header and every
later link of its aggregate is not caught. It catches edits of the stored log (a hand-edited
backup, a restored copy with a changed event), which is what an audit has to rule out.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from mailferry_api.audit.eventlog import RawEvent
from mailferry_contracts import event_hash
from mailferry_contracts.subjects import snake

_TAIL_TOKENS = 3


@dataclass(frozen=True)
class Problem:
    """Something wrong at ``seq`` in ``aggregate`` (event ``event_type``)."""

    kind: str
    """altered, missing, undecodable or misfiled."""
    seq: int
    aggregate: str
    event_type: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.kind.upper()} seq {self.seq} {self.aggregate} {self.event_type}: {self.message}"
        )


@dataclass(frozen=True)
class _Link:
    seq: int
    event_type: str
    hash: str
    altered: bool
    """Already named altered by its own header: its successor's break says nothing new."""


@dataclass
class Verdict:
    """What the walk found."""

    events: int = 0
    aggregates: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """No problem found."""
        return not self.problems


def subject_parts(subject: str) -> tuple[str, str, str]:
    """(aggregate type, aggregate id, event snake name) from the subject's last three tokens."""
    tokens = subject.split(".")
    if len(tokens) < _TAIL_TOKENS:
        return "?", "?", subject
    aggregate, aggregate_id, event = tokens[-_TAIL_TOKENS:]
    return aggregate, aggregate_id, event


def _parse(event: RawEvent) -> tuple[dict[str, object] | None, str | None]:
    try:
        data = json.loads(event.data)
    except ValueError:
        return None, "not JSON (altered)"
    if not isinstance(data, dict) or "prev_hash" not in data or "type" not in data:
        return None, "not an envelope (altered)"
    return data, None


def _misfiled(event: RawEvent, data: dict[str, object]) -> str | None:
    aggregate, aggregate_id, event_snake = subject_parts(event.subject)
    if (data.get("aggregate_type"), data.get("aggregate_id")) != (aggregate, aggregate_id):
        return "the envelope names another aggregate than its subject (altered)"
    if snake(str(data.get("type"))) != event_snake:
        return "the envelope's type differs from its subject's (altered)"
    return None


def _break(previous: _Link, event: RawEvent, key: str, etype: str, missing: set[int]) -> Problem:
    between = sorted(s for s in missing if previous.seq < s < event.seq)
    if between:
        return Problem(
            "missing", between[0], key, "?",
            f"deleted from the log: seq {event.seq} ({etype}) does not link to seq "
            f"{previous.seq} ({previous.event_type}); deleted sequences between: {between[:10]}",
        )  # fmt: skip
    return Problem(
        "altered", previous.seq, key, previous.event_type,
        f"its stored bytes no longer hash to the prev_hash of seq {event.seq} ({etype}) "
        f"(or seq {event.seq}'s prev_hash was rewritten)",
    )  # fmt: skip


def _first_problem(event: RawEvent, key: str, etype: str, gone: set[int]) -> Problem:
    earlier = sorted(s for s in gone if s < event.seq)
    return Problem(
        "missing", earlier[-1] if earlier else event.seq, key, "?",
        f"the first stored event (seq {event.seq}, {etype}) links to an earlier one that is "
        "not in the log",
    )  # fmt: skip


def _check(
    event: RawEvent, key: str, previous: _Link | None, gone: set[int]
) -> tuple[str, Problem | None]:
    """The event's type and what is wrong with it or its link, if anything."""
    data, problem = _parse(event)
    if data is None:
        return subject_parts(event.subject)[2], Problem(
            "undecodable", event.seq, key, subject_parts(event.subject)[2], problem or ""
        )
    etype = str(data["type"])
    if misfiled := _misfiled(event, data):
        return etype, Problem("misfiled", event.seq, key, etype, misfiled)
    if event.stored_hash is not None and event.stored_hash != event_hash(event.data):
        return etype, Problem(
            "altered", event.seq, key, etype,
            "its stored bytes no longer hash to the hash stored with it",
        )  # fmt: skip
    if previous is None:
        bad = data["prev_hash"] is not None
        return etype, _first_problem(event, key, etype, gone) if bad else None
    if data["prev_hash"] != previous.hash:
        broken = _break(previous, event, key, etype, gone)
        return etype, None if previous.altered and broken.kind == "altered" else broken
    return etype, None


def verify_chain(events: Iterable[RawEvent], missing: Iterable[int] = ()) -> Verdict:
    """Walk the events (stream order) and check every aggregate's chain.

    ``missing`` holds the stream's deleted sequences, to name a deleted event by sequence.
    """
    gone = set(missing)
    heads: dict[str, _Link] = {}
    verdict = Verdict()
    for event in events:
        verdict.events += 1
        aggregate, aggregate_id, _ = subject_parts(event.subject)
        key = f"{aggregate}/{aggregate_id}"
        etype, problem = _check(event, key, heads.get(key), gone)
        if problem is not None:
            verdict.problems.append(problem)
        self_altered = (
            problem is not None and problem.kind == "altered" and problem.seq == event.seq
        )
        heads[key] = _Link(event.seq, etype, event_hash(event.data), self_altered)
    verdict.aggregates = len(heads)
    return verdict


def unexplained_gaps(verdict: Verdict, missing: Iterable[int]) -> list[Problem]:
    """Deleted sequences no chain break accounts for (the whole log was walked)."""
    named = {p.seq for p in verdict.problems if p.kind == "missing"}
    return [
        Problem("missing", seq, "?", "?", "deleted from the log (its aggregate is unknown)")
        for seq in sorted(set(missing) - named)
    ]
