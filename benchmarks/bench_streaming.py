"""Streaming: per-chunk cost of consuming one long SSE response.

The in-memory transport serves ``stream_chunks`` OpenAI chunk events (one ``bytes``
per event, as a server flushing each token would) and ``data: [DONE]``. Each client
consumes the whole stream; the value is the stream's time divided by the chunk count.
The floor is httpx-sse over the same response with ``json.loads`` per event.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
from httpx_sse import connect_sse

from ._common import (
    BENCH_API_KEY,
    STREAM_MODEL,
    BenchConfig,
    BenchResult,
    Case,
    failure_note,
    measure_cases,
    openai_like_class,
    ratio_target,
    sse_events,
)

__all__ = ["make_stream_transport", "run"]

BENCH = "streaming"
BASE_URL = "http://gateway.bench.invalid/v1"  # never resolved: the transport is in memory
PROMPT = "Count"


class _EventStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Yields the SSE body one event at a time, for sync and async clients alike."""

    def __init__(self, events: list[bytes]) -> None:
        self._events = events

    def __iter__(self) -> Iterator[bytes]:
        yield from self._events

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self._events:
            yield event


def make_stream_transport(chunks: int) -> httpx.MockTransport:
    """A transport answering every request with the same ``chunks``-event SSE body."""
    events = sse_events(chunks)
    headers = {"content-type": "text/event-stream"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, stream=_EventStream(events))

    return httpx.MockTransport(handler)


def _stream_case(
    name: str, label: str, consume: Callable[[], int], minimum: int, note: str = ""
) -> Case:
    """Check once that ``consume`` sees the stream, then time whole streams."""
    try:
        seen = consume()
    except Exception as exc:
        return Case(name, label, note=failure_note(exc))
    if seen < minimum:
        return Case(name, label, note=f"n/a (saw {seen} chunks, expected >= {minimum})")

    def runner(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            consume()
        return time.perf_counter() - start

    return Case(name, label, runner, note)


def _count(items: Any) -> int:
    return sum(1 for _ in items)


def run(config: BenchConfig) -> BenchResult:
    """Measure µs per chunk of ours, ChatOpenAI, OpenAILike, the core and the decoder floor.

    Args:
        config: Sizes; ``rounds`` x ``stream_iterations`` whole streams per case.
    """
    from langchain_openai import ChatOpenAI
    from llama_index.core.llms import ChatMessage

    from assemblyai_gateway import GatewayClient

    started = time.perf_counter()
    result = BenchResult(BENCH)
    chunks = config.stream_chunks
    # Frameworks may drop the role-only or finish chunk, or add a usage one: accept a
    # few less, and always divide by the events on the wire.
    minimum = max(1, chunks - 2)
    transport = make_stream_transport(chunks)
    clients: list[httpx.Client] = []

    def client() -> httpx.Client:
        clients.append(httpx.Client(transport=transport))
        return clients[-1]

    url = f"{BASE_URL}/chat/completions"
    payload = {
        "model": STREAM_MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "stream": True,
    }
    raw = client()

    def raw_floor() -> int:
        seen = 0
        with connect_sse(
            raw, "POST", url, json=payload, headers={"Authorization": BENCH_API_KEY}
        ) as source:
            for event in source.iter_sse():
                if event.data == "[DONE]":
                    break
                json.loads(event.data)
                seen += 1
        return seen

    core = GatewayClient(api_key=BENCH_API_KEY, http_client=client())
    core_request = {"model": STREAM_MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    chat_openai = ChatOpenAI(
        model=STREAM_MODEL,
        base_url=BASE_URL,
        api_key=BENCH_API_KEY,
        http_client=client(),
    )
    openai_like = openai_like_class()(
        model=STREAM_MODEL,
        api_base=BASE_URL,
        api_key=BENCH_API_KEY,
        is_chat_model=True,
        http_client=client(),
    )
    li_messages = [ChatMessage(role="user", content=PROMPT)]
    cases = [
        _stream_case("raw_sse_floor", "floor: httpx-sse + json.loads", raw_floor, minimum),
        _stream_case(
            "core_stream",
            "core: GatewayClient.stream (no framework)",
            lambda: _count(core.stream(core_request)),
            minimum,
        ),
        _stream_case(
            "chatopenai_stream",
            "ChatOpenAI.stream",
            lambda: _count(chat_openai.stream(PROMPT)),
            minimum,
        ),
        _stream_case(
            "openailike_stream",
            "OpenAILike.stream_chat",
            lambda: _count(openai_like.stream_chat(li_messages)),
            minimum,
        ),
    ]

    from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    from llama_index_assemblyai_gateway import AssemblyAIGateway

    lc = ChatAssemblyAIGateway(model=STREAM_MODEL, api_key=BENCH_API_KEY, http_client=client())
    label = f"ours: ChatAssemblyAIGateway.stream ({STREAM_MODEL})"
    cases.append(
        _stream_case("ours_langchain_stream", label, lambda: _count(lc.stream(PROMPT)), minimum)
    )

    li = AssemblyAIGateway(model=STREAM_MODEL, api_key=BENCH_API_KEY, http_client=client())
    label = f"ours: AssemblyAIGateway.stream_chat ({STREAM_MODEL})"
    cases.append(
        _stream_case(
            "ours_llamaindex_stream", label, lambda: _count(li.stream_chat(li_messages)), minimum
        )
    )

    try:
        result.measurements = measure_cases(
            BENCH,
            cases,
            unit="µs/chunk",
            scale=1e6 / chunks,
            rounds=config.rounds,
            iterations=config.stream_iterations,
            warmup=1,
        )
    finally:
        for c in clients:
            c.close()
    values = result.by_name()
    result.targets += [
        ratio_target(
            BENCH,
            "stream per chunk (LangChain): ours / ChatOpenAI",
            values,
            "ours_langchain_stream",
            ["chatopenai_stream"],
            0.5,
        ),
        ratio_target(
            BENCH,
            "stream per chunk (LlamaIndex): ours / ChatOpenAI",
            values,
            "ours_llamaindex_stream",
            ["chatopenai_stream"],
            0.5,
        ),
        ratio_target(
            BENCH,
            "stream per chunk (LlamaIndex): ours / OpenAILike",
            values,
            "ours_llamaindex_stream",
            ["openailike_stream"],
            0.5,
            informational=True,
        ),
    ]
    result.notes.append(
        f"{chunks}-event SSE body, one event per read; {config.rounds} interleaved rounds x "
        f"{config.stream_iterations} whole streams per case; µs/chunk = stream time / {chunks}."
    )
    result.seconds = time.perf_counter() - started
    return result
