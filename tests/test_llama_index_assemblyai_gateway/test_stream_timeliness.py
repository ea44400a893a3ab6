"""A LlamaIndex stream shows each piece when its chunk arrives, and costs linear time.

No clocks: the transport records what the reader had already seen each time the client
asked it for more bytes, and the cost is counted in executed Python lines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ToolCallBlock
from llama_index.core.llms.utils import parse_partial_json

from assemblyai_gateway import ChatCompletionChunk, accumulate_chunk
from assemblyai_gateway._transport.untrusted_text import without_lone_surrogates
from assemblyai_gateway.testing import chunk_body, text_sse
from llama_index_assemblyai_gateway import AssemblyAIGateway
from llama_index_assemblyai_gateway._partial_json import PartialArguments
from llama_index_assemblyai_gateway._response import StreamMapper

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner

HI = [ChatMessage(role="user", content="Hi")]


class _ObservedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Hands out one SSE event per read and notes what the reader had seen by then."""

    def __init__(self, events: list[bytes], seen: list[str]) -> None:
        self._events = events
        self._seen = seen
        self.seen_before_read: list[list[str]] = []

    def _next_events(self) -> Iterator[bytes]:
        for event in self._events:
            self.seen_before_read.append(list(self._seen))
            yield event

    def __iter__(self) -> Iterator[bytes]:
        yield from self._next_events()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self._next_events():
            yield event


def _events(*pieces: str) -> list[bytes]:
    body = text_sse(*pieces).decode()
    return [f"{event}\n\n".encode() for event in body.split("\n\n") if event]


async def test_each_piece_is_shown_before_the_next_chunk_is_read(runner: Runner) -> None:
    seen: list[str] = []
    stream = _ObservedStream(_events("Hel", "lo", " world"), seen)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)

    transport = httpx.MockTransport(handler)
    llm = AssemblyAIGateway(
        model="gpt-5",
        api_key="k",
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
    )

    def on_response(response: ChatResponse) -> None:
        if response.delta:
            seen.append(response.delta)

    await runner.stream_chat_each(llm, HI, on_response)

    assert seen == ["Hel", "lo", " world"]
    # Reads: role, "Hel", "lo", " world", finish, usage, then the end-of-stream marker.
    # Before reading the chunk after a piece, the reader already had that piece.
    assert stream.seen_before_read[2] == ["Hel"]
    assert stream.seen_before_read[3] == ["Hel", "lo"]
    assert stream.seen_before_read[4] == ["Hel", "lo", " world"]


def _tool_stream(pieces: list[str]) -> list[ChatCompletionChunk]:
    first = {"index": 0, "id": "c1", "type": "function", "function": {"name": "f"}}
    bodies = [chunk_body(tool_calls=[first])]
    bodies += [
        chunk_body(tool_calls=[{"index": 0, "function": {"arguments": piece}}]) for piece in pieces
    ]
    bodies.append(chunk_body(finish_reason="tool_calls"))
    return [ChatCompletionChunk.model_validate(body) for body in bodies]


def _argument_pieces(count: int) -> list[str]:
    rows = [{"id": index, "tag": "t"} for index in range(count)]
    text = json.dumps({"code": "x = 1\n" * count, "rows": rows})
    size = -(-len(text) // count)
    return [text[i : i + size] for i in range(0, len(text), size)]


@dataclass
class _Work:
    """What mapping a stream cost, counted, not timed."""

    python_lines: int = 0
    json_characters: int = 0  # text handed to the JSON decoder, by anyone
    validated_characters: int = 0  # tool arguments (as JSON) pydantic validated


def _work(chunks: list[ChatCompletionChunk]) -> tuple[_Work, list[ChatResponse]]:
    """Map a stream, counting Python lines, JSON decoding and argument validation."""
    work = _Work()
    raw_decode = json.JSONDecoder.raw_decode
    block_init = ToolCallBlock.__init__

    def counted_decode(self: json.JSONDecoder, text: str, idx: int = 0) -> tuple[Any, int]:
        work.json_characters += len(text) - idx
        return raw_decode(self, text, idx)

    def counted_block(self: ToolCallBlock, **data: Any) -> None:
        work.validated_characters += len(json.dumps(data.get("tool_kwargs")))
        block_init(self, **data)

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            work.python_lines += 1
        return trace

    mapper = StreamMapper("gpt-5")
    snapshot = None
    responses: list[ChatResponse] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json.JSONDecoder, "raw_decode", counted_decode)
        patch.setattr(ToolCallBlock, "__init__", counted_block)
        sys.settrace(trace)
        try:
            for chunk in chunks:
                snapshot = accumulate_chunk(snapshot, chunk)
                responses += mapper.feed(chunk, snapshot)
            assert snapshot is not None
            responses += mapper.finish(snapshot)
        finally:
            sys.settrace(None)
    return work, responses


