"""FunctionAgent, ReActAgent and AgentWorkflow complete a two-tool loop end to end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.agent.workflow import (
    AgentWorkflow,
    FunctionAgent,
    ReActAgent,
    ToolCallResult,
)
from llama_index.core.tools import BaseTool, FunctionTool

from assemblyai_gateway.testing import chunk_body, completion_body, sse_body, tool_call

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import ScriptedFactory


QUESTION = "What is the weather in Paris, and what is 2 + 3?"
FINAL = "It is sunny in Paris, and 2 + 3 = 5."


@dataclass
class Toolbox:
    """Two tools that record their calls."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def get_weather(self, city: str) -> str:
        """Get the weather for a city."""
        self.calls.append(("get_weather", {"city": city}))
        return f"Sunny in {city}"

    def add(self, a: int, b: int) -> int:
        """Add two integers."""
        self.calls.append(("add", {"a": a, "b": b}))
        return a + b

    def tools(self) -> list[FunctionTool]:
        return [
            FunctionTool.from_defaults(self.get_weather, name="get_weather"),
            FunctionTool.from_defaults(self.add, name="add"),
        ]


@pytest.fixture
def toolbox() -> Toolbox:
    return Toolbox()


TOOL_CALLS = [
    tool_call("get_weather", {"city": "Paris"}, "call_weather"),
    tool_call("add", {"a": 2, "b": 3}, "call_add"),
]


def _tool_calls_sse() -> bytes:
    deltas = [
        {"index": i, "id": c["id"], "type": "function", "function": c["function"]}
        for i, c in enumerate(TOOL_CALLS)
    ]
    return sse_body(
        [
            chunk_body(role="assistant", tool_calls=[deltas[0]]),
            chunk_body(tool_calls=[deltas[1]]),
            chunk_body(finish_reason="tool_calls"),
            chunk_body(usage=(50, 20), choices=False),
        ]
    )


def _text_sse(text: str) -> bytes:
    return sse_body(
        [
            chunk_body(text[:10], role="assistant"),
            chunk_body(text[10:]),
            chunk_body(finish_reason="stop"),
            chunk_body(usage=(80, 12), choices=False),
        ]
    )


def _steps(model: str, streaming: bool = True) -> list[Any]:
    if model == "gpt-5" and streaming:
        return [_tool_calls_sse(), _text_sse(FINAL)]
    return [completion_body(None, tool_calls=TOOL_CALLS), completion_body(FINAL)]


def _assert_follow_up_carries_the_tool_turn(body: dict[str, Any]) -> None:
    messages = body["messages"]
    assert messages[0] == {"role": "system", "content": "Use the tools."}
    assert messages[1] == {"role": "user", "content": QUESTION}
    assistant = messages[2]
    assert assistant["role"] == "assistant"
    assert assistant.get("content") is None
    assert assistant["tool_calls"] == TOOL_CALLS
    # FunctionAgent runs a turn's tools as concurrent workflow steps and records each
    # result as it finishes, so their order varies (Python 3.13 shows it); the gateway
    # matches results to calls by tool_call_id.
    assert sorted(messages[3:], key=lambda message: message["tool_call_id"]) == [
        {"role": "tool", "content": "5", "tool_call_id": "call_add"},
        {"role": "tool", "content": "Sunny in Paris", "tool_call_id": "call_weather"},
    ]


@pytest.mark.parametrize("model", ["claude-sonnet-4-5-20250929", "gpt-5"])
@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "not_streaming"])
async def test_function_agent_two_tool_loop(
    scripted: ScriptedFactory, toolbox: Toolbox, model: str, streaming: bool
) -> None:
    s = scripted(*_steps(model, streaming), model=model)
    agent = FunctionAgent(
        tools=toolbox.tools(), llm=s.llm, system_prompt="Use the tools.", streaming=streaming
    )
    handler = agent.run(user_msg=QUESTION)
    results = [
        event async for event in handler.stream_events() if isinstance(event, ToolCallResult)
    ]
    output = await handler
    assert str(output) == FINAL
    assert sorted(toolbox.calls, key=lambda c: c[0]) == [
        ("add", {"a": 2, "b": 3}),
        ("get_weather", {"city": "Paris"}),
    ]
    assert {r.tool_name for r in results} == {"get_weather", "add"}
    assert len(s.bodies) == 2
    first, follow_up = s.bodies
    assert [t["function"]["name"] for t in first["tools"]] == ["get_weather", "add"]
    assert "parallel_tool_calls" not in first
    assert ("stream" in first) is (streaming and model == "gpt-5")
    _assert_follow_up_carries_the_tool_turn(follow_up)


async def test_agent_workflow_two_tool_loop(scripted: ScriptedFactory, toolbox: Toolbox) -> None:
    s = scripted(*_steps("claude-sonnet-4-5-20250929"))
    tools: list[BaseTool | Callable[..., Any]] = [*toolbox.tools()]
    workflow = AgentWorkflow.from_tools_or_functions(
        tools, llm=s.llm, system_prompt="Use the tools."
    )
    output = await workflow.run(user_msg=QUESTION)
    assert str(output) == FINAL
    assert len(toolbox.calls) == 2
    _assert_follow_up_carries_the_tool_turn(s.bodies[1])


REACT_STEPS = [
    'Thought: I need the weather first.\nAction: get_weather\nAction Input: {"city": "Paris"}',
    'Thought: Now the sum.\nAction: add\nAction Input: {"a": 2, "b": 3}',
    f"Thought: I can answer without using any more tools.\nAnswer: {FINAL}",
]


# llama-index-core's ReActAgent.take_step reads ctx.is_running, which
# llama-index-workflows deprecates; third-party code, not the adapter.
@pytest.mark.filterwarnings("ignore:is_running called from within a step:DeprecationWarning")
@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "not_streaming"])
async def test_react_agent_two_tool_loop(
    scripted: ScriptedFactory, toolbox: Toolbox, streaming: bool
) -> None:
    s = scripted(*(completion_body(text) for text in REACT_STEPS))
    agent = ReActAgent(tools=toolbox.tools(), llm=s.llm, streaming=streaming)
    output = await agent.run(user_msg=QUESTION)
    assert str(output) == FINAL
    assert toolbox.calls == [("get_weather", {"city": "Paris"}), ("add", {"a": 2, "b": 3})]
    assert len(s.bodies) == 3
    assert all("tools" not in body for body in s.bodies)
    last_request = s.bodies[2]["messages"]
    texts = [m["content"] for m in last_request]
    assert any("Sunny in Paris" in t for t in texts)
    assert any("Observation: 5" in t for t in texts)
