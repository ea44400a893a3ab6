"""Recipe 2: a LangGraph tool-calling agent with two tools.

Run: ``python -m cookbook.langgraph_agent``
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import BaseTool, tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from cookbook._runtime import gateway_session, run_main
from langchain_assemblyai_gateway import ChatAssemblyAIGateway

_WEATHER = {"paris": "18°C and sunny", "london": "12°C and raining"}


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return _WEATHER.get(city.strip().lower(), f"no weather data for {city}")


@tool
def convert_currency(amount: float, from_currency: str, to_currency: str) -> str:
    """Convert an amount between EUR and USD at a fixed demo rate."""
    rate = 1.08 if (from_currency.upper(), to_currency.upper()) == ("EUR", "USD") else 1 / 1.08
    return f"{amount * rate:.2f} {to_currency.upper()}"


QUESTION = (
    "Use get_weather for city: Paris, and use convert_currency to turn 100 EUR into USD "
    "(amount: 100, from_currency: EUR, to_currency: USD). Then summarise both."
)


def build_agent(model: ChatAssemblyAIGateway, tools: list[BaseTool]) -> Any:
    """The classic agent graph: the model calls tools until it answers in text."""
    model_with_tools = model.bind_tools(tools)

    def call_model(state: MessagesState) -> dict[str, list[Any]]:
        return {"messages": [model_with_tools.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("model", call_model)
    graph.add_node("tools", ToolNode(tools))
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", tools_condition)
    graph.add_edge("tools", "model")
    return graph.compile()


def run_agent() -> list[object]:
    """Run the agent once and return its message history."""
    model = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", max_tokens=400)
    agent = build_agent(model, [get_weather, convert_currency])
    result = agent.invoke({"messages": [("user", QUESTION)]})
    return list(result["messages"])


def main() -> None:
    """Print each step of the agent loop and the final answer."""
    with gateway_session():
        for message in run_agent():
            if isinstance(message, AIMessage) and message.tool_calls:
                calls = ", ".join(f"{c['name']}({c['args']})" for c in message.tool_calls)
                print(f"model calls tools -> {calls}")
                print(f"  request_id: {message.response_metadata.get('request_id')}")
            elif isinstance(message, ToolMessage):
                print(f"tool {message.name} -> {message.content}")
            elif isinstance(message, AIMessage):
                print(f"final answer -> {message.content}")
                print(f"  usage: {message.usage_metadata}")


if __name__ == "__main__":
    run_main(main, "langgraph_agent")
