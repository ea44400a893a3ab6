"""Thinking, reasoning and prompt caching in the wire models, and their public face."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from pydantic import ValidationError

import assemblyai_gateway
from assemblyai_gateway._wire import types
from assemblyai_gateway._wire.types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Message,
)

HI = [{"role": "user", "content": "Hi"}]


def test_every_public_name_imports_from_types_and_is_written_once() -> None:
    for name in types.__all__:
        value = getattr(types, name)
        if isinstance(value, type) or inspect.isfunction(value):
            # Defined in a module beside it in _wire/, gathered here: one definition.
            home = value.__module__
            assert home.startswith("assemblyai_gateway._wire."), name
            assert home != types.__name__, name
    for name in types.__all__:  # the models at the top level; the helpers stay private
        if isinstance(getattr(types, name), type):
            assert getattr(assemblyai_gateway, name) is getattr(types, name), name


@pytest.mark.parametrize(
    "name",
    [
        "ChatCompletion",
        "ChatCompletionChunk",
        "ChatCompletionRequest",
        "Choice",
        "ChunkChoice",
        "Delta",
        "Fallback",
        "FallbackConfig",
        "FunctionCall",
        "FunctionCallDelta",
        "FunctionDefinition",
        "JsonSchemaFormat",
        "Message",
        "NamedToolChoice",
        "NamedToolChoiceFunction",
        "PostProcessingStep",
        "ResponseFormat",
        "ResponseMessage",
        "StreamOptions",
        "TextPart",
        "Tool",
        "ToolCall",
        "ToolCallDelta",
        "ToolChoice",
        "Usage",
        "stable_tool_call_id",
    ],
)
def test_the_names_importable_before_the_split_still_are(name: str) -> None:
    module = importlib.import_module("assemblyai_gateway._wire.types")
    assert hasattr(module, name)


# ------------------------------------------------------------------------- thinking out


@pytest.mark.parametrize(
    "message",
    [
        {"role": "assistant", "content": "Paris.", "thinking": "France's capital."},
        {"role": "assistant", "content": "Paris.", "reasoning_content": "France's capital."},
        {
            "role": "assistant",
            "content": "Paris.",
            "thinking": [{"type": "thinking", "thinking": "France's "}, {"text": "capital."}],
        },
    ],
)
def test_the_reasoning_text_is_read_under_every_name(message: dict[str, Any]) -> None:
    completion = ChatCompletion.model_validate({"choices": [{"message": message}]})

    assert completion.choices[0].message.thinking == "France's capital."
    assert completion.choices[0].message.content == "Paris."


def test_no_thinking_is_none() -> None:
    completion = ChatCompletion.model_validate({"choices": [{"message": {"content": "x"}}]})

    assert completion.choices[0].message.thinking is None


def test_a_delta_carries_a_piece_of_the_reasoning() -> None:
    chunk = ChatCompletionChunk.model_validate(
        {"choices": [{"delta": {"thinking": "Let me "}}, {"index": 1, "delta": {}}]}
    )

    assert chunk.choices[0].delta.thinking == "Let me "
    assert chunk.choices[1].delta.thinking is None


# -------------------------------------------------------------------------- request side


def test_an_assistant_turn_sends_its_thinking_back() -> None:
    request = ChatCompletionRequest(
        model="claude-sonnet-4-5-20250929",
        messages=[*HI, {"role": "assistant", "content": "Paris.", "thinking": "France."}],
    )

    assert request.to_payload()["messages"][1] == {
        "role": "assistant",
        "content": "Paris.",
        "thinking": "France.",
    }


def test_cache_control_goes_on_the_wire_on_a_part_and_a_message() -> None:
    messages = [
        {
            "role": "system",
            "content": [{"type": "text", "text": "rules", "cache_control": {"type": "ephemeral"}}],
        },
        {"role": "user", "content": "Hi", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
    ]
    payload = ChatCompletionRequest(
        model="claude-sonnet-4-5-20250929", messages=messages
    ).to_payload()

    assert payload["messages"] == messages


def test_text_only_messages_stay_strings_without_new_fields() -> None:
    payload = ChatCompletionRequest(model="gpt-5", messages=HI).to_payload()

    assert payload["messages"] == HI


def test_a_malformed_cache_control_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="cache_control"):
        Message.model_validate({"role": "user", "content": "x", "cache_control": "ephemeral"})


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("high", {"effort": "high"}),
        ({"effort": "low"}, {"effort": "low"}),
        ({"max_tokens": 2000}, {"max_tokens": 2000}),
    ],
)
def test_reasoning_is_an_effort_level_or_the_gateways_object(given: Any, sent: Any) -> None:
    request = ChatCompletionRequest(model="gpt-5", messages=HI, reasoning=given)

    assert request.to_payload()["reasoning"] == sent


def test_the_callers_reasoning_object_is_not_changed() -> None:
    given = {"effort": "low"}
    request = ChatCompletionRequest(model="gpt-5", messages=HI, reasoning=given)
    assert request.reasoning is not None
    request.reasoning["effort"] = "high"

    assert given == {"effort": "low"}
