"""Agents that stream by default, on a route that crosses model families (the emulator).

A gpt-4.1 primary with a Claude fallback must not send ``stream: true`` (Claude cannot
stream, and a fallback inherits the field): LangChain's ``create_agent`` streamed with
``stream_mode="messages"`` and LlamaIndex's ``FunctionAgent`` (which streams) both
finish their tool loop, and no request the emulator received carries ``stream``.

And when LangChain's ``ModelFallbackMiddleware`` switches from another provider to this
model, that provider's history (reasoning, thinking and ``tool_use`` blocks) continues.
"""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import ModelFallbackMiddleware
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    AnyMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.tools import FunctionTool

from assemblyai_gateway.emulator import GatewayEmulator
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.contract import load_contract

PRIMARY = "gpt-4.1"
FALLBACK = "claude-sonnet-4-5-20250929"
FINAL = "Based on the tool results: get_weather: Sunny in Lisbon"


def weather(city: str) -> str:
    """Get the weather for a city."""
    return f"Sunny in {city}"


def assert_no_request_streams(emulator: GatewayEmulator) -> None:
    bodies = [record.json or {} for record in emulator.requests]
    assert len(bodies) == 2  # the tool call, then the answer
    assert all(record.status == 200 for record in emulator.requests)
    for body in bodies:
        load_contract().check_request(body)
        assert "stream" not in body
        assert body["fallbacks"] == [{"model": FALLBACK}]


async def test_langchain_agent_streams_messages_over_a_cross_family_route(
    gateway_emulator: GatewayEmulator,
) -> None:
    gateway_emulator.failing_models.add(PRIMARY)
    model = ChatAssemblyAIGateway(model=PRIMARY, fallbacks=[FALLBACK], max_retries=0)
    agent = create_agent(model, [tool(weather, description="Get the weather for a city.")])

    pieces = []
    async for message, _ in agent.astream(
        {"messages": [HumanMessage("Call weather for city: Lisbon")]}, stream_mode="messages"
    ):
        if isinstance(message, AIMessageChunk):
            pieces.append(message)

    assert "".join(str(piece.content) for piece in pieces).endswith(
        "Based on the tool results: weather: Sunny in Lisbon"
    )
    assert {piece.response_metadata.get("model_name") for piece in pieces} >= {FALLBACK}
    bodies = [record.json or {} for record in gateway_emulator.requests]
    assert len(bodies) == 2
    for body in bodies:
        load_contract().check_request(body)
        assert "stream" not in body


async def test_llama_index_function_agent_over_a_cross_family_route(
    gateway_emulator: GatewayEmulator,
) -> None:
    gateway_emulator.failing_models.add(PRIMARY)
    llm = AssemblyAIGateway(model=PRIMARY, fallbacks=[FALLBACK], max_retries=0)

    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        return weather(city)

    agent = FunctionAgent(tools=[FunctionTool.from_defaults(get_weather)], llm=llm)
    output = await agent.run(user_msg="Call get_weather for city: Lisbon")

    assert str(output) == FINAL
    assert_no_request_streams(gateway_emulator)


class _FailingModel(GenericFakeChatModel):
    """Another provider's model that is down: every call raises."""

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the other provider is down")


async def test_model_fallback_middleware_switches_to_the_gateway_with_another_providers_history(
    gateway_emulator: GatewayEmulator,
) -> None:
    """A history holding OpenAI reasoning and Anthropic thinking/tool_use blocks continues."""
    history: list[AnyMessage] = [
        HumanMessage("Weather in Lisbon?"),
        AIMessage(
            content=[
                {"type": "reasoning", "reasoning": "Look it up.", "id": "rs_1"},
                {"type": "thinking", "thinking": "Use the tool.", "signature": "sig"},
                {"type": "text", "text": "Checking."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "weather",
                    "input": {"city": "Lisbon"},
                },
            ]
        ),
        ToolMessage("Sunny in Lisbon", tool_call_id="toolu_1"),
    ]
    agent = create_agent(
        _FailingModel(messages=iter([])),
        [tool(weather, description="Get the weather for a city.")],
        middleware=[ModelFallbackMiddleware(ChatAssemblyAIGateway(model=FALLBACK, max_retries=0))],
    )

    state: Any = {"messages": history}  # the agent's input state, as a plain dict
    result = await agent.ainvoke(state)

    assert result["messages"][-1].content == "Based on the tool results: weather: Sunny in Lisbon"
    sent = (gateway_emulator.requests[0].json or {})["messages"]
    load_contract().check_request(gateway_emulator.requests[0].json)
    assert sent[1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Checking."}],
        "tool_calls": [
            {
                "id": "toolu_1",
                "type": "function",
                "function": {"name": "weather", "arguments": '{"city": "Lisbon"}'},
            }
        ],
    }
