"""AssemblyAIGateway with an AdaptiveLimiter: limiter=, LlamaIndex's rate_limiter hook."""

from __future__ import annotations

import pickle

import httpx
from llama_index.core.llms import ChatMessage
from llama_index.core.rate_limiter import BaseRateLimiter, TokenBucketRateLimiter

from assemblyai_gateway import AdaptiveLimiter
from assemblyai_gateway.testing import completion_body, error_body
from llama_index_assemblyai_gateway import AdaptiveRateLimiter, AssemblyAIGateway
from tests.test_llama_index_assemblyai_gateway.conftest import TEST_KEY, Runner, ScriptedFactory

FAST_RATE = 1000.0  # paced sends after a throttle are a millisecond apart
HI = [ChatMessage(role="user", content="Hi")]


def throttled(ms: int) -> httpx.Response:
    return httpx.Response(
        429, json=error_body(429, "slow down"), headers={"retry-after-ms": str(ms)}
    )


async def test_the_llm_hands_its_limiter_to_the_client(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    limiter = AdaptiveLimiter(min_rate=FAST_RATE)
    case = scripted(throttled(5), completion_body(usage=(7, 3)), limiter=limiter, max_retries=1)
    response = await runner.chat(case.llm, HI)
    assert response.message.content == "Hello!"
    stats = limiter.stats()
    assert (stats.throttles, stats.successes, stats.tokens_used) == (1, 1, 10)


async def test_an_adaptive_limiter_in_the_rate_limiter_hook_is_adopted(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    limiter = AdaptiveLimiter(min_rate=FAST_RATE)
    case = scripted(completion_body(), rate_limiter=limiter)
    assert case.llm.limiter is limiter
    assert isinstance(case.llm.rate_limiter, AdaptiveRateLimiter)
    assert isinstance(case.llm.rate_limiter, BaseRateLimiter)
    await runner.chat(case.llm, HI)  # LlamaIndex calls the hook, then our client
    assert limiter.stats().successes == 1


def test_llama_index_rate_limiters_are_left_alone() -> None:
    static = TokenBucketRateLimiter(requests_per_minute=60)
    llm = AssemblyAIGateway(api_key=TEST_KEY, rate_limiter=static)
    assert llm.rate_limiter is static
    assert llm.limiter is None


def test_changing_the_limiter_rebuilds_the_client() -> None:
    llm = AssemblyAIGateway(api_key=TEST_KEY)
    assert llm._gateway_client().limiter is None
    limiter = AdaptiveLimiter()
    llm.limiter = limiter
    assert llm._gateway_client().limiter is limiter


def test_the_hook_waits_for_a_send_slot_when_pacing() -> None:
    limiter = AdaptiveLimiter()
    AdaptiveRateLimiter(limiter).acquire()
    assert limiter.stats().in_flight == 0


async def test_the_hook_works_for_async_callers() -> None:
    limiter = AdaptiveLimiter()
    await AdaptiveRateLimiter(limiter).async_acquire()
    await AdaptiveRateLimiter(limiter, pace=False).async_acquire()
    assert limiter.stats().in_flight == 0


def test_a_pickled_llm_carries_a_fresh_limiter_with_the_same_settings() -> None:
    llm = AssemblyAIGateway(api_key=TEST_KEY, limiter=AdaptiveLimiter(max_concurrency=5))
    copy = pickle.loads(pickle.dumps(llm))
    assert copy.limiter is not None
    assert copy.limiter is not llm.limiter
    assert copy.limiter.max_concurrency == 5


def test_the_limiter_is_not_serialised() -> None:
    llm = AssemblyAIGateway(api_key=TEST_KEY, limiter=AdaptiveLimiter())
    assert "limiter" not in llm.to_payload()
