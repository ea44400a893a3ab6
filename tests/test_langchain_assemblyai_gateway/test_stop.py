"""Stop sequences: never sent, enforced client-side on invoke and stream alike."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assemblyai_gateway.testing import chunk_body, completion_body, sse_body, tool_call
from langchain_assemblyai_gateway._stop import StopSequenceFilter, truncate_at_stop

GPT = "gpt-5"


@pytest.mark.parametrize(
    ("text", "stops", "expected"),
    [
        ("Hello END world", ["END"], ("Hello ", True)),
        ("Hello world", ["END"], ("Hello world", False)),
        ("a-b-c", ["c", "-"], ("a", True)),
        ("abc", ["abc", "b"], ("", True)),
        ("abc", [], ("abc", False)),
        ("abc", None, ("abc", False)),
        ("abc", [""], ("abc", False)),
    ],
)
def test_truncate_at_stop(text: str, stops: list[str] | None, expected: tuple[str, bool]) -> None:
    assert truncate_at_stop(text, stops) == expected


def _stream(pieces: list[str], stops: list[str]) -> tuple[str, bool]:
    stop_filter = StopSequenceFilter(stops)
    shown = "".join(stop_filter.feed(piece) for piece in pieces) + stop_filter.flush()
    assert stop_filter.matched == stop_filter.stopped
    return shown, stop_filter.stopped


def test_filter_holds_back_a_possible_prefix() -> None:
    stop_filter = StopSequenceFilter(["END"])
    assert stop_filter.feed("Hello E") == "Hello "
    assert stop_filter.feed("x") == "Ex"
    assert stop_filter.feed(" and EN") == " and "
    assert stop_filter.feed("D more") == ""
    assert stop_filter.stopped
    assert stop_filter.feed("ignored") == ""
    assert stop_filter.flush() == ""


def test_a_longer_stop_starting_earlier_wins() -> None:
    # "a" matches at 1, but "XaX" may start at 0: wait for the next piece to decide.
    stop_filter = StopSequenceFilter(["a", "XaX"])
    assert stop_filter.feed("Xa") == ""
    assert stop_filter.matched
    assert not stop_filter.stopped
    assert stop_filter.feed("X") == ""
    assert stop_filter.stopped
    assert (
        _stream(["Xa", "Y"], ["a", "XaX"]) == ("X", True) == truncate_at_stop("XaY", ["a", "XaX"])
    )
    assert _stream(["Xa"], ["a", "XaX"]) == ("X", True)  # the end of the stream decides


def test_filter_flushes_a_held_prefix_at_the_end() -> None:
    assert _stream(["Hello E", "N"], ["END"]) == ("Hello EN", False)


@settings(deadline=None)  # no wall-clock limits in tests
@given(
    text=st.text(alphabet="abcXYZ ", max_size=40),
    stops=st.lists(st.text(alphabet="abcXYZ", min_size=1, max_size=4), max_size=3),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=8),
)
def test_streaming_equals_truncating_the_whole_text(
    text: str, stops: list[str], cuts: list[int]
) -> None:
    bounds = sorted({0, len(text), *(min(cut, len(text)) for cut in cuts)})
    pieces = [text[a:b] for a, b in itertools.pairwise(bounds)]
    assert _stream(pieces, stops) == truncate_at_stop(text, stops)


async def test_invoke_cuts_at_the_stop_sequence(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("Thought: x\nObservation: y")])
    message = await run.invoke(model, "x", stop=["Observation:"])
    assert message.content == "Thought: x\n"
    assert message.response_metadata["finish_reason"] == "stop"
    assert "stop" not in transport.json_bodies[0]


async def test_instance_stop_applies_and_per_call_overrides(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("one two three")], stop=["two"])
    assert (await run.invoke(model, "x")).content == "one "
    assert (await run.invoke(model, "x", stop=["three"])).content == "one two "
    assert (await run.invoke(model, "x", stop=[])).content == "one two three"
    assert all("stop" not in body for body in transport.json_bodies)


async def test_stop_alias_stop_sequences(make_model: Any, run: Any) -> None:
    model, _ = make_model([completion_body("one two")], stop_sequences=["two"])
    assert model.stop == ["two"]
    assert (await run.invoke(model, "x")).content == "one "


async def test_no_match_keeps_the_finish_reason(make_model: Any, run: Any) -> None:
    model, _ = make_model([completion_body("abc", finish_reason="length")])
    message = await run.invoke(model, "x", stop=["zzz"])
    assert message.content == "abc"
    assert message.response_metadata["finish_reason"] == "length"


async def test_tool_calls_after_the_stop_are_dropped(make_model: Any, run: Any) -> None:
    body = completion_body("I will call END now", tool_calls=[tool_call("f", {}, "c1")])
    model, _ = make_model([body])
    message = await run.invoke(model, "x", stop=["END"])
    assert message.content == "I will call "
    assert message.tool_calls == []
    assert message.response_metadata["finish_reason"] == "stop"


async def test_stream_stop_split_across_chunks(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    sse = sse_body(
        [
            chunk_body("Hello E"),
            chunk_body("N"),
            chunk_body("D and more"),
            chunk_body(" text", finish_reason="length"),
            chunk_body(usage=(3, 9), choices=False),
        ]
    )
    model, transport = make_model([sse], model=GPT)
    chunks = await run.stream(model, "x", stop=["END"])
    shown = [chunk.content for chunk in chunks]
    assert "".join(shown) == "Hello "
    assert not any("E" in piece for piece in shown)
    full = merge_chunks(chunks)
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.usage_metadata == {"input_tokens": 3, "output_tokens": 9, "total_tokens": 12}
    assert chunks[-1].chunk_position == "last"
    assert "stop" not in transport.json_bodies[0]


async def test_stream_without_a_match_releases_held_text(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    sse = sse_body([chunk_body("Hello E"), chunk_body("N", finish_reason="stop")])
    model, _ = make_model([sse], model=GPT)
    full = merge_chunks(await run.stream(model, "x", stop=["END"]))
    assert full.content == "Hello EN"


async def test_stream_drops_tool_calls_after_the_stop(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    call = {
        "index": 0,
        "id": "c1",
        "type": "function",
        "function": {"name": "f", "arguments": "{}"},
    }
    sse = sse_body([chunk_body("done. END"), chunk_body(tool_calls=[call])])
    model, _ = make_model([sse], model=GPT)
    full = merge_chunks(await run.stream(model, "x", stop=["END"]))
    assert full.content == "done. "
    assert full.tool_calls == []


async def test_pseudo_stream_stop_matches_invoke(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    body = completion_body("alpha STOP beta", tool_calls=[tool_call("f", {}, "c1")])
    model, _ = make_model([body])
    invoked = await run.invoke(model, "x", stop=["STOP"])
    streamed = merge_chunks(await run.stream(model, "x", stop=["STOP"]))
    assert streamed.content == invoked.content == "alpha "
    assert streamed.tool_calls == invoked.tool_calls == []
    assert streamed.response_metadata == invoked.response_metadata
