"""The pure SSE decoder, against the hand-made fixtures in tests/fixtures/sse/."""

from __future__ import annotations

import codecs
import doctest
import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assemblyai_gateway._transport import sse_lines as _sse_lines
from assemblyai_gateway._transport.sse import ChunkDecoder, ServerSentEvent, parse_event
from assemblyai_gateway._transport.sse_lines import EventDecoder
from assemblyai_gateway._wire.types import ChatCompletionChunk
from assemblyai_gateway.errors import StreamError
from tests.support.hypothesis_profiles import examples

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sse"


@dataclass(frozen=True)
class Expected:
    chunks: int
    contents: tuple[str | None, ...]
    error: str | None = None  # a substring of the StreamError's message
    status: int | None = None


EXPECTED: dict[str, Expected] = {
    "text_with_usage.sse": Expected(6, ("", "Héllo", ", wörld 🌍", "!", None, None)),
    "tool_calls_interleaved.sse": Expected(8, (None,) * 8),
    "crlf.sse": Expected(4, ("Hi", " there", None, None)),
    "multiline_data.sse": Expected(3, ("one event, ", "three lines", None)),
    "comments_keepalive.sse": Expected(3, ("ping", " pong", None)),
    "error_mid_stream.sse": Expected(
        2, ("partial ", "answer"), error="upstream model overloaded", status=503
    ),
    "error_event_mid_stream.sse": Expected(
        1, ("Hel",), error="provider rate limit reached", status=429
    ),
    "truncated.sse": Expected(2, ("cut ", "short"), error="[DONE]"),
}
ERROR_FIXTURES = sorted(name for name, e in EXPECTED.items() if e.error)


def _fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Outcome:
    chunks: list[ChatCompletionChunk]
    error: StreamError | None


def _decode(parts: Iterable[str]) -> Outcome:
    decoder = ChunkDecoder()
    chunks: list[ChatCompletionChunk] = []
    try:
        for part in parts:
            chunks.extend(decoder.feed(part))
        chunks.extend(decoder.close())
    except StreamError as exc:
        return Outcome(chunks, exc)
    return Outcome(chunks, None)


