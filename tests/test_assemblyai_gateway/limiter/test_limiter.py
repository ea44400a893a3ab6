"""AdaptiveLimiter decisions, on a fake clock: probing, AIMD, pauses, pacing, token budget.

``take`` gets a permit that must be free now, through the thread path (``acquire``) or
the asyncio path (``aacquire``): the decisions are the same for both.
"""

from __future__ import annotations

import asyncio
import math
import pickle
from collections.abc import Callable

import pytest

from assemblyai_gateway import AdaptiveLimiter, ConfigurationError, Permit
from tests.support.fake_clock import FakeClock

Take = Callable[[AdaptiveLimiter], Permit]
HANG_GUARD = 30.0  # a free permit comes at once; this only turns a bug into a failure
# A probing pace this fast lets 50 permits go at one instant: tests about the in-flight
# limit are not paced.
UNPACED = 1000.0


def _take_now(limiter: AdaptiveLimiter) -> Permit:
    permit = limiter.acquire(blocking=False)
    assert permit is not None, f"expected a permit from {limiter!r}"
    return permit


@pytest.fixture(params=["thread", "asyncio"])
def take(request: pytest.FixtureRequest) -> Take:
    """A permit that is free now, from ``acquire`` or from ``aacquire``."""
    if request.param == "thread":
        return _take_now

    def take_async(limiter: AdaptiveLimiter) -> Permit:
        return asyncio.run(asyncio.wait_for(limiter.aacquire(), HANG_GUARD))

    return take_async


def test_permits_stop_at_the_concurrency_limit_and_return_on_release(take: Take) -> None:
    limiter = AdaptiveLimiter(initial_concurrency=2, min_rate=UNPACED, clock=FakeClock())
    first, _second = take(limiter), take(limiter)
    assert limiter.acquire(blocking=False) is None
    first.release()
    assert limiter.acquire(blocking=False) is not None


def test_a_fresh_limiter_probes_instead_of_bursting() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=4, max_concurrency=64, clock=clock)

    def send_all_allowed() -> int:
        sent = 0
        while sent < 10_000 and (permit := limiter.acquire(blocking=False)) is not None:
            sent += 1
            permit.succeeded()  # even when every answer comes back at once
        return sent

    assert send_all_allowed() == 4  # initial_concurrency, then paced
    sent = []
    for _ in range(3):  # three seconds of sending at the probe's pace
        count = 0
        for _ in range(100):
            clock.advance(0.01)
            count += send_all_allowed()
        sent.append(count)
    assert sent[0] >= 4
    assert sent[1] >= 1.7 * sent[0]  # about double every second
    assert sent[2] >= 1.7 * sent[1]
    assert limiter.stats().learned_rate is None  # nothing learned until a throttle


def test_a_throttle_cuts_concurrency_multiplicatively_once_per_round(take: Take) -> None:
    limiter = AdaptiveLimiter(initial_concurrency=8, min_rate=UNPACED, clock=FakeClock())
    permits = [take(limiter) for _ in range(4)]
    for permit in permits:  # four answers to requests sent in the same round
        permit.throttled(retry_after=0)
    stats = limiter.stats()
    assert stats.concurrency == 4
    assert stats.throttles == 4
    assert stats.in_flight == 0


def test_one_round_of_throttles_without_retry_after_pauses_once(take: Take) -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=8, min_rate=UNPACED, clock=clock)
    permits = [take(limiter) for _ in range(8)]
    for permit in permits:  # eight 503s to requests sent together
        permit.throttled()
    assert limiter.pause_remaining() == pytest.approx(1.0)  # not doubled eight times
    clock.advance(1.0)
    take(limiter).throttled()  # the next round is throttled too: now it doubles
    assert limiter.pause_remaining() == pytest.approx(2.0)


def test_retry_after_pauses_every_caller_for_the_time_asked() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock)
    _take_now(limiter).throttled(retry_after=2.0)
    assert limiter.pause_remaining() == pytest.approx(2.0)
    assert limiter.acquire(blocking=False) is None
    clock.advance(1.9)
    assert limiter.acquire(blocking=False) is None
    clock.advance(0.2)
    assert limiter.acquire(blocking=False) is not None


