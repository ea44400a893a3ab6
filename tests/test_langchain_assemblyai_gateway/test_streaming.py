"""Streaming: native SSE and pseudo-streaming, sync and async, equal to invoke."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

import pytest
from langchain_core.callbacks import BaseCallbackHandler, CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_tests.utils.stream_lifecycle import assert_valid_event_stream

from assemblyai_gateway.testing import (
    chunk_body,
    completion_body,
    sse_body,
    tool_call,
    tool_call_delta,
)

CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-5"

WEATHER = {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_a", "type": "tool_call"}
TIME = {"name": "get_time", "args": {"tz": "CET"}, "id": "call_b", "type": "tool_call"}


def native_sse(*, usage: bool = True) -> bytes:
    """Text, then two tool calls whose argument deltas interleave, then usage."""
    chunks = [
        chunk_body(role="assistant", content=""),
        chunk_body("Let me "),
        chunk_body("check."),
        chunk_body(tool_calls=[tool_call_delta(0, "", "call_a", "get_weather")]),
        chunk_body(tool_calls=[tool_call_delta(1, "", "call_b", "get_time")]),
        chunk_body(tool_calls=[tool_call_delta(0, '{"city": ')]),
        chunk_body(tool_calls=[tool_call_delta(1, '{"tz": "CET"}')]),
        chunk_body(tool_calls=[tool_call_delta(0, '"Paris"}')]),
        chunk_body(finish_reason="tool_calls"),
    ]
    if usage:
        chunks.append(chunk_body(usage=(12, 7), choices=False))
    return sse_body(chunks)


def native_completion() -> dict[str, Any]:
    """The same answer as ``native_sse``, as a non-streamed body."""
    return {
        "id": "chatcmpl-1",
        "request_id": "req-0001",
        "model": GPT,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Let me check."},
                "finish_reason": "tool_calls",
                "tool_calls": [
                    tool_call("get_weather", {"city": "Paris"}, "call_a"),
                    tool_call("get_time", {"tz": "CET"}, "call_b"),
                ],
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19},
    }


def claude_completion() -> dict[str, Any]:
    return completion_body(
        "Let me check.",
        tool_calls=[
            tool_call("get_weather", {"city": "Paris"}, "call_a"),
            tool_call("get_time", {"tz": "CET"}, "call_b"),
        ],
        usage=(12, 7),
    )


def _assert_chunk_contract(chunks: list[Any]) -> None:
    assert all(isinstance(chunk, AIMessageChunk) for chunk in chunks)
    assert [c.chunk_position for c in chunks] == [None] * (len(chunks) - 1) + ["last"]
    assert sum(1 for c in chunks if c.usage_metadata) == 1


async def test_native_sse_with_interleaved_tool_calls_and_usage(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    model, transport = make_model([native_sse()], model=GPT)
    chunks = await run.stream(model, "Weather and time in Paris?")
    _assert_chunk_contract(chunks)
    assert chunks[-1].usage_metadata == {"input_tokens": 12, "output_tokens": 7, "total_tokens": 19}
    assert any(chunk.tool_call_chunks for chunk in chunks)
    full = merge_chunks(chunks)
    assert full.content == "Let me check."
    assert full.tool_calls == [WEATHER, TIME]
    assert full.response_metadata["finish_reason"] == "tool_calls"
    assert full.response_metadata["model_name"] == GPT
    assert full.response_metadata["request_id"] == "req-0001"
    assert full.response_metadata["model_provider"] == "assemblyai"
    body = transport.json_bodies[0]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert transport.open_responses == 0


async def test_tool_call_chunks_carry_their_index(make_model: Any, run: Any) -> None:
    model, _ = make_model([native_sse()], model=GPT)
    chunks = await run.stream(model, "x")
    indexed = [tc["index"] for c in chunks for tc in c.tool_call_chunks]
    assert indexed == [0, 1, 0, 1, 0]


async def test_claude_is_pseudo_streamed_without_a_stream_key(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    model, transport = make_model([claude_completion()])
    chunks = await run.stream(model, "Weather and time in Paris?")
    _assert_chunk_contract(chunks)
    assert merge_chunks(chunks).tool_calls == [WEATHER, TIME]
    [body] = transport.json_bodies
    assert "stream" not in body
    assert "stream_options" not in body


def _comparable(message: AIMessage | AIMessageChunk) -> dict[str, Any]:
    return {
        "content": message.content,
        "tool_calls": message.tool_calls,
        "invalid_tool_calls": message.invalid_tool_calls,
        "usage_metadata": message.usage_metadata,
        "response_metadata": message.response_metadata,
        "id": message.id,
    }


async def test_stream_sum_equals_invoke_for_claude(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    model, _ = make_model([claude_completion()])
    invoked = await run.invoke(model, "x")
    streamed = merge_chunks(await run.stream(model, "x"))
    assert _comparable(streamed) == _comparable(invoked)


async def test_stream_sum_equals_invoke_for_a_native_model(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    model, transport = make_model([native_sse(), native_completion()], model=GPT)
    streamed = merge_chunks(await run.stream(model, "x"))
    invoked = await run.invoke(model, "x")
    assert _comparable(streamed) == _comparable(invoked)
    assert "stream" in transport.json_bodies[0]
    assert "stream" not in transport.json_bodies[1]


async def test_native_tool_calls_without_ids_match_invoke(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    sse = sse_body(
        [
            chunk_body(tool_calls=[tool_call_delta(0, '{"x": ', name="f")]),
            chunk_body(tool_calls=[tool_call_delta(0, "1}")]),
            chunk_body(finish_reason="tool_calls"),
        ]
    )
    body = native_completion()
    body["choices"][0]["message"]["content"] = None
    body["choices"][0]["tool_calls"] = [
        {"type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    ]
    del body["usage"]
    model, _ = make_model([sse, body], model=GPT)
    streamed = merge_chunks(await run.stream(model, "x"))
    invoked = await run.invoke(model, "x")
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.tool_calls[0]["id"].startswith("call_")


async def test_stream_usage_off(make_model: Any, run: Any) -> None:
    model, transport = make_model([native_sse(usage=False)], model=GPT, stream_usage=False)
    chunks = await run.stream(model, "x")
    assert all(chunk.usage_metadata is None for chunk in chunks)
    assert "stream_options" not in transport.json_bodies[0]
    assert chunks[-1].chunk_position == "last"


async def test_per_call_stream_usage_overrides(make_model: Any, run: Any) -> None:
    model, transport = make_model([native_sse()], model=GPT, stream_usage=False)
    await run.stream(model, "x", stream_usage=True)
    await run.stream(model.bind(stream_options={"include_usage": True}), "x")
    assert transport.json_bodies[0]["stream_options"] == {"include_usage": True}
    assert transport.json_bodies[1]["stream_options"] == {"include_usage": True}


async def test_pseudo_stream_usage_off_has_no_usage(make_model: Any, run: Any) -> None:
    model, _ = make_model([claude_completion()], stream_usage=False)
    chunks = await run.stream(model, "x")
    assert all(chunk.usage_metadata is None for chunk in chunks)


async def test_streaming_true_makes_invoke_stream(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    model, transport = make_model([native_sse()], model=GPT, streaming=True)
    message = await run.invoke(model, "x")
    assert isinstance(message, AIMessage)
    assert message.content == "Let me check."
    assert message.tool_calls == [WEATHER, TIME]
    assert message.usage_metadata == {"input_tokens": 12, "output_tokens": 7, "total_tokens": 19}
    assert transport.json_bodies[0]["stream"] is True


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        self.tokens.append(token)


async def test_new_tokens_reach_callbacks(make_model: Any, run: Any) -> None:
    handler = _Tokens()
    model, _ = make_model([native_sse()], model=GPT, streaming=True)
    await run.invoke(model, "x", config={"callbacks": [handler]})
    assert "".join(handler.tokens) == "Let me check."
    assert "Let me " in handler.tokens


def test_generate_reports_tokens_to_its_run_manager(make_model: Any) -> None:
    model, _ = make_model([native_sse()], model=GPT, streaming=True)
    run_manager = MagicMock(spec=CallbackManagerForLLMRun)
    result = model._generate([HumanMessage("x")], run_manager=run_manager)
    assert result.generations[0].message.content == "Let me check."
    tokens = [call.args[0] for call in run_manager.on_llm_new_token.call_args_list]
    assert "".join(tokens) == "Let me check."


async def test_disable_streaming_defers_to_invoke(make_model: Any, run: Any) -> None:
    model, transport = make_model([native_completion()], model=GPT, disable_streaming=True)
    chunks = await run.stream(model, "x")
    assert len(chunks) == 1
    assert chunks[0].content == "Let me check."
    assert "stream" not in transport.json_bodies[0]


async def test_disable_streaming_for_tool_calls_only(make_model: Any, run: Any) -> None:
    model, transport = make_model(
        [native_completion(), native_sse()], model=GPT, disable_streaming="tool_calling"
    )
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
    await run.stream(model.bind(tools=tools), "x")
    await run.stream(model, "x")
    assert "stream" not in transport.json_bodies[0]
    assert transport.json_bodies[1]["stream"] is True


def test_abandoned_sync_stream_closes_its_response(make_model: Any) -> None:
    model, transport = make_model([native_sse()], model=GPT)
    stream = model.stream("x")
    next(stream)
    stream.close()
    assert transport.open_responses == 0


async def test_abandoned_async_stream_closes_its_response(make_model: Any) -> None:
    model, transport = make_model([native_sse()], model=GPT)
    stream = model.astream("x")
    await anext(stream)
    await stream.aclose()
    assert transport.open_responses == 0


async def test_v1_output_merges_to_one_text_block(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    sse = sse_body([chunk_body("Hel"), chunk_body("lo"), chunk_body(finish_reason="stop")])
    model, _ = make_model([sse], model=GPT, output_version="v1")
    full = merge_chunks(await run.stream(model, "x"))
    assert [block["type"] for block in full.content_blocks] == ["text"]
    assert full.text == "Hello"


def test_stream_events_v3_lifecycle(make_model: Any) -> None:
    model, _ = make_model([native_sse()], model=GPT)
    stream = model.stream_events("Hello", version="v3")
    assert_valid_event_stream(list(stream))
    assert isinstance(stream.output, AIMessage)
    assert stream.output.text == "Let me check."


# langchain-core marks its async v3 event stream as beta and warns on use.
@pytest.mark.filterwarnings(
    "ignore:The method `BaseChatModel._achat_model_stream_v3` is in beta"
    ":langchain_core._api.beta_decorator.LangChainBetaWarning"
)
async def test_astream_events_v3_lifecycle(make_model: Any) -> None:
    model, _ = make_model([claude_completion()])
    stream = await model.astream_events("Hello", version="v3")
    assert_valid_event_stream([event async for event in stream])
    message = await stream.output
    assert isinstance(message, AIMessage)
    assert message.text == "Let me check."
    assert message.tool_calls == [WEATHER, TIME]
