"""Framework-free translation rules shared by both adapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assemblyai_gateway._transport.sse import ChunkDecoder
from assemblyai_gateway._wire.accumulator import accumulate_chunk
from assemblyai_gateway._wire.translate import (
    MODEL_PROVIDER,
    ToolChoiceError,
    resolve_tool_choice,
    response_metadata,
    snapshot_metadata,
    usage_counts,
)
from assemblyai_gateway._wire.types import ChatCompletion, NamedToolChoice, Usage
from assemblyai_gateway.errors import ConfigurationError
from assemblyai_gateway.testing import completion_body

ONE = ["get_weather"]
TWO = ["get_weather", "get_time"]


def _forced(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def _dump(choice: Any) -> Any:
    return choice.model_dump() if isinstance(choice, NamedToolChoice) else choice


@pytest.mark.parametrize(
    ("choice", "tools", "expected"),
    [
        (None, TWO, None),
        ("auto", TWO, "auto"),
        ("none", TWO, "none"),
        ("any", ONE, _forced("get_weather")),
        ("any", TWO, "required"),
        ("required", ONE, _forced("get_weather")),
        ("required", TWO, "required"),
        ("required", [], "required"),
        (True, ONE, _forced("get_weather")),
        (True, TWO, "required"),
        (False, TWO, "none"),
        ("get_time", TWO, _forced("get_time")),
        (_forced("get_time"), TWO, _forced("get_time")),
        ({"type": "tool", "name": "get_time"}, TWO, _forced("get_time")),
        ({"type": "auto"}, TWO, "auto"),
        ({"type": "none"}, TWO, "none"),
        ({"type": "any"}, TWO, "required"),
        ({"type": "any"}, ONE, _forced("get_weather")),
        ({"type": "required"}, TWO, "required"),
    ],
)
def test_every_tool_choice_form_maps_to_the_gateway_form(
    choice: Any, tools: list[str], expected: Any
) -> None:
    assert _dump(resolve_tool_choice(choice, tools)) == expected


def test_a_forced_choice_is_a_named_tool_choice_model() -> None:
    resolved = resolve_tool_choice("get_weather", ONE)

    assert isinstance(resolved, NamedToolChoice)
    assert resolved.function.name == "get_weather"


@pytest.mark.parametrize(
    "choice", ["get_stock", _forced("get_stock"), {"name": "get_stock"}, "auto_weather"]
)
def test_a_name_that_is_not_bound_raises(choice: Any) -> None:
    with pytest.raises(ToolChoiceError, match=r"get_stock|auto_weather") as info:
        resolve_tool_choice(choice, TWO)

    assert "get_weather" in str(info.value)


@pytest.mark.parametrize("choice", [{"type": "sometimes"}, {}, 3, 1.5, ["auto"]])
def test_an_unrecognised_shape_raises(choice: Any) -> None:
    with pytest.raises(ToolChoiceError, match="unrecognised"):
        resolve_tool_choice(choice, TWO)


def test_tool_choice_error_is_a_configuration_error() -> None:
    assert issubclass(ToolChoiceError, ConfigurationError)
    assert issubclass(ToolChoiceError, ValueError)


def test_response_metadata_names_the_gateway_fields() -> None:
    completion = ChatCompletion.model_validate(
        completion_body("hi", request_id="req-77", model="claude-sonnet-4-5-20250929")
    )

    metadata = response_metadata(completion, "claude-sonnet-4-5-20250929")

    assert metadata == {
        "request_id": "req-77",
        "model_name": "claude-sonnet-4-5-20250929",
        "finish_reason": "stop",
        "normalised_finish_reason": "stop",
        "response_time_ns": 275510459,
        "llm_status_code": 200,
        "http_status_code": 200,
        "model_provider": MODEL_PROVIDER,
    }
    assert MODEL_PROVIDER == "assemblyai"


def test_response_metadata_names_the_fallback_that_served_the_call() -> None:
    completion = ChatCompletion.model_validate(completion_body("hi", model="gemini-2.5-flash"))

    metadata = response_metadata(completion, "claude-sonnet-4-5-20250929")

    assert metadata["model_name"] == "gemini-2.5-flash"


def test_response_metadata_leaves_out_fields_the_gateway_did_not_send() -> None:
    completion = ChatCompletion.model_validate({"choices": [{"message": {"content": "x"}}]})

    metadata = response_metadata(completion, "gpt-5")

    assert metadata == {"model_name": "gpt-5", "model_provider": "assemblyai"}


def test_response_metadata_uses_the_openai_id_when_there_is_no_request_id() -> None:
    completion = ChatCompletion.model_validate({"id": "chatcmpl-5", "choices": [{}]})

    assert response_metadata(completion, "gpt-5")["request_id"] == "chatcmpl-5"


def test_response_metadata_survives_a_completion_without_choices() -> None:
    completion = ChatCompletion.model_construct(choices=[], request_id="r")

    metadata = response_metadata(completion, "gpt-5")

    assert "finish_reason" not in metadata
    assert metadata["request_id"] == "r"


def test_usage_counts_uses_openai_names() -> None:
    usage = Usage.model_validate({"input_tokens": 8, "output_tokens": 2})

    assert usage_counts(usage) == {"prompt_tokens": 8, "completion_tokens": 2, "total_tokens": 10}
    assert usage_counts(None) == {}


_SSE_FIXTURES = sorted(
    p
    for p in (Path(__file__).resolve().parents[2] / "fixtures" / "sse").glob("*.sse")
    if p.stem not in {"error_mid_stream", "error_event_mid_stream", "truncated"}
)


@pytest.mark.parametrize("fixture", _SSE_FIXTURES, ids=lambda p: p.stem)
def test_snapshot_metadata_matches_the_completed_response_after_every_chunk(
    fixture: Path,
) -> None:
    decoder = ChunkDecoder()
    chunks = [*decoder.feed(fixture.read_text()), *decoder.close()]
    assert chunks
    snapshot = None
    for chunk in chunks:
        snapshot = accumulate_chunk(snapshot, chunk)
        assert snapshot_metadata(snapshot, "asked-model") == response_metadata(
            snapshot.to_completion(), "asked-model"
        )
