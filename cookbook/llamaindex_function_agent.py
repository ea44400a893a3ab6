"""Recipe 4: a LlamaIndex FunctionAgent with two tools.

Run: ``python -m cookbook.llamaindex_function_agent``
"""

from __future__ import annotations

import asyncio

from llama_index.core.agent.workflow import FunctionAgent, ToolCall, ToolCallResult
from llama_index.core.tools import FunctionTool

from cookbook._runtime import gateway_session, run_main
from llama_index_assemblyai_gateway import AssemblyAIGateway


def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


QUESTION = "Use multiply with a: 6 and b: 7, and use add with a: 2 and b: 3. Report both results."


async def run_agent() -> str:
    """Run the agent, printing tool calls as they stream, and return the answer."""
    llm = AssemblyAIGateway(model="claude-sonnet-4-5-20250929", max_tokens=400)
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(multiply), FunctionTool.from_defaults(add)],
        llm=llm,
        system_prompt="You are a careful calculator. Always use the tools.",
    )
    handler = agent.run(QUESTION)
    async for event in handler.stream_events():
        if isinstance(event, ToolCall) and not isinstance(event, ToolCallResult):
            print(f"model calls tool -> {event.tool_name}({event.tool_kwargs})")
        elif isinstance(event, ToolCallResult):
            print(f"tool {event.tool_name} -> {event.tool_output.content}")
    response = await handler
    return str(response)


def main() -> None:
    """Print the agent's steps and its final answer."""
    with gateway_session():
        answer = asyncio.run(run_agent())
        print(f"final answer -> {answer}")


if __name__ == "__main__":
    run_main(main, "llamaindex_function_agent")
