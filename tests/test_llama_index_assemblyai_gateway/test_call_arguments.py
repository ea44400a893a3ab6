"""Call-time and constructor keyword arguments follow the core's one rule.

Client settings raise ``MisplacedClientSettingError`` (naming the argument, never its
value) before anything is sent, and before LlamaIndex's spans, events and callbacks
see the call; the gateway's request fields, known or not, reach the wire; a near miss
raises "did you mean". Every call case runs through the sync and the async API
(``runner``): chat and completion (Claude), streamed ones (gpt-5 over SSE).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, LlamaDebugHandler
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.span_handlers import SimpleSpanHandler
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import PrivateAttr

from assemblyai_gateway import MisplacedClientSettingError, UnexpectedArgumentError
from assemblyai_gateway.testing import ScriptStep, completion_body, text_sse, tool_call
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.call_arguments import GATEWAY_EXTRAS, SETTING_NAMES
from tests.test_llama_index_assemblyai_gateway.conftest import (
    CLAUDE,
    GPT,
    EventCollector,
    Runner,
    ScriptedFactory,
    Weather,
)

KEY = "sk-aai-PER-CALL-4d5e6f"
HI = [ChatMessage(role="user", content="Hi")]

CLIENT_SETTINGS = SETTING_NAMES["llama_index"]
WAYS = ["chat", "stream_chat", "complete", "stream_complete"]


def _answer(way: str) -> tuple[str, ScriptStep]:
    """The model and the scripted answer: Claude for plain calls, gpt-5 (SSE) for streams."""
    if way.startswith("stream"):
        return GPT, text_sse("o", "k")
    return CLAUDE, completion_body("ok", model=CLAUDE)


async def _call(runner: Runner, llm: AssemblyAIGateway, way: str, **kwargs: Any) -> Any:
    if way == "chat":
        return await runner.chat(llm, HI, **kwargs)
    if way == "stream_chat":
        return await runner.stream_chat(llm, HI, **kwargs)
    if way == "complete":
        return await runner.complete(llm, "Hi", **kwargs)
    return await runner.stream_complete(llm, "Hi", **kwargs)


# ----------------------------------------------------------------- client settings


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("name", CLIENT_SETTINGS)
async def test_a_client_setting_per_call_raises_naming_it_and_nothing_is_sent(
    scripted: ScriptedFactory, runner: Runner, way: str, name: str
) -> None:
    model, answer = _answer(way)
    s = scripted(answer, model=model)

    with pytest.raises(MisplacedClientSettingError, match=f"'{name}' \\(") as info:
        await _call(runner, s.llm, way, **{name: KEY})

    assert isinstance(info.value, TypeError)
    where = "GatewayClient(" if name == "default_headers" else "AssemblyAIGateway("
    assert where in str(info.value)
    assert KEY not in str(info.value)
    assert s.transport.requests == []


async def test_a_key_passed_to_tool_calls_or_structured_output_raises_too(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(completion_body("ok"))
    tool = FunctionTool.from_defaults(fn=_get_weather)

    calls = [
        runner.chat_with_tools(s.llm, [tool], user_msg="Weather?", api_key=KEY),
        runner.stream_chat_with_tools(s.llm, [tool], user_msg="Weather?", api_key=KEY),
        runner.predict_and_call(s.llm, [tool], user_msg="Weather?", api_key=KEY),
        runner.structured_predict(
            s.llm, Weather, PromptTemplate("Hi"), llm_kwargs={"api_key": KEY}
        ),
    ]
    for call in calls:
        with pytest.raises(MisplacedClientSettingError, match="'api_key'"):
            await call

    assert s.transport.requests == []


class _SpanRecorder(SimpleSpanHandler):
    """Every argument LlamaIndex hands a span handler."""

    _seen: list[str] = PrivateAttr(default_factory=list)

    @property
    def seen(self) -> list[str]:
        return self._seen

    def new_span(
        self, id_: str, bound_args: inspect.BoundArguments, *args: Any, **kwargs: Any
    ) -> Any:
        self.seen.append(repr(bound_args.arguments))
        return super().new_span(id_, bound_args, *args, **kwargs)


@pytest.fixture
def spans() -> Iterator[_SpanRecorder]:
    recorder = _SpanRecorder()
    root = get_dispatcher()
    root.add_span_handler(recorder)
    yield recorder
    root.span_handlers = [h for h in root.span_handlers if h is not recorder]


@pytest.mark.parametrize("way", WAYS)
async def test_a_key_given_per_call_reaches_no_span_event_or_callback(
    scripted: ScriptedFactory,
    runner: Runner,
    events: EventCollector,
    spans: _SpanRecorder,
    way: str,
) -> None:
    model, answer = _answer(way)
    debug = LlamaDebugHandler()
    s = scripted(answer, model=model, callback_manager=CallbackManager([debug]))

    with pytest.raises(MisplacedClientSettingError):
        await _call(runner, s.llm, way, api_key=KEY)
    with pytest.raises(MisplacedClientSettingError):  # llm_kwargs given positionally
        s.llm.structured_predict(Weather, PromptTemplate("Hi"), {"api_key": KEY})

    seen = [repr(event) for event in events.events] + spans.seen
    seen += [repr(pair) for pair in debug.get_llm_inputs_outputs()]
    assert not [text for text in seen if KEY in text]
    assert events.events == []


# ------------------------------------------------------------------- request fields


@pytest.mark.parametrize("way", WAYS)
async def test_the_gateway_extras_pass_per_call_and_reach_the_wire(
    scripted: ScriptedFactory, runner: Runner, way: str
) -> None:
    model, answer = _answer(way)
    s = scripted(answer, model=model)

    await _call(runner, s.llm, way, **GATEWAY_EXTRAS)

    assert {name: s.bodies[0].get(name) for name in GATEWAY_EXTRAS} == GATEWAY_EXTRAS


async def test_the_gateway_extras_pass_to_tool_calls(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    call = tool_call("_get_weather", {"city": "Oslo"}, "call_1")
    s = scripted(completion_body(None, tool_calls=[call]))
    tool = FunctionTool.from_defaults(fn=_get_weather)

    await runner.chat_with_tools(s.llm, [tool], user_msg="Weather?", **GATEWAY_EXTRAS)

    assert {name: s.bodies[0].get(name) for name in GATEWAY_EXTRAS} == GATEWAY_EXTRAS


@pytest.mark.parametrize("way", WAYS)
async def test_unknown_fields_pass_per_call(
    scripted: ScriptedFactory, runner: Runner, way: str
) -> None:
    model, answer = _answer(way)
    s = scripted(answer, model=model)

    await _call(runner, s.llm, way, seed=7, top_k=40)

    assert (s.bodies[0]["seed"], s.bodies[0]["top_k"]) == (7, 40)


# ---------------------------------------------------------------------- near misses


@pytest.mark.parametrize("way", WAYS)
async def test_a_near_miss_per_call_raises_did_you_mean(
    scripted: ScriptedFactory, runner: Runner, way: str
) -> None:
    model, answer = _answer(way)
    s = scripted(answer, model=model)

    with pytest.raises(UnexpectedArgumentError, match="'temprature' \\(did you mean 'temperature'"):
        await _call(runner, s.llm, way, temprature=0.5)

    assert s.transport.requests == []


# ---------------------------------------------------------------------- constructor


def test_a_near_miss_in_the_constructor_raises_did_you_mean() -> None:
    with pytest.raises(UnexpectedArgumentError, match=r"'temprature' \(did you mean 'temperature'"):
        AssemblyAIGateway(api_key=KEY, temprature=0.5)


def test_unknown_constructor_names_become_extra_request_fields(
    scripted: ScriptedFactory,
) -> None:
    with pytest.warns(UserWarning, match="is not a parameter of") as warned:
        s = scripted(completion_body("ok"), top_k=40, seed=7)

    s.llm.chat(HI)

    assert [str(warning.message).split(";")[0] for warning in warned] == [
        "'top_k' is not a parameter of AssemblyAIGateway",
        "'seed' is not a parameter of AssemblyAIGateway",
    ]
    assert s.llm.additional_kwargs == {"top_k": 40, "seed": 7}
    assert (s.bodies[0]["top_k"], s.bodies[0]["seed"]) == (40, 7)


def test_additional_kwargs_never_hold_a_client_setting() -> None:
    with pytest.raises(MisplacedClientSettingError, match="'api_key'") as info:
        AssemblyAIGateway(api_key=KEY, additional_kwargs={"api_key": KEY})

    assert KEY not in str(info.value)


def test_validation_errors_never_quote_the_arguments() -> None:
    with pytest.raises(ValueError, match="temperature") as info:
        AssemblyAIGateway(api_key=KEY, temperature=5)

    assert KEY not in str(info.value)


# ------------------------------------------------------------------------- helpers


def _get_weather(city: str) -> str:
    """Get the weather for a city."""
    return "sunny"
