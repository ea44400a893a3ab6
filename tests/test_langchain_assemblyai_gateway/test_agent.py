"""A LangGraph ReAct agent with two tools runs end to end over a scripted gateway."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent

from assemblyai_gateway.testing import (
    chunk_body,
    completion_body,
    sse_body,
    tool_call,
    tool_call_delta,
)

# langgraph 1.x deprecates create_react_agent in favour of langchain.agents.create_agent;
# the `langchain` package is not a dependency here, so the prebuilt agent is what we use.
pytestmark = pytest.mark.filterwarnings(
    "ignore:create_react_agent has been moved:langgraph.warnings.LangGraphDeprecatedSinceV10"
)


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


@tool
def get_time(tz: str) -> str:
    """Get the time in a timezone."""
    return f"12:00 in {tz}"


SCRIPT = [
    completion_body(
        None,
        tool_calls=[
            tool_call("get_weather", {"city": "Paris"}, "call_w"),
            tool_call("get_time", {"tz": "CET"}, "call_t"),
        ],
        request_id="req-1",
    ),
    completion_body("It is sunny in Paris and 12:00 CET.", request_id="req-2"),
]


async def test_react_agent_loop(make_model: Any, run: Any) -> None:
    model, transport = make_model(SCRIPT)
    agent = create_react_agent(model, [get_weather, get_time])
    state = await run.invoke(agent, {"messages": [("user", "Weather and time in Paris?")]})

    messages = state["messages"]
    assert isinstance(messages[-1], AIMessage)
    assert messages[-1].content == "It is sunny in Paris and 12:00 CET."
    tool_results = [m for m in messages if isinstance(m, ToolMessage)]
    assert [(m.tool_call_id, m.content) for m in tool_results] == [
        ("call_w", "sunny in Paris"),
        ("call_t", "12:00 in CET"),
    ]

    first, second = transport.json_bodies
    assert [t["function"]["name"] for t in first["tools"]] == ["get_weather", "get_time"]
    user, assistant, weather, time = second["messages"]
    assert user == {"role": "user", "content": "Weather and time in Paris?"}
    assert assistant["role"] == "assistant"
    assert "content" in assistant
    assert assistant["content"] is None
    assert [c["id"] for c in assistant["tool_calls"]] == ["call_w", "call_t"]
    assert assistant["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
    }
    assert weather == {"role": "tool", "tool_call_id": "call_w", "content": "sunny in Paris"}
    assert time == {"role": "tool", "tool_call_id": "call_t", "content": "12:00 in CET"}


async def test_react_agent_streams_tokens_from_a_native_model(make_model: Any, run: Any) -> None:
    calls = sse_body(
        [
            chunk_body(
                tool_calls=[tool_call_delta(0, '{"city": "Paris"}', "call_w", "get_weather")]
            ),
            chunk_body(tool_calls=[tool_call_delta(1, '{"tz": "CET"}', "call_t", "get_time")]),
            chunk_body(finish_reason="tool_calls"),
            chunk_body(usage=(20, 5), choices=False),
        ]
    )
    answer = sse_body(
        [
            chunk_body("Sunny, "),
            chunk_body("12:00."),
            chunk_body(finish_reason="stop"),
            chunk_body(usage=(40, 4), choices=False),
        ]
    )
    model, transport = make_model([calls, answer], model="gpt-5")
    agent = create_react_agent(model, [get_weather, get_time])
    events = await run.stream(
        agent, {"messages": [("user", "Weather and time?")]}, stream_mode="messages"
    )
    tokens = [
        message.text
        for message, metadata in events
        if isinstance(message, AIMessageChunk) and metadata["langgraph_node"] == "agent"
    ]
    assert "".join(tokens) == "Sunny, 12:00."
    assert [body["stream"] for body in transport.json_bodies] == [True, True]
    second = transport.json_bodies[1]["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "tool", "tool"]
    assert [m["tool_call_id"] for m in second[2:]] == ["call_w", "call_t"]
