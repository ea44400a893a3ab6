"""Prompt caching: LlamaIndex's CachePoint and the message-level form on the wire; the saving."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    CacheControl,
    CachePoint,
    ChatMessage,
    MessageRole,
    TextBlock,
    ToolCallBlock,
)

from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import completion_body
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.test_llama_index_assemblyai_gateway.conftest import CLAUDE, Runner, ScriptedFactory

RULES = "Answer in the house style: short, plain, no jargon. " * 40
HI = ChatMessage(role=MessageRole.USER, content="Hi")


def cache_point(ttl: str = "5m") -> CachePoint:
    return CachePoint(cache_control=CacheControl(type="ephemeral", ttl=ttl))


async def test_a_cache_point_marks_the_text_block_before_it(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    system = ChatMessage(
        role=MessageRole.SYSTEM,
        blocks=[TextBlock(text=RULES), cache_point("1h"), TextBlock(text="Today is Monday.")],
    )
    s = scripted(completion_body("ok"))
    await runner.chat(s.llm, [system, HI])

    assert s.bodies[0]["messages"] == [
        {
            "role": "system",
            "content": [
                {
                    "type": "text",
                    "text": RULES,
                    "cache_control": {"type": "ephemeral", "ttl": "1h"},
                },
                {"type": "text", "text": "Today is Monday."},
            ],
        },
        {"role": "user", "content": "Hi"},
    ]


async def test_a_message_level_cache_control_keeps_string_content(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    system = ChatMessage(
        role=MessageRole.SYSTEM,
        content=RULES,
        additional_kwargs={"cache_control": {"type": "ephemeral"}},
    )
    s = scripted(completion_body("ok"))
    await runner.chat(s.llm, [system, HI])

    assert s.bodies[0]["messages"][0] == {
        "role": "system",
        "content": RULES,
        "cache_control": {"type": "ephemeral"},
    }


@pytest.mark.parametrize(
    ("role", "blocks", "extra"),
    [
        (
            MessageRole.TOOL,
            [TextBlock(text="a long result"), cache_point()],
            {"tool_call_id": "call_1"},
        ),
        (
            MessageRole.ASSISTANT,
            [
                ToolCallBlock(tool_call_id="call_1", tool_name="search", tool_kwargs={}),
                cache_point(),
            ],
            {},
        ),
        (MessageRole.USER, [cache_point(), TextBlock(text="question")], {}),
    ],
    ids=["tool-result", "after-a-tool-call", "leading"],
)
async def test_a_cache_point_after_anything_but_text_marks_the_whole_message(
    scripted: ScriptedFactory,
    runner: Runner,
    role: MessageRole,
    blocks: list[Any],
    extra: dict[str, Any],
) -> None:
    message = ChatMessage(role=role, blocks=blocks, additional_kwargs=extra)
    s = scripted(completion_body("ok"))
    history = [HI, message] if role != MessageRole.TOOL else [HI, _call(), message]
    await runner.chat(s.llm, history)

    sent = s.bodies[0]["messages"][-1]
    assert sent["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
    assert not isinstance(sent["content"], list)


def _call() -> ChatMessage:
    block = ToolCallBlock(tool_call_id="call_1", tool_name="search", tool_kwargs={})
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=[block])


async def test_without_a_cache_point_text_stays_one_string(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    message = ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text="a"), TextBlock(text="b")])
    s = scripted(completion_body("ok"))
    await runner.chat(s.llm, [message])

    assert s.bodies[0]["messages"] == [{"role": "user", "content": "a\nb"}]


@pytest.mark.parametrize("stream", [False, True])
async def test_the_second_call_reads_the_cached_prefix_on_the_emulator(
    gateway_emulator: GatewayEmulator, runner: Runner, stream: bool
) -> None:
    llm = AssemblyAIGateway(
        model=CLAUDE, api_key=gateway_emulator.api_key, base_url=gateway_emulator.base_url
    )
    system = ChatMessage(role=MessageRole.SYSTEM, blocks=[TextBlock(text=RULES), cache_point()])

    async def ask(question: str) -> dict[str, Any]:
        messages = [system, ChatMessage(role=MessageRole.USER, content=question)]
        if stream:
            return (await runner.stream_chat(llm, messages))[-1].additional_kwargs
        return (await runner.chat(llm, messages)).additional_kwargs

    first = await ask("Summarise the meeting.")
    second = await ask("List the action items.")

    assert first["cache_creation_input_tokens"] > 0
    assert first["cache_read_input_tokens"] == 0
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0
    assert second["prompt_tokens"] > second["cache_read_input_tokens"]
