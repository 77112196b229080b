"""Requests per client address per minute on the login and token endpoints.

In memory, per process: a burst from one address is cut off at once, without a round trip.
The lockout (``throttle.py``) is the cluster-wide guard against password guessing.
"""

import time
from collections import OrderedDict, deque
from collections.abc import Callable

from mailferry_api.errors import ApiError

MAX_TRACKED = 10_000


class TooManyRequestsError(ApiError):
    """Too many attempts; the ``Retry-After`` header says when to try again."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, round(retry_after_s)))})


class RateLimiter:
    """At most ``limit`` hits per key in any ``window_s`` seconds."""

    def __init__(
        self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window_s
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str) -> float:
        """Record a hit; return 0 if allowed, else the seconds until one is."""
        now = self._clock()
        hits = self._hits.pop(key, None) or deque()
        while hits and now - hits[0] >= self._window:
            hits.popleft()
        self._hits[key] = hits
        if len(self._hits) > MAX_TRACKED:
            self._hits.popitem(last=False)
        if len(hits) >= self._limit:
            return self._window - (now - hits[0])
        hits.append(now)
        return 0.0