def test_a_stale_throttle_extends_the_pause_without_cutting_again() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=8, clock=clock)
    early, late = _take_now(limiter), _take_now(limiter)
    early.throttled(retry_after=1.0)
    late.throttled(retry_after=5.0)
    assert limiter.stats().concurrency == 4
    assert limiter.pause_remaining() == pytest.approx(5.0)


def test_throttles_without_retry_after_pause_exponentially_until_a_success() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(default_pause=1.0, clock=clock)
    pauses = []
    for _ in range(3):
        _take_now(limiter).throttled()
        pauses.append(limiter.pause_remaining())
        clock.advance(pauses[-1])
    assert pauses == [1.0, 2.0, 4.0]
    _take_now(limiter).succeeded()
    clock.advance(1.0)  # the next paced send slot
    _take_now(limiter).throttled()
    assert limiter.pause_remaining() == 1.0


@pytest.mark.parametrize("retry_after", [30.0, math.inf, 1e300])
def test_the_pause_is_capped_at_max_pause(retry_after: float) -> None:
    limiter = AdaptiveLimiter(max_pause=3.0, clock=FakeClock())
    _take_now(limiter).throttled(retry_after=retry_after)
    assert limiter.pause_remaining() == 3.0


def test_an_unusable_retry_after_pauses_for_the_default() -> None:
    limiter = AdaptiveLimiter(default_pause=1.0, clock=FakeClock())
    _take_now(limiter).throttled(retry_after=math.nan)
    assert limiter.pause_remaining() == 1.0


def test_concurrency_grows_half_a_slot_per_success_until_the_first_throttle() -> None:
    limiter = AdaptiveLimiter(
        initial_concurrency=2, max_concurrency=5, min_rate=UNPACED, clock=FakeClock()
    )
    for _ in range(4):
        _take_now(limiter).succeeded()
    assert limiter.stats().concurrency == 4
    for _ in range(10):
        _take_now(limiter).succeeded()
    assert limiter.stats().concurrency == 5  # capped at max_concurrency


def test_after_a_throttle_concurrency_grows_by_one_per_window() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=8, clock=clock)
    _take_now(limiter).throttled(retry_after=0)
    assert limiter.stats().concurrency == 4
    for _ in range(3):
        clock.advance(1.0)  # past the paced send slot
        _take_now(limiter).succeeded()
    assert limiter.stats().concurrency == 4  # +1/4 a success: not a whole slot yet
    for _ in range(2):
        clock.advance(1.0)
        _take_now(limiter).succeeded()
    assert limiter.stats().concurrency == 5


def test_concurrency_is_never_cut_below_the_minimum() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=4, min_concurrency=2, clock=clock)
    for _ in range(5):
        clock.advance(1.0)  # past the paced send slot
        _take_now(limiter).throttled(retry_after=0)
    assert limiter.stats().concurrency == 2


def answer(limiter: AdaptiveLimiter, clock: FakeClock, count: int, every: float) -> None:
    """``count`` sends answered, one every ``every`` seconds."""
    for _ in range(count):
        _take_now(limiter).succeeded()
        clock.advance(every)


def test_the_first_throttle_paces_sends_below_the_rate_the_gateway_answered() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate_decrease=0.9, clock=clock)
    answer(limiter, clock, 10, every=0.1)  # ten answers a second
    _take_now(limiter).throttled(retry_after=1.0)
    assert limiter.stats().rate == pytest.approx(9.0)
    assert limiter.stats().learned_rate == pytest.approx(9.0)
    clock.advance(1.0)
    _take_now(limiter)
    assert limiter.acquire(blocking=False) is None  # the next slot is 1/9 s away
    clock.advance(1 / 9)
    assert limiter.acquire(blocking=False) is not None


