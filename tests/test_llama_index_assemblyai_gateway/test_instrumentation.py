"""Instrumentation events, the legacy callback manager and the rate limiter."""

from __future__ import annotations

import inspect
import pickle
from typing import TYPE_CHECKING

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, CBEventType, LlamaDebugHandler
from llama_index.core.instrumentation.events.llm import (
    LLMChatEndEvent,
    LLMChatStartEvent,
    LLMCompletionEndEvent,
    LLMCompletionStartEvent,
)
from llama_index.core.prompts import PromptTemplate
from llama_index.core.rate_limiter import BaseRateLimiter, TokenBucketRateLimiter

from assemblyai_gateway.testing import completion_body
from llama_index_assemblyai_gateway import AssemblyAIGateway

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import (
        EventCollector,
        Runner,
        ScriptedFactory,
        Weather,
    )

HI = [ChatMessage(role="user", content="Hi")]
KEY = "sk-instrumented-secret"


class CountingRateLimiter(BaseRateLimiter):
    """Counts how often it is consulted."""

    def __init__(self) -> None:
        self.sync_calls = 0
        self.async_calls = 0

    def acquire(self, num_tokens: int = 0) -> None:
        self.sync_calls += 1

    async def async_acquire(self, num_tokens: int = 0) -> None:
        self.async_calls += 1

    @property
    def calls(self) -> int:
        return self.sync_calls + self.async_calls


async def test_chat_events(
    scripted: ScriptedFactory, runner: Runner, events: EventCollector
) -> None:
    s = scripted(completion_body("ok"), api_key=KEY)
    response = await runner.chat(s.llm, HI, max_tokens=9)
    starts = [e for e in events.events if isinstance(e, LLMChatStartEvent)]
    ends = [e for e in events.events if isinstance(e, LLMChatEndEvent)]
    assert len(starts) == len(ends) == 1
    assert starts[0].additional_kwargs == {"max_tokens": 9}
    assert starts[0].model_dict["class_name"] == "AssemblyAIGateway_LLM"
    assert starts[0].model_dict["model"] == "claude-sonnet-4-5-20250929"
    assert KEY not in repr(starts[0].model_dict)
    assert ends[0].response == response


async def test_stream_events(
    scripted: ScriptedFactory, runner: Runner, events: EventCollector
) -> None:
    s = scripted(completion_body("ok"))
    responses = await runner.stream_chat(s.llm, HI)
    names = events.names()
    assert names.count("LLMChatStartEvent") == 1
    assert names.count("LLMChatInProgressEvent") == len(responses)
    assert names.count("LLMChatEndEvent") == 1
    end = next(e for e in events.events if isinstance(e, LLMChatEndEvent))
    assert end.response == responses[-1]


async def test_completion_events(
    scripted: ScriptedFactory, runner: Runner, events: EventCollector
) -> None:
    s = scripted(completion_body("ok"))
    await runner.complete(s.llm, "prompt")
    assert [type(e) for e in events.events if "Completion" in type(e).__name__] == [
        LLMCompletionStartEvent,
        LLMCompletionEndEvent,
    ]
    assert "LLMChatStartEvent" not in events.names()  # complete is not a second chat call


async def test_structured_predict_events(
    scripted: ScriptedFactory,
    runner: Runner,
    events: EventCollector,
    weather_cls: type[Weather],
) -> None:
    s = scripted(completion_body('{"city": "Rome", "temperature_c": 30}'))
    await runner.structured_predict(s.llm, weather_cls, PromptTemplate("Weather in {c}?"), c="Rome")
    names = events.names()
    assert names.index("LLMStructuredPredictStartEvent") < names.index("LLMChatStartEvent")
    assert names.index("LLMChatEndEvent") < names.index("LLMStructuredPredictEndEvent")


async def test_callback_manager_sees_llm_events(scripted: ScriptedFactory, runner: Runner) -> None:
    debug = LlamaDebugHandler()
    s = scripted(completion_body("ok"), completion_body("ok"))
    s.llm.callback_manager = CallbackManager([debug])
    await runner.chat(s.llm, HI)
    await runner.stream_chat(s.llm, HI)
    pairs = debug.get_event_pairs(CBEventType.LLM)
    assert len(pairs) == 2


async def test_rate_limiter_is_consulted_once_per_call(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    limiter = CountingRateLimiter()
    s = scripted(*(completion_body("ok") for _ in range(4)), rate_limiter=limiter)
    await runner.chat(s.llm, HI)
    await runner.stream_chat(s.llm, HI)
    await runner.complete(s.llm, "hi")
    await runner.stream_complete(s.llm, "hi")
    assert limiter.calls == 4
    if runner.is_async:
        assert limiter.sync_calls == 0
    else:
        assert limiter.async_calls == 0


async def test_a_real_token_bucket_limiter_works(scripted: ScriptedFactory, runner: Runner) -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=600)
    s = scripted(completion_body("ok"), rate_limiter=limiter)
    assert (await runner.chat(s.llm, HI)).message.content == "ok"


def test_pickling_with_a_rate_limiter_drops_only_the_limiter() -> None:
    from llama_index_assemblyai_gateway import AssemblyAIGateway

    llm = AssemblyAIGateway(
        model="gpt-5", rate_limiter=TokenBucketRateLimiter(requests_per_minute=60)
    )
    again = pickle.loads(pickle.dumps(llm))
    assert again.model == "gpt-5"
    assert llm.rate_limiter is not None


# LlamaIndex wraps every override of an abstract method in a span. A helper of ours that
# overrode one (as ``_client_settings`` once did) would cost each call a span of its own
# and show up in users' traces.
def test_only_llama_indexs_own_entry_points_are_spanned() -> None:
    spanned = {
        name
        for name, value in inspect.getmembers(AssemblyAIGateway)
        if callable(value) and hasattr(value, "__wrapped__")
    }
    assert "chat" in spanned  # the instrumentation is there to see
    ours = {name for name in spanned if name.startswith("_") and name != "_prepare_chat_with_tools"}
    assert ours == set()
