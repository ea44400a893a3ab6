"""Odd but possible gateway output ends in a typed result, never a raw Python error."""

from __future__ import annotations

import pytest

from assemblyai_gateway._transport.client import parse_completion
from assemblyai_gateway._transport.sse import ChunkDecoder
from assemblyai_gateway._wire.accumulator import accumulate_chunk
from assemblyai_gateway._wire.types import ChatCompletionChunk, Usage
from assemblyai_gateway.errors import ResponseValidationError, StreamError


def test_a_completion_stream_with_no_choices_is_refused_when_choices_are_required() -> None:
    body = 'data: {"request_id": "r1", "usage": {"prompt_tokens": 1}}\n\ndata: [DONE]\n\n'
    lenient = ChunkDecoder()
    assert len([*lenient.feed(body), *lenient.close()]) == 1
    strict = ChunkDecoder(require_choices=True)
    strict.feed(body)
    with pytest.raises(ResponseValidationError, match="no choices") as raised:
        strict.close()
    assert raised.value.request_id == "r1"


def test_numeric_string_token_counts_are_coerced_and_summed() -> None:
    usage = Usage.model_validate({"prompt_tokens": "12", "completion_tokens": "3"})
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (12, 3, 15)


def test_a_given_total_is_kept_even_when_it_is_not_the_sum() -> None:
    assert (
        Usage.model_validate(
            {"input_tokens": 1, "output_tokens": 2, "total_tokens": 9}
        ).total_tokens
        == 9
    )


def test_absurdly_nested_event_data_is_a_stream_error() -> None:
    decoder = ChunkDecoder()
    with pytest.raises(StreamError, match="not JSON"):
        decoder.feed("data: " + "[" * 100_000 + "\n\n")


def test_mistyped_top_level_stream_fields_refuse_the_completion_with_a_typed_error() -> None:
    chunk = ChatCompletionChunk.model_validate(
        {"request_id": "r2", "response_time": "fast", "choices": [{"delta": {"content": "x"}}]}
    )
    snapshot = accumulate_chunk(None, chunk)
    with pytest.raises(ResponseValidationError, match="response_time") as raised:
        snapshot.to_completion()
    assert raised.value.request_id == "r2"


# A lone surrogate escape is valid JSON; models emit one when they cut an emoji in half.
CONTENT = r'"half \ud83d, whole \ud83d\ude00, \\ud800"'
READ_AS = "half \ufffd, whole \U0001f600, \\ud800"  # an escaped backslash stays text


def test_a_completion_holding_a_lone_surrogate_reads_it_as_a_replacement_character() -> None:
    completion = parse_completion(f'{{"choices": [{{"message": {{"content": {CONTENT}}}}}]}}')
    assert completion.choices[0].message.content == READ_AS
    completion.model_dump_json()  # the text encodes again: it can go back in history


def test_a_stream_event_holding_a_lone_surrogate_reads_it_as_a_replacement_character() -> None:
    event = f'data: {{"choices": [{{"delta": {{"content": {CONTENT}}}}}]}}\n\ndata: [DONE]\n\n'
    decoder = ChunkDecoder()
    chunks = [*decoder.feed(event), *decoder.close()]
    assert chunks[0].choices[0].delta.content == READ_AS
