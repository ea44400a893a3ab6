"""ChatAssemblyAIGateway with an AdaptiveLimiter: limiter=, rate_limiter=, sharing, pickling."""

from __future__ import annotations

import pickle

import httpx
import pytest
from langchain_core.rate_limiters import BaseRateLimiter, InMemoryRateLimiter

from assemblyai_gateway import AdaptiveLimiter
from assemblyai_gateway.testing import completion_body, error_body
from langchain_assemblyai_gateway import AdaptiveRateLimiter, ChatAssemblyAIGateway
from tests.test_langchain_assemblyai_gateway.conftest import API_KEY, MakeModel, Runner

FAST_RATE = 1000.0  # paced sends after a throttle are a millisecond apart


def throttled(ms: int) -> httpx.Response:
    return httpx.Response(
        429, json=error_body(429, "slow down"), headers={"retry-after-ms": str(ms)}
    )


async def test_the_model_hands_its_limiter_to_the_client(
    make_model: MakeModel, run: Runner
) -> None:
    limiter = AdaptiveLimiter(min_rate=FAST_RATE)
    model, transport = make_model([throttled(5), completion_body(usage=(7, 3))], limiter=limiter)
    reply = await run.invoke(model, "Hi")
    assert reply.content == "Hello!"
    assert model.client.limiter is limiter
    stats = limiter.stats()
    assert (stats.throttles, stats.successes, stats.tokens_used) == (1, 1, 10)
    assert len(transport.requests) == 2


async def test_an_adaptive_limiter_given_as_rate_limiter_becomes_the_limiter(
    make_model: MakeModel, run: Runner
) -> None:
    limiter = AdaptiveLimiter(min_rate=FAST_RATE)
    model, _ = make_model([completion_body()], rate_limiter=limiter)
    assert model.limiter is limiter
    assert isinstance(model.rate_limiter, AdaptiveRateLimiter)
    assert isinstance(model.rate_limiter, BaseRateLimiter)
    assert model.rate_limiter.pace is False  # the client already counts each request
    await run.invoke(model, "Hi")
    assert limiter.stats().successes == 1  # counted once, not twice


def test_an_explicit_limiter_keeps_a_different_rate_limiter_pacing() -> None:
    ours, other = AdaptiveLimiter(), AdaptiveLimiter()
    model = ChatAssemblyAIGateway(api_key=API_KEY, limiter=ours, rate_limiter=other)
    assert model.limiter is ours
    assert isinstance(model.rate_limiter, AdaptiveRateLimiter)
    assert model.rate_limiter.limiter is other
    assert model.rate_limiter.pace is True


def test_langchain_rate_limiters_are_left_alone() -> None:
    static = InMemoryRateLimiter(requests_per_second=5)
    model = ChatAssemblyAIGateway(api_key=API_KEY, rate_limiter=static)
    assert model.rate_limiter is static
    assert model.limiter is None


def test_the_wrapper_waits_out_pauses_and_paces_other_models() -> None:
    limiter = AdaptiveLimiter(max_concurrency=1, initial_concurrency=1)
    pacing = AdaptiveRateLimiter(limiter)
    waiting = AdaptiveRateLimiter(limiter, pace=False)
    held = limiter.acquire()
    assert held is not None
    assert pacing.acquire(blocking=False) is False  # no slot for another send
    assert waiting.acquire(blocking=False) is True  # not paused: nothing to wait for
    held.throttled(retry_after=30)
    assert waiting.acquire(blocking=False) is False  # the whole account is paused


async def test_the_wrapper_works_for_async_callers() -> None:
    limiter = AdaptiveLimiter()
    assert await AdaptiveRateLimiter(limiter).aacquire() is True
    assert limiter.stats().in_flight == 0


def test_the_wrapper_takes_only_an_adaptive_limiter() -> None:
    with pytest.raises(TypeError, match="AdaptiveLimiter"):
        AdaptiveRateLimiter(InMemoryRateLimiter())  # type: ignore[arg-type]


def test_models_sharing_a_limiter_still_share_it_after_pickling() -> None:
    limiter = AdaptiveLimiter(max_concurrency=7)
    models = [
        ChatAssemblyAIGateway(api_key=API_KEY, limiter=limiter),
        ChatAssemblyAIGateway(api_key=API_KEY, model="gpt-5", rate_limiter=limiter),
    ]
    first, second = pickle.loads(pickle.dumps(models))
    assert first.limiter is second.limiter
    assert first.limiter is not limiter  # a fresh one for the new process
    assert first.limiter.max_concurrency == 7
    assert second.rate_limiter.limiter is second.limiter


def test_the_limiter_is_not_serialised() -> None:
    model = ChatAssemblyAIGateway(api_key=API_KEY, limiter=AdaptiveLimiter())
    assert "limiter" not in model.model_dump()
