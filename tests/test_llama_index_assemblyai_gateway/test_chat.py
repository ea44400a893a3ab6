"""chat / achat / complete / acomplete: the gateway response -> ChatResponse."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole, TextBlock, ToolCallBlock

from assemblyai_gateway import (
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    MissingAPIKeyError,
    ResponseValidationError,
)
from assemblyai_gateway._wire.types import stable_tool_call_id
from assemblyai_gateway.testing import completion_body, error_body, tool_call

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner, ScriptedFactory

HI = [ChatMessage(role="user", content="Hi")]


@pytest.mark.parametrize("usage_style", ["input_output", "prompt_completion"])
async def test_text_reply(scripted: ScriptedFactory, runner: Runner, usage_style: str) -> None:
    body = completion_body("Hello there!", usage=(12, 3), usage_style=usage_style)  # type: ignore[arg-type]
    s = scripted(body)
    response = await runner.chat(s.llm, HI)
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content == "Hello there!"
    assert response.message.blocks == [TextBlock(text="Hello there!")]
    assert response.message.additional_kwargs == {}
    assert response.delta is None
    assert response.additional_kwargs == {
        "prompt_tokens": 12,
        "completion_tokens": 3,
        "total_tokens": 15,
        "request_id": "req-0001",
        "model_name": "claude-sonnet-4-5-20250929",
        "finish_reason": "stop",
        "normalised_finish_reason": "stop",
        "response_time_ns": 275510459,
        "llm_status_code": 200,
        "http_status_code": 200,
        "model_provider": "assemblyai",
    }
    assert isinstance(response.raw, dict)
    assert response.raw["request_id"] == "req-0001"
    assert response.raw["choices"][0]["message"]["content"] == "Hello there!"
    json.dumps(response.raw)  # plain JSON data


async def test_served_model_is_the_fallback(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body("ok", model="gpt-5"), fallbacks=["gpt-5"])
    response = await runner.chat(s.llm, HI)
    assert response.additional_kwargs["model_name"] == "gpt-5"


async def test_missing_usage_and_metadata_are_left_out(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    body = {"choices": [{"message": {"content": "bare"}}]}
    s = scripted(body)
    response = await runner.chat(s.llm, HI)
    assert response.message.content == "bare"
    assert response.additional_kwargs == {
        "model_name": "claude-sonnet-4-5-20250929",
        "model_provider": "assemblyai",
    }


@pytest.mark.parametrize("in_message", [False, True], ids=["on_choice", "in_message"])
async def test_tool_calls_in_both_placements(
    scripted: ScriptedFactory, runner: Runner, in_message: bool
) -> None:
    calls = [
        tool_call("get_weather", {"city": "Paris"}, "call_1"),
        tool_call("add", {"a": 2, "b": 3}, "call_2"),
    ]
    s = scripted(completion_body(None, tool_calls=calls, tool_calls_in_message=in_message))
    response = await runner.chat(s.llm, HI)
    assert response.message.content is None
    assert response.message.blocks == [
        ToolCallBlock(
            tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"city": "Paris"}
        ),
        ToolCallBlock(tool_call_id="call_2", tool_name="add", tool_kwargs={"a": 2, "b": 3}),
    ]
    assert response.message.additional_kwargs["tool_calls"] == calls
    assert response.additional_kwargs["finish_reason"] == "tool_calls"
    selections = s.llm.get_tool_calls_from_response(response)
    assert [(t.tool_id, t.tool_name, t.tool_kwargs) for t in selections] == [
        ("call_1", "get_weather", {"city": "Paris"}),
        ("call_2", "add", {"a": 2, "b": 3}),
    ]


async def test_empty_content_next_to_tool_calls_is_no_text_block(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    """The whole message is compared: an empty TextBlock (content "") would show up."""
    call = tool_call("get_weather", {"city": "Zürich"}, "call_1")
    body = completion_body("", tool_calls=[call])
    s = scripted(body, body)

    replies = [await runner.chat(s.llm, HI), (await runner.stream_chat(s.llm, HI))[-1]]

    expected = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[
            ToolCallBlock(
                tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"city": "Zürich"}
            )
        ],
        additional_kwargs={"tool_calls": [call]},
    )
    for reply in replies:
        assert reply.message == expected
        assert reply.message.content is None


async def test_text_next_to_tool_calls_is_kept(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body("Checking.", tool_calls=[tool_call("f", {})]))
    response = await runner.chat(s.llm, HI)
    assert response.message.content == "Checking."
    assert isinstance(response.message.blocks[1], ToolCallBlock)


async def test_missing_tool_call_ids_get_stable_ids(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    call = {"type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    s = scripted(completion_body(None, tool_calls=[call]), completion_body(None, tool_calls=[call]))
    first = await runner.chat(s.llm, HI)
    second = await runner.chat(s.llm, HI)
    expected = stable_tool_call_id(0, "f", '{"x": 1}')
    for response in (first, second):
        block = response.message.blocks[0]
        assert isinstance(block, ToolCallBlock)
        assert block.tool_call_id == expected
        assert response.message.additional_kwargs["tool_calls"][0]["id"] == expected


@pytest.mark.parametrize("arguments", ['{"city": "Par', "not json", "[1, 2]"])
async def test_invalid_tool_arguments_keep_the_raw_text(
    scripted: ScriptedFactory, runner: Runner, arguments: str
) -> None:
    s = scripted(completion_body(None, tool_calls=[tool_call("get_weather", arguments)]))
    response = await runner.chat(s.llm, HI)
    block = response.message.blocks[0]
    assert isinstance(block, ToolCallBlock)
    assert block.tool_kwargs == arguments
    assert response.message.additional_kwargs["tool_calls"][0]["function"]["arguments"] == arguments
    (selection,) = s.llm.get_tool_calls_from_response(response)
    assert selection.tool_name == "get_weather"
    assert selection.tool_kwargs == {}


async def test_empty_tool_arguments_are_an_empty_object(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(completion_body(None, tool_calls=[tool_call("now", "")]))
    response = await runner.chat(s.llm, HI)
    block = response.message.blocks[0]
    assert isinstance(block, ToolCallBlock)
    assert block.tool_kwargs == {}


@pytest.mark.parametrize("usage_style", ["input_output", "prompt_completion"])
async def test_complete(scripted: ScriptedFactory, runner: Runner, usage_style: str) -> None:
    body = completion_body("42", usage=(4, 1), usage_style=usage_style)  # type: ignore[arg-type]
    s = scripted(body)
    response = await runner.complete(s.llm, "What is six times seven?", max_tokens=5)
    assert response.text == "42"
    assert response.additional_kwargs["total_tokens"] == 5
    assert response.additional_kwargs["request_id"] == "req-0001"
    assert isinstance(response.raw, dict)
    assert s.bodies[0]["messages"] == [{"role": "user", "content": "What is six times seven?"}]
    assert s.bodies[0]["max_tokens"] == 5


async def test_gateway_errors_surface_typed(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(
        httpx.Response(400, json=error_body(400, "bad", [{"field": "max_tokens"}])),
        httpx.Response(401, json=error_body(401, "no")),
        {"not": "a completion"},
    )
    with pytest.raises(BadRequestError) as bad:
        await runner.chat(s.llm, HI)
    assert bad.value.errors == [{"field": "max_tokens"}]
    with pytest.raises(AuthenticationError) as auth:
        await runner.chat(s.llm, HI)
    assert "test-key" not in str(auth.value)
    with pytest.raises(ResponseValidationError):
        await runner.chat(s.llm, HI)


async def test_both_newer_envelopes_surface_typed_with_the_field_list(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    fields = ["temperature: must be between 0 and 2", "messages: is required"]
    business = error_body(400, "Invalid request", fields, envelope="business", request_id="r1")
    auth = error_body(401, "Invalid API key", envelope="auth", request_id="r2")
    s = scripted(httpx.Response(400, json=business), httpx.Response(401, json=auth))

    with pytest.raises(BadRequestError) as bad:
        await runner.chat(s.llm, HI)
    with pytest.raises(AuthenticationError) as denied:
        await runner.stream_chat(s.llm, HI)

    assert [str(item) for item in bad.value.field_errors] == fields
    assert all(field in str(bad.value) for field in fields)
    assert (bad.value.request_id, denied.value.request_id) == ("r1", "r2")
    assert denied.value.message.startswith("Invalid API key")


async def test_a_context_overflow_is_the_core_s_error(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    overflow = "The input token count (1200000) exceeds the maximum number of tokens allowed"
    s = scripted(httpx.Response(400, json=error_body(400, overflow)))
    with pytest.raises(ContextWindowExceededError) as caught:
        await runner.chat(s.llm, HI, max_tokens=5)
    assert isinstance(caught.value, BadRequestError)
    assert len(s.transport.requests) == 1


async def test_missing_key_is_a_clear_error(
    scripted: ScriptedFactory, runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASSEMBLYAI_API_KEY", raising=False)
    s = scripted(api_key=None)
    with pytest.raises(MissingAPIKeyError, match="ASSEMBLYAI_API_KEY"):
        await runner.chat(s.llm, HI)


async def test_unknown_model_works(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body("hi from the future", model="kimi-k2.5"), model="kimi-k2.5")
    response = await runner.chat(s.llm, HI)
    assert response.message.content == "hi from the future"
    assert s.bodies[0]["model"] == "kimi-k2.5"
    assert "stream" not in s.bodies[0]