def test_the_paced_rate_grows_back_linearly_with_successes() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate_decrease=0.5, rate_recovery=0.1, clock=clock)
    answer(limiter, clock, 10, every=0.1)  # ten answers a second
    _take_now(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(5.0)
    answer(limiter, clock, 5, every=0.2)  # about one second of successes at 5/s
    # About +10 % of the measured 10/s for the second's worth of successes.
    assert limiter.stats().rate == pytest.approx(6.0, abs=0.1)


def test_a_first_burst_is_measured_over_the_time_it_took() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=64, rate_decrease=0.5, clock=clock)
    answer(limiter, clock, 20, every=0.01)  # twenty answers in the first 0.2 s
    _take_now(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(50.0)  # 20 / 0.2 s, halved


def test_a_throttle_after_a_cut_measures_the_answers_since_that_cut() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=64, rate_decrease=0.5, clock=clock)
    answer(limiter, clock, 50, every=0.002)  # a first burst: fifty answers in 0.1 s
    _take_now(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(250.0)  # 500/s measured, halved
    for _ in range(10):  # then the gateway answers 20 a second
        clock.advance(0.05)
        _take_now(limiter).succeeded()
    _take_now(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(10.0)  # 10 answers in 0.5 s, halved


def test_a_token_bucket_is_measured_with_its_refill_during_the_pause() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(requests_per_second=30, rate_decrease=0.5, clock=clock)
    answer(limiter, clock, 10, every=1 / 30)
    _take_now(limiter).throttled(retry_after=1.0)
    assert limiter.stats().learned_rate == pytest.approx(15.0)
    clock.advance(1.0)  # the bucket refills while we wait...
    answer(limiter, clock, 15, every=1 / 15)  # ...and the refill goes out in one second
    _take_now(limiter).throttled(retry_after=1.0)
    # 15 answers in the 2 s since the cut: 7.5/s, not the 15/s they were sent at.
    assert limiter.stats().learned_rate == pytest.approx(3.75)


def test_a_storm_halves_the_pace_but_keeps_the_learned_rate(take: Take) -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate_decrease=0.9, clock=clock)
    answer(limiter, clock, 10, every=0.1)
    take(limiter).throttled(retry_after=1.0)
    assert limiter.stats().rate == pytest.approx(9.0)
    for _ in range(2):  # two rounds refused outright: nothing answered since the cut
        clock.advance(1.0)
        take(limiter).throttled(retry_after=1.0)
    assert limiter.stats().rate == pytest.approx(2.25)
    clock.advance(1.0)
    sent = 0
    while (rate := limiter.stats().rate) < 9.0 and sent < 100:  # answered: slow start
        take(limiter).succeeded()
        clock.advance(1 / rate)
        sent += 1
    assert sent == math.ceil((9.0 - 2.25) / math.log(2))  # +ln 2 a second per answer
    # Four times the pace is two doublings: about two seconds (a few answers more).
    assert clock() - 1004.0 < 2.5
    assert limiter.stats().learned_rate == pytest.approx(9.0)  # kept through the storm


def test_a_starting_rate_paces_from_the_first_request() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(requests_per_second=2, clock=clock)
    assert limiter.stats().learned_rate == 2
    _take_now(limiter)
    assert limiter.acquire(blocking=False) is None
    clock.advance(0.5)
    assert limiter.acquire(blocking=False) is not None


def test_resume_from_starts_at_a_rate_learned_before() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=8, clock=clock)
    assert limiter.resume_from(2.0, concurrency=3)
    stats = limiter.stats()
    assert (stats.rate, stats.learned_rate, stats.concurrency) == (2.0, 2.0, 3)
    _take_now(limiter)
    assert limiter.acquire(blocking=False) is None  # paced from the first send
    clock.advance(0.5)
    _take_now(limiter).throttled(retry_after=0)
    assert not limiter.resume_from(50.0)  # what it learned itself wins
    with pytest.raises(ConfigurationError, match="rate"):
        limiter.resume_from(math.nan)


def test_sends_wait_while_the_token_budget_is_spent() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(tokens_per_minute=600, clock=clock)  # 10 tokens a second
    _take_now(limiter).succeeded(tokens=300)
    _take_now(limiter).succeeded(tokens=305)
    assert limiter.stats().tokens_available == pytest.approx(-5)
    assert limiter.acquire(blocking=False) is None
    clock.advance(0.6)
    assert limiter.acquire(blocking=False) is not None
    assert limiter.stats().tokens_used == 605


