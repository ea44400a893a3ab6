"""The token budget charges each token once: cache and reasoning tokens are parts of usage."""

from __future__ import annotations

from assemblyai_gateway import AdaptiveLimiter
from assemblyai_gateway.testing import ScriptedTransport
from tests.support.client_cases import CLAUDE, GPT, CollectStream, Complete, MakeClient
from tests.support.fake_clock import FakeClock
from tests.support.reasoning_cases import USAGE, thinking_completion, thinking_sse


async def test_a_reply_with_cache_and_reasoning_details_charges_its_total(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    # 1024 cached and 200 written tokens are inside the 1500 input tokens; 12 reasoning
    # tokens inside the 40 output tokens: the budget is charged 1540, not more.
    limiter = AdaptiveLimiter(tokens_per_minute=100_000, clock=FakeClock())
    client = make_client(ScriptedTransport([thinking_completion()]), limiter=limiter)
    await complete(client, CLAUDE)

    assert limiter.stats().tokens_used == sum(USAGE)


async def test_a_stream_with_details_charges_its_total_once(
    make_client: MakeClient, collect_stream: CollectStream, retry_waits: list[float]
) -> None:
    limiter = AdaptiveLimiter(tokens_per_minute=100_000, clock=FakeClock())
    client = make_client(ScriptedTransport([thinking_sse()]), limiter=limiter)
    _, error = await collect_stream(client, GPT)

    assert error is None
    assert limiter.stats().tokens_used == sum(USAGE)
