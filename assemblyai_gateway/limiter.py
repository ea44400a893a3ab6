"""An adaptive limiter: concurrency and send rate learned from the gateway's 429s.

Static limiters (LangChain's ``InMemoryRateLimiter``, LlamaIndex's
``TokenBucketRateLimiter``, Ray Data's ``qps``, a semaphore) send at a rate someone
guessed. This one listens to the gateway instead:

* **AIMD concurrency.** At most ``concurrency`` requests are in flight. A 429, a 503
  or any error carrying ``Retry-After`` cuts it multiplicatively (once per round:
  answers to requests sent before the cut do not cut again); each success grows it
  back additively (half a slot per success until the first throttle, then one per
  window).
* **A learned send rate.** The first throttle measures how many requests the gateway
  answered in the last second; sends are then paced at ``rate_decrease`` times that,
  growing linearly back (``rate_recovery`` of the measured rate per second) until the
  next throttle. Without a throttle nothing is paced.
* **Pause for the time asked.** ``Retry-After`` (or an exponential default when the
  header is missing) pauses *every* caller sharing the limiter, not only the one that
  got the 429; after the pause, sends resume at the paced rate, not in a burst.
* **Tokens per minute** (optional): a budget charged from each response's real usage;
  sends wait while it is spent.

One object is shared by passing it to many clients or models (``limiter=``); it is
safe across threads and event loops, for sync and async callers alike, and pickles to
a fresh limiter with the same settings (one per process, e.g. one per Ray worker).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ConfigurationError

__all__ = ["AdaptiveLimiter", "LimiterStats", "Permit", "adopt_rate_limiter", "checked_limiter"]

_CATCH_UP = 0.05  # seconds of pacing slots a late waiter may still use
_WINDOW = 1.0  # seconds of successes that measure the gateway's rate on a throttle
# Before the first throttle the limit grows by half a slot per success (x1.5 a round):
# fast enough to find a slow gateway's concurrency, while few enough requests are in
# flight when the first 429 comes (they are all refused with it).
_SLOW_START_STEP = 0.5
_MIN_SPAN = 0.1  # a younger window (the first burst) is measured over at least this
_MIN_SAMPLES = 5  # answers needed to measure the rate since the last cut
# Throttled again before that many answers: halve, and keep the growth of the last
# measured rate, so an undershoot is made up quickly.
_FAST_DECREASE = 0.5


@dataclass(frozen=True)
class LimiterStats:
    """A snapshot of an :class:`AdaptiveLimiter`.

    Attributes:
        concurrency: The current in-flight limit.
        in_flight: Requests holding a permit now.
        rate: The paced sends per second, or ``None`` before the first throttle.
        paused_for: Seconds left of the current pause (0 when not paused).
        successes: Responses that succeeded.
        throttles: Responses that were 429, 503 or carried ``Retry-After``.
        tokens_used: Tokens charged from real usage.
        tokens_available: What is left of the per-minute budget, or ``None``.
    """

    concurrency: int
    in_flight: int
    rate: float | None
    paused_for: float
    successes: int
    throttles: int
    tokens_used: int
    tokens_available: float | None


class Permit:
    """The right to send one request; report how it went exactly once.

    :meth:`AdaptiveLimiter.acquire` hands one out. Call :meth:`succeeded`,
    :meth:`throttled` or :meth:`release` (neither: a failure that says nothing about
    load); later calls are ignored, so ``finally: permit.release()`` is always safe.
    """

    __slots__ = ("_done", "_epoch", "_limiter")

    def __init__(self, limiter: AdaptiveLimiter, epoch: int) -> None:
        self._limiter = limiter
        self._epoch = epoch
        self._done = False

    def succeeded(self, tokens: int = 0) -> None:
        """The request succeeded and used ``tokens`` (charged to the minute budget)."""
        if not self._done:
            self._done = True
            self._limiter._on_success(tokens)

    def throttled(self, retry_after: float | None = None) -> None:
        """The gateway pushed back: cut, and pause everyone ``retry_after`` seconds."""
        if not self._done:
            self._done = True
            self._limiter._on_throttle(self._epoch, retry_after)

    def release(self) -> None:
        """Give the slot back without judging the load (errors other than throttles)."""
        if not self._done:
            self._done = True
            self._limiter._on_release()


class _Waiter:
    """One blocked caller: a thread (an Event) or a task (a future on its loop)."""

    __slots__ = ("event", "future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop
        self.event = threading.Event() if loop is None else None
        self.future: asyncio.Future[None] | None = None

    def wake(self) -> None:
        if self.event is not None:
            self.event.set()
        elif self.loop is not None and self.future is not None:
            # A closed loop raises RuntimeError: nobody is waiting there any more.
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(_resolve, self.future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class AdaptiveLimiter:
    """Concurrency, send rate and pauses that adapt to the gateway's 429s.

    Args:
        max_concurrency: The most requests ever in flight.
        initial_concurrency: Where the in-flight limit starts (grows from there).
        min_concurrency: The limit is never cut below this.
        requests_per_second: A starting send rate; ``None`` (default) sends unpaced
            until the first throttle teaches the limiter a rate.
        tokens_per_minute: A budget of tokens per minute charged from real usage.
        concurrency_decrease: The factor the in-flight limit is cut by on a throttle.
        rate_decrease: The factor applied to the measured rate on a throttle.
        rate_recovery: How fast the paced rate grows back: this share of the rate
            measured at the last throttle, per second.
        min_rate: The paced rate never drops below this many requests per second.
        default_pause: The pause after a throttle without ``Retry-After``; it doubles
            with each consecutive one, up to ``max_pause``.
        max_pause: The longest pause, whatever ``Retry-After`` says.
        clock: Monotonic seconds (injectable for tests).

    Example:
        >>> from assemblyai_gateway import AdaptiveLimiter, GatewayClient
        >>> limiter = AdaptiveLimiter(max_concurrency=16, tokens_per_minute=200_000)
        >>> us = GatewayClient(api_key="my-key", limiter=limiter)
        >>> eu = GatewayClient(api_key="my-key", region="eu", limiter=limiter)  # shared
        >>> permit = limiter.acquire()
        >>> permit.throttled(retry_after=2.0)  # what the client does on a 429
        >>> stats = limiter.stats()
        >>> stats.concurrency, stats.throttles, stats.paused_for > 1.9
        (4, 1, True)
    """

    def __init__(
        self,
        *,
        max_concurrency: int = 64,
        initial_concurrency: int = 8,
        min_concurrency: int = 1,
        requests_per_second: float | None = None,
        tokens_per_minute: float | None = None,
        concurrency_decrease: float = 0.5,
        rate_decrease: float = 0.9,
        rate_recovery: float = 0.03,
        min_rate: float = 1.0,
        default_pause: float = 1.0,
        max_pause: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= min_concurrency <= max_concurrency:
            raise ConfigurationError("need 1 <= min_concurrency <= max_concurrency")
        for name, factor in (
            ("concurrency_decrease", concurrency_decrease),
            ("rate_decrease", rate_decrease),
        ):
            if not 0 < factor < 1:
                raise ConfigurationError(f"{name} must be between 0 and 1, got {factor}")
        for name, value in (
            ("requests_per_second", requests_per_second),
            ("tokens_per_minute", tokens_per_minute),
        ):
            if value is not None and value <= 0:
                raise ConfigurationError(f"{name} must be positive, got {value}")
        if min_rate <= 0 or rate_recovery <= 0 or default_pause < 0 or max_pause < 0:
            raise ConfigurationError("min_rate, rate_recovery and the pauses must be positive")
        self._settings: dict[str, Any] = {
            "max_concurrency": max_concurrency,
            "initial_concurrency": initial_concurrency,
            "min_concurrency": min_concurrency,
            "requests_per_second": requests_per_second,
            "tokens_per_minute": tokens_per_minute,
            "concurrency_decrease": concurrency_decrease,
            "rate_decrease": rate_decrease,
            "rate_recovery": rate_recovery,
            "min_rate": min_rate,
            "default_pause": default_pause,
            "max_pause": max_pause,
            "clock": clock,
        }
        self.max_concurrency = max_concurrency
        self.min_concurrency = min_concurrency
        self.tokens_per_minute = tokens_per_minute
        self._concurrency_decrease = concurrency_decrease
        self._rate_decrease = rate_decrease
        self._rate_recovery = rate_recovery
        self._min_rate = min_rate
        self._default_pause = default_pause
        self._max_pause = max_pause
        self._clock = clock
        start = min(max(initial_concurrency, min_concurrency), max_concurrency)
        self._lock = threading.Lock()
        self._queue: collections.deque[_Waiter] = collections.deque()
        self._concurrency = float(start)
        self._in_flight = 0
        self._epoch = 0
        self._slow_start = True
        self._rate: float | None = requests_per_second
        self._growth = self._rate or 0.0  # the rate measured at the last throttle
        self._next_send = -math.inf
        self._pause_until = -math.inf
        self._consecutive_throttles = 0
        self._recent: collections.deque[float] = collections.deque()
        self._last_cut = -math.inf
        self._successes = 0
        self._throttles = 0
        self._tokens_used = 0
        now = self._clock()
        self._tokens = self.tokens_per_minute
        self._tokens_at = now

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        # Settings only: a pickled limiter is a fresh one (its own process, its own state).
        return dict(self._settings)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __repr__(self) -> str:
        s = self.stats()
        rate = "unpaced" if s.rate is None else f"{s.rate:.1f}/s"
        return (
            f"AdaptiveLimiter(concurrency={s.concurrency}/{self.max_concurrency}, "
            f"rate={rate}, in_flight={s.in_flight}, throttles={s.throttles})"
        )

    # ------------------------------------------------------------------ decisions

    def _refill_tokens(self, now: float) -> None:
        if self.tokens_per_minute is None or self._tokens is None:
            return
        per_second = self.tokens_per_minute / 60.0
        self._tokens = min(
            self.tokens_per_minute, self._tokens + (now - self._tokens_at) * per_second
        )
        self._tokens_at = now

    def _decide(self, now: float) -> Permit | float | None:
        """A permit, or seconds to wait, or ``None`` to wait for a slot (lock held)."""
        if now < self._pause_until:
            return self._pause_until - now
        self._refill_tokens(now)
        if self._tokens is not None and self._tokens <= 0:
            assert self.tokens_per_minute is not None
            return -self._tokens / (self.tokens_per_minute / 60.0) + 1e-3
        if self._in_flight >= int(self._concurrency):
            return None
        if self._rate is not None:
            if now < self._next_send:
                return self._next_send - now
            self._next_send = max(self._next_send, now - _CATCH_UP) + 1.0 / self._rate
        self._in_flight += 1
        return Permit(self, self._epoch)

    def _wake_head(self) -> None:
        if self._queue:
            self._queue[0].wake()

    def _leave(self, waiter: _Waiter) -> None:
        was_head = bool(self._queue) and self._queue[0] is waiter
        try:
            self._queue.remove(waiter)
        except ValueError:
            return
        if was_head:
            self._wake_head()

    def _on_success(self, tokens: int) -> None:
        with self._lock:
            now = self._clock()
            self._in_flight -= 1
            self._successes += 1
            self._consecutive_throttles = 0
            self._recent.append(now)
            while self._recent and self._recent[0] < now - _WINDOW:
                self._recent.popleft()
            step = _SLOW_START_STEP if self._slow_start else 1.0 / self._concurrency
            self._concurrency = min(float(self.max_concurrency), self._concurrency + step)
            if self._rate is not None:
                # Linear in time: about `rate` successes a second, each adds growth/rate.
                self._rate += self._rate_recovery * self._growth / self._rate
            self._spend(tokens, now)
            self._wake_head()

    def _spend(self, tokens: int, now: float) -> None:
        if tokens <= 0:
            return
        self._tokens_used += tokens
        if self._tokens is not None:
            self._refill_tokens(now)
            self._tokens -= tokens

    def charge(self, tokens: int) -> None:
        """Charge ``tokens`` of real usage to the budget (streams report usage last)."""
        with self._lock:
            self._spend(tokens, self._clock())

    def _on_throttle(self, epoch: int, retry_after: float | None) -> None:
        with self._lock:
            now = self._clock()
            self._in_flight -= 1
            self._throttles += 1
            self._consecutive_throttles += 1
            if retry_after is None:
                exponent = min(self._consecutive_throttles - 1, 16)
                retry_after = self._default_pause * 2.0**exponent
            pause = min(max(retry_after, 0.0), self._max_pause)
            self._pause_until = max(self._pause_until, now + pause)
            self._next_send = max(self._next_send, self._pause_until)
            if epoch == self._epoch:
                # One cut per round: answers to requests sent before it don't cut again.
                self._epoch += 1
                self._slow_start = False
                self._concurrency = max(
                    float(self.min_concurrency), self._concurrency * self._concurrency_decrease
                )
                measured = self._measured_rate(now)
                current = self._rate if self._rate is not None else math.inf
                if measured is None:  # too soon to measure: the rate is still far over
                    self._rate = max(self._min_rate, current * _FAST_DECREASE)
                else:
                    base = max(min(current, measured), self._min_rate)
                    self._growth = base
                    self._rate = max(self._min_rate, base * self._rate_decrease)
                self._last_cut = now
            self._wake_head()

    def _measured_rate(self, now: float) -> float | None:
        """The gateway's rate as answers show it, or None when too few (lock held)."""
        while self._recent and self._recent[0] < now - _WINDOW:
            self._recent.popleft()
        since_cut = now - self._last_cut
        if since_cut < _WINDOW and self._rate is not None:
            # Throttled again soon after a cut: the answers since that cut are the
            # rate the gateway gives now (a first burst may have been far faster).
            answered = sum(1 for at in self._recent if at > self._last_cut)
            return answered / since_cut if answered >= _MIN_SAMPLES else None
        # Successes per second over the window actually seen (the first throttle may
        # come a fraction of a second after the start).
        span = min(_WINDOW, max(_MIN_SPAN, now - self._recent[0])) if self._recent else 1.0
        return len(self._recent) / span

    def _on_release(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._wake_head()

    # ------------------------------------------------------------------ acquiring

    def acquire(self, *, blocking: bool = True) -> Permit | None:
        """Wait for a permit (threads); ``None`` only when ``blocking=False`` and busy.

        Waiters are served first come, first served; only the first one watches the
        clock, so a thousand waiters cost one wake-up per permit, not a thousand.
        """
        with self._lock:
            if not self._queue:
                decision = self._decide(self._clock())
                if isinstance(decision, Permit):
                    return decision
            if not blocking:
                return None
            waiter = _Waiter()
            self._queue.append(waiter)
        assert waiter.event is not None
        try:
            while True:
                with self._lock:
                    waiter.event.clear()
                    wait: float | None = None
                    if self._queue[0] is waiter:
                        decision = self._decide(self._clock())
                        if isinstance(decision, Permit):
                            self._queue.popleft()
                            self._wake_head()
                            return decision
                        wait = decision
                waiter.event.wait(wait)
        except BaseException:
            with self._lock:
                self._leave(waiter)
            raise

    async def aacquire(self) -> Permit:
        """Wait for a permit (asyncio); cancelling the wait gives the turn away."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if not self._queue:
                decision = self._decide(self._clock())
                if isinstance(decision, Permit):
                    return decision
            waiter = _Waiter(loop)
            self._queue.append(waiter)
        try:
            while True:
                with self._lock:
                    future: asyncio.Future[None] = loop.create_future()
                    waiter.future = future
                    wait: float | None = None
                    if self._queue[0] is waiter:
                        decision = self._decide(self._clock())
                        if isinstance(decision, Permit):
                            self._queue.popleft()
                            self._wake_head()
                            return decision
                        wait = decision
                timer = loop.call_later(wait, _resolve, future) if wait is not None else None
                try:
                    await future
                finally:
                    if timer is not None:
                        timer.cancel()
        except BaseException:
            with self._lock:
                self._leave(waiter)
            raise

    def wait_turn(self, *, pace: bool = True, blocking: bool = True) -> bool:
        """Wait without holding a slot, for hooks that never report an outcome.

        Waits out the pause after a throttle; with ``pace`` also takes a send slot at
        the learned rate and token budget. This is what the frameworks'
        ``rate_limiter`` hooks call. Returns False only when ``blocking=False`` and a
        wait would be needed.
        """
        if pace:
            permit = self.acquire(blocking=blocking)
            if permit is None:
                return False
            permit.release()
            return True
        while (wait := self.pause_remaining()) > 0:
            if not blocking:
                return False
            time.sleep(wait)
        return True

    async def await_turn(self, *, pace: bool = True, blocking: bool = True) -> bool:
        """Async :meth:`wait_turn`."""
        if not blocking:
            return self.wait_turn(pace=pace, blocking=False)
        if pace:
            (await self.aacquire()).release()
            return True
        # Another caller may extend the pause while we sleep, so check again after.
        while (wait := self.pause_remaining()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        return True

    def pause_remaining(self) -> float:
        """Seconds until the current pause ends (0 when not paused)."""
        with self._lock:
            return max(0.0, self._pause_until - self._clock())

    def stats(self) -> LimiterStats:
        """A consistent snapshot of the limiter's state."""
        with self._lock:
            now = self._clock()
            self._refill_tokens(now)
            return LimiterStats(
                concurrency=int(self._concurrency),
                in_flight=self._in_flight,
                rate=self._rate,
                paused_for=max(0.0, self._pause_until - now),
                successes=self._successes,
                throttles=self._throttles,
                tokens_used=self._tokens_used,
                tokens_available=self._tokens,
            )


def checked_limiter(limiter: object) -> AdaptiveLimiter:
    """``limiter`` itself, or a ``TypeError`` naming what was given instead."""
    if not isinstance(limiter, AdaptiveLimiter):
        raise TypeError(f"limiter must be an AdaptiveLimiter, got {type(limiter).__name__}")
    return limiter


def adopt_rate_limiter(values: Any, wrap: Callable[[AdaptiveLimiter, bool], object]) -> Any:
    """An adapter's ``rate_limiter=AdaptiveLimiter(...)``: the one rule both adapters follow.

    The limiter also becomes the model's ``limiter`` (unless one is set), and the
    framework's ``rate_limiter`` slot gets ``wrap(limiter, pace)``: ``pace`` is False
    when the model's own client already reports to that limiter, so no request is
    counted twice. Returns a new dict; ``values`` (or a non-dict) is returned untouched
    when there is nothing to adopt.
    """
    if not isinstance(values, dict):
        return values
    given = values.get("rate_limiter")
    if not isinstance(given, AdaptiveLimiter):
        return values
    adopted = dict(values)
    if adopted.get("limiter") is None:
        adopted["limiter"] = given
    adopted["rate_limiter"] = wrap(given, adopted["limiter"] is not given)
    return adopted
