"""The rate limits' counters in this worker's memory (no REDIS_URL), without a thread
per request.

limits' MemoryStorage drops expired counters from a timer thread that runs once, 10 ms
after it is started, and is started again by the next hit: at a few hundred requests a
second that is a new thread for nearly every request (a fifth of a report's filing time,
profiled). Counters are checked for expiry when read anyway; the sweep only frees
memory, so here it runs in the request's own thread, at most once a second.
"""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

SCHEME = "casa311-memory"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """MemoryStorage whose expired entries are swept inline, at most once a second."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    # MemoryStorage calls this (a private name) before every change of a counter.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the name it calls
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
