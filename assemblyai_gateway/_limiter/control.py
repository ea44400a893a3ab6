"""The adaptive limiter's decisions, apart from its locking and waiting.

:class:`Control` holds the numbers (in-flight limit, paced rate, pause, token budget)
and changes them on each event, given the time. It never reads a clock, takes a lock or
waits: :class:`~assemblyai_gateway.AdaptiveLimiter` does that around it, the same way
for threads and tasks.

The send rate follows TCP's congestion control, with requests per second for a window:

* **Probing.** Until the gateway first pushes back, sends are paced from
  ``initial_concurrency`` a second (that many may go at once), and each success adds
  ``ln 2`` a second: the pace doubles every second the sends keep up with it. A first
  run reaches the gateway's limit within seconds instead of bursting into it.
* **A measured cut.** At a throttle, the gateway's rate is what it answered since the
  last cut (over at most :data:`HORIZON` seconds, the pause included, so a token
  bucket's refill counts). Sends are then paced at ``rate_decrease`` times the lower of
  that and the current pace; this is the *learned rate*.
* **A storm.** A throttle with too few answers since the last cut to measure anything
  (the gateway refuses everything for a while) halves the pace but keeps the learned
  rate. Once answers come back, the pace doubles every second (slow start) until it is
  back at the learned rate, then grows linearly (``rate_recovery`` of the measured rate
  per second) until the next throttle.

The in-flight limit does the same with slots: half a slot per success while probing or
below the last good limit, one per window above it, cut by ``concurrency_decrease``.
"""

from __future__ import annotations

import collections
import math

__all__ = ["HORIZON", "MAX_TOKENS_PER_REPLY", "Control", "charge_amount"]

HORIZON = 10.0  # the most seconds of answers a throttle measures the rate over
MAX_TOKENS_PER_REPLY = 10_000_000  # no reply charges more, whatever its usage says
_MAX_SAMPLES = 8192  # success times kept (a faster gateway is measured over less time)
_CATCH_UP = 0.05  # seconds of pacing slots a late waiter may still use
_PROBE_WINDOW = 1.0  # seconds of answers that measure the rate when probing ends
_MIN_SPAN = 0.1  # a younger measurement (a first burst) counts over at least this
_MIN_SAMPLES = 5  # answers needed to measure a rate; fewer means a storm
_SLOW_START_STEP = 0.5  # slots per success while the in-flight limit probes
_PROBE_STEP = math.log(2)  # requests/s per success while the pace probes: x2 a second
_STORM_DECREASE = 0.5  # the pace's cut at a throttle that measured nothing
_MAX_EXPONENT = 16  # default pauses double at most this often (then max_pause caps them)


def charge_amount(tokens: object, cap: float) -> int:
    """What a reported token count may charge: a whole number in ``0..cap``.

    Usage comes from the network, so anything that is not a positive, finite number
    of tokens (``None``, text, ``True``, NaN, a negative count) charges nothing, and an
    absurd count (``1e30``, infinity) charges ``cap``.
    """
    if isinstance(tokens, bool) or not isinstance(tokens, (int, float)):
        return 0
    if math.isnan(tokens) or tokens <= 0:
        return 0
    return int(min(tokens, cap))


def pause_for(retry_after: object, default: float, maximum: float) -> float:
    """Seconds to pause for a ``Retry-After`` value: ``default`` when it is unusable."""
    if isinstance(retry_after, bool) or not isinstance(retry_after, (int, float)):
        return min(default, maximum)
    if math.isnan(retry_after):
        return min(default, maximum)
    return min(max(float(retry_after), 0.0), maximum)


