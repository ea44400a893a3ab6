"""End to end over a real local HTTP server: the package's gateway emulator.

The ``gateway_emulator`` fixture (the package's pytest plugin) points
``ASSEMBLYAI_API_KEY`` and ``ASSEMBLYAI_GATEWAY_BASE_URL`` at the emulator, so the
LLMs below are built exactly as a user would build them, with no injected client.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from assemblyai_gateway import AuthenticationError
from assemblyai_gateway.emulator import Fault, GatewayEmulator
from llama_index_assemblyai_gateway import AssemblyAIGateway

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner


CLAUDE = "claude-sonnet-4-5-20250929"
HI = [ChatMessage(role="user", content="Say hello")]


class Forecast(BaseModel):
    """A forecast."""

    city: str
    days: int


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"Sunny in {city}"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@pytest.fixture
def emulator(gateway_emulator: GatewayEmulator) -> GatewayEmulator:
    return gateway_emulator


def _bodies(emulator: GatewayEmulator) -> list[dict[str, Any]]:
    return [r.json or {} for r in emulator.requests]


@pytest.mark.parametrize("model", [CLAUDE, "gpt-5", "gemini-2.5-flash"])
async def test_chat(emulator: GatewayEmulator, runner: Runner, model: str) -> None:
    llm = AssemblyAIGateway(model=model, max_tokens=50)
    response = await runner.chat(llm, HI)
    assert response.message.content == 'Emulated answer to: "Say hello"'
    assert response.additional_kwargs["request_id"]
    assert response.additional_kwargs["total_tokens"] > 0
    assert response.additional_kwargs["model_name"] == model
    assert _bodies(emulator)[0]["max_tokens"] == 50


@pytest.mark.parametrize(("model", "native"), [(CLAUDE, False), ("gpt-5", True)])
async def test_stream_equals_chat(
    emulator: GatewayEmulator, runner: Runner, model: str, native: bool
) -> None:
    llm = AssemblyAIGateway(model=model)
    streamed = await runner.stream_chat(llm, HI)
    reference = await runner.chat(llm, HI)
    assert streamed[-1].message == reference.message
    assert "".join(r.delta or "" for r in streamed) == reference.message.content
    assert (
        streamed[-1].additional_kwargs["total_tokens"]
        == (reference.additional_kwargs["total_tokens"])
    )
    assert ("stream" in _bodies(emulator)[0]) is native
    if native:
        assert len(streamed) > 2


@pytest.mark.parametrize("model", [CLAUDE, "gpt-5"])
async def test_tool_calls(emulator: GatewayEmulator, runner: Runner, model: str) -> None:
    llm = AssemblyAIGateway(model=model)
    tools = [FunctionTool.from_defaults(get_weather), FunctionTool.from_defaults(add)]
    message = "Use get_weather with city: Paris and add with a: 2, b: 3"
    if runner.is_async:
        response = await llm.achat_with_tools(
            tools, user_msg=message, allow_parallel_tool_calls=True
        )
    else:
        response = llm.chat_with_tools(tools, user_msg=message, allow_parallel_tool_calls=True)
    selections = llm.get_tool_calls_from_response(response)
    assert [(s.tool_name, s.tool_kwargs) for s in selections] == [
        ("get_weather", {"city": "Paris"}),
        ("add", {"a": 2, "b": 3}),
    ]
    assert all(s.tool_id for s in selections)
    streamed = await runner.stream_chat_with_tools(
        llm, tools, user_msg=message, allow_parallel_tool_calls=True
    )
    # The whole message: no stray TextBlock, the same blocks and legacy tool_calls.
    assert streamed[-1].message == response.message
    assert response.message.content is None
    assert all(isinstance(b, ToolCallBlock) for b in response.message.blocks)


@pytest.mark.parametrize("model", [CLAUDE, "gpt-5", "gpt-oss-120b"])
async def test_structured_predict(emulator: GatewayEmulator, runner: Runner, model: str) -> None:
    llm = AssemblyAIGateway(model=model)
    prompt = PromptTemplate("Forecast for city: {city} and days: {days}")
    result = await runner.structured_predict(llm, Forecast, prompt, city="Oslo", days="4")
    assert result == Forecast(city="Oslo", days=4)
    sent = _bodies(emulator)[0]
    assert ("response_format" in sent) is (model != "gpt-oss-120b")
    streamed = await runner.stream_structured_predict(llm, Forecast, prompt, city="Oslo", days="4")
    assert streamed[-1] == Forecast(city="Oslo", days=4)


@pytest.mark.parametrize("model", [CLAUDE, "gpt-5"])
async def test_function_agent(emulator: GatewayEmulator, model: str) -> None:
    calls: list[str] = []

    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        calls.append(city)
        return f"Sunny in {city}"

    llm = AssemblyAIGateway(model=model)
    agent = FunctionAgent(tools=[FunctionTool.from_defaults(get_weather)], llm=llm)
    output = await agent.run(user_msg="Call get_weather for city: Lisbon")
    assert calls == ["Lisbon"]
    assert str(output) == "Based on the tool results: get_weather: Sunny in Lisbon"
    follow_up = _bodies(emulator)[1]["messages"]
    assert follow_up[-2]["role"] == "assistant"
    assert follow_up[-2]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert follow_up[-1]["role"] == "tool"


async def test_retries_and_errors(emulator: GatewayEmulator, runner: Runner) -> None:
    # retry-after: 0 keeps the retry instant (no real sleep in tests).
    emulator.inject(Fault.status(503, "overloaded", headers={"retry-after": "0"}))
    llm = AssemblyAIGateway(model=CLAUDE, max_retries=1)
    assert (await runner.chat(llm, HI)).message.content
    assert [r.status for r in emulator.requests] == [503, 200]
    wrong_key = AssemblyAIGateway(model=CLAUDE, api_key="wrong-key", max_retries=0)
    with pytest.raises(AuthenticationError):
        await runner.chat(wrong_key, HI)


async def test_fallbacks_and_transcript(emulator: GatewayEmulator, runner: Runner) -> None:
    emulator.failing_models.add("claude-opus-4-6")
    emulator.transcripts["t-1"] = "Alice: ship it on Friday."
    llm = AssemblyAIGateway(
        model="claude-opus-4-6", fallbacks=[CLAUDE], transcript_id="t-1", max_retries=0
    )
    response = await runner.chat(llm, [ChatMessage(role="user", content="{{ transcript }}")])
    assert response.additional_kwargs["model_name"] == CLAUDE
    assert "ship it on Friday" in (response.message.content or "")


def test_class_docstring_example_runs(
    emulator: GatewayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = AssemblyAIGateway.__doc__ or ""
    match = re.search(r"```python\n(?P<code>.*?)```", doc, re.DOTALL)
    assert match is not None
    # Python 3.13 strips a docstring's common indentation at compile time; dedent either way.
    code = textwrap.dedent(match.group("code"))
    exec(compile(code, "<AssemblyAIGateway docstring>", "exec"), {})
    printed = capsys.readouterr().out
    assert "Emulated answer to" in printed
