"""A LlamaIndex stream shows each piece when its chunk arrives, and costs linear time.

No clocks: the transport records what the reader had already seen each time the client
asked it for more bytes, and the cost is counted in executed Python lines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ToolCallBlock
from llama_index.core.llms.utils import parse_partial_json

from assemblyai_gateway import ChatCompletionChunk, accumulate_chunk
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
    text = json.dumps({"code": "x = 1\n" * count, "items": list(range(count))})
    size = -(-len(text) // count)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _python_lines(chunks: list[ChatCompletionChunk]) -> tuple[int, list[ChatResponse]]:
    """Map a stream, counting every Python line executed while doing it."""
    lines = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        if event == "line":
            lines += 1
        return trace

    mapper = StreamMapper("gpt-5")
    snapshot = None
    responses: list[ChatResponse] = []
    sys.settrace(trace)
    try:
        for chunk in chunks:
            snapshot = accumulate_chunk(snapshot, chunk)
            responses += mapper.feed(chunk, snapshot)
        assert snapshot is not None
        responses += mapper.finish(snapshot)
    finally:
        sys.settrace(None)
    return lines, responses


def test_streamed_tool_arguments_cost_linear_work() -> None:
    small, small_responses = _python_lines(_tool_stream(_argument_pieces(100)))
    large, large_responses = _python_lines(_tool_stream(_argument_pieces(400)))
    # Four times the pieces (and text): linear work is about 4x, quadratic about 16x.
    assert large < 6 * small
    for responses in (small_responses, large_responses):
        [block] = [b for b in responses[-1].message.blocks if isinstance(b, ToolCallBlock)]
        assert isinstance(block.tool_kwargs, dict)
        assert len(block.tool_kwargs["items"]) in (100, 400)


# --- the incremental parser reads like llama-index's parse_partial_json, re-run each time


def _reference_partial(text: str) -> dict[str, Any]:
    """The rule as first written: parse_partial_json on the whole text, cutting back."""

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
        return value if isinstance(value, dict) else {}
    return {}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)
_TEXTS = st.one_of(
    _JSON.map(json.dumps),
    _JSON.map(lambda value: json.dumps(value, indent=1)),
    st.text(alphabet='{}[]":,\\ \nabtrue0-1.', max_size=30),
)


@settings(deadline=None)  # no wall-clock limits in this suite
@given(text=_TEXTS, data=st.data())
def test_any_chunking_reads_like_a_full_reparse(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(0, len(text)), max_size=8)))
    arguments = PartialArguments()
    fed = 0
    for cut in [*cuts, len(text)]:
        arguments.feed(text[fed:cut])
        fed = cut
        assert arguments.value() == _reference_partial(text[:cut])