class Control:
    """The limiter's state and its rules; every method is called with the lock held."""

    def __init__(
        self,
        *,
        now: float,
        max_concurrency: int,
        initial_concurrency: int,
        min_concurrency: int,
        requests_per_second: float | None,
        tokens_per_minute: float | None,
        concurrency_decrease: float,
        rate_decrease: float,
        rate_recovery: float,
        min_rate: float,
        default_pause: float,
        max_pause: float,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.min_concurrency = min_concurrency
        self.tokens_per_minute = tokens_per_minute
        self._concurrency_decrease = concurrency_decrease
        self._rate_decrease = rate_decrease
        self._rate_recovery = rate_recovery
        self._min_rate = min_rate
        self._default_pause = default_pause
        self._max_pause = max_pause
        start = min(max(initial_concurrency, min_concurrency), max_concurrency)
        self.concurrency = float(start)
        self.good_concurrency: float | None = None  # None: still probing
        self._burst = start  # sends that may go at once while probing
        self.rate = max(min_rate, float(requests_per_second or start))
        # None while probing; a starting rate given by the user counts as learned.
        self.learned_rate = self.rate if requests_per_second is not None else None
        self._growth = self.rate  # the rate measured at the last cut
        self.in_flight = 0
        self.epoch = 0
        self.next_send = -math.inf
        self.pause_until = -math.inf
        self._consecutive_rounds = 0
        self._answers: collections.deque[float] = collections.deque(maxlen=_MAX_SAMPLES)
        self._measure_from: float | None = None  # the last cut, or the first send
        self._answered_since_cut = 0
        self._learned_before_cut: float | None = None
        self.successes = 0
        self.throttles = 0
        self.tokens_used = 0
        self._charge_cap = float(MAX_TOKENS_PER_REPLY)
        self.tokens: float | None = None
        self._token_floor = 0.0
        if tokens_per_minute is not None:
            self._charge_cap = min(self._charge_cap, tokens_per_minute)
            # The deepest debt the budget can hold: refilled within max_pause.
            self._token_floor = -tokens_per_minute / 60.0 * max_pause
            self.tokens = tokens_per_minute
        self._tokens_at = now

    # ----------------------------------------------------------------- deciding

    def decide(self, now: float, *, probe: bool = True) -> bool | float | None:
        """True for a permit, else seconds to wait, or ``None`` to wait for a slot.

        ``probe=False`` (a hook that never reports outcomes) skips the probing pace,
        which only successes can raise, and keeps to the learned one.
        """
        if now < self.pause_until:
            return self.pause_until - now
        self.refill(now)
        if self.tokens is not None and self.tokens <= 0:
            assert self.tokens_per_minute is not None
            return -self.tokens / (self.tokens_per_minute / 60.0) + 1e-3
        if self.in_flight >= int(self.concurrency):
            return None
        probing = self.learned_rate is None
        if probe or not probing:
            if now < self.next_send:
                return self.next_send - now
            slack = max(_CATCH_UP, (self._burst - 1) / self.rate) if probing else _CATCH_UP
            self.next_send = max(self.next_send, now - slack) + 1.0 / self.rate
        self.in_flight += 1
        if self._measure_from is None:
            self._measure_from = now
        return True

    # ---------------------------------------------------------------- outcomes

    def succeeded(self, now: float, tokens: object) -> None:
        self.in_flight -= 1
        self.successes += 1
        self._consecutive_rounds = 0
        self._answers.append(now)
        self._answered_since_cut += 1
        while self._answers and self._answers[0] < now - HORIZON:
            self._answers.popleft()
        self._grow_concurrency()
        self._grow_rate()
        self.spend(now, tokens)

    def _grow_concurrency(self) -> None:
        good = self.good_concurrency
        if good is None or self.concurrency < good:
            step = _SLOW_START_STEP
        else:
            step = 1.0 / self.concurrency
        self.concurrency = min(float(self.max_concurrency), self.concurrency + step)
        if good is not None:
            self.good_concurrency = max(good, self.concurrency)

    def _grow_rate(self) -> None:
        learned = self.learned_rate
        if learned is None:
            self.rate += _PROBE_STEP
        elif self.rate < learned:  # slow start back to the learned rate after a storm
            self.rate = min(learned, self.rate + _PROBE_STEP)
        else:
            # Linear in time: about `rate` successes a second, each adds growth/rate.
            self.rate += self._rate_recovery * self._growth / self.rate
            self.learned_rate = self.rate

    def throttled(self, now: float, epoch: int, retry_after: object) -> None:
        self.in_flight -= 1
        self.throttles += 1
        new_round = epoch == self.epoch  # answers to sends before the last cut don't cut
        if new_round:
            self._consecutive_rounds += 1
        exponent = min(max(self._consecutive_rounds - 1, 0), _MAX_EXPONENT)
        pause = pause_for(retry_after, self._default_pause * 2.0**exponent, self._max_pause)
        self.pause_until = max(self.pause_until, now + pause)
        self.next_send = max(self.next_send, self.pause_until)
        if new_round:
            self.epoch += 1
            self._cut(now)

    def _cut(self, now: float) -> None:
        measured = self.measured_rate(now)
        self.concurrency = max(
            float(self.min_concurrency), self.concurrency * self._concurrency_decrease
        )
        if measured is not None:
            # A probe's burst may outrun its pace: then the answers are all we know.
            paced = measured if self.learned_rate is None else min(self.rate, measured)
            base = max(self._min_rate, paced)
            self._growth = base
            self._learned_before_cut = self.learned_rate
            self.rate = self.learned_rate = max(self._min_rate, base * self._rate_decrease)
            self.good_concurrency = self.concurrency
        else:  # a storm: slow down, but remember what the gateway gave before it
            self.rate = max(self._min_rate, self.rate * _STORM_DECREASE)
            if self.good_concurrency is None:
                self.good_concurrency = self.concurrency
            before = self._learned_before_cut
            if self._answered_since_cut == 0 and before is not None and self.learned_rate:
                # Not one answer even after the pause asked for: the gateway refuses
                # everything, so the last cut was the storm's start, not our excess.
                self.learned_rate = max(self.learned_rate, before)
        self._measure_from = now
        self._answered_since_cut = 0

    def measured_rate(self, now: float) -> float | None:
        """Answers per second since the last cut (at most :data:`HORIZON` seconds back).

        ``None`` when fewer than a handful came back: nothing to measure.
        """
        if self._measure_from is None:
            return None
        # While probing, the early seconds were far below the gateway's rate: only the
        # last one counts. Later, from the last cut on, pause included, since a token
        # bucket refilled during it: answered / elapsed is then the bucket's own rate.
        window = _PROBE_WINDOW if self.learned_rate is None else HORIZON
        start = max(self._measure_from, now - window)
        answers = self._answers
        if len(answers) == answers.maxlen and answers[0] > start:
            start = answers[0]  # a very fast gateway: measured over the answers kept
        count = 0
        for at in reversed(answers):
            if at < start - 1e-9:  # an answer just at the start counts, rounding aside
                break
            count += 1
        if count < _MIN_SAMPLES:
            return None
        if self.learned_rate is None:  # a first burst may take no time at all
            return count / max(_MIN_SPAN, now - start)
        return count / (now - start)

    def released(self) -> None:
        self.in_flight -= 1

    # -------------------------------------------------------------- the budget

    def refill(self, now: float) -> None:
        if self.tokens_per_minute is None or self.tokens is None:
            return
        per_second = self.tokens_per_minute / 60.0
        elapsed = max(0.0, now - self._tokens_at)
        self.tokens = min(self.tokens_per_minute, self.tokens + elapsed * per_second)
        self._tokens_at = now

    def spend(self, now: float, tokens: object) -> None:
        amount = charge_amount(tokens, self._charge_cap)
        if amount <= 0:
            return
        self.tokens_used += amount
        if self.tokens is not None:
            self.refill(now)
            self.tokens = max(self._token_floor, self.tokens - amount)

    # ------------------------------------------------------------- resuming

    def resume_from(self, now: float, rate: float, concurrency: int | None) -> bool:
        """Start from a rate learned before, unless the gateway already taught one."""
        if self.throttles:
            return False
        self.rate = self.learned_rate = self._growth = max(self._min_rate, rate)
        if concurrency is not None:
            limit = min(max(concurrency, self.min_concurrency), self.max_concurrency)
            self.concurrency = self.good_concurrency = float(limit)
        self._measure_from = now
        return True
