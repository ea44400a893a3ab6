"""End to end over real HTTP: the adapter against the local gateway emulator (loopback).

The emulator is deterministic: it answers ``Emulated answer to: "<prompt>"``, calls the
tools the prompt names (arguments from ``key: value`` hints), fills JSON schemas from
hints, and streams OpenAI models with SSE. See ``assemblyai_gateway.emulator``.
"""

from __future__ import annotations

import inspect
import json
import textwrap
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from pydantic import BaseModel

from assemblyai_gateway import AuthenticationError
from assemblyai_gateway.emulator import Fault, GatewayEmulator

# langgraph 1.x deprecates create_react_agent in favour of langchain.agents.create_agent;
# the `langchain` package is not a dependency here, so the prebuilt agent is what we use.
pytestmark = pytest.mark.filterwarnings(
    "ignore:create_react_agent has been moved:langgraph.warnings.LangGraphDeprecatedSinceV10"
)

CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-4.1"


@pytest.fixture
def llm(gateway_emulator: GatewayEmulator) -> Any:
    """A factory for models pointed at the emulator."""
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway

    def build(**params: Any) -> ChatAssemblyAIGateway:
        settings: dict[str, Any] = {
            "model": CLAUDE,
            "api_key": gateway_emulator.api_key,
            "base_url": gateway_emulator.base_url,
            "max_retries": 0,
            **params,
        }
        return ChatAssemblyAIGateway(**settings)

    return build


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


@tool
def get_time(tz: str) -> str:
    """Get the time in a timezone."""
    return f"12:00 in {tz}"


# What varies between two calls (ids, timings), or between the JSON and the SSE shape
# (the timing fields and the request echo exist only in a JSON answer), and the
# chunk-only fields.
_VOLATILE_METADATA = (
    "request_id",
    "response_time_ns",
    "llm_status_code",
    "http_status_code",
    "request",
)
_CHUNK_ONLY = ("id", "type", "chunk_position", "tool_call_chunks")


def comparable(message: BaseMessage) -> dict[str, Any]:
    """The whole message, minus what legitimately differs between two equal answers."""
    dumped = message.model_dump()
    for key in _CHUNK_ONLY:
        dumped.pop(key, None)
    dumped["response_metadata"] = {
        k: v for k, v in dumped["response_metadata"].items() if k not in _VOLATILE_METADATA
    }
    return dumped


class Person(BaseModel):
    """A person."""

    name: str
    age: int


@pytest.mark.parametrize("model_id", [CLAUDE, GPT])
async def test_invoke(llm: Any, run: Any, model_id: str) -> None:
    message = await run.invoke(llm(model=model_id), "Hello there")
    assert isinstance(message, AIMessage)
    assert comparable(message) == comparable(
        AIMessage(
            content='Emulated answer to: "Hello there"',
            usage_metadata={"input_tokens": 2, "output_tokens": 8, "total_tokens": 10},
            response_metadata={
                "model_name": model_id,
                "finish_reason": "stop",
                "normalised_finish_reason": "stop",
                "model_provider": "assemblyai",
            },
        )
    )
    assert message.id == message.response_metadata["request_id"]
    assert message.response_metadata["http_status_code"] == 200
    assert message.response_metadata["request"] == {"model": model_id}


@pytest.mark.parametrize(("model_id", "native"), [(CLAUDE, False), (GPT, True)])
async def test_stream_matches_invoke(
    llm: Any,
    run: Any,
    merge_chunks: Any,
    gateway_emulator: GatewayEmulator,
    model_id: str,
    native: bool,
) -> None:
    model = llm(model=model_id)
    chunks = await run.stream(model, "Tell me something nice")
    invoked = await run.invoke(model, "Tell me something nice")
    streamed = merge_chunks(chunks)
    assert comparable(streamed) == comparable(invoked)
    assert chunks[-1].chunk_position == "last"
    assert sum(1 for chunk in chunks if chunk.usage_metadata) == 1
    first = gateway_emulator.requests[0].json or {}
    assert ("stream" in first) is native
    if native:
        assert len(chunks) > 3  # token by token


async def test_stream_stop_sequence_over_sse(llm: Any, run: Any, merge_chunks: Any) -> None:
    chunks = await run.stream(llm(model=GPT), "alpha beta gamma", stop=["gamma"])
    full = merge_chunks(chunks)
    assert full.content == 'Emulated answer to: "alpha beta '
    assert full.response_metadata["finish_reason"] == "stop"


async def test_tools_round_trip(llm: Any, run: Any, gateway_emulator: GatewayEmulator) -> None:
    bound = llm().bind_tools([get_weather, get_time])
    question = "Use get_weather for city: Paris"
    first = await run.invoke(bound, question)
    assert [call["name"] for call in first.tool_calls] == ["get_weather"]
    assert first.tool_calls[0]["args"] == {"city": "Paris"}
    result = get_weather.invoke(first.tool_calls[0])
    final = await run.invoke(bound, [("user", question), first, result])
    assert final.content == "Based on the tool results: get_weather: sunny in Paris"
    assistant = (gateway_emulator.requests[1].json or {})["messages"][1]
    assert assistant["tool_calls"][0]["id"] == first.tool_calls[0]["id"]
    assert "content" in assistant
    assert assistant["content"] is None


