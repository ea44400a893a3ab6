"""Reasoning both ways, and usage details, in AssemblyAIGateway (sync, async, streamed).

The answers are SDK-shaped (tests/support/reasoning_cases.py, shared with the LangChain
adapter's tests).
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.errors import InvalidRequestError, UnsupportedContentError
from assemblyai_gateway.testing import completion_body
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.reasoning_cases import (
    ANSWER,
    CACHE_CREATION,
    CACHE_READ,
    REASONING_TOKENS,
    THINKING,
    THINKING_PIECES,
    USAGE,
    thinking_completion,
    thinking_sse,
    thinking_tool_completion,
    thinking_tool_sse,
)
from tests.test_llama_index_assemblyai_gateway.conftest import CLAUDE, GPT, Runner, ScriptedFactory

QUESTION = [ChatMessage(role=MessageRole.USER, content="Capital of France?")]
USAGE_KEYS = {
    "prompt_tokens": USAGE[0],
    "completion_tokens": USAGE[1],
    "total_tokens": sum(USAGE),
    "cache_read_input_tokens": CACHE_READ,
    "cache_creation_input_tokens": CACHE_CREATION,
    "reasoning_tokens": REASONING_TOKENS,
}
OURS = {"model_provider": "assemblyai"}


# ----------------------------------------------------------------------------- reasoning in


@pytest.mark.parametrize(
    ("settings", "call", "sent"),
    [
        ({"reasoning": "high"}, {}, {"effort": "high"}),
        ({"reasoning_effort": "low"}, {}, {"effort": "low"}),
        (
            {"reasoning": {"effort": "low", "max_tokens": 2048}},
            {},
            {"effort": "low", "max_tokens": 2048},
        ),
        ({"reasoning": "low"}, {"reasoning_effort": "high"}, {"effort": "high"}),
        ({}, {"reasoning": {"effort": "medium"}}, {"effort": "medium"}),
        ({"additional_kwargs": {"reasoning_effort": "low"}}, {}, {"effort": "low"}),
        ({"reasoning": "high"}, {"reasoning": None}, None),
    ],
)
async def test_the_reasoning_setting_goes_on_the_wire_as_the_gateways_object(
    scripted: ScriptedFactory,
    runner: Runner,
    settings: dict[str, Any],
    call: dict[str, Any],
    sent: Any,
) -> None:
    s = scripted(completion_body("ok"), **settings)
    await runner.chat(s.llm, QUESTION, **call)

    assert s.bodies[0].get("reasoning") == sent
    assert "reasoning_effort" not in s.bodies[0]


async def test_disagreeing_reasoning_and_effort_raise_before_sending(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(completion_body("ok"))
    with pytest.raises(InvalidRequestError, match="'reasoning_effort' for 'low'"):
        await runner.chat(s.llm, QUESTION, reasoning="high", reasoning_effort="low")

    assert s.bodies == []


# ---------------------------------------------------------------------------- thinking out


async def test_thinking_becomes_a_thinking_block_before_the_text(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(thinking_completion())
    response = await runner.chat(s.llm, QUESTION)

    thinking, text = response.message.blocks
    assert isinstance(thinking, ThinkingBlock)
    assert (thinking.content, thinking.num_tokens) == (THINKING, REASONING_TOKENS)
    assert thinking.additional_information == OURS
    assert isinstance(text, TextBlock)
    assert response.message.content == ANSWER
    assert {key: response.additional_kwargs[key] for key in USAGE_KEYS} == USAGE_KEYS


async def test_a_completion_shows_the_text_only(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(thinking_completion())
    response = await runner.complete(s.llm, "Capital of France?")

    assert response.text == ANSWER


async def test_usage_without_details_gives_no_detail_keys(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(completion_body("ok", usage=(4, 2)))
    response = await runner.chat(s.llm, QUESTION)

    assert not {"cache_read_input_tokens", "reasoning_tokens"} & response.additional_kwargs.keys()


@pytest.mark.parametrize(
    ("model", "answer"),
    [(GPT, thinking_sse()), (CLAUDE, thinking_completion())],
    ids=["native-sse", "pseudo-stream"],
)
async def test_streamed_thinking_grows_and_ends_as_chat_returns_it(
    scripted: ScriptedFactory, runner: Runner, model: str, answer: Any
) -> None:
    s = scripted(answer, model=model)
    responses = await runner.stream_chat(s.llm, QUESTION)

    last = responses[-1]
    thinking = last.message.blocks[0]
    assert isinstance(thinking, ThinkingBlock)
    assert (thinking.content, thinking.num_tokens) == (THINKING, REASONING_TOKENS)
    assert last.message.content == ANSWER
    assert {key: last.additional_kwargs[key] for key in USAGE_KEYS} == USAGE_KEYS
    deltas = [
        r.additional_kwargs["thinking_delta"]
        for r in responses
        if "thinking_delta" in r.additional_kwargs
    ]
    assert "".join(deltas) == THINKING
    if model == GPT:
        assert deltas == list(THINKING_PIECES)
    assert "".join(r.delta or "" for r in responses) == ANSWER


# ------------------------------------------------------------------------------ round trip


@pytest.mark.parametrize(
    ("model", "answer", "stream"),
    [
        (CLAUDE, thinking_tool_completion(), False),
        (CLAUDE, thinking_tool_completion(), True),
        (GPT, thinking_tool_sse(), True),
    ],
    ids=["chat", "pseudo-stream", "native-sse"],
)
async def test_the_thinking_goes_back_with_the_tool_call_turn(
    scripted: ScriptedFactory, runner: Runner, model: str, answer: Any, stream: bool
) -> None:
    s = scripted(answer, completion_body("Sunny."), model=model)
    if stream:
        turn = (await runner.stream_chat(s.llm, QUESTION))[-1].message
    else:
        turn = (await runner.chat(s.llm, QUESTION)).message
    assert any(isinstance(block, ToolCallBlock) for block in turn.blocks)
    result = ChatMessage(
        role=MessageRole.TOOL, content="sunny", additional_kwargs={"tool_call_id": "call_weather"}
    )
    await runner.chat(s.llm, [*QUESTION, turn, result])

    assistant = s.bodies[1]["messages"][1]
    assert assistant["thinking"] == THINKING
    assert assistant["content"] is None
    assert assistant["tool_calls"][0]["id"] == "call_weather"


@pytest.mark.parametrize(
    "foreign",
    [
        ThinkingBlock(content="Claude's own.", additional_information={"signature": "sig-1"}),
        ThinkingBlock(content="OpenAI-compatible reasoning."),
        ThinkingBlock(content="Another gateway's.", additional_information={"model_provider": "x"}),
    ],
    ids=["anthropic", "openai", "other-provider"],
)
async def test_other_providers_thinking_is_never_sent(
    scripted: ScriptedFactory, runner: Runner, foreign: ThinkingBlock
) -> None:
    turn = ChatMessage(role=MessageRole.ASSISTANT, blocks=[foreign, TextBlock(text="Paris.")])
    s = scripted(completion_body("ok"))
    await runner.chat(s.llm, [*QUESTION, turn, ChatMessage(role=MessageRole.USER, content="Sure?")])

    assert s.bodies[0]["messages"][1] == {"role": "assistant", "content": "Paris."}


def test_a_thinking_block_outside_an_assistant_turn_is_refused(scripted: ScriptedFactory) -> None:
    s = scripted(completion_body("ok"))
    message = ChatMessage(
        role=MessageRole.USER, blocks=[ThinkingBlock(content="x", additional_information=OURS)]
    )

    with pytest.raises(UnsupportedContentError, match="ThinkingBlock"):
        s.llm.chat([message])


def test_a_tool_loop_with_reasoning_sends_the_thinking_back_to_the_emulator(
    gateway_emulator: GatewayEmulator,
) -> None:
    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        return f"sunny in {city}"

    llm = AssemblyAIGateway(
        model=CLAUDE,
        api_key=gateway_emulator.api_key,
        base_url=gateway_emulator.base_url,
        reasoning="low",
    )
    tool = FunctionTool.from_defaults(get_weather)
    question = ChatMessage(role=MessageRole.USER, content="Use get_weather with city: Paris")
    response = llm.chat_with_tools([tool], chat_history=[question])
    [selection] = llm.get_tool_calls_from_response(response)
    result = ChatMessage(
        role=MessageRole.TOOL,
        content=get_weather(**selection.tool_kwargs),
        additional_kwargs={"tool_call_id": selection.tool_id},
    )
    final = llm.chat_with_tools([tool], chat_history=[question, response.message, result])

    sent = gateway_emulator.requests[-1].json
    assert sent is not None
    thinking = response.message.blocks[0]
    assert isinstance(thinking, ThinkingBlock)
    assert sent["messages"][1]["thinking"] == thinking.content
    assert isinstance(final.message.blocks[0], ThinkingBlock)
