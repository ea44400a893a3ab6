"""Gateway completions -> AIMessage: content, tool calls, usage, metadata, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage

from assemblyai_gateway import (
    AuthenticationError,
    BadRequestError,
    MissingAPIKeyError,
    ModelNotAvailableInRegionError,
    NotFoundError,
    ResponseValidationError,
)
from assemblyai_gateway.testing import completion_body, error_body, tool_call
from langchain_assemblyai_gateway import ChatAssemblyAIGateway

API_KEY = "sk-test-0123456789-secret"


async def test_content_usage_and_metadata(make_model: Any, run: Any) -> None:
    model, _ = make_model([completion_body("Hi there!", request_id="req-42")])
    message = await run.invoke(model, "Hello")
    assert isinstance(message, AIMessage)
    assert message.content == "Hi there!"
    assert message.id == "req-42"
    assert message.tool_calls == []
    assert message.usage_metadata == {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
    assert message.response_metadata == {
        "request_id": "req-42",
        "model_name": "claude-sonnet-4-5-20250929",
        "finish_reason": "stop",
        "normalised_finish_reason": "stop",
        "response_time_ns": 275510459,
        "llm_status_code": 200,
        "http_status_code": 200,
        "model_provider": "assemblyai",
        "request": {"model": "claude-sonnet-4-5-20250929"},
    }


@pytest.mark.parametrize("usage_style", ["input_output", "prompt_completion"])
async def test_both_usage_shapes(make_model: Any, run: Any, usage_style: Any) -> None:
    model, _ = make_model([completion_body("x", usage=(120, 30), usage_style=usage_style)])
    message = await run.invoke(model, "Hello")
    assert message.usage_metadata == {
        "input_tokens": 120,
        "output_tokens": 30,
        "total_tokens": 150,
    }


async def test_missing_usage_gives_no_usage_metadata(make_model: Any, run: Any) -> None:
    model, _ = make_model([completion_body("x", usage=None)])
    message = await run.invoke(model, "Hello")
    assert message.usage_metadata is None


@pytest.mark.parametrize("in_message", [False, True], ids=["on-choice", "in-message"])
async def test_tool_calls_from_either_placement(
    make_model: Any, run: Any, in_message: bool
) -> None:
    calls = [
        tool_call("get_weather", {"city": "Paris"}, "call_a"),
        tool_call("get_time", {"tz": "CET"}, "call_b"),
    ]
    body = completion_body(None, tool_calls=calls, tool_calls_in_message=in_message)
    model, _ = make_model([body])
    message = await run.invoke(model, "Weather and time in Paris?")
    assert message.content == ""
    assert message.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_a", "type": "tool_call"},
        {"name": "get_time", "args": {"tz": "CET"}, "id": "call_b", "type": "tool_call"},
    ]
    assert message.invalid_tool_calls == []
    assert message.response_metadata["finish_reason"] == "tool_calls"


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ('{"city": "Par', "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('"just a string"', "not a JSON object"),
    ],
)
async def test_unparsable_arguments_become_invalid_tool_calls(
    make_model: Any, run: Any, arguments: str, error: str
) -> None:
    calls = [tool_call("get_weather", arguments, "call_bad"), tool_call("ok", {}, "call_ok")]
    model, _ = make_model([completion_body(None, tool_calls=calls)])
    message = await run.invoke(model, "x")
    assert message.tool_calls == [{"name": "ok", "args": {}, "id": "call_ok", "type": "tool_call"}]
    [invalid] = message.invalid_tool_calls
    assert invalid["name"] == "get_weather"
    assert invalid["args"] == arguments
    assert invalid["id"] == "call_bad"
    assert error in (invalid["error"] or "")


async def test_empty_arguments_mean_no_arguments(make_model: Any, run: Any) -> None:
    model, _ = make_model([completion_body(None, tool_calls=[tool_call("now", "", "c1")])])
    message = await run.invoke(model, "x")
    assert message.tool_calls == [{"name": "now", "args": {}, "id": "c1", "type": "tool_call"}]


async def test_tool_calls_without_ids_get_stable_ids(make_model: Any, run: Any) -> None:
    call = {"type": "function", "function": {"name": "f", "arguments": "{}"}}
    model, _ = make_model([completion_body(None, tool_calls=[call])])
    first = await run.invoke(model, "x")
    second = await run.invoke(model, "x")
    assert first.tool_calls[0]["id"]
    assert first.tool_calls[0]["id"] == second.tool_calls[0]["id"]


async def test_fallback_model_is_reported_as_model_name(make_model: Any, run: Any) -> None:
    # The gateway echoes the model that served the call: here the fallback.
    model, transport = make_model([completion_body("served", model="gpt-5")], fallbacks=["gpt-5"])
    message = await run.invoke(model, "x")
    assert message.response_metadata["model_name"] == "gpt-5"
    assert transport.json_bodies[0]["model"] == "claude-sonnet-4-5-20250929"


async def test_model_name_defaults_to_the_requested_model(make_model: Any, run: Any) -> None:
    body = completion_body("x")
    del body["request"]
    model, _ = make_model([body])
    message = await run.invoke(model, "x", model="gemini-2.5-pro")
    assert message.response_metadata["model_name"] == "gemini-2.5-pro"


async def test_malformed_body_raises_the_core_error(make_model: Any, run: Any) -> None:
    model, _ = make_model([{"unexpected": True}])
    with pytest.raises(ResponseValidationError):
        await run.invoke(model, "x")


async def test_no_choices_raises_the_core_error(make_model: Any, run: Any) -> None:
    model, _ = make_model([{"request_id": "r", "choices": []}])
    with pytest.raises(ResponseValidationError, match="no choices"):
        await run.invoke(model, "x")


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(400, BadRequestError), (401, AuthenticationError), (404, NotFoundError)],
)
async def test_status_errors_are_typed_and_never_show_the_key(
    make_model: Any, run: Any, status: int, error_type: type[Exception]
) -> None:
    response = httpx.Response(status, json=error_body(status, "nope", errors=[{"field": "x"}]))
    model, transport = make_model([response])
    with pytest.raises(error_type) as caught:
        await run.invoke(model, "x")
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value)
    assert len(transport.requests) == 1  # 4xx is not retried


async def test_missing_key_raises_before_sending(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("x")], api_key=None)
    with pytest.raises(MissingAPIKeyError, match="ASSEMBLYAI_API_KEY"):
        await run.invoke(model, "x")
    assert transport.requests == []


async def test_eu_region_refuses_us_only_models(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("x")], region="eu", model="gpt-5")
    with pytest.raises(ModelNotAvailableInRegionError):
        await run.invoke(model, "x")
    assert transport.requests == []


async def test_eu_region_uses_the_eu_endpoint(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("x")], region="eu")
    await run.invoke(model, "x")
    assert transport.requests[0].url == "https://llm-gateway.eu.assemblyai.com/v1/chat/completions"


async def test_retries_use_the_core_policy(
    make_model: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def no_async_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("assemblyai_gateway._transport.retries._sleep", waits.append)
    monkeypatch.setattr("assemblyai_gateway._transport.retries._async_sleep", no_async_sleep)
    steps = [httpx.Response(503, json=error_body(503, "busy")), completion_body("recovered")]
    model, transport = make_model(steps, max_retries=1)
    message = await run.invoke(model, "x")
    assert message.content == "recovered"
    assert len(transport.requests) == 2
    assert len(waits) == 1


def test_default_model() -> None:
    assert ChatAssemblyAIGateway(api_key="k").model == "claude-sonnet-4-5-20250929"
