"""LlamaIndex messages and settings -> the gateway request body."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from assemblyai_gateway import InvalidRequestError, UnsupportedContentError
from assemblyai_gateway._wire.types import stable_tool_call_id
from assemblyai_gateway.testing import completion_body
from llama_index_assemblyai_gateway import AssemblyAIGateway
from llama_index_assemblyai_gateway._request import message_to_gateway, to_gateway_request

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner, ScriptedFactory

HI = [ChatMessage(role="user", content="Hi")]


@pytest.mark.parametrize(
    ("role", "wire_role"),
    [
        (MessageRole.SYSTEM, "system"),
        (MessageRole.DEVELOPER, "system"),
        (MessageRole.USER, "user"),
        (MessageRole.ASSISTANT, "assistant"),
        (MessageRole.CHATBOT, "assistant"),
        (MessageRole.MODEL, "assistant"),
    ],
)
def test_text_roles(role: MessageRole, wire_role: str) -> None:
    assert message_to_gateway(ChatMessage(role=role, content="text")) == {
        "role": wire_role,
        "content": "text",
    }


def test_text_blocks_are_joined_like_message_content() -> None:
    message = ChatMessage(role="user", blocks=[TextBlock(text="one"), TextBlock(text="two")])
    assert message_to_gateway(message)["content"] == "one\ntwo" == message.content


def test_name_is_passed_on() -> None:
    message = ChatMessage(role="user", content="hi", additional_kwargs={"name": "ada"})
    assert message_to_gateway(message) == {"role": "user", "content": "hi", "name": "ada"}


def test_empty_assistant_message_has_empty_text() -> None:
    assert message_to_gateway(ChatMessage(role="assistant")) == {
        "role": "assistant",
        "content": "",
    }


def test_tool_call_blocks_become_assistant_tool_calls_with_null_content() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            ToolCallBlock(tool_call_id="call_a", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
            ToolCallBlock(tool_call_id="call_b", tool_name="echo", tool_kwargs='{"text": "x"}'),
        ],
    )
    assert message_to_gateway(message) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_a",
                "type": "function",
                "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
            },
            {
                "id": "call_b",
                "type": "function",
                "function": {"name": "echo", "arguments": '{"text": "x"}'},
            },
        ],
    }


def test_tool_calls_keep_the_assistant_text() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            TextBlock(text="Let me check."),
            ToolCallBlock(tool_call_id="c1", tool_name="f", tool_kwargs={}),
        ],
    )
    wire = message_to_gateway(message)
    assert wire["content"] == "Let me check."
    assert wire["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}


def test_a_tool_call_block_without_id_gets_the_core_stable_id() -> None:
    message = ChatMessage(
        role="assistant", blocks=[ToolCallBlock(tool_name="f", tool_kwargs={"x": 1})]
    )
    call = message_to_gateway(message)["tool_calls"][0]
    assert call["id"] == stable_tool_call_id(0, "f", '{"x": 1}')


def _openai_object_call(call_id: str, name: str, arguments: str) -> Any:
    function = SimpleNamespace(name=name, arguments=arguments)
    return SimpleNamespace(id=call_id, type="function", function=function, index=0)


@pytest.mark.parametrize("shape", ["dict", "object"])
def test_legacy_additional_kwargs_tool_calls(shape: str) -> None:
    calls: list[Any]
    if shape == "dict":
        calls = [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}},
            {"id": "c2", "function": {"name": "g", "arguments": {"b": 2}}},
        ]
    else:
        calls = [
            _openai_object_call("c1", "f", '{"a":1}'),
            _openai_object_call("c2", "g", '{"b": 2}'),
        ]
    message = ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": calls})
    wire = message_to_gateway(message)
    assert wire["content"] is None
    assert wire["tool_calls"] == [
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}},
        {"id": "c2", "type": "function", "function": {"name": "g", "arguments": '{"b": 2}'}},
    ]


def test_blocks_win_over_legacy_tool_calls_so_nothing_is_sent_twice() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[ToolCallBlock(tool_call_id="c1", tool_name="f", tool_kwargs={})],
        additional_kwargs={
            "tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": "{}"}}]
        },
    )
    assert len(message_to_gateway(message)["tool_calls"]) == 1


def test_legacy_tool_call_without_a_name_is_rejected() -> None:
    message = ChatMessage(role="assistant", additional_kwargs={"tool_calls": [{"id": "c"}]})
    with pytest.raises(UnsupportedContentError, match="no function name"):
        message_to_gateway(message)


def test_tool_message() -> None:
    message = ChatMessage(role="tool", content="42", additional_kwargs={"tool_call_id": "c1"})
    assert message_to_gateway(message) == {"role": "tool", "content": "42", "tool_call_id": "c1"}


def test_tool_message_without_text_sends_empty_content() -> None:
    message = ChatMessage(role="tool", blocks=[], additional_kwargs={"tool_call_id": "c1"})
    assert message_to_gateway(message)["content"] == ""


def test_tool_message_without_id_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match="tool_call_id"):
        message_to_gateway(ChatMessage(role="tool", content="42"))


@pytest.mark.parametrize(
    "block",
    [
        ImageBlock(url="https://example.com/cat.png"),
        AudioBlock(url="https://example.com/a.mp3", format="mp3"),
        VideoBlock(url="https://example.com/v.mp4"),
        DocumentBlock(data=b"%PDF-1.4", document_mimetype="application/pdf"),
    ],
    ids=lambda block: type(block).__name__,
)
def test_non_text_blocks_raise_naming_the_block(block: Any) -> None:
    message = ChatMessage(role="user", blocks=[TextBlock(text="look"), block])
    with pytest.raises(UnsupportedContentError, match=type(block).__name__):
        message_to_gateway(message)


def test_tool_call_block_outside_an_assistant_message_is_rejected() -> None:
    message = ChatMessage(role="user", blocks=[ToolCallBlock(tool_name="f")])
    with pytest.raises(UnsupportedContentError, match="ToolCallBlock"):
        message_to_gateway(message)


def test_another_providers_thinking_is_dropped_and_a_cache_point_marks_the_text() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="hmm", additional_information={"signature": "sig"}),
            TextBlock(text="answer"),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
        ],
    )
    assert message_to_gateway(message) == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "answer", "cache_control": {"type": "ephemeral", "ttl": "5m"}}
        ],
    }


def test_to_gateway_request_precedence_and_none_handling() -> None:
    request = to_gateway_request(
        HI,
        rule=AssemblyAIGateway._argument_rule(),
        settings={
            "model": "gpt-5",
            "temperature": 0.3,
            "max_tokens": None,
            "transcript_id": "t1",
            "seed": 7,
        },
        call_kwargs={
            "temperature": 0.9,
            "transcript_id": None,
            "stream": True,
            "stream_options": {"include_usage": True},
            "response_format": {"type": "json_object"},
        },
    )
    assert request == {
        "model": "gpt-5",
        "temperature": 0.9,
        "seed": 7,
        "response_format": {"type": "json_object"},
        "messages": [{"role": "user", "content": "Hi"}],
    }


async def test_settings_reach_the_wire(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(
        completion_body("ok"),
        temperature=0.2,
        max_tokens=300,
        fallbacks=["gpt-5", {"model": "gemini-2.5-pro", "temperature": 0.1}],
        fallback_config={"retry": False, "depth": 2},
        post_processing_steps=[{"type": "json-repair"}],
        transcript_id="transcript-123",
        additional_kwargs={"user": "u-1"},
    )
    messages = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", content="Summarise {{ transcript }}"),
    ]
    await runner.chat(s.llm, messages, max_tokens=50)
    assert s.bodies == [
        {
            "model": "claude-sonnet-4-5-20250929",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Summarise {{ transcript }}"},
            ],
            "max_tokens": 50,
            "temperature": 0.2,
            "fallbacks": [{"model": "gpt-5"}, {"model": "gemini-2.5-pro", "temperature": 0.1}],
            "fallback_config": {"retry": False, "depth": 2},
            "post_processing_steps": [{"type": "json-repair"}],
            "transcript_id": "transcript-123",
            "user": "u-1",
        }
    ]


async def test_bare_step_and_fallback_names_are_sent_as_objects_as_in_langchain(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(completion_body("ok"), fallbacks=["gpt-5"], post_processing_steps=["json-repair"])
    await runner.chat(s.llm, HI, post_processing_steps=["json-repair"], fallbacks=["gpt-4.1"])
    assert s.llm.post_processing_steps == [{"type": "json-repair"}]
    assert s.bodies[0]["post_processing_steps"] == [{"type": "json-repair"}]
    assert s.bodies[0]["fallbacks"] == [{"model": "gpt-4.1"}]


async def test_unset_settings_are_not_sent(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body("ok"))
    await runner.chat(s.llm, HI)
    assert s.bodies == [
        {"model": "claude-sonnet-4-5-20250929", "messages": [{"role": "user", "content": "Hi"}]}
    ]


async def test_history_with_tool_turns_on_the_wire(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(completion_body("done"))
    history = [
        ChatMessage(role="user", content="Add 1 and 2"),
        ChatMessage(
            role="assistant",
            blocks=[
                ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1, "b": 2})
            ],
        ),
        ChatMessage(role="tool", content="3", additional_kwargs={"tool_call_id": "c1"}),
    ]
    await runner.chat(s.llm, history)
    wire = s.bodies[0]["messages"]
    assert wire[1]["role"] == "assistant"
    assert wire[1].get("content") is None
    assert wire[1]["tool_calls"] == [
        {
            "id": "c1",
            "type": "function",
            "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
        }
    ]
    assert wire[2] == {"role": "tool", "content": "3", "tool_call_id": "c1"}


async def test_unsupported_content_fails_before_sending(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted()
    message = ChatMessage(role="user", blocks=[ImageBlock(url="https://example.com/x.png")])
    with pytest.raises(UnsupportedContentError, match="ImageBlock"):
        await runner.chat(s.llm, [message])
    assert s.transport.requests == []
