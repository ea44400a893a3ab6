"""Usage details: cache reads and writes, reasoning tokens, under every naming, Go nulls."""

from __future__ import annotations

from typing import Any

import pytest

from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk, Usage
from tests.support.reasoning_cases import (
    CACHE_CREATION,
    CACHE_READ,
    DETAILS,
    REASONING_TOKENS,
    USAGE,
    sdk_validator,
    thinking_completion,
)


def test_the_sdk_shaped_details_are_read() -> None:
    usage = Usage.model_validate(thinking_completion()["usage"])

    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (*USAGE, sum(USAGE))
    assert usage.cache_read_tokens == CACHE_READ
    assert usage.cache_creation_tokens == CACHE_CREATION
    assert usage.reasoning_tokens == REASONING_TOKENS


def test_details_are_zero_when_not_reported() -> None:
    usage = Usage.model_validate({"prompt_tokens": 5, "completion_tokens": 2})

    assert (usage.cache_read_tokens, usage.cache_creation_tokens, usage.reasoning_tokens) == (
        0,
        0,
        0,
    )
    assert usage.prompt_tokens_details is None
    assert usage.completion_tokens_details is None


def test_the_responses_api_names_of_the_details_are_read_too() -> None:
    usage = Usage.model_validate(
        {
            "input_tokens": 50,
            "output_tokens": 9,
            "input_tokens_details": {"cached_tokens": 32},
            "output_tokens_details": {"reasoning_tokens": 4},
        }
    )

    assert (usage.cache_read_tokens, usage.reasoning_tokens) == (32, 4)


def test_go_nulls_in_the_details_read_as_zero_or_absent() -> None:
    usage = Usage.model_validate(
        {
            "prompt_tokens": 10,
            "completion_tokens": 3,
            "prompt_tokens_details": {
                "cached_tokens": None,
                "audio_tokens": None,
                "cache_creation": None,
                "cache_write_tokens": None,
            },
            "completion_tokens_details": {"reasoning_tokens": None},
        }
    )

    assert (usage.cache_read_tokens, usage.cache_creation_tokens, usage.reasoning_tokens) == (
        0,
        0,
        0,
    )
    null_details = Usage.model_validate(
        {"prompt_tokens": 1, "prompt_tokens_details": None, "completion_tokens_details": None}
    )
    assert null_details.prompt_tokens_details is None


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"cache_creation": {"ephemeral_5m_input_tokens": 7, "ephemeral_1h_input_tokens": 3}}, 10),
        ({"cache_write_tokens": 10}, 10),
        # Two names for the same tokens: never summed.
        (
            {
                "cache_write_tokens": 10,
                "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 0},
            },
            10,
        ),
        # A Go zero value under one name does not hide the other.
        (
            {
                "cache_write_tokens": 0,
                "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 6},
            },
            6,
        ),
    ],
)
def test_cache_writes_are_read_from_either_name_once(
    details: dict[str, Any], expected: int
) -> None:
    usage = Usage.model_validate({"prompt_tokens": 20, "prompt_tokens_details": details})

    assert usage.cache_creation_tokens == expected


def test_details_are_parts_of_the_counts_never_added_to_them() -> None:
    usage = Usage.model_validate({"prompt_tokens": 1500, "completion_tokens": 40, **DETAILS})

    assert usage.total_tokens == 1540


def test_unknown_detail_fields_are_kept_raw() -> None:
    usage = Usage.model_validate(
        {
            "prompt_tokens": 3,
            "prompt_tokens_details": {"cached_tokens": 1, "image_tokens": 2},
            "completion_tokens_details": {"reasoning_tokens": 1, "audio_tokens": 5},
        }
    )

    dumped = usage.model_dump(exclude_none=True)
    assert dumped["prompt_tokens_details"]["image_tokens"] == 2
    assert dumped["completion_tokens_details"]["audio_tokens"] == 5


def test_details_survive_a_stream_usage_chunk() -> None:
    chunk = ChatCompletionChunk.model_validate(
        {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 1, **DETAILS}}
    )

    assert chunk.usage is not None
    assert (chunk.usage.cache_read_tokens, chunk.usage.reasoning_tokens) == (
        CACHE_READ,
        REASONING_TOKENS,
    )


def test_a_body_the_sdk_accepts_we_accept_with_the_same_numbers() -> None:
    body = thinking_completion()
    theirs = sdk_validator("LLMGatewayChatCompletion")(body).usage
    ours = ChatCompletion.model_validate(body).usage

    assert ours is not None
    assert theirs.prompt_tokens_details is not None
    assert theirs.completion_tokens_details is not None
    assert ours.cache_read_tokens == theirs.prompt_tokens_details.cached_tokens
    assert ours.reasoning_tokens == theirs.completion_tokens_details.reasoning_tokens
