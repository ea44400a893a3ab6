"""Invalid requests get a 400 listing every failing field in the gateway error format."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.support.call_arguments import GATEWAY_EXTRAS

if TYPE_CHECKING:
    from tests.test_assemblyai_gateway.emulator.conftest import Gateway

Json = dict[str, Any]
CLAUDE = "claude-sonnet-4-5-20250929"


def field_errors(gateway: Gateway, body: object) -> dict[str, str]:
    error = gateway.error(body, 400)
    assert error["message"] == "Invalid request"
    return {item["field"]: item["message"] for item in error["metadata"]["errors"]}


def test_missing_model_is_a_field_error(gateway: Gateway) -> None:
    assert field_errors(gateway, {"prompt": "hi"}) == {"model": "is required"}


def test_neither_messages_nor_prompt_is_a_field_error(gateway: Gateway) -> None:
    errors = field_errors(gateway, {"model": CLAUDE})
    assert errors == {"messages": "either messages or prompt is required"}


def test_all_field_errors_are_collected_not_just_the_first(gateway: Gateway) -> None:
    errors = field_errors(
        gateway, {"messages": "hi", "max_tokens": 0, "temperature": 3, "stream": "yes"}
    )
    assert set(errors) == {"model", "messages", "max_tokens", "temperature", "stream"}


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"role": "robot", "content": "hi"}, "messages[0].role"),
        ({"role": "tool", "content": "42"}, "messages[0].tool_call_id"),
        ({"role": "user", "content": 42}, "messages[0].content"),
        ({"role": "user"}, "messages[0].content"),
        ({"role": "user", "content": "hi", "name": 7}, "messages[0].name"),
        ("just text", "messages[0]"),
        (
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]},
            "messages[0].content[0]",
        ),
        ({"role": "user", "content": [{"type": "text", "text": 5}]}, "messages[0].content[0].text"),
        ({"role": "assistant", "content": None}, "messages[0].content"),
        (
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1"}]},
            "messages[0].tool_calls[0]",
        ),
    ],
)
def test_malformed_messages_are_field_errors(gateway: Gateway, message: object, field: str) -> None:
    errors = field_errors(gateway, {"model": CLAUDE, "messages": [message]})
    assert field in errors


def test_image_parts_are_rejected_because_the_gateway_takes_text_only(gateway: Gateway) -> None:
    content = [{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "x"}}]
    errors = field_errors(
        gateway, {"model": CLAUDE, "messages": [{"role": "user", "content": content}]}
    )
    assert errors == {
        "messages[0].content[1]": "only text content parts are supported, got 'image_url'"
    }


def test_messages_must_be_a_non_empty_list(gateway: Gateway) -> None:
    assert "messages" in field_errors(gateway, {"model": CLAUDE, "messages": {"role": "user"}})
    assert "messages" in field_errors(gateway, {"model": CLAUDE, "messages": []})


def test_assistant_tool_call_turn_with_null_content_is_valid(gateway: Gateway) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    messages = [
        {"role": "user", "content": "call f"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "done"},
    ]
    assert gateway.post({"model": CLAUDE, "messages": messages}).status_code == 200


@pytest.mark.parametrize(
    ("max_tokens", "message"),
    [
        (0, "must be at least 1"),
        (64_001, f"must be at most 64000 for model {CLAUDE}"),
        (1.5, "must be an integer"),
        (True, "must be an integer"),
    ],
)
def test_max_tokens_must_be_within_the_catalog_limit(
    gateway: Gateway, max_tokens: object, message: str
) -> None:
    errors = field_errors(gateway, {"model": CLAUDE, "prompt": "x", "max_tokens": max_tokens})
    assert errors == {"max_tokens": message}


def test_max_tokens_at_the_catalog_limit_is_accepted(gateway: Gateway) -> None:
    assert gateway.post({"model": CLAUDE, "prompt": "x", "max_tokens": 64_000}).status_code == 200


@pytest.mark.parametrize(
    ("temperature", "message"),
    [
        (-0.1, "must be between 0 and 2"),
        (2.01, "must be between 0 and 2"),
        ("1", "must be a number"),
    ],
)
def test_temperature_must_be_a_number_from_0_to_2(
    gateway: Gateway, temperature: object, message: str
) -> None:
    errors = field_errors(gateway, {"model": CLAUDE, "prompt": "x", "temperature": temperature})
    assert errors == {"temperature": message}


def test_unknown_model_is_rejected_unless_accept_any_model(gateway: Gateway) -> None:
    body = {"model": "kimi-k2.5", "prompt": "x"}
    assert "unknown model" in field_errors(gateway, body)["model"]
    gateway.emulator.accept_any_model = True
    assert gateway.chat(body)["request"]["model"] == "kimi-k2.5"


def test_prompt_must_be_a_string(gateway: Gateway) -> None:
    assert field_errors(gateway, {"model": CLAUDE, "prompt": ["x"]}) == {
        "prompt": "must be a string"
    }


def test_unknown_transcript_id_is_a_field_error(gateway: Gateway) -> None:
    errors = field_errors(gateway, {"model": CLAUDE, "prompt": "x", "transcript_id": "tr_missing"})
    assert errors == {"transcript_id": "transcript 'tr_missing' was not found"}


def test_json_schema_output_is_rejected_for_models_without_support(gateway: Gateway) -> None:
    body = {
        "model": "gpt-oss-120b",
        "prompt": "x",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "x", "schema": {"type": "object"}},
        },
    }
    errors = field_errors(gateway, body)
    assert errors == {"response_format": "structured output is not supported by gpt-oss-120b"}


def test_invalid_json_schemas_are_field_errors(gateway: Gateway) -> None:
    body = {
        "model": CLAUDE,
        "prompt": "x",
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "x", "schema": {"type": "objekt"}},
        },
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": 5}}}],
    }
    errors = field_errors(gateway, body)
    assert "is not a valid JSON Schema" in errors["response_format.json_schema.schema"]
    assert "is not a valid JSON Schema" in errors["tools[0].function.parameters"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"tools": {"name": "f"}}, "tools"),
        (
            {"tools": [{"type": "function", "function": {"name": "f"}}]},
            "tools[0].function.parameters",
        ),
        ({"tools": [{"type": "retrieval"}]}, "tools[0].type"),
        ({"tool_choice": "required"}, "tool_choice"),
        ({"tool_choice": "sometimes"}, "tool_choice"),
        ({"tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice"),
        ({"response_format": {"type": "yaml"}}, "response_format.type"),
        ({"response_format": {"type": "json_schema"}}, "response_format.json_schema"),
        ({"stream_options": {"include_usage": "yes"}}, "stream_options"),
        ({"post_processing_steps": [{"type": "spell-check"}]}, "post_processing_steps[0].type"),
        ({"fallbacks": [{"temperature": 1}]}, "fallbacks[0].model"),
        ({"fallbacks": [{"model": "kimi-k2.5"}]}, "fallbacks[0].model"),
        ({"fallback_config": {"depth": 3}}, "fallback_config.depth"),
        ({"fallback_config": {"retry": "no"}}, "fallback_config.retry"),
        ({"reasoning": "low"}, "reasoning"),
        ({"zero_data_retention": "yes"}, "zero_data_retention"),
        ({"model_region": 1}, "model_region"),
        ({"fail_fast": 1}, "fail_fast"),
        ({"max_timeout": 0}, "max_timeout"),
    ],
)
def test_gateway_fields_are_type_checked(gateway: Gateway, extra: Json, field: str) -> None:
    assert field in field_errors(gateway, {"model": CLAUDE, "prompt": "x", **extra})


def test_the_gateway_extras_are_accepted(gateway: Gateway) -> None:
    body = gateway.chat({"model": CLAUDE, "prompt": "x", **GATEWAY_EXTRAS, "max_timeout": 2.5})
    assert {name: body["request"][name] for name in GATEWAY_EXTRAS} == {
        **GATEWAY_EXTRAS,
        "max_timeout": 2.5,
    }


def test_fallback_overrides_are_validated_as_the_request_they_become(gateway: Gateway) -> None:
    body = {"model": CLAUDE, "prompt": "x", "fallbacks": [{"model": "gpt-4.1", "temperature": 9}]}
    assert field_errors(gateway, body) == {"fallbacks[0].temperature": "must be between 0 and 2"}


NO_STREAM = f"streaming is not supported by {CLAUDE} (it does not list stream)"


def test_stream_for_a_model_that_does_not_list_it_is_a_stream_field_error(
    gateway: Gateway,
) -> None:
    errors = field_errors(gateway, {"model": CLAUDE, "prompt": "x", "stream": True})
    assert errors == {"stream": NO_STREAM}


def test_validation_failures_are_logged_with_their_status(gateway: Gateway) -> None:
    gateway.post({"prompt": "x"})
    assert gateway.emulator.requests[-1].status == 400


def test_a_fallback_that_cannot_stream_refuses_the_inherited_stream_field(
    gateway: Gateway,
) -> None:
    body = {"model": "gpt-4.1", "prompt": "x", "stream": True, "fallbacks": [{"model": CLAUDE}]}
    assert field_errors(gateway, body) == {"fallbacks[0].stream": NO_STREAM}


def test_a_fallback_without_json_schema_refuses_the_inherited_response_format(
    gateway: Gateway,
) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "r", "schema": {"type": "object", "properties": {}}},
    }
    body = {
        "model": CLAUDE,
        "prompt": "x",
        "response_format": response_format,
        "fallbacks": [{"model": "gemini-2.5-flash"}, {"model": "gpt-oss-120b"}],
    }
    assert field_errors(gateway, body) == {
        "fallbacks[1].response_format": "structured output is not supported by gpt-oss-120b"
    }


def test_a_fallback_may_override_what_it_cannot_take(gateway: Gateway) -> None:
    body = {"model": "gpt-4.1", "prompt": "x", "fallbacks": [{"model": CLAUDE, "stream": False}]}
    events, done = gateway.stream(body)
    assert done
    assert gateway.streamed_text(events) == 'Emulated answer to: "x"'
