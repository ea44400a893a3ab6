"""The emulator's rate-limit mode: token buckets for requests and tokens, 429 + Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assemblyai_gateway.emulator import GatewayEmulator, RateLimit
from assemblyai_gateway.emulator.__main__ import _parser
from tests.support.fake_clock import FakeClock

BODY = {"model": "gpt-4.1", "prompt": "Say hi"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator() -> Iterator[GatewayEmulator]:
    with GatewayEmulator() as running:
        yield running


def post(emulator: GatewayEmulator, key: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{emulator.base_url}/chat/completions",
        json=BODY,
        headers={"Authorization": key or emulator.api_key},
    )


def test_requests_over_the_burst_get_429_with_retry_after(
    emulator: GatewayEmulator, clock: FakeClock
) -> None:
    emulator.rate_limit = RateLimit(requests_per_second=2, burst=2, clock=clock)
    assert [post(emulator).status_code for _ in range(3)] == [200, 200, 429]
    refused = post(emulator)
    assert refused.headers["retry-after"] == "1"  # whole seconds, at least one
    assert refused.headers["retry-after-ms"] == "500"  # the exact wait: half a second
    assert refused.json()["error"]["code"] == 429
    assert emulator.rate_limited == 2
    assert [r.status for r in emulator.requests] == [200, 200, 429, 429]


def test_the_bucket_refills_at_the_sustained_rate(
    emulator: GatewayEmulator, clock: FakeClock
) -> None:
    emulator.rate_limit = RateLimit(requests_per_second=4, burst=1, clock=clock)
    assert post(emulator).status_code == 200
    assert post(emulator).status_code == 429
    clock.advance(0.25)
    assert post(emulator).status_code == 200
    assert post(emulator).status_code == 429


def test_a_spent_token_budget_refuses_until_it_refills(
    emulator: GatewayEmulator, clock: FakeClock
) -> None:
    emulator.rate_limit = RateLimit(tokens_per_minute=6, clock=clock)  # 0.1 token a second
    answered = post(emulator)
    used = answered.json()["usage"]["total_tokens"]
    assert used > 6  # one answer overspends the budget
    refused = post(emulator)
    assert refused.status_code == 429
    # The budget is 6 - used; one token is needed again, at 0.1 token a second.
    wait = (1 - (6 - used)) / 0.1
    assert int(refused.headers["retry-after-ms"]) == pytest.approx(wait * 1000, abs=1)
    clock.advance(wait - 1)
    assert post(emulator).status_code == 429
    clock.advance(1)
    assert post(emulator).status_code == 200


def test_requests_that_fail_authentication_use_no_quota(
    emulator: GatewayEmulator, clock: FakeClock
) -> None:
    emulator.rate_limit = RateLimit(requests_per_second=1, burst=1, clock=clock)
    assert post(emulator, key="wrong").status_code == 401
    assert post(emulator).status_code == 200


def test_unlimited_by_default_and_reset_refills_the_buckets(
    emulator: GatewayEmulator, clock: FakeClock
) -> None:
    assert emulator.rate_limit is None
    assert all(post(emulator).status_code == 200 for _ in range(5))
    emulator.rate_limit = RateLimit(requests_per_second=1, burst=1, clock=clock)
    assert [post(emulator).status_code for _ in range(2)] == [200, 429]
    emulator.reset()
    assert emulator.rate_limited == 0
    assert post(emulator).status_code == 200


def test_the_limit_can_be_given_at_construction(clock: FakeClock) -> None:
    limit = RateLimit(requests_per_second=1, burst=1, clock=clock)
    with GatewayEmulator(rate_limit=limit) as emulator:
        assert [post(emulator).status_code for _ in range(2)] == [200, 429]


@pytest.mark.parametrize(
    "settings", [{"requests_per_second": 0}, {"tokens_per_minute": -5}, {"burst": 0}]
)
def test_impossible_limits_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        RateLimit(**settings)  # type: ignore[arg-type]


def test_rate_limit_setter_refuses_other_types(emulator: GatewayEmulator) -> None:
    with pytest.raises(TypeError):
        emulator.rate_limit = 5  # type: ignore[assignment]


def test_the_command_line_takes_rate_limits() -> None:
    args = _parser().parse_args(["--rate-limit-rps", "20", "--rate-limit-tpm", "90000"])
    assert (args.rate_limit_rps, args.rate_limit_tpm) == (20.0, 90000.0)
