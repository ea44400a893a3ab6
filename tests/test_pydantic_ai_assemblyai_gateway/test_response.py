"""The response mapper: completions and stream chunks -> ModelResponse, the same either way."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic_ai.messages import ModelRequest, ModelResponse, UserPromptPart
from pydantic_ai.models import ModelRequestParameters

from assemblyai_gateway._wire.finish_reasons import FINISH_REASONS as CORE_FINISH_REASONS
from assemblyai_gateway._wire.types import ChatCompletion, Usage
from assemblyai_gateway.testing import (
    chunk_body,
    completion_body,
    sse_body,
    tool_call,
    tool_call_delta,
)
from pydantic_ai_assemblyai_gateway._response import (
    ResponseFacts,
    completion_to_response,
    finish_reason,
    request_usage,
)
from tests.test_pydantic_ai_assemblyai_gateway.conftest import ScriptedFactory

FACTS = ResponseFacts("claude-opus-4-6", "assemblyai-gateway", "https://gateway.test/v1")


@pytest.mark.parametrize(
    ("raw", "tool_calls", "mapped"),
    [
        ("stop", [], "stop"),
        ("end_turn", [], "stop"),
        ("STOP", [], "stop"),
        ("STOP", [tool_call("get_forecast", {"city": "Oslo"}, "call_7")], "tool_call"),
        ("length", [], "length"),
        ("max_tokens", [], "length"),
        ("MAX_TOKENS", [], "length"),
        ("tool_calls", [], "tool_call"),
        ("tool_use", [], "tool_call"),
        ("content_filter", [], "content_filter"),
        ("SAFETY", [], "content_filter"),
        (None, [], None),
    ],
)
def test_finish_reasons_come_from_the_cores_table(
    raw: str | None, tool_calls: list[dict[str, object]], mapped: str | None
) -> None:
    body = completion_body("Done.", tool_calls=tool_calls)
    body["choices"][0]["finish_reason"] = raw
    response = completion_to_response(ChatCompletion.model_validate(body), FACTS)
    assert response.finish_reason == mapped
    assert response.provider_details is not None
    assert response.provider_details.get("finish_reason") == raw


def test_every_word_of_the_cores_table_has_a_pydantic_ai_name() -> None:
    for word, normalised in CORE_FINISH_REASONS.items():
        assert finish_reason({"normalised_finish_reason": normalised}) is not None, word


def test_a_completion_becomes_thinking_text_and_tool_calls() -> None:
    body = completion_body(
        "Let me check.", tool_calls=[tool_call("get_forecast", {"city": "Oslo"}, "call_7")]
    )
    body["choices"][0]["message"]["thinking"] = "Need the forecast."
    response = completion_to_response(ChatCompletion.model_validate(body), FACTS)
    assert [p.part_kind for p in response.parts] == ["thinking", "text", "tool-call"]
    call = response.parts[2]
    assert call.tool_call_id == "call_7"  # type: ignore[union-attr]
    assert call.args_as_dict() == {"city": "Oslo"}  # type: ignore[union-attr]
    assert response.finish_reason == "tool_call"
    assert response.provider_url == "https://gateway.test/v1"


def test_usage_reads_both_namings_and_defaults_missing_details_to_zero() -> None:
    usage = request_usage(Usage.model_validate({"prompt_tokens": 3, "completion_tokens": 4}))
    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_tokens) == (3, 4, 0)
    assert usage.details == {}
    assert request_usage(None).input_tokens == 0


def _stream_response(case: Any, model: str) -> ModelResponse:
    async def main() -> ModelResponse:
        request = ModelRequest(parts=[UserPromptPart("Hi")])
        async with case.model(model).request_stream(
            [request], None, ModelRequestParameters()
        ) as stream:
            async for _event in stream:
                pass
            response: ModelResponse = stream.get()
            return response

    return asyncio.run(main())


def _plain_response(case: Any, model: str) -> ModelResponse:
    request = ModelRequest(parts=[UserPromptPart("Hi")])
    response: ModelResponse = asyncio.run(
        case.model(model).request([request], None, ModelRequestParameters())
    )
    return response


def _essentials(response: ModelResponse) -> tuple[Any, ...]:
    return (
        [
            (p.part_kind, getattr(p, "content", None), getattr(p, "args", None))
            for p in response.parts
        ],
        [getattr(p, "tool_call_id", None) for p in response.parts],
        response.usage.input_tokens,
        response.usage.output_tokens,
        response.finish_reason,
        response.provider_response_id,
        response.model_name,
    )


def test_a_replayed_stream_ends_as_the_plain_response(scripted: ScriptedFactory) -> None:
    body = completion_body(
        "Sure.", tool_calls=[tool_call("lookup", {"q": "x"}, "call_1")], model="claude-opus-4-6"
    )
    case = scripted(body)
    plain = _plain_response(case, "claude-opus-4-6")
    streamed = _stream_response(case, "claude-opus-4-6")
    assert "stream" not in case.transport.json_bodies[1]  # replayed, not SSE
    assert _essentials(streamed) == _essentials(plain)


def test_a_native_stream_ends_as_the_plain_response(scripted: ScriptedFactory) -> None:
    sse = sse_body(
        [
            chunk_body("", role="assistant", model="gpt-5"),
            chunk_body("Su", model="gpt-5"),
            chunk_body("re.", model="gpt-5"),
            chunk_body(tool_calls=[tool_call_delta(0, '{"q":', name="lookup")], model="gpt-5"),
            chunk_body(tool_calls=[tool_call_delta(0, ' "x"}')], model="gpt-5"),
            chunk_body(finish_reason="tool_calls", model="gpt-5"),
            chunk_body(usage=(10, 5), choices=False, model="gpt-5"),
        ]
    )
    body = completion_body(
        "Sure.",
        tool_calls=[
            {"type": "function", "function": {"name": "lookup", "arguments": '{"q": "x"}'}}
        ],
        model="gpt-5",
    )
    case = scripted(sse, body)
    streamed = _stream_response(case, "gpt-5")
    plain = _plain_response(case, "gpt-5")
    assert case.transport.json_bodies[0]["stream"] is True
    # A streamed call without an id gets the id a plain request gives it.
    assert _essentials(streamed) == _essentials(plain)