def _split_bytes(data: bytes, offsets: Sequence[int]) -> list[str]:
    """Cut ``data`` at byte offsets and decode each piece like httpx's iter_text does."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    cuts = [0, *sorted(set(offsets)), len(data)]
    texts = [decoder.decode(data[a:b]) for a, b in itertools.pairwise(cuts)]
    texts.append(decoder.decode(b"", final=True))
    return texts


@functools.cache
def _line_by_line(name: str) -> Outcome:
    """The most incremental feed: one line at a time (the reference outcome; cached)."""
    return _decode(_fixture_bytes(name).decode().splitlines(keepends=True))


def _contents(chunks: Sequence[ChatCompletionChunk]) -> tuple[str | None, ...]:
    return tuple(c.choices[0].delta.content if c.choices else None for c in chunks)


def _dumps(chunks: Sequence[ChatCompletionChunk]) -> list[dict[str, object]]:
    return [c.model_dump() for c in chunks]


def _check_against_reference(name: str, outcome: Outcome) -> None:
    reference = _line_by_line(name)
    expected = EXPECTED[name]
    if expected.error is None:
        assert outcome.error is None
        assert _dumps(outcome.chunks) == _dumps(reference.chunks)
    else:
        assert outcome.error is not None
        assert reference.error is not None
        assert str(outcome.error) == str(reference.error)
        assert outcome.error.status_code == reference.error.status_code
        # Chunks decoded in the same feed() as the error are covered by
        # test_chunks_before_an_error_in_the_same_feed_are_delivered.
        assert _dumps(outcome.chunks) == _dumps(reference.chunks)[: len(outcome.chunks)]


# ------------------------------------------------------------------- the fixtures


def test_every_fixture_is_marked_hand_made_and_has_an_expectation() -> None:
    names = sorted(path.name for path in FIXTURES.glob("*.sse"))

    assert names == sorted(EXPECTED)
    for name in names:
        first_line = _fixture_bytes(name).decode().splitlines()[0]
        assert first_line.startswith(": hand-made fixture"), name


def test_the_crlf_fixture_really_uses_crlf() -> None:
    data = _fixture_bytes("crlf.sse")

    assert data.count(b"\r\n") == data.count(b"\n") > 10
    assert b"\r\r" not in data


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_decodes_to_the_expected_chunks(name: str) -> None:
    expected = EXPECTED[name]

    outcome = _line_by_line(name)

    assert len(outcome.chunks) == expected.chunks
    assert _contents(outcome.chunks) == expected.contents
    if expected.error is None:
        assert outcome.error is None
    else:
        assert outcome.error is not None
        assert expected.error in str(outcome.error)
        assert outcome.error.status_code == expected.status


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_whole_fixture_in_one_feed_gives_the_same_outcome(name: str) -> None:
    _check_against_reference(name, _decode([_fixture_bytes(name).decode()]))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_single_byte_offset_split_gives_the_same_outcome(name: str) -> None:
    data = _fixture_bytes(name)
    for offset in range(len(data) + 1):
        _check_against_reference(name, _decode(_split_bytes(data, [offset])))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_one_byte_at_a_time_gives_the_same_outcome(name: str) -> None:
    data = _fixture_bytes(name)

    _check_against_reference(name, _decode(_split_bytes(data, range(len(data)))))


@pytest.mark.parametrize("name", sorted(EXPECTED))
@settings(max_examples=examples(50), deadline=None, database=None)
@given(data=st.data())
def test_any_split_points_give_the_same_outcome(name: str, data: st.DataObject) -> None:
    raw = _fixture_bytes(name)
    offsets = data.draw(st.lists(st.integers(0, len(raw)), max_size=40), label="offsets")

    _check_against_reference(name, _decode(_split_bytes(raw, offsets)))


@pytest.mark.parametrize("name", ERROR_FIXTURES)
def test_chunks_before_an_error_in_the_same_feed_are_delivered(name: str) -> None:
    # When the error event arrives in the same network read as earlier chunks, those
    # chunks must still reach the caller before the StreamError (as with any split).
    outcome = _decode([_fixture_bytes(name).decode()])

    assert outcome.error is not None
    assert _contents(outcome.chunks) == EXPECTED[name].contents


# --------------------------------------------------------------------- the rules


def test_done_ends_the_stream_and_later_data_is_ignored() -> None:
    decoder = ChunkDecoder()

    first = decoder.feed('data: {"choices": [{"delta": {"content": "a"}}]}\n\ndata: [DONE]\n\n')
    later = decoder.feed('data: {"choices": [{"delta": {"content": "b"}}]}\n\ndata: not json\n\n')

    assert _contents(first) == ("a",)
    assert decoder.done is True
    assert later == []
    assert decoder.close() == []


def test_done_without_a_trailing_blank_line_still_ends_the_stream() -> None:
    outcome = _decode(['data: {"choices": [{"delta": {"content": "a"}}]}\n\ndata: [DONE]'])

    assert outcome.error is None
    assert _contents(outcome.chunks) == ("a",)


def test_done_in_the_same_event_as_nothing_else_is_recognised_with_spaces() -> None:
    outcome = _decode(["data:   [DONE]  \n\n"])

    assert outcome.error is None
    assert outcome.chunks == []


def test_comment_only_stream_without_done_is_truncated() -> None:
    outcome = _decode([": keep-alive\n\n: keep-alive\n\n"])

    assert outcome.chunks == []
    assert isinstance(outcome.error, StreamError)


def test_cr_only_line_endings_are_lines_too() -> None:
    text = 'data: {"choices": [{"delta": {"content": "cr"}}]}\r\rdata: [DONE]\r\r'

    outcome = _decode([text])

    assert outcome.error is None
    assert _contents(outcome.chunks) == ("cr",)


def test_multi_line_data_is_joined_with_newlines() -> None:
    text = 'data: {"choices":\ndata: [{"delta": {"content": "x"}}]}\n\ndata: [DONE]\n\n'

    assert _contents(_decode([text]).chunks) == ("x",)


def test_non_json_data_is_a_stream_error() -> None:
    outcome = _decode(["data: this is not json\n\n"])

    assert isinstance(outcome.error, StreamError)
    assert "not JSON" in str(outcome.error)
    assert "this is not json" in str(outcome.error)


@pytest.mark.parametrize("data", ["[1, 2]", '"text"', "42"])
def test_json_that_is_not_an_object_is_a_stream_error(data: str) -> None:
    outcome = _decode([f"data: {data}\n\n"])

    assert isinstance(outcome.error, StreamError)
    assert "not a chunk" in str(outcome.error)


def test_a_malformed_chunk_is_a_stream_error() -> None:
    outcome = _decode(['data: {"choices": "not a list"}\n\n'])

    assert isinstance(outcome.error, StreamError)
    assert "malformed chunk" in str(outcome.error)


def test_error_event_with_plain_text_data_keeps_the_text() -> None:
    outcome = _decode(["event: error\ndata: upstream exploded\n\n"])

    assert isinstance(outcome.error, StreamError)
    assert "upstream exploded" in str(outcome.error)
    assert outcome.error.body == "upstream exploded"


def test_error_object_with_a_string_error_keeps_the_text() -> None:
    outcome = _decode(['data: {"error": "quota exceeded"}\n\n'])

    assert isinstance(outcome.error, StreamError)
    assert "quota exceeded" in str(outcome.error)
    assert outcome.error.status_code is None
    assert outcome.error.body == {"error": "quota exceeded"}


def test_error_object_status_may_be_named_status() -> None:
    outcome = _decode(['data: {"error": {"status": 502, "message": "bad upstream"}}\n\n'])

    assert isinstance(outcome.error, StreamError)
    assert outcome.error.status_code == 502


def test_error_event_with_a_bare_payload_keeps_its_message_and_code() -> None:
    # `event: error` is recognised as an error, but a payload without an `error` member
    # loses its own message and code today.
    outcome = _decode(['event: error\ndata: {"message": "model overloaded", "code": 529}\n\n'])

    assert isinstance(outcome.error, StreamError)
    assert "model overloaded" in str(outcome.error)
    assert outcome.error.status_code == 529


def test_the_business_envelope_in_place_of_a_chunk_is_a_stream_error() -> None:
    # {"message", "code", ...} without an event name: no chunk has a top-level message,
    # so it is never taken for an empty chunk and dropped.
    envelope = '{"message": "upstream failed", "code": 502, "request_id": "r", "metadata": {}}'
    outcome = _decode(
        [f'data: {{"choices": [{{"delta": {{"content": "a"}}}}]}}\n\ndata: {envelope}\n\n']
    )

    assert [chunk.choices[0].delta.content for chunk in outcome.chunks] == ["a"]
    assert isinstance(outcome.error, StreamError)
    assert "upstream failed" in str(outcome.error)
    assert outcome.error.status_code == 502


def test_stream_error_carries_the_request_id_seen_so_far() -> None:
    outcome = _line_by_line("error_mid_stream.sse")

    assert outcome.error is not None
    assert outcome.error.request_id == "req-error-0001"
    assert str(outcome.error).endswith("(request_id=req-error-0001)")


def test_truncation_mid_line_reports_a_truncated_stream() -> None:
    # The connection drops in the middle of a data line: the user should be told the
    # stream was cut short, not that the gateway sent invalid JSON.
    outcome = _decode(['data: {"choices": [{"delta": {"content": "a"}}]}\n\ndata: {"choi'])

    assert _contents(outcome.chunks) == ("a",)
    assert isinstance(outcome.error, StreamError)
    assert "[DONE]" in str(outcome.error)


def test_truncation_after_complete_events_is_a_stream_error() -> None:
    decoder = ChunkDecoder()
    chunks = decoder.feed('data: {"request_id": "r-7", "choices": []}\n\n')

    with pytest.raises(StreamError, match=r"\[DONE\]") as info:
        decoder.close()

    assert len(chunks) == 1
    assert info.value.request_id == "r-7"


def test_empty_feeds_are_harmless() -> None:
    decoder = ChunkDecoder()

    assert decoder.feed("") == []
    assert decoder.feed("data: [DONE]\n\n") == []
    assert decoder.done is True


def test_parse_event_skips_empty_data() -> None:
    assert parse_event(ServerSentEvent(data="")) is None
    assert parse_event(ServerSentEvent(data="  \n ")) is None


def test_parse_event_returns_a_typed_chunk() -> None:
    chunk = parse_event(
        ServerSentEvent(data='{"request_id": "r", "choices": [{"delta": {"content": "x"}}]}')
    )

    assert isinstance(chunk, ChatCompletionChunk)
    assert chunk.request_id == "r"
    assert chunk.choices[0].delta.content == "x"


def test_parse_event_passes_the_request_id_into_errors() -> None:
    with pytest.raises(StreamError) as info:
        parse_event(ServerSentEvent(data='{"error": {"message": "x"}}'), request_id="r-1")

    assert info.value.request_id == "r-1"


def test_events_carry_their_name_data_last_id_and_retry() -> None:
    decoder = EventDecoder()
    lines = ["id: 7", "retry: 1500", "data: a", "data: b", "", "event: ping", "data: .", ""]

    events = [event for line in lines if (event := decoder.decode(line)) is not None]

    assert events == [
        ServerSentEvent(event="message", data="a\nb", id="7", retry=1500),
        ServerSentEvent(event="ping", data=".", id="7"),  # the last id lasts; retry does not
    ]


def test_the_decoders_examples_run() -> None:
    assert doctest.testmod(_sse_lines).failed == 0
