"""Finish reasons: the provider's own word, and the one table that normalises it."""

from __future__ import annotations

import doctest

import pytest

import assemblyai_gateway
from assemblyai_gateway._wire import finish_reasons as _finish_reasons
from assemblyai_gateway._wire.finish_reasons import (
    DEFAULT_FINISH_REASON,
    FINISH_REASONS,
    NORMALISED_FINISH_REASONS,
    normalise_finish_reason,
)
from assemblyai_gateway._wire.translate import response_metadata
from assemblyai_gateway._wire.types import ChatCompletion
from assemblyai_gateway.testing import completion_body, tool_call


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        # OpenAI
        ("stop", "stop"),
        ("length", "length"),
        ("tool_calls", "tool_calls"),
        ("content_filter", "content_filter"),
        ("function_call", "tool_calls"),
        # Claude
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("model_context_window_exceeded", "length"),
        # Gemini, in its own capitals
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("BLOCKLIST", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("SPII", "content_filter"),
        # Bedrock
        ("guardrail_intervened", "content_filter"),
    ],
)
def test_each_provider_word_normalises_to_openai_s(raw: str, normalised: str) -> None:
    assert normalise_finish_reason(raw) == normalised


@pytest.mark.parametrize("raw", ["OTHER", "MALFORMED_FUNCTION_CALL", "something_new"])
def test_an_unknown_word_is_the_default(raw: str) -> None:
    assert normalise_finish_reason(raw) == DEFAULT_FINISH_REASON == "stop"


@pytest.mark.parametrize("raw", [None, ""])
def test_no_word_is_no_reason(raw: str | None) -> None:
    assert normalise_finish_reason(raw) is None


@pytest.mark.parametrize("raw", ["STOP", "stop", "something_new"])
def test_a_stop_next_to_tool_calls_is_a_tool_call(raw: str) -> None:
    # Gemini says STOP when it calls a tool.
    assert normalise_finish_reason(raw, has_tool_calls=True) == "tool_calls"


@pytest.mark.parametrize("raw", ["MAX_TOKENS", "SAFETY", "tool_use"])
def test_tool_calls_leave_other_reasons_alone(raw: str) -> None:
    assert normalise_finish_reason(raw, has_tool_calls=True) == normalise_finish_reason(raw)


def test_the_table_maps_lower_case_words_onto_the_four_reasons_only() -> None:
    assert set(FINISH_REASONS.values()) == set(NORMALISED_FINISH_REASONS)
    assert NORMALISED_FINISH_REASONS == ("stop", "length", "tool_calls", "content_filter")
    assert all(word == word.lower() for word in FINISH_REASONS)


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        FINISH_REASONS["end_turn"] = "length"  # type: ignore[index]


def test_the_function_is_exported_from_the_package() -> None:
    assert assemblyai_gateway.normalise_finish_reason is normalise_finish_reason
    assert "normalise_finish_reason" in assemblyai_gateway.__all__


@pytest.mark.parametrize(
    ("body", "raw", "normalised"),
    [
        (completion_body("hi", finish_reason="end_turn"), "end_turn", "stop"),
        (completion_body("hi", finish_reason="MAX_TOKENS"), "MAX_TOKENS", "length"),
        (
            completion_body(None, tool_calls=[tool_call("f", {})], finish_reason="STOP"),
            "STOP",
            "tool_calls",
        ),
    ],
)
def test_the_shared_metadata_keeps_the_raw_word_beside_the_normalised_one(
    body: dict[str, object], raw: str, normalised: str
) -> None:
    metadata = response_metadata(ChatCompletion.model_validate(body), "gemini-2.5-flash")

    assert (metadata["finish_reason"], metadata["normalised_finish_reason"]) == (raw, normalised)


def test_the_examples_run() -> None:
    result = doctest.testmod(_finish_reasons)
    assert (result.failed, result.attempted > 0) == (0, True)
