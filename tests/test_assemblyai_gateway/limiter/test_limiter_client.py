"""GatewayClient(limiter=...): every attempt waits for a permit and reports how it went.

Sync and async run through the same fixtures. The retry policy's sleeps are recorded,
not slept; the limiter runs on the real clock with waits of a few milliseconds (and a
high ``min_rate``), and only counts and states are asserted, never durations.
"""

from __future__ import annotations

import httpx
import pytest

from assemblyai_gateway import AdaptiveLimiter, ConfigurationError, GatewayClient
from assemblyai_gateway.errors import BadRequestError, RateLimitError
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from tests.support.client_cases import (
    CLAUDE,
    GPT,
    CollectStream,
    Complete,
    MakeClient,
    status_response,
    text_stream,
)
from tests.support.fake_clock import FakeClock

FAST_RATE = 1000.0  # paced sends after a throttle are a millisecond apart


async def test_a_429_with_retry_after_pauses_and_cuts_the_limiter(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(initial_concurrency=8, min_rate=FAST_RATE)
    transport = ScriptedTransport(
        [status_response(429, **{"retry-after-ms": "30"}), completion_body()]
    )
    client = make_client(transport, limiter=limiter)
    completion = await complete(client, CLAUDE)
    assert completion.choices[0].message.content == "Hello!"
    stats = limiter.stats()
    assert (stats.throttles, stats.successes, stats.in_flight) == (1, 1, 0)
    assert stats.concurrency == 4  # halved; one success adds only a quarter slot
    assert retry_waits == [0.03]  # the retry waited as asked
    assert len(transport.requests) == 2


async def test_a_503_without_retry_after_pauses_for_the_default(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(default_pause=1.0, min_rate=FAST_RATE)
    client = make_client(ScriptedTransport([status_response(503)]), limiter=limiter, max_retries=0)
    with pytest.raises(Exception, match="no"):
        await complete(client, CLAUDE)
    assert limiter.stats().throttles == 1
    assert 0 < limiter.pause_remaining() <= 1.0


async def test_an_exhausted_429_is_raised_after_throttling_each_attempt(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(min_rate=FAST_RATE)
    transport = ScriptedTransport([status_response(429, **{"retry-after-ms": "5"})])
    client = make_client(transport, limiter=limiter, max_retries=2)
    with pytest.raises(RateLimitError):
        await complete(client, CLAUDE)
    assert limiter.stats().throttles == 3
    assert limiter.stats().in_flight == 0


async def test_other_errors_free_the_slot_without_cutting(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(initial_concurrency=8, min_rate=FAST_RATE)
    client = make_client(ScriptedTransport([status_response(400, "bad")]), limiter=limiter)
    with pytest.raises(BadRequestError):
        await complete(client, CLAUDE)
    stats = limiter.stats()
    assert (stats.concurrency, stats.throttles, stats.in_flight, stats.paused_for) == (8, 0, 0, 0)


async def test_connection_errors_free_the_slot(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(min_rate=FAST_RATE)
    transport = ScriptedTransport([httpx.ConnectError("refused"), completion_body()])
    client = make_client(transport, limiter=limiter)
    await complete(client, CLAUDE)
    stats = limiter.stats()
    assert (stats.in_flight, stats.successes, stats.throttles) == (0, 1, 0)


async def test_real_usage_is_charged_to_the_token_budget(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    # A fake clock that never moves: no refill between the charge and the check.
    limiter = AdaptiveLimiter(tokens_per_minute=1000, clock=FakeClock())
    client = make_client(ScriptedTransport([completion_body(usage=(30, 12))]), limiter=limiter)
    await complete(client, CLAUDE)
    stats = limiter.stats()
    assert (stats.tokens_used, stats.tokens_available) == (42, 958)


@pytest.mark.parametrize("total", [10**12, 10**30])
async def test_a_reply_claiming_huge_usage_does_not_freeze_the_next_call(
    make_client: MakeClient, complete: Complete, retry_waits: list[float], total: int
) -> None:
    # The budget's debt is capped at max_pause of refill: the next call waits 10 ms.
    limiter = AdaptiveLimiter(tokens_per_minute=1000, max_pause=0.01, min_rate=FAST_RATE)
    transport = ScriptedTransport([completion_body(usage=(total, 0)), completion_body()])
    client = make_client(transport, limiter=limiter)
    await complete(client, CLAUDE)
    assert limiter.stats().tokens_used == 1000  # one reply charges a minute at most
    completion = await complete(client, CLAUDE)  # neither years of waiting nor OverflowError
    assert completion.choices[0].message.content == "Hello!"
    assert len(transport.requests) == 2


async def test_streamed_usage_is_charged_when_the_stream_reports_it(
    make_client: MakeClient, collect_stream: CollectStream, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(tokens_per_minute=1000, min_rate=FAST_RATE)
    client = make_client(ScriptedTransport([text_stream()]), limiter=limiter)
    chunks, error = await collect_stream(client, GPT)
    assert error is None
    assert chunks
    stats = limiter.stats()
    assert (stats.tokens_used, stats.in_flight, stats.successes) == (5, 0, 1)


async def test_a_throttled_stream_open_pauses_the_limiter(
    make_client: MakeClient, collect_stream: CollectStream, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(min_rate=FAST_RATE)
    transport = ScriptedTransport([status_response(429, **{"retry-after-ms": "5"}), text_stream()])
    client = make_client(transport, limiter=limiter)
    _, error = await collect_stream(client, GPT)
    assert error is None
    assert limiter.stats().throttles == 1


async def test_clients_sharing_a_limiter_share_its_pause(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(min_rate=FAST_RATE)
    throttled = make_client(
        ScriptedTransport([status_response(429, **{"retry-after-ms": "50"})]),
        limiter=limiter,
        max_retries=0,
    )
    other = make_client(ScriptedTransport([completion_body()]), limiter=limiter)
    with pytest.raises(RateLimitError):
        await complete(throttled, CLAUDE)
    assert other.limiter is limiter
    assert limiter.acquire(blocking=False) is None  # the other client waits too
    await complete(other, CLAUDE)  # once the pause is over
    assert limiter.pause_remaining() == 0
    assert limiter.stats().successes == 1


def test_the_limiter_must_be_an_adaptive_limiter() -> None:
    with pytest.raises(ConfigurationError, match="AdaptiveLimiter"):
        GatewayClient(api_key="k", limiter=object())  # type: ignore[arg-type]


def test_a_client_without_a_limiter_is_unchanged() -> None:
    assert GatewayClient(api_key="k").limiter is None
