"""Prompt caching: langchain-anthropic's cache_control forms on the wire, and the saving."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.errors import InvalidRequestError
from assemblyai_gateway.testing import completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from tests.test_langchain_assemblyai_gateway.conftest import CLAUDE

EPHEMERAL = {"type": "ephemeral"}
RULES = "Answer in the house style: short, plain, no jargon. " * 40


async def test_a_text_blocks_cache_control_stays_on_its_part(make_model: Any, run: Any) -> None:
    system = SystemMessage(
        [
            {"type": "text", "text": RULES, "cache_control": EPHEMERAL},
            {"type": "text", "text": "Today is Monday."},
        ]
    )
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model, [system, HumanMessage("Hi")])

    assert transport.json_bodies[0]["messages"] == [
        {
            "role": "system",
            "content": [
                {"type": "text", "text": RULES, "cache_control": EPHEMERAL},
                {"type": "text", "text": "Today is Monday."},
            ],
        },
        {"role": "user", "content": "Hi"},
    ]


async def test_a_v1_blocks_extras_cache_control_is_read(make_model: Any, run: Any) -> None:
    block = {"type": "text", "text": RULES, "extras": {"cache_control": {**EPHEMERAL, "ttl": "1h"}}}
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model, [HumanMessage([block])])

    assert transport.json_bodies[0]["messages"][0]["content"] == [
        {"type": "text", "text": RULES, "cache_control": {**EPHEMERAL, "ttl": "1h"}}
    ]


async def test_a_message_level_cache_control_keeps_string_content(
    make_model: Any, run: Any
) -> None:
    system = SystemMessage(RULES, additional_kwargs={"cache_control": EPHEMERAL})
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model, [system, HumanMessage("Hi")])

    assert transport.json_bodies[0]["messages"][0] == {
        "role": "system",
        "content": RULES,
        "cache_control": EPHEMERAL,
    }


async def test_a_tool_results_breakpoint_marks_the_tool_message(make_model: Any, run: Any) -> None:
    call = AIMessage("", tool_calls=[{"name": "search", "args": {}, "id": "call_1"}])
    result = ToolMessage(
        [{"type": "text", "text": "a long result", "cache_control": EPHEMERAL}],
        tool_call_id="call_1",
    )
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model, [HumanMessage("Search"), call, result])

    assert transport.json_bodies[0]["messages"][2] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "a long result",
        "cache_control": EPHEMERAL,
    }


async def test_without_a_breakpoint_the_wire_shape_is_unchanged(make_model: Any, run: Any) -> None:
    messages = [SystemMessage("Be brief."), HumanMessage([{"type": "text", "text": "Hi"}])]
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model, messages)

    assert transport.json_bodies[0]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Hi"}]},
    ]


def test_the_callers_blocks_are_not_changed(make_model: Any) -> None:
    content: list[str | dict[str, Any]] = [
        {"type": "text", "text": RULES, "cache_control": EPHEMERAL}
    ]
    message = HumanMessage(copy.deepcopy(content), additional_kwargs={"cache_control": EPHEMERAL})
    model, transport = make_model([completion_body("ok")])
    model.invoke([message])
    transport.json_bodies[0]["messages"][0]["content"][0]["cache_control"]["ttl"] = "1h"

    assert message.content == content
    assert message.additional_kwargs == {"cache_control": EPHEMERAL}


def test_a_malformed_breakpoint_is_refused_by_name_before_sending(make_model: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    block = {"type": "text", "text": "x", "cache_control": "ephemeral"}

    with pytest.raises(InvalidRequestError, match="cache_control"):
        model.invoke([HumanMessage([block])])
    assert transport.json_bodies == []


@pytest.mark.parametrize("streaming", [False, True])
def test_the_second_call_reads_the_cached_prefix_on_the_emulator(
    gateway_emulator: GatewayEmulator, streaming: bool
) -> None:
    model = ChatAssemblyAIGateway(
        model=CLAUDE,
        api_key=gateway_emulator.api_key,
        base_url=gateway_emulator.base_url,
        streaming=streaming,
    )
    system = SystemMessage([{"type": "text", "text": RULES, "cache_control": EPHEMERAL}])
    first = model.invoke([system, HumanMessage("Summarise the meeting.")])
    second = model.invoke([system, HumanMessage("List the action items.")])

    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    written = first.usage_metadata["input_token_details"]["cache_creation"]
    assert written > 0
    assert first.usage_metadata["input_token_details"]["cache_read"] == 0
    assert second.usage_metadata["input_token_details"] == {
        "cache_read": written,
        "cache_creation": 0,
    }
    assert second.usage_metadata["input_tokens"] > written
