"""An adaptive limiter: concurrency and send rate learned from the gateway's 429s.

Static limiters (LangChain's ``InMemoryRateLimiter``, LlamaIndex's
``TokenBucketRateLimiter``, Ray Data's ``qps``, a semaphore) send at a rate someone
guessed. This one listens to the gateway instead:

* **Probing.** A fresh limiter paces sends from ``initial_concurrency`` a second and
  doubles the pace every second the gateway keeps answering, so a first run finds the
  account's rate within seconds instead of bursting into it.
* **AIMD concurrency.** At most ``concurrency`` requests are in flight. A 429, a 503
  or any error carrying ``Retry-After`` cuts it multiplicatively (once per round:
  answers to requests sent before the cut do not cut again); successes grow it back.
* **A learned send rate.** A throttle measures how many requests the gateway answered
  since the last one; sends are then paced at ``rate_decrease`` times that, growing
  linearly (``rate_recovery`` of the measured rate per second) until the next throttle.
* **Storms end in seconds.** A throttle with nothing answered since the last one (the
  gateway refusing everything for a while) halves the pace but keeps the learned rate;
  once answers come back, the pace doubles every second until it is back there.
* **Pause for the time asked.** ``Retry-After`` (or a default that doubles with each
  round of throttles, not with each response) pauses *every* caller sharing the
  limiter, up to ``max_pause``; after the pause, sends resume at the paced rate.
* **Tokens per minute** (optional): a budget charged from each response's real usage;
  sends wait while it is spent. One reply charges at most a minute's budget (and at
  most 10 million tokens), and the debt is capped so the wait never exceeds
  ``max_pause``.

One object is shared by passing it to many clients or models (``limiter=``); it is
safe across threads and event loops, for sync and async callers alike, and pickles to
a fresh limiter with the same settings (one per process, e.g. one per Ray worker).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigurationError
from .control import Control
from .waiters import Waiter, WaitQueue

__all__ = ["AdaptiveLimiter", "LimiterStats", "Permit", "adopt_rate_limiter", "require_limiter"]


@dataclass(frozen=True)
class LimiterStats:
    """A snapshot of an :class:`AdaptiveLimiter`.

    Attributes:
        concurrency: The current in-flight limit.
        in_flight: Requests holding a permit now.
        waiting: Callers waiting for a permit now.
        rate: The paced sends per second (while probing, the probe's pace).
        learned_rate: The last good rate the gateway allowed, which the pace climbs
            back to after a storm; ``None`` until the first throttle (or a starting
            rate, or :meth:`AdaptiveLimiter.resume_from`).
        paused_for: Seconds left of the current pause (0 when not paused).
        successes: Responses that succeeded.
        throttles: Responses that were 429, 503 or carried ``Retry-After``.
        tokens_used: Tokens charged from real usage (each reply's charge capped).
        tokens_available: What is left of the per-minute budget, or ``None``.
    """

    concurrency: int
    in_flight: int
    waiting: int
    rate: float
    learned_rate: float | None
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


def _check_settings(settings: dict[str, Any]) -> None:
    """Raise ``ConfigurationError`` naming the first impossible setting."""
    for name in ("max_concurrency", "initial_concurrency", "min_concurrency"):
        value = settings[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigurationError(f"{name} must be an integer, got {value!r}")
    for name, value in settings.items():
        if name == "clock" or value is None or name.endswith("concurrency"):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigurationError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ConfigurationError(f"{name} must be finite, got {value!r}")
    if not 1 <= settings["min_concurrency"] <= settings["max_concurrency"]:
        raise ConfigurationError("need 1 <= min_concurrency <= max_concurrency")
    for name in ("concurrency_decrease", "rate_decrease"):
        if not 0 < settings[name] < 1:
            raise ConfigurationError(f"{name} must be between 0 and 1, got {settings[name]}")
    for name in ("requests_per_second", "tokens_per_minute"):
        value = settings[name]
        if value is not None and value <= 0:
            raise ConfigurationError(f"{name} must be positive, got {value}")
    if (
        settings["min_rate"] <= 0
        or settings["rate_recovery"] <= 0
        or settings["default_pause"] < 0
        or settings["max_pause"] < 0
    ):
        raise ConfigurationError("min_rate, rate_recovery and the pauses must be positive")


class AdaptiveLimiter:
    """Concurrency, send rate and pauses that adapt to the gateway's 429s.

    Args:
        max_concurrency: The most requests ever in flight.
        initial_concurrency: Where the in-flight limit starts (grows from there); a
            fresh limiter also starts probing at this many sends a second.
        min_concurrency: The limit is never cut below this.
        requests_per_second: A starting send rate (counted as learned); ``None``
            (default) probes for the gateway's rate instead.
        tokens_per_minute: A budget of tokens per minute charged from real usage.
        concurrency_decrease: The factor the in-flight limit is cut by on a throttle.
        rate_decrease: The factor applied to the measured rate on a throttle.
        rate_recovery: How fast the paced rate grows past the learned rate: this
            share of the rate measured at the last throttle, per second.
        min_rate: The paced rate never drops below this many requests per second.
        default_pause: The pause after a throttle without ``Retry-After``; it doubles
            with each consecutive round of throttles, up to ``max_pause``.
        max_pause: The longest wait for a pause or the token budget, whatever the
            gateway says.
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
        _check_settings(self._settings)
        self.max_concurrency = max_concurrency
        self.min_concurrency = min_concurrency
        self.tokens_per_minute = tokens_per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._waiters = WaitQueue()
        settings = {name: value for name, value in self._settings.items() if name != "clock"}
        self._control = Control(now=clock(), **settings)

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        # Settings only: a pickled limiter is a fresh one (its own process, its own state).
        return dict(self._settings)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __repr__(self) -> str:
        s = self.stats()
        return (
            f"AdaptiveLimiter(concurrency={s.concurrency}/{self.max_concurrency}, "
            f"rate={s.rate:.1f}/s, in_flight={s.in_flight}, throttles={s.throttles})"
        )

    # ------------------------------------------------------------------ outcomes

    def _decide(self, *, probe: bool = True) -> Permit | float | None:
        """A permit, or seconds to wait, or ``None`` to wait for a slot (lock held)."""
        decision = self._control.decide(self._clock(), probe=probe)
        if decision is True:
            return Permit(self, self._control.epoch)
        return None if decision is None else float(decision)

    def _on_success(self, tokens: object) -> None:
        with self._lock:
            self._control.succeeded(self._clock(), tokens)
            self._waiters.notify()

    def _on_throttle(self, epoch: int, retry_after: object) -> None:
        with self._lock:
            self._control.throttled(self._clock(), epoch, retry_after)
            self._waiters.notify()

    def _on_release(self) -> None:
        with self._lock:
            self._control.released()
            self._waiters.notify()

    def charge(self, tokens: int) -> None:
        """Charge ``tokens`` of real usage to the budget (streams report usage last).

        Anything but a positive count charges nothing; one charge is capped at a
        minute's budget.
        """
        with self._lock:
            self._control.spend(self._clock(), tokens)

    def resume_from(self, rate: float, concurrency: int | None = None) -> bool:
        """Start from a rate learned before, e.g. by an earlier run of the same job.

        Sends are paced at ``rate`` from the first one (no probing), growing as after a
        throttle; ``concurrency`` sets the in-flight limit. Returns False, changing
        nothing, once this limiter has been throttled: what it learned itself wins.

        Raises:
            ConfigurationError: ``rate`` is not a positive, finite number, or
                ``concurrency`` not a positive integer.
        """
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise ConfigurationError(f"rate must be a number, got {rate!r}")
        if not (math.isfinite(rate) and rate > 0):
            raise ConfigurationError(f"rate must be positive and finite, got {rate!r}")
        if concurrency is not None and (
            isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
        ):
            raise ConfigurationError(f"concurrency must be a positive integer, got {concurrency!r}")
        with self._lock:
            resumed = self._control.resume_from(self._clock(), float(rate), concurrency)
            self._waiters.notify()
        return resumed

    # ------------------------------------------------------------------ acquiring

    def acquire(self, *, blocking: bool = True) -> Permit | None:
        """Wait for a permit (threads); ``None`` only when ``blocking=False`` and busy.

        Waiters are served first come, first served; only the first one watches the
        clock, so a thousand waiters cost one wake-up per permit, not a thousand.
        """
        return self._acquire(blocking=blocking, probe=True)

    def _acquire(self, *, blocking: bool, probe: bool) -> Permit | None:
        with self._lock:
            if not self._waiters:
                decision = self._decide(probe=probe)
                if isinstance(decision, Permit):
                    return decision
            if not blocking:
                return None
            waiter = Waiter()
            self._waiters.join(waiter)
        assert waiter.event is not None
        try:
            while True:
                with self._lock:
                    waiter.event.clear()
                    if waiter.dropped:
                        self._waiters.join(waiter)
                    if self._waiters.is_head(waiter):
                        decision = self._decide(probe=probe)
                        if isinstance(decision, Permit):
                            self._waiters.pop_head()
                            return decision
                        wait = decision
                    else:
                        wait = self._waiters.patience(waiter)
                waiter.event.wait(wait)
        except BaseException:
            with self._lock:
                self._waiters.leave(waiter)
            raise

    async def aacquire(self) -> Permit:
        """Wait for a permit (asyncio); cancelling the wait gives the turn away."""
        return await self._aacquire(probe=True)

    async def _aacquire(self, *, probe: bool) -> Permit:
        loop = asyncio.get_running_loop()
        with self._lock:
            if not self._waiters:
                decision = self._decide(probe=probe)
                if isinstance(decision, Permit):
                    return decision
            waiter = Waiter(loop)
            self._waiters.join(waiter)
        try:
            while True:
                with self._lock:
                    waiter.future = loop.create_future()
                    if waiter.dropped:  # our loop stopped while we waited; it runs again
                        self._waiters.join(waiter)
                    if self._waiters.is_head(waiter):
                        decision = self._decide(probe=probe)
                        if isinstance(decision, Permit):
                            self._waiters.pop_head()
                            return decision
                        wait = decision
                    else:
                        wait = self._waiters.patience(waiter)
                timer = waiter.timer(wait)
                try:
                    await waiter.future
                finally:
                    if timer is not None:
                        timer.cancel()
        except BaseException:
            with self._lock:
                self._waiters.leave(waiter)
            raise

    def wait_turn(self, *, pace: bool = True, blocking: bool = True) -> bool:
        """Wait without holding a slot, for hooks that never report an outcome.

        Waits out the pause after a throttle; with ``pace`` also takes a send slot at
        the learned rate and token budget (never the probing pace, which only reported
        successes can raise). This is what the frameworks' ``rate_limiter`` hooks
        call. Returns False only when ``blocking=False`` and a wait would be needed.
        """
        if pace:
            permit = self._acquire(blocking=blocking, probe=False)
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
            (await self._aacquire(probe=False)).release()
            return True
        # Another caller may extend the pause while we sleep, so check again after.
        while (wait := self.pause_remaining()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        return True

    def pause_remaining(self) -> float:
        """Seconds until the current pause ends (0 when not paused)."""
        with self._lock:
            return max(0.0, self._control.pause_until - self._clock())

    def stats(self) -> LimiterStats:
        """A consistent snapshot of the limiter's state."""
        with self._lock:
            now = self._clock()
            control = self._control
            control.refill(now)
            return LimiterStats(
                concurrency=int(control.concurrency),
                in_flight=control.in_flight,
                waiting=len(self._waiters),
                rate=control.rate,
                learned_rate=control.learned_rate,
                paused_for=max(0.0, control.pause_until - now),
                successes=control.successes,
                throttles=control.throttles,
                tokens_used=control.tokens_used,
                tokens_available=control.tokens,
            )


def require_limiter(limiter: object) -> AdaptiveLimiter:
    """``limiter`` itself, which must be an :class:`AdaptiveLimiter` (``None`` is refused).

    For the adapters' rate-limiter wrappers, which exist only around a limiter; the
    client's optional ``limiter=`` is checked by ``_gating.limiter_or_none`` instead.

    Raises:
        TypeError: naming what was given instead.
    """
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
