"""Recipe 8: a pydantic-ai agent with two tools and a structured output type.

The agent plans an afternoon: it calls a forecast tool and a local-time tool, then
answers with a validated ``TripPlan`` (``NativeOutput``: the gateway's json_schema
``response_format``). It runs once with ``run_sync`` and once streamed.

Run: ``python -m cookbook.pydantic_ai_agent``
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart, ToolReturnPart

from cookbook._runtime import gateway_session, run_main
from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayModel


class TripPlan(BaseModel):
    """What the agent hands back."""

    city: str
    forecast: str
    local_time: str


QUESTION = (
    "Use get_forecast with city: Lisbon, and get_local_time with city: Lisbon, "
    "then plan my afternoon there."
)


def build_agent() -> Agent[None, TripPlan]:
    """A Claude agent with two tools, answering with a TripPlan."""
    agent = Agent(
        AssemblyAIGatewayModel("claude-sonnet-4-5-20250929", settings={"max_tokens": 400}),
        output_type=NativeOutput(TripPlan),
        instructions="You plan short trips. Always check the forecast and the local time.",
    )

    @agent.tool_plain
    def get_forecast(city: str) -> str:
        """The weather forecast for a city this afternoon."""
        return f"sunny and 24°C in {city}"

    @agent.tool_plain
    def get_local_time(city: str) -> str:
        """The local time in a city."""
        return "14:05"

    return agent


def print_steps(messages: Sequence[ModelMessage]) -> None:
    """Print each tool call and its result."""
    for message in messages:
        for part in message.parts:
            if isinstance(part, ToolCallPart):
                print(f"model calls tool -> {part.tool_name}({part.args_as_dict()})")
            elif isinstance(part, ToolReturnPart):
                print(f"tool {part.tool_name} -> {part.content}")


def streamed(agent: Agent[None, TripPlan]) -> TripPlan:
    """The same run, streamed: partial plans arrive as the answer does."""
    with agent.run_stream_sync(QUESTION) as stream:
        partials = list(stream.stream_output(debounce_by=None))
        print(f"streamed -> {len(partials)} partial plan(s)")
        return stream.get_output()


def main() -> None:
    """Run the agent twice: plainly, then streamed."""
    with gateway_session():
        agent = build_agent()
        result = agent.run_sync(QUESTION)
        print_steps(result.all_messages())
        plan = result.output
        print(f"plan -> {plan!r}")
        print(f"validated as {type(plan).__name__}")
        last = result.all_messages()[-1]
        if isinstance(last, ModelResponse):
            print(f"served by {last.model_name}, request_id {last.provider_response_id}")
        print(f"usage -> {result.usage}")
        plan = streamed(agent)
        print(f"streamed plan -> {plan!r}")


if __name__ == "__main__":
    run_main(main, "pydantic_ai_agent")
