"""Reading a stream's messages by subject without a consumer: JetStream's batched direct get.

``$JS.API.DIRECT.GET.<stream>`` with ``{"seq", "next_by_subj", "batch"}`` answers with up to
``batch`` messages matching the filter from ``seq`` on, then an end-of-batch status (``204
EOB``, with ``Nats-Num-Pending``), or ``404`` when nothing matches. One request and its answers
replace what an ephemeral consumer costs: create, fetch, and a consumer left on the server for
its inactivity threshold. That is most of the latency of loading a small aggregate. Needs
``allow_direct`` on the stream and nats-server 2.11 (both required by the bus bootstrap).

A direct get may be answered by a replica that lags the stream leader: a read that must reach a
known sequence asks again until it does, within ``wait_s``.
"""

import asyncio
import json
import time
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError

PAGE = 256
"""Messages per request; the server may send fewer (byte limits), the rest is asked for next."""
_RETRY_S = 0.02


@dataclass(frozen=True)
class DirectMessage:
    """One stored message: its stream sequence, subject and body."""

    sequence: int
    subject: str
    data: bytes


@dataclass(frozen=True)
class _Page:
    messages: list[DirectMessage]
    more: bool  # the server holds further matching messages after the last one sent


async def read_until(
    nc: Client, stream: str, subject_filter: str, until: int, wait_s: float, start: int = 1
) -> list[DirectMessage]:
    """The messages matching ``subject_filter`` from ``start`` up to ``until``, which must exist."""
    found: list[DirectMessage] = []
    deadline = time.monotonic() + wait_s
    while True:
        page = await _page(nc, stream, subject_filter, start, wait_s)
        found += [m for m in page.messages if m.sequence <= until]
        if page.messages:
            if page.messages[-1].sequence >= until:
                return found
            start = page.messages[-1].sequence + 1
        if not page.more:
            # A lagging replica answered: ask again (the leader has sequence ``until``).
            if time.monotonic() > deadline:
                raise NatsTimeoutError
            await asyncio.sleep(_RETRY_S)


async def _page(nc: Client, stream: str, subject_filter: str, start: int, wait_s: float) -> _Page:
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox)
    try:
        request = {"seq": start, "next_by_subj": subject_filter, "batch": PAGE}
        await nc.publish(f"$JS.API.DIRECT.GET.{stream}", json.dumps(request).encode(), inbox)
        messages: list[DirectMessage] = []
        while True:
            msg = await sub.next_msg(wait_s)
            status = _status(msg)
            if status is None:
                messages.append(_message(msg))
            elif status == "204":  # end of batch
                pending = int((msg.headers or {}).get("Nats-Num-Pending", "0") or 0)
                return _Page(messages, pending > 0)
            elif status == "404":
                return _Page(messages, False)
            else:
                raise RuntimeError(_failure(stream, status, (msg.headers or {}).get("Description")))
    finally:
        await sub.unsubscribe()


def _failure(stream: str, status: str, description: str | None) -> str:
    if status == "503":  # nobody answers direct gets: the stream does not allow them
        return f"stream {stream} answers no direct get: run the bus bootstrap (allow_direct)"
    return f"direct get from {stream} failed: {status} {description or ''}".rstrip()


def _status(msg: Msg) -> str | None:
    headers = msg.headers
    return headers.get("Status") if headers else None


def _message(msg: Msg) -> DirectMessage:
    headers = msg.headers or {}
    return DirectMessage(int(headers["Nats-Sequence"]), headers["Nats-Subject"], msg.data)
