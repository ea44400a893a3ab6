"""Tool calling: request preparation, validation, selections and predict_and_call."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    TextBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from assemblyai_gateway.errors import ToolChoiceError
from assemblyai_gateway.testing import chunk_body, completion_body, sse_body, tool_call
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.strict_schema import strict_schema_problems

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner, ScriptedFactory


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"Sunny in {city}"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


WEATHER = FunctionTool.from_defaults(get_weather)
ADD = FunctionTool.from_defaults(add)


def _force(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def test_prepare_builds_openai_tools_and_messages() -> None:
    llm = AssemblyAIGateway()
    history = [ChatMessage(role="system", content="Be helpful.")]
    kwargs = llm._prepare_chat_with_tools([WEATHER, ADD], user_msg="Weather?", chat_history=history)
    assert kwargs["tools"] == [WEATHER.metadata.to_openai_tool(), ADD.metadata.to_openai_tool()]
    assert [m.content for m in kwargs["messages"]] == ["Be helpful.", "Weather?"]
    assert len(history) == 1  # the caller's history is not mutated
    assert "tool_choice" not in kwargs
    assert "parallel_tool_calls" not in kwargs


@pytest.mark.parametrize(
    ("tools", "tool_required", "tool_choice", "expected"),
    [
        ([WEATHER], True, None, _force("get_weather")),
        ([WEATHER, ADD], True, None, "required"),
        ([WEATHER, ADD], False, "add", _force("add")),
        ([WEATHER, ADD], True, "auto", "auto"),
        ([WEATHER, ADD], False, "none", "none"),
        ([WEATHER, ADD], False, _force("get_weather"), _force("get_weather")),
        ([WEATHER], False, "required", _force("get_weather")),
    ],
)
def test_tool_choice_resolution(
    tools: list[FunctionTool], tool_required: bool, tool_choice: Any, expected: Any
) -> None:
    kwargs = AssemblyAIGateway()._prepare_chat_with_tools(
        tools, user_msg="hi", tool_required=tool_required, tool_choice=tool_choice
    )
    assert kwargs["tool_choice"] == expected


def test_tool_choice_naming_an_unbound_tool_is_an_error() -> None:
    with pytest.raises(ToolChoiceError, match="multiply"):
        AssemblyAIGateway()._prepare_chat_with_tools([ADD], user_msg="hi", tool_choice="multiply")


def test_no_tools_means_no_tool_keys() -> None:
    kwargs = AssemblyAIGateway()._prepare_chat_with_tools([], user_msg="hi", tool_required=True)
    assert "tools" not in kwargs
    assert "tool_choice" not in kwargs


def test_strict_is_set_only_when_given() -> None:
    llm = AssemblyAIGateway()
    strict = llm._prepare_chat_with_tools([ADD], user_msg="hi", strict=True)
    assert strict["tools"][0]["function"]["strict"] is True
    plain = llm._prepare_chat_with_tools([ADD], user_msg="hi")
    assert "strict" not in plain["tools"][0]["function"]


def book(city: str, nights: int = 1, note: str | None = None) -> str:
    """Book a hotel."""
    return f"{nights} night(s) in {city}"


async def test_strict_tools_reach_the_wire_strict_valid(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(completion_body("a"))
    await runner.chat_with_tools(
        s.llm, [FunctionTool.from_defaults(book)], user_msg="hi", strict=True
    )
    function = s.bodies[0]["tools"][0]["function"]
    assert function["strict"] is True
    assert strict_schema_problems(function["parameters"]) == []
    assert function["parameters"]["required"] == ["city", "nights", "note"]


async def test_parallel_tool_calls_only_when_passed_explicitly(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(completion_body("a"), completion_body("b"), completion_body("c"))
    await runner.chat_with_tools(s.llm, [WEATHER, ADD], user_msg="hi")
    await runner.chat_with_tools(
        s.llm, [WEATHER, ADD], user_msg="hi", allow_parallel_tool_calls=True
    )
    await runner.chat_with_tools(s.llm, [WEATHER, ADD], user_msg="hi", parallel_tool_calls=False)
    assert "parallel_tool_calls" not in s.bodies[0]
    assert "parallel_tool_calls" not in s.bodies[1]
    assert s.bodies[2]["parallel_tool_calls"] is False


async def test_chat_with_tools_wire_format(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body(None, tool_calls=[tool_call("get_weather", {"city": "Rome"})]))
    response = await runner.chat_with_tools(
        s.llm, [WEATHER, ADD], user_msg="Weather in Rome?", tool_required=True
    )
    body = s.bodies[0]
    assert body["tools"][0]["function"]["name"] == "get_weather"
    assert body["tools"][0]["function"]["parameters"]["properties"] == {
        "city": {"title": "City", "type": "string"}
    }
    assert body["tool_choice"] == "required"
    assert body["messages"] == [{"role": "user", "content": "Weather in Rome?"}]
    (selection,) = s.llm.get_tool_calls_from_response(response)
    assert (selection.tool_name, selection.tool_kwargs) == ("get_weather", {"city": "Rome"})


async def test_chat_with_tools_keeps_one_call_unless_parallel_is_allowed(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    body = completion_body(
        None,
        tool_calls=[
            tool_call("get_weather", {"city": "Rome"}, "c1"),
            tool_call("add", {"a": 1, "b": 2}, "c2"),
        ],
    )
    s = scripted(body, body, body)
    single = await runner.chat_with_tools(s.llm, [WEATHER, ADD], user_msg="both")
    assert [b.tool_name for b in single.message.blocks if isinstance(b, ToolCallBlock)] == [
        "get_weather"
    ]
    assert len(single.message.additional_kwargs["tool_calls"]) == 1
    both = await runner.chat_with_tools(
        s.llm, [WEATHER, ADD], user_msg="both", allow_parallel_tool_calls=True
    )
    assert len(s.llm.get_tool_calls_from_response(both)) == 2
    explicit = await runner.chat_with_tools(
        s.llm, [WEATHER, ADD], user_msg="both", parallel_tool_calls=True
    )
    assert len(s.llm.get_tool_calls_from_response(explicit)) == 2


async def test_stream_chat_with_tools(scripted: ScriptedFactory, runner: Runner) -> None:
    sse = sse_body(
        [
            chunk_body(
                tool_calls=[
                    {
                        "index": 0,
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "add", "arguments": '{"a": 4'},
                    }
                ]
            ),
            chunk_body(tool_calls=[{"index": 0, "function": {"arguments": ', "b": 5}'}}]),
            chunk_body(finish_reason="tool_calls"),
        ]
    )
    s = scripted(sse, model="gpt-5")
    responses = await runner.stream_chat_with_tools(
        s.llm, [ADD], user_msg="4+5", tool_required=True
    )
    assert s.bodies[0]["tool_choice"] == _force("add")
    assert s.bodies[0]["stream"] is True
    partial = s.llm.get_tool_calls_from_response(responses[0])
    assert partial[0].tool_kwargs == {"a": 4}
    (final,) = s.llm.get_tool_calls_from_response(responses[-1])
    assert (final.tool_id, final.tool_kwargs) == ("c1", {"a": 4, "b": 5})


def test_get_tool_calls_without_calls() -> None:
    llm = AssemblyAIGateway()
    response = ChatResponse(message=ChatMessage(role="assistant", content="no tools"))
    with pytest.raises(ValueError, match="at least one tool call"):
        llm.get_tool_calls_from_response(response)
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []


def test_get_tool_calls_from_legacy_additional_kwargs() -> None:
    legacy: list[Any] = [
        tool_call("add", {"a": 1, "b": 2}, "c1"),
        SimpleNamespace(id="c2", function=SimpleNamespace(name="get_weather", arguments="{bad")),
    ]
    message = ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": legacy})
    selections = AssemblyAIGateway().get_tool_calls_from_response(ChatResponse(message=message))
    assert [(t.tool_id, t.tool_name, t.tool_kwargs) for t in selections] == [
        ("c1", "add", {"a": 1, "b": 2}),
        ("c2", "get_weather", {}),
    ]


def test_get_tool_calls_reads_string_kwargs_in_blocks() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            TextBlock(text="calling"),
            ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs='{"a": 1, "b": 1}'),
        ],
    )
    (selection,) = AssemblyAIGateway().get_tool_calls_from_response(ChatResponse(message=message))
    assert selection.tool_kwargs == {"a": 1, "b": 1}


async def test_predict_and_call(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body(None, tool_calls=[tool_call("add", {"a": 20, "b": 22})]))
    result = await runner.predict_and_call(s.llm, [ADD], user_msg="What is 20 + 22?")
    assert result.response == "42"
    assert result.sources[0].tool_name == "add"