@pytest.mark.parametrize("model_id", [CLAUDE, GPT])
async def test_forced_tool_choice_streams(
    llm: Any, run: Any, merge_chunks: Any, model_id: str
) -> None:
    bound = llm(model=model_id).bind_tools([get_weather, get_time], tool_choice="get_time")
    full = merge_chunks(await run.stream(bound, "What time is it? tz: CET"))
    assert full.tool_calls[0]["name"] == "get_time"
    assert full.tool_calls[0]["args"] == {"tz": "CET"}


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
async def test_structured_output(llm: Any, run: Any, method: str) -> None:
    structured = llm().with_structured_output(Person, method=method)
    person = await run.invoke(structured, "Extract: name: Ada age: 36")
    assert person == Person(name="Ada", age=36)


async def test_structured_output_json_mode_with_raw(llm: Any, run: Any) -> None:
    structured = llm(model=GPT).with_structured_output(None, method="json_mode", include_raw=True)
    result = await run.invoke(structured, "Say hi as JSON")
    assert result["parsing_error"] is None
    assert result["parsed"] == json.loads(result["raw"].content)


async def test_langgraph_agent_loop(llm: Any, run: Any) -> None:
    agent = create_react_agent(llm(), [get_weather, get_time])
    question = "Call get_weather and get_time, city: Oslo tz: CET"
    state = await run.invoke(agent, {"messages": [("user", question)]})
    messages = state["messages"]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.content for m in tool_messages] == ["sunny in Oslo", "12:00 in CET"]
    assert messages[-1].content == (
        "Based on the tool results: get_weather: sunny in Oslo; get_time: 12:00 in CET"
    )


async def test_langgraph_agent_streams_a_native_model(llm: Any, run: Any) -> None:
    agent = create_react_agent(llm(model=GPT), [get_weather])
    events = await run.stream(
        agent,
        {"messages": [("user", "Use get_weather, city: Rome")]},
        stream_mode="messages",
    )
    text = "".join(
        message.text
        for message, metadata in events
        if isinstance(message, AIMessageChunk) and metadata["langgraph_node"] == "agent"
    )
    assert text == "Based on the tool results: get_weather: sunny in Rome"


async def test_fallback_model_serves_and_is_reported(
    llm: Any, run: Any, gateway_emulator: GatewayEmulator
) -> None:
    gateway_emulator.failing_models.add(CLAUDE)
    message = await run.invoke(llm(fallbacks=["gemini-2.5-flash"]), "Hello")
    assert message.response_metadata["model_name"] == "gemini-2.5-flash"


async def test_transcript_id(llm: Any, run: Any, gateway_emulator: GatewayEmulator) -> None:
    gateway_emulator.transcripts["tr_1"] = "we ship on friday"
    message = await run.invoke(llm(transcript_id="tr_1"), "Summarise: {{ transcript }}")
    assert "we ship on friday" in message.content


async def test_retries_then_succeeds(
    llm: Any, run: Any, gateway_emulator: GatewayEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_async_sleep(_seconds: float) -> None:
        return None

    monkeypatch.setattr("assemblyai_gateway._transport.retries._sleep", lambda _seconds: None)
    monkeypatch.setattr("assemblyai_gateway._transport.retries._async_sleep", no_async_sleep)
    gateway_emulator.inject(Fault.status(503, "overloaded"))
    message = await run.invoke(llm(max_retries=1), "Hello")
    assert message.content == 'Emulated answer to: "Hello"'
    assert len(gateway_emulator.requests) == 2


async def test_a_wrong_key_is_an_authentication_error(llm: Any, run: Any) -> None:
    with pytest.raises(AuthenticationError) as caught:
        await run.invoke(llm(api_key="wrong-key-123"), "Hello")
    assert "wrong-key-123" not in str(caught.value)


def test_the_class_docstring_example_runs(
    gateway_emulator: GatewayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example in ChatAssemblyAIGateway's docstring runs as written (on the emulator)."""
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway

    doc = inspect.getdoc(ChatAssemblyAIGateway) or ""
    example = doc.split("```python\n", 1)[1].split("```", 1)[0]
    code = textwrap.dedent(example)
    # gateway_emulator points ASSEMBLYAI_API_KEY / ASSEMBLYAI_GATEWAY_BASE_URL at itself.
    exec(compile(code, "<ChatAssemblyAIGateway docstring>", "exec"), {"__name__": "example"})
    printed = capsys.readouterr().out
    assert 'Emulated answer to: "Name three uses of speech-to-text."' in printed
    assert "get_weather" in printed
    assert len(gateway_emulator.requests) == 5
