"""AdaptiveLimiter decisions, on a fake clock: AIMD, pauses, pacing, token budget."""

from __future__ import annotations

import pickle

import pytest

from assemblyai_gateway import AdaptiveLimiter, ConfigurationError, Permit
from tests.support.fake_clock import FakeClock


def take(limiter: AdaptiveLimiter) -> Permit:
    permit = limiter.acquire(blocking=False)
    assert permit is not None, f"expected a permit from {limiter!r}"
    return permit


def test_permits_stop_at_the_concurrency_limit_and_return_on_release() -> None:
    limiter = AdaptiveLimiter(initial_concurrency=2, clock=FakeClock())
    first, _second = take(limiter), take(limiter)
    assert limiter.acquire(blocking=False) is None
    first.release()
    assert limiter.acquire(blocking=False) is not None


def test_a_throttle_cuts_concurrency_multiplicatively_once_per_round() -> None:
    limiter = AdaptiveLimiter(initial_concurrency=8, clock=FakeClock())
    permits = [take(limiter) for _ in range(4)]
    for permit in permits:  # four answers to requests sent in the same round
        permit.throttled(retry_after=0)
    stats = limiter.stats()
    assert stats.concurrency == 4
    assert stats.throttles == 4
    assert stats.in_flight == 0


def test_retry_after_pauses_every_caller_for_the_time_asked() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock)
    take(limiter).throttled(retry_after=2.0)
    assert limiter.pause_remaining() == pytest.approx(2.0)
    assert limiter.acquire(blocking=False) is None
    clock.advance(1.9)
    assert limiter.acquire(blocking=False) is None
    clock.advance(0.2)
    assert limiter.acquire(blocking=False) is not None


def test_a_stale_throttle_extends_the_pause_without_cutting_again() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=8, clock=clock)
    early, late = take(limiter), take(limiter)
    early.throttled(retry_after=1.0)
    late.throttled(retry_after=5.0)
    assert limiter.stats().concurrency == 4
    assert limiter.pause_remaining() == pytest.approx(5.0)


def test_throttles_without_retry_after_pause_exponentially_until_a_success() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(default_pause=1.0, clock=clock)
    pauses = []
    for _ in range(3):
        take(limiter).throttled()
        pauses.append(limiter.pause_remaining())
        clock.advance(pauses[-1])
    assert pauses == [1.0, 2.0, 4.0]
    take(limiter).succeeded()
    clock.advance(1.0)  # the next paced send slot
    take(limiter).throttled()
    assert limiter.pause_remaining() == 1.0


def test_the_pause_is_capped_at_max_pause() -> None:
    limiter = AdaptiveLimiter(max_pause=3.0, clock=FakeClock())
    take(limiter).throttled(retry_after=30.0)
    assert limiter.pause_remaining() == 3.0


def test_concurrency_grows_half_a_slot_per_success_until_the_first_throttle() -> None:
    limiter = AdaptiveLimiter(initial_concurrency=2, max_concurrency=5, clock=FakeClock())
    for _ in range(4):
        take(limiter).succeeded()
    assert limiter.stats().concurrency == 4
    for _ in range(10):
        take(limiter).succeeded()
    assert limiter.stats().concurrency == 5  # capped at max_concurrency


def test_after_a_throttle_concurrency_grows_by_one_per_window() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=8, clock=clock)
    take(limiter).throttled(retry_after=0)
    assert limiter.stats().concurrency == 4
    for _ in range(3):
        clock.advance(1.0)  # past the paced send slot
        take(limiter).succeeded()
    assert limiter.stats().concurrency == 4  # +1/4 a success: not a whole slot yet
    for _ in range(2):
        clock.advance(1.0)
        take(limiter).succeeded()
    assert limiter.stats().concurrency == 5


def test_concurrency_is_never_cut_below_the_minimum() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=4, min_concurrency=2, clock=clock)
    for _ in range(5):
        clock.advance(1.0)  # past the paced send slot
        take(limiter).throttled(retry_after=0)
    assert limiter.stats().concurrency == 2


def test_the_first_throttle_paces_sends_below_the_rate_the_gateway_answered() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate_decrease=0.9, clock=clock)
    assert limiter.stats().rate is None  # unpaced until the gateway pushes back
    for _ in range(10):  # ten answers a second
        take(limiter).succeeded()
        clock.advance(0.1)
    take(limiter).throttled(retry_after=1.0)
    assert limiter.stats().rate == pytest.approx(9.0)
    clock.advance(1.0)
    take(limiter)
    assert limiter.acquire(blocking=False) is None  # the next slot is 1/9 s away
    clock.advance(1 / 9)
    assert limiter.acquire(blocking=False) is not None


