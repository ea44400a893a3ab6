"""LangChain messages and settings -> the gateway request body."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from assemblyai_gateway import UnexpectedArgumentError, UnsupportedContentError
from assemblyai_gateway.testing import completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from langchain_assemblyai_gateway._request import messages_to_gateway

CLAUDE = "claude-sonnet-4-5-20250929"


HISTORY = [
    SystemMessage("Be brief.", name="policy"),
    HumanMessage("What's 2+2?", name="ana"),
    AIMessage("", tool_calls=[{"name": "add", "args": {"a": 2, "b": 2}, "id": "call_9"}]),
    ToolMessage("4", tool_call_id="call_9"),
    AIMessage("It is 4.", name="bot"),
    ChatMessage(role="user", content="thanks"),
]
TOOL_CALL = {
    "id": "call_9",
    "type": "function",
    "function": {"name": "add", "arguments": '{"a": 2, "b": 2}'},
}


def test_every_role_maps_to_a_gateway_message() -> None:
    assert messages_to_gateway(HISTORY) == [
        {"role": "system", "content": "Be brief.", "name": "policy"},
        {"role": "user", "content": "What's 2+2?", "name": "ana"},
        {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
        {"role": "tool", "tool_call_id": "call_9", "content": "4"},
        {"role": "assistant", "content": "It is 4.", "name": "bot"},
        {"role": "user", "content": "thanks"},
    ]


async def test_the_history_reaches_the_wire(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model, HISTORY)
    assert transport.json_bodies[0]["messages"] == messages_to_gateway(HISTORY)
    assert transport.json_bodies[0]["messages"][2] == {
        "role": "assistant",
        "content": None,  # sent as JSON null, as the gateway documents
        "tool_calls": [TOOL_CALL],
    }


def test_assistant_text_is_kept_next_to_tool_calls() -> None:
    message = AIMessage("Let me check.", tool_calls=[{"name": "f", "args": {}, "id": "c1"}])
    [mapped] = messages_to_gateway([message])
    assert mapped["content"] == "Let me check."
    assert mapped["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}


def test_assistant_tool_call_blocks_in_content_are_not_duplicated() -> None:
    # A v1 / Anthropic-style history: tool calls appear as content blocks too.
    message = AIMessage(
        content=[
            {"type": "text", "text": "Checking."},
            {"type": "tool_call", "name": "f", "args": {"x": 1}, "id": "c1"},
            {"type": "tool_use", "name": "f", "input": {"x": 1}, "id": "c1"},
        ],
        tool_calls=[{"name": "f", "args": {"x": 1}, "id": "c1"}],
    )
    [mapped] = messages_to_gateway([message])
    assert mapped["content"] == [{"type": "text", "text": "Checking."}]
    assert len(mapped["tool_calls"]) == 1


def test_invalid_tool_calls_in_history_keep_their_raw_arguments() -> None:
    message = AIMessage(
        "",
        invalid_tool_calls=[{"name": "f", "args": "{oops", "id": "c2", "error": "bad"}],
    )
    [mapped] = messages_to_gateway([message])
    assert mapped["content"] is None
    assert mapped["tool_calls"] == [
        {"id": "c2", "type": "function", "function": {"name": "f", "arguments": "{oops"}}
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (["3", {"type": "text", "text": "4"}], "3\n4"),
        ([{"type": "text", "text": "only"}], "only"),
        ("plain", "plain"),
    ],
)
def test_tool_message_list_content_is_joined_to_text(content: Any, expected: str) -> None:
    [mapped] = messages_to_gateway([ToolMessage(content=content, tool_call_id="c1", name="t")])
    assert mapped == {"role": "tool", "tool_call_id": "c1", "content": expected}


def test_text_blocks_become_text_parts() -> None:
    message = HumanMessage(
        content=[
            "a plain string part",
            {"type": "text", "text": "an OpenAI text part"},
            {"type": "text", "text": "a v1 block", "id": "lc_1", "annotations": []},
        ]
    )
    [mapped] = messages_to_gateway([message])
    assert mapped["content"] == [
        {"type": "text", "text": "a plain string part"},
        {"type": "text", "text": "an OpenAI text part"},
        {"type": "text", "text": "a v1 block"},
    ]


@pytest.mark.parametrize(
    ("block", "block_type"),
    [
        ({"type": "image_url", "image_url": {"url": "https://x/y.png"}}, "image_url"),
        ({"type": "image", "base64": "AAAA", "mime_type": "image/png"}, "image"),
        ({"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"}, "audio"),
        ({"type": "file", "base64": "AAAA", "mime_type": "application/pdf"}, "file"),
        # LangChain normalises OpenAI input_audio into a v1 "audio" block first.
        ({"type": "input_audio", "input_audio": {"data": "AA", "format": "wav"}}, "audio"),
    ],
)
async def test_non_text_blocks_raise_before_any_request(
    make_model: Any, run: Any, block: dict[str, Any], block_type: str
) -> None:
    model, transport = make_model([completion_body("never")])
    message = HumanMessage(content=[{"type": "text", "text": "look"}, block])
    with pytest.raises(UnsupportedContentError, match=block_type) as caught:
        await run.invoke(model, [message])
    assert "text only" in str(caught.value)
    assert transport.requests == []


def test_non_text_tool_results_raise() -> None:
    image = {"type": "image", "base64": "AAAA", "mime_type": "image/png"}
    with pytest.raises(UnsupportedContentError, match="image"):
        messages_to_gateway([ToolMessage(content=[image], tool_call_id="c1")])


def test_chat_message_roles() -> None:
    mapped = messages_to_gateway(
        [ChatMessage(role="human", content="hi"), ChatMessage(role="ai", content="hello")]
    )
    assert [m["role"] for m in mapped] == ["user", "assistant"]


def test_message_types_without_a_gateway_role_raise() -> None:
    with pytest.raises(UnsupportedContentError, match="FunctionMessage"):
        messages_to_gateway([FunctionMessage(name="f", content="x")])


async def test_instance_settings_are_sent(make_model: Any, run: Any) -> None:
    model, transport = make_model(
        [completion_body("ok")],
        temperature=0.2,
        max_tokens=256,
        fallbacks=["gpt-5", {"model": "gemini-2.5-pro", "temperature": 0}],
        fallback_config={"retry": False, "depth": 2},
        post_processing_steps=["json-repair"],
        transcript_id="tr_123",
        stop=["END"],
    )
    await run.invoke(model, "Summarise {{ transcript }}")
    body = transport.json_bodies[0]
    assert body == {
        "model": CLAUDE,
        "messages": [{"role": "user", "content": "Summarise {{ transcript }}"}],
        "temperature": 0.2,
        "max_tokens": 256,
        "fallbacks": [{"model": "gpt-5"}, {"model": "gemini-2.5-pro", "temperature": 0}],
        "fallback_config": {"retry": False, "depth": 2},
        "post_processing_steps": [{"type": "json-repair"}],
        "transcript_id": "tr_123",
    }
    assert "stop" not in body


async def test_per_call_kwargs_override_instance_settings(make_model: Any, run: Any) -> None:
    model, transport = make_model(
        [completion_body("ok")], temperature=0.2, max_tokens=256, fallbacks=["gpt-5"]
    )
    await run.invoke(
        model,
        "hi",
        model="claude-haiku-4-5-20251001",
        temperature=1.0,
        max_tokens=10,
        fallbacks=[{"model": "gpt-4.1"}],
        transcript_id="tr_9",
        stop=["x"],
    )
    body = transport.json_bodies[0]
    assert body["model"] == "claude-haiku-4-5-20251001"
    assert body["temperature"] == 1.0
    assert body["max_tokens"] == 10
    assert body["fallbacks"] == [{"model": "gpt-4.1"}]
    assert body["transcript_id"] == "tr_9"
    assert "stop" not in body


async def test_bound_kwargs_override_instance_settings(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")], temperature=0.2)
    await run.invoke(model.bind(temperature=0.7, model="gemini-2.5-flash"), "hi")
    assert transport.json_bodies[0]["temperature"] == 0.7
    assert transport.json_bodies[0]["model"] == "gemini-2.5-flash"


async def test_model_kwargs_are_sent_and_overridable(make_model: Any, run: Any) -> None:
    model, transport = make_model(
        [completion_body("ok")], model_kwargs={"top_p": 0.5, "user": "u-1"}
    )
    await run.invoke(model, "hi")
    await run.invoke(model, "hi", top_p=0.9)
    assert transport.json_bodies[0]["top_p"] == 0.5
    assert transport.json_bodies[0]["user"] == "u-1"
    assert transport.json_bodies[1]["top_p"] == 0.9


@pytest.mark.parametrize(
    "duplicate",
    [
        {"temperature": 0.1},
        {"model": "gpt-5"},
        {"model_name": "gpt-5"},
        {"max_tokens": 5},
        {"stop": ["x"]},
    ],
)
def test_model_kwargs_must_not_duplicate_explicit_fields(duplicate: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="model_kwargs must not hold"):
        ChatAssemblyAIGateway(api_key="k", model_kwargs=duplicate)


@pytest.mark.parametrize("owned", [{"stream": True}, {"messages": []}, {"prompt": "x"}])
def test_model_kwargs_must_not_hold_fields_the_model_builds(owned: dict[str, Any]) -> None:
    with pytest.raises(UnexpectedArgumentError, match=f"'{next(iter(owned))}' in model_kwargs"):
        ChatAssemblyAIGateway(api_key="k", model_kwargs=owned)


def test_unknown_init_args_move_to_model_kwargs_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="top_p"):
        model = ChatAssemblyAIGateway(api_key="k", top_p=0.3)
    assert model.model_kwargs == {"top_p": 0.3}


async def test_per_call_near_misses_are_refused_and_other_unknown_names_are_sent(
    make_model: Any, run: Any
) -> None:
    model, transport = make_model([completion_body("ok")])
    with pytest.raises(UnexpectedArgumentError, match=r"'temprature' \(did you mean 'temperature'"):
        await run.invoke(model, "hi", temprature=0.5)
    assert transport.requests == []

    await run.invoke(model, "hi", seed=7, top_k=40)

    assert (transport.json_bodies[0]["seed"], transport.json_bodies[0]["top_k"]) == (7, 40)


async def test_langchain_internal_kwargs_are_not_sent(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model, "hi", stream=False, stream_usage=True)
    assert set(transport.json_bodies[0]) == {"model", "messages"}


async def test_raw_key_is_sent_without_bearer(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")], api_key="raw-key-1")
    await run.invoke(model, "hi")
    assert transport.requests[0].headers["authorization"] == "raw-key-1"


async def test_per_call_response_format_accepts_a_schema(make_model: Any, run: Any) -> None:
    from pydantic import BaseModel

    class Answer(BaseModel):
        """An answer."""

        text: str

    model, transport = make_model([completion_body('{"text": "hi"}')])
    await run.invoke(model, "x", response_format=Answer)
    await run.invoke(model, "x", response_format={"type": "json_object"})
    first, second = transport.json_bodies
    assert first["response_format"]["type"] == "json_schema"
    assert first["response_format"]["json_schema"]["name"] == "Answer"
    assert second["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "json_object",
            "schema": {"type": "object", "additionalProperties": True},
        },
    }
    assert second["messages"][0]["role"] == "system"
