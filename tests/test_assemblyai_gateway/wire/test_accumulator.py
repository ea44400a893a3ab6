"""The stream accumulator and its inverse, completion_to_chunks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assemblyai_gateway._transport.sse import ChunkDecoder
from assemblyai_gateway._wire.accumulator import (
    CompletionSnapshot,
    accumulate_chunk,
    completion_to_chunks,
)
from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk, stable_tool_call_id
from assemblyai_gateway.testing import chunk_body, completion_body, tool_call
from tests.support.hypothesis_profiles import examples

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sse"


def _fixture_chunks(name: str) -> list[ChatCompletionChunk]:
    decoder = ChunkDecoder()
    chunks = decoder.feed((FIXTURES / name).read_text(encoding="utf-8"))
    return [*chunks, *decoder.close()]


def _fold(chunks: Iterable[ChatCompletionChunk]) -> CompletionSnapshot:
    snapshot: CompletionSnapshot | None = None
    for chunk in chunks:
        snapshot = accumulate_chunk(snapshot, chunk)
    assert snapshot is not None
    return snapshot


def _chunk(**kwargs: Any) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate(chunk_body(**kwargs))


# -------------------------------------------------------------------- folding


def test_interleaved_tool_call_deltas_assemble_by_index() -> None:
    completion = _fold(_fixture_chunks("tool_calls_interleaved.sse")).to_completion()
    choice = completion.choices[0]

    assert [(c.id, c.function.name) for c in choice.tool_calls] == [
        ("call_weather_01", "get_weather"),
        ("call_time_02", "get_time"),
    ]
    assert json.loads(choice.tool_calls[0].function.arguments) == {"city": "Paris", "unit": "c"}
    assert json.loads(choice.tool_calls[1].function.arguments) == {"tz": "Europe/Paris"}
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert choice.message.role == "assistant"


def test_text_stream_folds_to_the_full_text_with_usage() -> None:
    snapshot = _fold(_fixture_chunks("text_with_usage.sse"))
    completion = snapshot.to_completion()

    assert completion.choices[0].message.content == "Héllo, wörld 🌍!"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].tool_calls == []
    assert completion.usage is not None
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (12, 4)
    assert completion.usage.total_tokens == 16
    assert (completion.request_id, completion.id, completion.model) == (
        "req-text-0001",
        "chatcmpl-text",
        "gpt-5",
    )
    assert snapshot.chunk_count == 6


def test_extras_are_kept_and_chunk_bookkeeping_fields_are_not() -> None:
    snapshot = _fold(_fixture_chunks("text_with_usage.sse"))
    completion = snapshot.to_completion()

    assert snapshot.extras == {"response_time": 275510459, "system_fingerprint": "fp_fixture"}
    assert completion.response_time == 275510459
    assert (completion.model_extra or {}) == {"system_fingerprint": "fp_fixture"}


@pytest.mark.parametrize(
    "name", ["crlf.sse", "multiline_data.sse", "comments_keepalive.sse", "text_with_usage.sse"]
)
def test_every_text_fixture_folds_to_its_text(name: str) -> None:
    expected = {
        "crlf.sse": "Hi there",
        "multiline_data.sse": "one event, three lines",
        "comments_keepalive.sse": "ping pong",
        "text_with_usage.sse": "Héllo, wörld 🌍!",
    }[name]

    completion = _fold(_fixture_chunks(name)).to_completion()

    assert completion.choices[0].message.content == expected
    assert completion.choices[0].finish_reason == "stop"


def test_content_is_none_when_no_text_delta_arrived() -> None:
    snapshot = _fold([_chunk(role="assistant"), _chunk(finish_reason="stop")])

    assert snapshot.choices[0].content is None
    assert snapshot.to_completion().choices[0].message.content is None


def test_an_empty_text_delta_means_empty_content_not_none() -> None:
    snapshot = _fold([_chunk(role="assistant", content=""), _chunk(finish_reason="stop")])

    assert snapshot.to_completion().choices[0].message.content == ""


def test_usage_comes_from_the_usage_only_chunk() -> None:
    chunks = [
        _chunk(content="hi"),
        _chunk(finish_reason="stop"),
        _chunk(choices=False, usage=(9, 2)),
    ]

    snapshot = _fold(chunks)

    assert snapshot.usage is not None
    assert (snapshot.usage.input_tokens, snapshot.usage.output_tokens) == (9, 2)
    assert snapshot.usage.total_tokens == 11
    assert snapshot.to_completion().choices[0].message.content == "hi"


def test_no_usage_chunk_means_no_usage() -> None:
    assert _fold([_chunk(content="hi")]).to_completion().usage is None


def test_a_new_snapshot_is_made_and_the_chunk_is_not_changed() -> None:
    chunk = _chunk(content="x", role="assistant")
    before = chunk.model_dump()

    snapshot = accumulate_chunk(None, chunk)
    accumulate_chunk(snapshot, chunk)

    assert isinstance(snapshot, CompletionSnapshot)
    assert snapshot.chunk_count == 2
    assert chunk.model_dump() == before
    assert snapshot.to_completion().choices[0].message.content == "xx"


def test_later_ids_fill_in_but_do_not_blank_earlier_ones() -> None:
    first = ChatCompletionChunk.model_validate({"request_id": "r-1", "model": "gpt-5"})
    second = ChatCompletionChunk.model_validate({"id": "chatcmpl-9"})

    snapshot = _fold([first, second])

    assert (snapshot.request_id, snapshot.id, snapshot.model) == ("r-1", "chatcmpl-9", "gpt-5")


def test_tool_call_without_id_gets_the_same_stable_id_as_a_non_streamed_call() -> None:
    deltas = [
        {"index": 0, "function": {"name": "lookup", "arguments": '{"q": '}},
        {"index": 0, "function": {"arguments": '"x"}'}},
    ]
    streamed = _fold(
        [_chunk(tool_calls=[d]) for d in deltas] + [_chunk(finish_reason="tool_calls")]
    ).to_completion()
    non_streamed = ChatCompletion.model_validate(
        {"choices": [{"tool_calls": [{"function": {"name": "lookup", "arguments": '{"q": "x"}'}}]}]}
    )

    assert streamed.choices[0].tool_calls[0].id == stable_tool_call_id(0, "lookup", '{"q": "x"}')
    assert streamed.choices[0].tool_calls[0].id == non_streamed.choices[0].tool_calls[0].id


def test_a_repeated_tool_name_is_not_appended() -> None:
    deltas = [
        {"index": 0, "id": "c1", "function": {"name": "get_weather", "arguments": "{"}},
        {"index": 0, "function": {"name": "get_weather", "arguments": "}"}},
    ]

    call = _fold([_chunk(tool_calls=[d]) for d in deltas]).to_completion().choices[0].tool_calls[0]

    assert (call.id, call.function.name, call.function.arguments) == ("c1", "get_weather", "{}")


def test_partial_arguments_are_readable_mid_stream() -> None:
    snapshot = _fold(_fixture_chunks("tool_calls_interleaved.sse")[:4])

    assert snapshot.choices[0].tool_calls[0].arguments == '{"city": '
    assert snapshot.choices[0].tool_calls[1].arguments == '{"tz": "Europe/'


def test_choices_fold_by_index_and_come_out_in_order() -> None:
    chunks = [
        ChatCompletionChunk.model_validate(
            {"choices": [{"index": 1, "delta": {"content": "second"}}]}
        ),
        ChatCompletionChunk.model_validate(
            {"choices": [{"index": 0, "delta": {"content": "first"}, "finish_reason": "stop"}]}
        ),
    ]

    completion = _fold(chunks).to_completion()

    assert [(c.index, c.message.content) for c in completion.choices] == [
        (0, "first"),
        (1, "second"),
    ]


# ---------------------------------------------------------- completion_to_chunks


def _completion(**kwargs: Any) -> ChatCompletion:
    return ChatCompletion.model_validate(completion_body(**kwargs))


ROUND_TRIP_CASES: dict[str, dict[str, Any]] = {
    "text-only": {"content": "Just text."},
    "tools-only": {
        "content": None,
        "tool_calls": [
            tool_call("get_weather", {"city": "Paris"}, "call_a"),
            tool_call("get_time", {"tz": "UTC"}, "call_b"),
        ],
    },
    "text-and-tools": {
        "content": "Let me check.",
        "tool_calls": [tool_call("get_weather", {"city": "Rome"}, "call_c")],
    },
    "text-no-usage": {"content": "No usage here.", "usage": None},
    "tools-no-usage": {"content": None, "tool_calls": [tool_call("f", "{}")], "usage": None},
    "prompt-completion-usage": {"content": "x", "usage_style": "prompt_completion"},
    "tools-in-message": {
        "content": None,
        "tool_calls": [tool_call("f", {"a": 1}, "call_m")],
        "tool_calls_in_message": True,
    },
    "empty-text": {"content": ""},
    "unknown-top-level-field": {"content": "y", "gateway_region": "us-east-1"},
}


@pytest.mark.parametrize("case", sorted(ROUND_TRIP_CASES))
def test_completion_to_chunks_round_trips(case: str) -> None:
    completion = _completion(**ROUND_TRIP_CASES[case])

    folded = _fold(completion_to_chunks(completion)).to_completion()

    assert folded == completion


@pytest.mark.parametrize("case", sorted(ROUND_TRIP_CASES))
def test_round_trip_without_the_usage_chunk_loses_only_usage(case: str) -> None:
    completion = _completion(**ROUND_TRIP_CASES[case])

    folded = _fold(completion_to_chunks(completion, include_usage=False)).to_completion()

    assert folded.usage is None
    assert folded == completion.model_copy(update={"usage": None})


def test_with_usage_the_last_chunk_is_a_usage_only_chunk() -> None:
    chunks = completion_to_chunks(_completion(content="hi"))

    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert all(c.usage is None for c in chunks[:-1])
    assert chunks[0].choices[0].delta.content == "hi"


def test_without_usage_no_chunk_carries_usage() -> None:
    chunks = completion_to_chunks(_completion(content="hi"), include_usage=False)

    assert all(c.usage is None for c in chunks)
    assert all(c.choices for c in chunks)


def test_chunks_carry_the_completion_ids() -> None:
    chunks = completion_to_chunks(_completion(content="hi", request_id="req-42"))

    assert {c.request_id for c in chunks} == {"req-42"}


def test_round_trip_keeps_choice_and_message_extras() -> None:
    # Unknown fields survive create() (see test_types); pseudo-streaming must not drop
    # them, or a framework's stream() and invoke() disagree for the same answer.
    body = completion_body("hi")
    body["choices"][0]["logprobs"] = {"content": []}
    body["choices"][0]["message"]["reasoning"] = "thought about it"
    completion = ChatCompletion.model_validate(body)

    folded = _fold(completion_to_chunks(completion)).to_completion()

    assert folded.choices[0].model_extra == {"logprobs": {"content": []}}
    assert folded.choices[0].message.model_extra == {"reasoning": "thought about it"}
    assert folded == completion


# Hypothesis: any completion the gateway could return folds back to itself.
_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
_args = st.dictionaries(st.sampled_from(["a", "b", "city"]), st.integers() | _text, max_size=3)


@st.composite
def _completions(draw: st.DrawFn) -> ChatCompletion:
    calls: Sequence[dict[str, Any]] = [
        tool_call(draw(st.sampled_from(["f", "get_weather", "lookup"])), args, f"call_{i}")
        for i, args in enumerate(draw(st.lists(_args, max_size=3)))
    ]
    usage = draw(st.none() | st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)))
    return ChatCompletion.model_validate(
        completion_body(
            draw(st.none() | _text),
            tool_calls=calls,
            tool_calls_in_message=draw(st.booleans()),
            usage=usage,
            usage_style=draw(st.sampled_from(["input_output", "prompt_completion"])),
            request_id=draw(st.sampled_from(["req-1", "req-2"])),
        )
    )


@settings(max_examples=examples(50), deadline=None, database=None)
@given(completion=_completions(), include_usage=st.booleans())
def test_any_completion_round_trips_through_chunks(
    completion: ChatCompletion, include_usage: bool
) -> None:
    folded = _fold(completion_to_chunks(completion, include_usage=include_usage)).to_completion()

    expected = completion if include_usage else completion.model_copy(update={"usage": None})
    assert folded == expected


def test_a_choice_with_unknown_fields_named_like_chunk_fields_still_splits() -> None:
    body = completion_body("Hi")
    body["choices"][0]["delta"] = []  # found by fuzzing: an unknown field called "delta"
    completion = ChatCompletion.model_validate(body)

    chunks = completion_to_chunks(completion)

    assert chunks[0].choices[0].delta.content == "Hi"
    assert chunks[0].choices[0].delta.role == "assistant"
