"""A pydantic-ai agent with two tools and a structured output type, against the emulator:
``run_sync``, ``run``, ``run_stream`` and ``iter``, for a Claude, a GPT and a Gemini model."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.messages import ModelResponse, ToolCallPart, ToolReturnPart

from assemblyai_gateway.emulator import GatewayEmulator, Reply, ScriptedToolCall
from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayModel, AssemblyAIGatewayProvider
from tests.test_pydantic_ai_assemblyai_gateway.conftest import FAMILIES, RunAgent


class TripPlan(BaseModel):
    city: str
    forecast: str
    local_time: str


def trip_agent(model: AssemblyAIGatewayModel, calls: list[str]) -> Agent[None, TripPlan]:
    agent = Agent(model, output_type=TripPlan, instructions="Plan a short trip.")

    @agent.tool_plain
    def get_forecast(city: str) -> str:
        """The weather forecast for a city."""
        calls.append(f"forecast:{city}")
        return f"sunny in {city}"

    @agent.tool_plain
    def get_local_time(city: str) -> str:
        """The local time in a city."""
        calls.append(f"time:{city}")
        return "14:05"

    return agent


def trip_script() -> list[Reply]:
    return [
        Reply.tool_calls(
            ScriptedToolCall("get_forecast", {"city": "Lisbon"}),
            ScriptedToolCall("get_local_time", {"city": "Lisbon"}),
        ),
        Reply.tool_call(
            "final_result", {"city": "Lisbon", "forecast": "sunny", "local_time": "14:05"}
        ),
    ]


@pytest.mark.parametrize("model_name", FAMILIES)
def test_an_agent_with_two_tools_and_structured_output_runs_on_every_family(
    model_name: str,
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
    run_agent: RunAgent,
) -> None:
    gateway_emulator.script(*trip_script())
    calls: list[str] = []
    agent = trip_agent(AssemblyAIGatewayModel(model_name, provider=emulator_provider), calls)

    outcome = run_agent(agent, "Plan my afternoon in Lisbon.")

    assert outcome.output == TripPlan(city="Lisbon", forecast="sunny", local_time="14:05")
    assert sorted(calls) == ["forecast:Lisbon", "time:Lisbon"]
    assert outcome.usage.requests == 2
    assert outcome.usage.input_tokens > 0
    assert outcome.usage.output_tokens > 0
    responses = [m for m in outcome.messages if isinstance(m, ModelResponse)]
    assert all(r.model_name == model_name for r in responses)
    assert all(r.provider_name == "assemblyai-gateway" for r in responses)
    first_calls = [p.tool_name for p in responses[0].parts if isinstance(p, ToolCallPart)]
    assert first_calls == ["get_forecast", "get_local_time"]

    # What the gateway was sent: the tool results answer the calls by id, the
    # instructions lead as a system message, and the output tool is among the tools.
    second = gateway_emulator.requests[-1].json
    assert second is not None
    assert second["messages"][0] == {"role": "system", "content": "Plan a short trip."}
    call_ids = [c["id"] for c in second["messages"][2]["tool_calls"]]
    results = [m for m in second["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in results] == call_ids
    assert [m["content"] for m in results] == ["sunny in Lisbon", "14:05"]
    names = [tool["function"]["name"] for tool in second["tools"]]
    assert names == ["get_forecast", "get_local_time", "final_result"]
    assert second["tool_choice"] == "required"


@pytest.mark.parametrize("model_name", FAMILIES)
def test_streaming_is_native_for_gpt_and_replayed_for_the_others(
    model_name: str,
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
    run_agent: RunAgent,
    run_mode: str,
) -> None:
    gateway_emulator.script(*trip_script())
    agent = trip_agent(AssemblyAIGatewayModel(model_name, provider=emulator_provider), [])

    run_agent(agent, "Plan my afternoon in Lisbon.")

    sent = [request.json for request in gateway_emulator.requests]
    streamed = [bool(body and body.get("stream")) for body in sent]
    # The core's rule decides: OpenAI models stream with SSE, the others replay one request.
    native = run_mode == "run_stream" and model_name.startswith("gpt")
    assert streamed == [native, native]


def test_a_tool_result_reaches_the_model_as_the_emulator_reads_it(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    # No script: the emulator's own rules call the tool the prompt names, then answer
    # from its result, so the agent loop ends on a text answer.
    agent: Agent[None, str] = Agent(AssemblyAIGatewayModel("gpt-4.1", provider=emulator_provider))

    @agent.tool_plain
    def get_forecast(city: str) -> str:
        """The weather forecast for a city."""
        return f"rain in {city}"

    result = agent.run_sync("Use get_forecast with city: Oslo")

    assert result.output == "Based on the tool results: get_forecast: rain in Oslo"
    returns = [
        part
        for message in result.all_messages()
        for part in message.parts
        if isinstance(part, ToolReturnPart)
    ]
    assert [(r.tool_name, r.content) for r in returns] == [("get_forecast", "rain in Oslo")]


def test_run_stream_yields_text_as_it_arrives(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    import asyncio

    gateway_emulator.script(Reply.text("Lisbon is sunny this afternoon, enjoy the walk."))
    agent: Agent[None, str] = Agent(AssemblyAIGatewayModel("gpt-5", provider=emulator_provider))

    async def main() -> list[str]:
        async with agent.run_stream("Weather?") as stream:
            return [text async for text in stream.stream_text(delta=True, debounce_by=None)]

    pieces = asyncio.run(main())
    assert len(pieces) > 1  # natively streamed: several deltas
    assert "".join(pieces) == "Lisbon is sunny this afternoon, enjoy the walk."