def test_the_paced_rate_grows_back_linearly_with_successes() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate_decrease=0.5, rate_recovery=0.1, clock=clock)
    for _ in range(10):  # ten answers a second
        take(limiter).succeeded()
        clock.advance(0.1)
    take(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(5.0)
    for _ in range(5):  # about one second of successes at 5/s
        take(limiter).succeeded()
        clock.advance(0.2)
    rate = limiter.stats().rate
    assert rate is not None
    # About +10 % of the measured 10/s for the second's worth of successes.
    assert rate == pytest.approx(6.0, abs=0.1)


def test_a_first_burst_is_measured_over_the_time_it_took() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate_decrease=0.5, clock=clock)
    for _ in range(20):  # twenty answers in the first 0.2 s
        take(limiter).succeeded()
        clock.advance(0.01)
    take(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(50.0)  # 20 / 0.2 s, halved


def test_a_throttle_soon_after_a_cut_measures_the_answers_since_that_cut() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate_decrease=0.5, clock=clock)
    for _ in range(50):  # a first burst: fifty answers in 0.1 s
        take(limiter).succeeded()
        clock.advance(0.002)
    take(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(250.0)  # 500/s measured, halved
    for _ in range(10):  # then the gateway answers 20 a second
        clock.advance(0.05)
        take(limiter).succeeded()
    take(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(10.0)  # 10 answers in 0.5 s, halved


def test_a_throttle_too_soon_to_measure_halves_the_rate() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate_decrease=0.9, clock=clock)
    for _ in range(10):
        take(limiter).succeeded()
        clock.advance(0.1)
    take(limiter).throttled(retry_after=0)
    assert limiter.stats().rate == pytest.approx(9.0)
    clock.advance(0.2)
    take(limiter).throttled(retry_after=0)  # fewer than five answers since the cut
    assert limiter.stats().rate == pytest.approx(4.5)


def test_a_starting_rate_paces_from_the_first_request() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(requests_per_second=2, clock=clock)
    take(limiter)
    assert limiter.acquire(blocking=False) is None
    clock.advance(0.5)
    assert limiter.acquire(blocking=False) is not None


def test_sends_wait_while_the_token_budget_is_spent() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(tokens_per_minute=600, clock=clock)  # 10 tokens a second
    take(limiter).succeeded(tokens=605)
    assert limiter.stats().tokens_available == pytest.approx(-5)
    assert limiter.acquire(blocking=False) is None
    clock.advance(0.6)
    assert limiter.acquire(blocking=False) is not None
    assert limiter.stats().tokens_used == 605


def test_charged_usage_counts_against_the_budget() -> None:
    limiter = AdaptiveLimiter(tokens_per_minute=100, clock=FakeClock())
    limiter.charge(40)
    stats = limiter.stats()
    assert (stats.tokens_used, stats.tokens_available) == (40, 60)


def test_a_permit_reports_only_once() -> None:
    limiter = AdaptiveLimiter(clock=FakeClock())
    permit = take(limiter)
    permit.succeeded(tokens=3)
    permit.throttled(retry_after=9)
    permit.release()
    stats = limiter.stats()
    assert (stats.in_flight, stats.successes, stats.throttles, stats.paused_for) == (0, 1, 0, 0)


def test_a_pickled_limiter_is_fresh_with_the_same_settings() -> None:
    limiter = AdaptiveLimiter(max_concurrency=12, tokens_per_minute=1000)
    take(limiter).throttled(retry_after=30)
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
        {"concurrency_decrease": 1.0},
        {"rate_decrease": 0},
        {"requests_per_second": 0},
        {"tokens_per_minute": -1},
        {"min_rate": 0},
    ],
)
def test_impossible_settings_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        AdaptiveLimiter(**settings)  # type: ignore[arg-type]


def test_wait_turn_without_pacing_waits_only_for_the_pause() -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(initial_concurrency=1, clock=clock)
    held = take(limiter)
    assert limiter.wait_turn(pace=False, blocking=False)  # no slot needed
    assert not limiter.wait_turn(pace=True, blocking=False)  # pacing needs the slot
    held.throttled(retry_after=1)
    assert not limiter.wait_turn(pace=False, blocking=False)
    clock.advance(1)
    assert limiter.wait_turn(pace=False, blocking=False)
