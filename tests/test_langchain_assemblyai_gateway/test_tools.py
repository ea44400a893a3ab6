"""bind_tools: every tool form and every tool_choice form, checked on the request body."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from assemblyai_gateway.errors import ToolChoiceError
from assemblyai_gateway.testing import completion_body, tool_call


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


def get_time(tz: str) -> str:
    """Get the time in a timezone."""
    return f"noon in {tz}"


class Lookup(BaseModel):
    """Look a word up."""

    word: str = Field(description="the word")


class Convert(TypedDict):
    """Convert an amount."""

    amount: float


RAW_TOOL = {
    "type": "function",
    "function": {
        "name": "raw_tool",
        "description": "A tool given in OpenAI shape.",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    },
}

FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}


async def test_every_tool_form_is_sent_in_openai_shape(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    bound = model.bind_tools([get_weather, get_time, Lookup, Convert, RAW_TOOL])
    await run.invoke(bound, "x")
    tools = transport.json_bodies[0]["tools"]
    assert [t["function"]["name"] for t in tools] == [
        "get_weather",
        "get_time",
        "Lookup",
        "Convert",
        "raw_tool",
    ]
    assert all(t["type"] == "function" for t in tools)
    assert tools[0]["function"]["parameters"]["properties"] == {"city": {"type": "string"}}
    assert tools[2]["function"]["description"] == "Look a word up."
    assert "tool_choice" not in transport.json_bodies[0]


@pytest.mark.parametrize(
    ("choice", "tools", "expected"),
    [
        ("auto", [get_weather, get_time], "auto"),
        ("none", [get_weather, get_time], "none"),
        (
            "get_time",
            [get_weather, get_time],
            {"type": "function", "function": {"name": "get_time"}},
        ),
        ("any", [get_weather], FORCE_WEATHER),
        ("required", [get_weather], FORCE_WEATHER),
        (True, [get_weather], FORCE_WEATHER),
        ("any", [get_weather, get_time], "required"),
        ("required", [get_weather, get_time], "required"),
        (True, [get_weather, get_time], "required"),
        (False, [get_weather, get_time], "none"),
        (FORCE_WEATHER, [get_weather, get_time], FORCE_WEATHER),
        ({"type": "auto"}, [get_weather], "auto"),
    ],
)
async def test_tool_choice_forms(
    make_model: Any, run: Any, choice: Any, tools: list[Any], expected: Any
) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model.bind_tools(tools, tool_choice=choice), "x")
    assert transport.json_bodies[0]["tool_choice"] == expected


@pytest.mark.parametrize(
    "choice", ["get_date", {"type": "function", "function": {"name": "get_date"}}]
)
def test_unknown_tool_choice_raises_at_bind_time(make_model: Any, choice: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    with pytest.raises(ToolChoiceError, match="get_date"):
        model.bind_tools([get_weather], tool_choice=choice)
    assert transport.requests == []


async def test_per_call_tool_choice_is_resolved_too(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model.bind_tools([get_weather]), "x", tool_choice="any")
    assert transport.json_bodies[0]["tool_choice"] == FORCE_WEATHER
    with pytest.raises(ToolChoiceError):
        await run.invoke(model.bind_tools([get_weather]), "x", tool_choice="nope")


async def test_per_call_tools_override_bound_ones(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model.bind_tools([get_weather]), "x", tools=[get_time])
    assert [t["function"]["name"] for t in transport.json_bodies[0]["tools"]] == ["get_time"]


async def test_strict_and_parallel_tool_calls(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model.bind_tools([Lookup], strict=True, parallel_tool_calls=False), "x")
    body = transport.json_bodies[0]
    assert body["tools"][0]["function"]["strict"] is True
    assert body["tools"][0]["function"]["parameters"]["additionalProperties"] is False
    assert body["parallel_tool_calls"] is False


async def test_strict_and_parallel_default_to_unsent(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model.bind_tools([Lookup]), "x")
    body = transport.json_bodies[0]
    assert "strict" not in body["tools"][0]["function"]
    assert "parallel_tool_calls" not in body


async def test_tool_call_round_trip(make_model: Any, run: Any) -> None:
    model, transport = make_model(
        [
            completion_body(None, tool_calls=[tool_call("get_weather", {"city": "Oslo"}, "c1")]),
            completion_body("It is sunny in Oslo."),
        ]
    )
    bound = model.bind_tools([get_weather])
    first = await run.invoke(bound, "Weather in Oslo?")
    result = get_weather.invoke(first.tool_calls[0])
    final = await run.invoke(bound, ["Weather in Oslo?", first, result])
    assert final.content == "It is sunny in Oslo."
    sent = transport.json_bodies[1]["messages"]
    assert sent[1]["tool_calls"][0]["id"] == "c1"
    assert sent[2] == {"role": "tool", "tool_call_id": "c1", "content": "sunny in Oslo"}
