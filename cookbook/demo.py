"""``make demo``: a short tour of both adapters.

A LangChain call, a stream, a LangGraph agent loop and a LlamaIndex FunctionAgent,
printing answers, token usage and request ids. Without ``ASSEMBLYAI_API_KEY`` it runs
against the embedded local emulator and says so first.

Run: ``python -m cookbook.demo``
"""

from __future__ import annotations

import asyncio
import time

from langchain_core.messages import AIMessage, ToolMessage

from cookbook import langgraph_agent, llamaindex_function_agent
from cookbook._runtime import gateway_session, run_main
from langchain_assemblyai_gateway import ChatAssemblyAIGateway


def _section(title: str) -> None:
    print(f"\n== {title} ==")


def main() -> None:
    """Run the tour."""
    started = time.perf_counter()
    with gateway_session() as session:
        _section("LangChain: invoke (claude-sonnet-4-5)")
        model = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", max_tokens=200)
        reply = model.invoke("In one sentence, why route LLM calls through a gateway?")
        print(f"answer: {reply.content}")
        print(f"usage: {reply.usage_metadata}  request_id: {reply.response_metadata['request_id']}")

        _section("LangChain: stream (gpt-5-mini over SSE)")
        streamed = []
        usage = None
        request_id = None
        for chunk in ChatAssemblyAIGateway(model="gpt-5-mini", max_tokens=200).stream(
            "List three uses of speech-to-text."
        ):
            streamed.append(str(chunk.content))
            print(chunk.content, end="", flush=True)
            usage = chunk.usage_metadata or usage
            request_id = chunk.response_metadata.get("request_id") or request_id
        print(f"\n{len(streamed)} chunks  usage: {usage}  request_id: {request_id}")

        _section("LangGraph: tool-calling agent with two tools")
        for message in langgraph_agent.run_agent():
            if isinstance(message, AIMessage) and message.tool_calls:
                calls = ", ".join(f"{c['name']}({c['args']})" for c in message.tool_calls)
                request_id = message.response_metadata.get("request_id")
                print(f"tool calls: {calls}  request_id: {request_id}")
            elif isinstance(message, ToolMessage):
                print(f"tool result [{message.name}]: {message.content}")
            elif isinstance(message, AIMessage):
                print(f"answer: {message.content}")
                print(f"usage: {message.usage_metadata}")

        _section("LlamaIndex: FunctionAgent with two tools")
        answer = asyncio.run(llamaindex_function_agent.run_agent())
        print(f"answer: {answer}")

    where = "live gateway" if session.live else "embedded emulator"
    print(f"\nDemo finished in {time.perf_counter() - started:.1f}s against the {where}.")


if __name__ == "__main__":
    run_main(main, "demo")
