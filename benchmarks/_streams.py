"""SSE bodies and in-memory transports for the streaming benchmark.

* :func:`tool_call_events`: one tool call whose JSON arguments (rows of objects) arrive
  in N pieces, the shape that makes per-piece argument re-parsing quadratic.
* :class:`PacedTransport`: an SSE body delivered one event every ``gap_s`` seconds,
  recording when each event left the transport, so a consumer can tell whether each
  piece reached the user when it arrived or was held back.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx

from benchmarks._common import STREAM_MODEL

__all__ = [
    "PacedTransport",
    "expected_arguments",
    "piece_index",
    "tool_call_events",
    "transport_for",
]

_PIECE = re.compile(r"tok(\d+) ")


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": STREAM_MODEL,
        "request_id": "9f2c6f1e-1d7a-4d8e-9a51-6b0f2a4c8e11",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def _arguments_text(pieces: int) -> str:
    """What an extraction agent streams: a query, then rows of small objects, the text
    growing with the pieces (about 5.5 characters a piece, as model tokens are)."""
    rows = [{"id": index, "note": f"item {index}: ok"} for index in range(max(1, pieces // 6))]
    return json.dumps({"query": "find: every item", "rows": rows})


def tool_call_events(pieces: int) -> list[bytes]:
    """One ``lookup`` tool call whose arguments (a JSON object) arrive in ``pieces`` events.

    The object holds a list of rows (see :func:`expected_arguments`), so a client that
    reads the arguments so far on every piece by parsing them again pays for every row
    seen so far on every piece: its cost per piece grows with the stream.
    """
    head = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "index": 0,
                "id": "call_bench",
                "type": "function",
                "function": {"name": "lookup", "arguments": ""},
            }
        ],
    }
    text = _arguments_text(pieces)
    cuts = [round(number * len(text) / pieces) for number in range(pieces + 1)]
    parts = [text[start:stop] for start, stop in itertools.pairwise(cuts)]
    events = [_chunk(head)]
    events += [
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}) for part in parts
    ]
    events.append(_chunk({}, finish="tool_calls"))
    events.append(b"data: [DONE]\n\n")
    return events


def expected_arguments(pieces: int) -> dict[str, Any]:
    """The arguments :func:`tool_call_events` adds up to."""
    value: dict[str, Any] = json.loads(_arguments_text(pieces))
    return value


class _Events(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, events: list[bytes]) -> None:
        self._events = events

    def __iter__(self) -> Iterator[bytes]:
        yield from self._events

    async def __aiter__(self) -> Any:
        for event in self._events:
            yield event


def transport_for(events: list[bytes]) -> httpx.MockTransport:
    """A transport answering every request with ``events``, one event per read."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_Events(events)
        )

    return httpx.MockTransport(handler)


class _PacedEvents(httpx.SyncByteStream):
    def __init__(self, events: list[bytes], gap_s: float, sent: list[float]) -> None:
        self._events = events
        self._gap_s = gap_s
        self._sent = sent

    def __iter__(self) -> Iterator[bytes]:
        self._sent.clear()
        for number, event in enumerate(self._events):
            if number:
                time.sleep(self._gap_s)
            self._sent.append(time.perf_counter())
            yield event


class PacedTransport(httpx.MockTransport):
    """Sync SSE: one event every ``gap_s`` seconds; ``sent[i]`` is when event i left.

    Args:
        events: The SSE events, content pieces ``tok<i> `` first (see ``sse_events``).
        gap_s: The pause before every event but the first.
    """

    def __init__(self, events: list[bytes], gap_s: float) -> None:
        self.sent: list[float] = []

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                200,
                headers={"content-type": "text/event-stream"},
                stream=_PacedEvents(events, gap_s, self.sent),
            )

        super().__init__(handler)


def piece_index(text: object) -> int | None:
    """The ``i`` of a ``tok<i> `` content piece, or ``None`` for any other chunk."""
    if not isinstance(text, str):
        return None
    match = _PIECE.fullmatch(text)
    return int(match.group(1)) if match else None