def test_streamed_tool_arguments_cost_linear_work() -> None:
    small, small_responses = _work(_tool_stream(_argument_pieces(100)))
    large, large_responses = _work(_tool_stream(_argument_pieces(400)))
    # Four times the pieces (and text): linear work is about 4x, quadratic about 16x.
    # json.loads and pydantic run in C and Rust: they are counted by what they read.
    assert large.python_lines < 6 * small.python_lines
    assert large.json_characters < 6 * small.json_characters
    assert large.validated_characters < 6 * max(small.validated_characters, 1)
    for responses in (small_responses, large_responses):
        [block] = [b for b in responses[-1].message.blocks if isinstance(b, ToolCallBlock)]
        assert isinstance(block.tool_kwargs, dict)
        assert len(block.tool_kwargs["rows"]) in (100, 400)


def test_a_reading_never_changes_afterwards() -> None:
    # Readings share finished values, never the containers still being written.
    mapper = StreamMapper("gpt-5")
    snapshot = None
    handed_out: list[tuple[ToolCallBlock, str]] = []
    for chunk in _tool_stream(_argument_pieces(60)):
        snapshot = accumulate_chunk(snapshot, chunk)
        for response in mapper.feed(chunk, snapshot):
            for block in response.message.blocks:
                if isinstance(block, ToolCallBlock):
                    handed_out.append((block, json.dumps(block.tool_kwargs)))
    assert len(handed_out) > 50
    for block, as_handed_out in handed_out:
        assert json.dumps(block.tool_kwargs) == as_handed_out


# --- the incremental parser reads like llama-index's parse_partial_json, re-run each time


def _reference_partial(text: str) -> dict[str, Any]:
    """The rule as first written: parse_partial_json on the whole text, cutting back;
    a lone surrogate reads as U+FFFD, as in every parse of server text."""

    def last_cut(value: str) -> str:
        in_string = escaped = False
        last = -1
        for index, char in enumerate(value):
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in ",:{[":
                last = index
        return value[: last + 1]

    if not text.strip():
        return {}
    candidate = text
    for _ in range(64):
        try:
            value = parse_partial_json(candidate)
        except ValueError:
            candidate = last_cut(candidate[:-1])
            if not candidate:
                return {}
            continue
        cleaned: dict[str, Any] = without_lone_surrogates(value) if isinstance(value, dict) else {}
        return cleaned
    return {}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)
# Strings that exercise the string rules: colons, escapes, raw newlines, surrogates.
_STRINGS = st.text(alphabet=st.sampled_from([*'ab:"\\\n\t/é', "\U0001f600", "\ud800"]), max_size=8)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _STRINGS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_STRINGS, inner, max_size=4),
    max_leaves=12,
)
_OBJECTS = st.dictionaries(_STRINGS, _VALUES, max_size=5)
_TEXTS = st.one_of(
    _JSON.map(json.dumps),
    _JSON.map(lambda value: json.dumps(value, indent=1)),
    st.text(alphabet='{}[]":,\\ \nabtrue0-1.', max_size=30),
    # Tool arguments are objects: the incremental builder's texts, and its near misses.
    _OBJECTS.map(json.dumps),
    _OBJECTS.map(lambda value: json.dumps(value, ensure_ascii=False, indent=1)),
    _OBJECTS.map(lambda value: json.dumps(value).replace("\\n", "\n")),
    st.tuples(_OBJECTS.map(json.dumps), st.text(alphabet='{}[]":,\\ x', max_size=3)).map("".join),
)


@settings(deadline=None, max_examples=400)  # no wall-clock limits in this suite
@given(text=_TEXTS, data=st.data())
def test_any_chunking_reads_like_a_full_reparse(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(0, len(text)), max_size=8)))
    arguments = PartialArguments()
    fed = 0
    for cut in [*cuts, len(text)]:
        arguments.feed(text[fed:cut])
        fed = cut
        assert arguments.value() == _reference_partial(text[:cut])