@pytest.mark.parametrize("reported", [10**12, 10**30, 1e30, math.inf])
def test_a_huge_usage_charges_at_most_a_minute_and_waits_at_most_max_pause(
    take: Take, reported: float
) -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(tokens_per_minute=600, max_pause=5.0, clock=clock)
    take(limiter).succeeded(tokens=reported)  # type: ignore[arg-type]
    limiter.charge(reported)  # type: ignore[arg-type]
    stats = limiter.stats()
    assert stats.tokens_used == 1200  # a minute's budget per reply
    assert stats.tokens_available == pytest.approx(-50)  # 5 s of refill at most
    assert limiter.acquire(blocking=False) is None
    clock.advance(5.01)
    take(limiter)


@pytest.mark.parametrize("reported", [math.nan, -5, True, "12", None, 0])
def test_usage_that_is_not_a_count_charges_nothing(take: Take, reported: object) -> None:
    limiter = AdaptiveLimiter(tokens_per_minute=600, clock=FakeClock())
    take(limiter).succeeded(tokens=reported)  # type: ignore[arg-type]
    limiter.charge(reported)  # type: ignore[arg-type]
    stats = limiter.stats()
    assert (stats.tokens_used, stats.tokens_available) == (0, 600)


def test_charged_usage_counts_against_the_budget() -> None:
    limiter = AdaptiveLimiter(tokens_per_minute=100, clock=FakeClock())
    limiter.charge(40)
    stats = limiter.stats()
    assert (stats.tokens_used, stats.tokens_available) == (40, 60)


def test_a_permit_reports_only_once() -> None:
    limiter = AdaptiveLimiter(clock=FakeClock())
    permit = _take_now(limiter)
    permit.succeeded(tokens=3)
    permit.throttled(retry_after=9)
    permit.release()
    stats = limiter.stats()
    assert (stats.in_flight, stats.successes, stats.throttles, stats.paused_for) == (0, 1, 0, 0)


def test_a_pickled_limiter_is_fresh_with_the_same_settings() -> None:
    limiter = AdaptiveLimiter(max_concurrency=12, tokens_per_minute=1000)
    _take_now(limiter).throttled(retry_after=30)
    copy = pickle.loads(pickle.dumps(limiter))
    assert copy.max_concurrency == 12
    assert copy.tokens_per_minute == 1000
    assert copy.stats().throttles == 0
    assert copy.pause_remaining() == 0


@pytest.mark.parametrize(
    "settings",
    [
        {"min_concurrency": 0},
        {"min_concurrency": 5, "max_concurrency": 4},
        {"max_concurrency": 2.5},
        {"concurrency_decrease": 1.0},
        {"rate_decrease": 0},
        {"requests_per_second": 0},
        {"requests_per_second": math.inf},
        {"tokens_per_minute": -1},
        {"tokens_per_minute": math.nan},
        {"min_rate": 0},
        {"max_pause": math.inf},
        {"default_pause": "1"},
    ],
)
def test_impossible_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        AdaptiveLimiter(**settings)  # type: ignore[arg-type]


def test_wait_turn_without_pacing_waits_only_for_the_pause() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=1, clock=clock)
    held = _take_now(limiter)
    assert limiter.wait_turn(pace=False, blocking=False)  # no slot needed
    assert not limiter.wait_turn(pace=True, blocking=False)  # pacing needs the slot
    held.throttled(retry_after=1)
    assert not limiter.wait_turn(pace=False, blocking=False)
    clock.advance(1)
    assert limiter.wait_turn(pace=False, blocking=False)


def test_wait_turn_keeps_to_the_learned_pace_not_the_probe() -> None:
    # A hook never reports answers, so it could never raise the probing pace.
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock)
    assert all(limiter.wait_turn(blocking=False) for _ in range(100))
    limiter.resume_from(1.0)
    assert limiter.wait_turn(blocking=False)
    assert not limiter.wait_turn(blocking=False)
