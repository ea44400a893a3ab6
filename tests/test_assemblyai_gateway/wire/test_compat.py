"""The shared rules for other providers' histories and the frameworks' conventions."""

from __future__ import annotations

import doctest
from typing import ClassVar

import pytest

from assemblyai_gateway._wire import compat
from assemblyai_gateway._wire.compat import (
    content_block_kind,
    gateway_role,
    json_mode_format,
    json_schema_format,
    structured_method,
    unknown_arguments_error,
    unsupported_block_error,
)
from assemblyai_gateway.catalog import route_capabilities
from assemblyai_gateway.errors import UnsupportedContentError


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("system", "system"),
        ("developer", "system"),
        ("user", "user"),
        ("human", "user"),
        ("assistant", "assistant"),
        ("ai", "assistant"),
        ("chatbot", "assistant"),
        ("model", "assistant"),
        ("tool", "tool"),
        ("function", "tool"),
        ("Developer", "system"),
    ],
)
def test_every_framework_role_maps_onto_a_gateway_role(role: str, expected: str) -> None:
    assert gateway_role(role) == expected


def test_a_role_without_an_equivalent_is_a_typed_error_naming_it() -> None:
    with pytest.raises(UnsupportedContentError, match="'critic'"):
        gateway_role("critic")


@pytest.mark.parametrize(
    ("block_type", "kind"),
    [
        ("text", "text"),
        ("reasoning", "reasoning"),
        ("thinking", "reasoning"),
        ("redacted_thinking", "reasoning"),
        ("tool_use", "tool_call"),
        ("tool_call", "tool_call"),
        ("image", "unsupported"),
        ("image_url", "unsupported"),
        (None, "unsupported"),
    ],
)
def test_content_blocks_are_classified(block_type: object, kind: str) -> None:
    assert content_block_kind(block_type) == kind


def test_an_unsupported_block_error_names_the_block_and_the_role() -> None:
    error = unsupported_block_error("audio", "user")
    assert isinstance(error, UnsupportedContentError)
    assert "a user message holds a 'audio' content block" in str(error)


def test_a_description_goes_into_the_schema_not_beside_it() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}

    built = json_schema_format("Thing", schema, description="A thing.", strict=True)

    assert built == {
        "type": "json_schema",
        "json_schema": {
            "name": "Thing",
            "schema": {**schema, "description": "A thing."},
            "strict": True,
        },
    }
    assert "description" not in schema  # the caller's schema is left alone


def test_a_schema_keeps_its_own_description() -> None:
    built = json_schema_format("T", {"description": "own"}, description="other")
    assert built["json_schema"] == {"name": "T", "schema": {"description": "own"}}


def test_json_mode_is_an_open_object_schema_where_every_model_takes_json_schema() -> None:
    assert json_mode_format(route_capabilities("gpt-4.1", ["claude-sonnet-4-5-20250929"])) == {
        "type": "json_schema",
        "json_schema": {
            "name": "json_object",
            "schema": {"type": "object", "additionalProperties": True},
        },
    }
    assert json_mode_format(route_capabilities("gpt-4.1", ["gpt-oss-20b"])) is None


@pytest.mark.parametrize(
    ("model", "fallbacks", "requested", "expected"),
    [
        ("claude-sonnet-4-5-20250929", [], "json_schema", "json_schema"),
        ("claude-sonnet-4-5-20250929", ["gpt-oss-120b"], "json_schema", "function_calling"),
        ("gpt-oss-120b", ["gemini-2.5-pro"], "json_schema", "function_calling"),
        ("gpt-oss-120b", [], "json_mode", "json_mode"),
        ("gpt-4.1", [], "function_calling", "function_calling"),
    ],
)
def test_the_structured_method_fits_every_model_the_request_reaches(
    model: str, fallbacks: list[str], requested: compat.StructuredMethod, expected: str
) -> None:
    assert structured_method(requested, route_capabilities(model, fallbacks)) == expected


def test_unknown_arguments_are_named_with_a_suggestion() -> None:
    error = unknown_arguments_error("AssemblyAIGateway", ["temprature", "zzz"], ["temperature"])
    assert isinstance(error, TypeError)
    assert str(error) == (
        "AssemblyAIGateway got unexpected argument(s): 'temprature' (did you mean "
        "'temperature'?), 'zzz'"
    )


def test_the_examples_run() -> None:
    result = doctest.testmod(compat)
    assert (result.failed, result.attempted > 0) == (0, True)


class _SdkToolUse:
    """Shaped like anthropic.types.ToolUseBlock (what llama-index-llms-anthropic keeps)."""

    type = "tool_use"
    id = "toolu_9"
    name = "get_weather"
    input: ClassVar[dict[str, str]] = {"city": "Köln"}


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}},
            compat.ToolUse("toolu_1", "f", {"a": 1}),
        ),
        ({"type": "tool_use", "name": "f"}, compat.ToolUse(None, "f", {})),
        (_SdkToolUse(), compat.ToolUse("toolu_9", "get_weather", {"city": "Köln"})),
        ({"type": "tool_call", "name": "f", "args": {}}, None),
        ({"type": "tool_use", "name": ""}, None),
    ],
)
def test_anthropic_tool_use_blocks_are_read_from_dicts_and_objects(
    block: object, expected: compat.ToolUse | None
) -> None:
    assert compat.tool_use(block) == expected
