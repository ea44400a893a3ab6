"""The adaptive limiter against a rate-limited gateway, in simulated time.

Nothing here reads the wall clock, so what a test asserts (how many 429s, how many
simulated seconds a recovery took) is the same on any machine, however loaded:

* :class:`BucketGateway` is the emulator's ``--rate-limit-rps`` mode (its own
  :class:`~assemblyai_gateway.emulator.RateLimit` buckets and ``Retry-After``
  headers) on a :class:`FakeClock`, plus optional storms: windows of time in which
  every request is answered 429 with ``Retry-After: 1``.
* :func:`drive_threads` runs the thread path's decisions: workers take permits with
  ``acquire(blocking=False)`` while the clock moves in small ticks.
* :func:`run_virtual` runs a coroutine on an event loop whose time is the same fake
  clock and jumps ahead whenever every task waits, so the asyncio path (``aacquire``,
  the real client, its retries, the bulk runner) runs unchanged in simulated time.
"""

from __future__ import annotations

import asyncio
import heapq
import selectors
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from assemblyai_gateway import AdaptiveLimiter, GatewayClient, Permit
from assemblyai_gateway.emulator import RateLimit
from assemblyai_gateway.emulator._ratelimit import RateLimiterState, retry_after_headers
from assemblyai_gateway.testing import completion_body, error_body
from tests.support.fake_clock import FakeClock

__all__ = [
    "BucketGateway",
    "Storm",
    "drive_threads",
    "recovery_seconds",
    "run_virtual",
    "simulated_client",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Storm:
    """Every request in ``[start, end)`` (simulated seconds) is answered 429, ``Retry-After: 1``."""

    start: float
    end: float


@dataclass
class BucketGateway:
    """The emulator's rate limit on a fake clock; counts what it answered and refused."""

    clock: FakeClock
    requests_per_second: float
    storms: Sequence[Storm] = ()
    answered: list[float] = field(default_factory=list)  # when each 200 was sent
    refused: int = 0

    def __post_init__(self) -> None:
        limit = RateLimit(requests_per_second=self.requests_per_second, clock=self.clock)
        self._buckets = RateLimiterState(limit)

    @property
    def requests(self) -> int:
        return len(self.answered) + self.refused

    def admit(self) -> float | None:
        """Admit one request now: ``None`` when answered, else the wait it is told.

        The wait is what the client reads from the emulator's headers (``retry-after-ms``).
        """
        now = self.clock()
        if any(storm.start <= now < storm.end for storm in self.storms):
            self.refused += 1
            return 1.0
        wait = self._buckets.admit()
        if wait is None:
            self.answered.append(now)
            return None
        self.refused += 1
        return float(retry_after_headers(wait)["retry-after-ms"]) / 1000

    def response(self) -> httpx.Response:
        """:meth:`admit` as the emulator's HTTP response."""
        wait = self.admit()
        if wait is None:
            return httpx.Response(200, json=completion_body(usage=(10, 5)))
        headers = retry_after_headers(wait)
        return httpx.Response(429, json=error_body(429, "slow down"), headers=headers)


def recovery_seconds(answered: Sequence[float], after: float, target: float) -> float | None:
    """Simulated seconds from ``after`` until a whole second answered ``target`` requests."""
    times = sorted(at for at in answered if at >= after)
    for index, at in enumerate(times):
        # the second ending at `at`: answers in (at - 1, at]
        first = index
        while first > 0 and times[first - 1] > at - 1.0:
            first -= 1
        if at - 1.0 >= after and index - first + 1 >= target:
            return at - after
    return None


# ----------------------------------------------------------------- the thread path


def drive_threads(
    limiter: AdaptiveLimiter,
    gateway: BucketGateway,
    clock: FakeClock,
    *,
    items: int,
    workers: int,
    latency: float,
    until: float | None = None,
    tick: float = 0.001,
    every_tick: Callable[[], None] | None = None,
) -> int:
    """Send ``items`` through ``limiter`` with ``workers`` workers; returns items done.

    Each worker does what a thread in the bulk runner does: take a permit (here
    without blocking, while the clock moves ``tick`` at a time), send, report the
    answer, and after a 429 wait its ``Retry-After`` and send the same item again.
    Stops early at simulated time ``until``, dropping what is in flight (a kill).
    ``every_tick`` is called after each tick (to watch the limiter).
    """
    pending = items
    done = 0
    retries: list[float] = []  # when throttled items may be sent again
    flight: list[tuple[float, int, float | None, Permit]] = []
    sequence = 0
    while done < items and (until is None or clock() < until):
        now = clock()
        while flight and flight[0][0] <= now:
            _, _, wait, answered = heapq.heappop(flight)
            if wait is None:
                answered.succeeded(15)
                done += 1
            else:
                answered.throttled(wait)
                heapq.heappush(retries, now + wait)
        while len(flight) < workers:
            ready = bool(retries) and retries[0] <= now
            if not ready and pending == 0:
                break
            permit = limiter.acquire(blocking=False)
            if permit is None:
                break
            if ready:
                heapq.heappop(retries)
            else:
                pending -= 1
            clock.advance(latency / 2)  # the request reaches the gateway...
            wait = gateway.admit()
            clock.advance(-latency / 2)
            sequence += 1
            heapq.heappush(flight, (now + latency, sequence, wait, permit))
        clock.advance(tick)
        if every_tick is not None:
            every_tick()
    return done


# ------------------------------------------------------------------ the async path


class _VirtualSelector(selectors.BaseSelector):
    """A selector that, instead of sleeping until the next timer, moves the clock there."""

    def __init__(self, clock: FakeClock) -> None:
        self._real = selectors.DefaultSelector()
        self._clock = clock

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        if ready or timeout is None or timeout <= 0:
            # Nothing scheduled at all: only another thread can wake us (real time).
            return ready if timeout is not None else self._real.select(None)
        self._clock.advance(timeout)
        return []

    def close(self) -> None:
        self._real.close()

    def get_map(self) -> Any:
        return self._real.get_map()


class _VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self, clock: FakeClock) -> None:
        super().__init__(selector=_VirtualSelector(clock))
        self._fake_clock = clock

    def time(self) -> float:
        return self._fake_clock()


def run_virtual(main: Coroutine[Any, Any, T], clock: FakeClock) -> T:
    """Run ``main`` on an event loop whose time is ``clock``, jumping over every wait."""
    loop = _VirtualTimeLoop(clock)
    try:
        return loop.run_until_complete(main)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def simulated_client(
    gateway: BucketGateway, limiter: AdaptiveLimiter, *, latency: float, max_retries: int = 6
) -> GatewayClient:
    """A real client whose requests reach ``gateway`` after ``latency`` simulated seconds."""

    async def handle(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(latency / 2)
        response = gateway.response()
        await asyncio.sleep(latency / 2)
        return response

    transport = httpx.MockTransport(handle)
    return GatewayClient(
        api_key="sim-key",
        base_url="http://gateway.invalid/v1",
        limiter=limiter,
        max_retries=max_retries,
        http_async_client=httpx.AsyncClient(transport=transport),
    )
