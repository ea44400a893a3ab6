"""A hostile gateway on 127.0.0.1: what it sends must end in an answer or a typed error.

Each test drives the core client sync and async (``sync_or_async``) against a
:class:`HostileServer` that writes raw bytes: unusable ``Retry-After`` values, silence
after ``[DONE]``, absurdly deep JSON, gzip bombs and endless bodies, mislabelled
charsets, errors inside a 200, trickles and keep-alive events. Retry waits are
recorded, never slept (``retry_waits``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest

from assemblyai_gateway import (
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
)
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway.errors import ResponseTooLargeError
from assemblyai_gateway.testing import chunk_body, completion_body, error_body
from tests.conftest import CollectStream, Complete
from tests.support.hostile import HOSTILE_KEY, Hostile, Peer, sse_event

KEY = HOSTILE_KEY
GPT_REQUEST = {"model": "gpt-5", "messages": [{"role": "user", "content": "hi"}]}
CLAUDE_REQUEST = {
    "model": "claude-sonnet-4-5-20250929",
    "messages": [{"role": "user", "content": "hi"}],
}
DEEP = "[" * 10_000 + "]" * 10_000  # valid JSON that json.loads cannot nest into


def _scripted(*answers: Any) -> Iterator[Any]:
    """Answers in turn; the last one repeats."""
    yield from answers[:-1]
    while True:
        yield answers[-1]


def _sequence(*handlers: Any) -> Any:
    steps = _scripted(*handlers)

    def handle(peer: Peer) -> None:
        next(steps)(peer)

    return handle


def _ok(peer: Peer) -> None:
    peer.send_json(200, completion_body("fine"))


def _sse_ok(peer: Peer) -> None:
    peer.start_chunked()
    peer.chunk(sse_event(chunk_body("fine", role="assistant")))
    peer.chunk(sse_event(chunk_body(finish_reason="stop")))
    peer.chunk(b"data: [DONE]\n\n")
    peer.chunk(b"")


# ----------------------------------------------------------------- 3. Retry-After


@pytest.mark.parametrize(
    "retry_after",
    [
        "Fri, 01 Jan 10000 00:00:00 GMT",
        "Mon, 99 Foo 2024 99:99:99 GMT",
        "1e400",
        "nan",
        "-5",
        "soon",
    ],
)
async def test_an_unusable_retry_after_falls_back_to_backoff(
    hostile: Hostile,
    complete: Complete,
    retry_waits: list[float],
    retry_after: str,
) -> None:
    def rate_limited(peer: Peer) -> None:
        peer.send_json(429, error_body(429, "slow down"), {"retry-after": retry_after})

    server = hostile.serve(_sequence(rate_limited, _ok))
    completion = await complete(hostile.client(server, max_retries=1), CLAUDE_REQUEST)

    assert completion.choices[0].message.content == "fine"
    assert server.requests == 2
    assert len(retry_waits) == 1
    assert 0.5 <= retry_waits[0] <= 0.75  # the first jittered backoff step


# ------------------------------------------------------------ 4. [DONE] ends it


async def test_done_ends_the_stream_at_once_even_if_the_connection_stays_open(
    hostile: Hostile, collect_stream: CollectStream
) -> None:
    def done_then_silence(peer: Peer) -> None:
        peer.start_chunked()
        peer.chunk(sse_event(chunk_body("Hi", role="assistant")))
        peer.chunk(sse_event(chunk_body(finish_reason="stop")))
        peer.chunk(sse_event(chunk_body(choices=False, usage=(3, 1))))
        peer.chunk(b"data: [DONE]\n\n")
        peer.hold()  # never ends the chunked body

    server = hostile.serve(done_then_silence)
    # A read timeout far beyond the test: only [DONE] can end this stream in time.
    chunks, error = await collect_stream(hostile.client(server, timeout=10.0), GPT_REQUEST)

    assert error is None
    assert [c.usage.total_tokens for c in chunks if c.usage] == [4]


async def test_langchain_keeps_the_final_usage_chunk_when_done_is_followed_by_silence(
    hostile: Hostile,
) -> None:
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway

    def done_then_silence(peer: Peer) -> None:
        peer.start_chunked()
        peer.chunk(sse_event(chunk_body("Hi", role="assistant")))
        peer.chunk(sse_event(chunk_body(finish_reason="stop")))
        peer.chunk(sse_event(chunk_body(choices=False, usage=(3, 1))))
        peer.chunk(b"data: [DONE]\n\n")
        peer.hold()

    server = hostile.serve(done_then_silence)
    llm = ChatAssemblyAIGateway(
        model="gpt-5", api_key=KEY, base_url=server.base_url, timeout=10.0, max_retries=0
    )
    usage = [c.usage_metadata for c in await _alist(llm.astream("hi")) if c.usage_metadata]
    assert [u["total_tokens"] for u in usage] == [4]
    await llm.aclose()


async def _alist(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


# -------------------------------------------------------------- 5. deep JSON


async def test_a_deeply_nested_5xx_body_is_a_retried_status_error(
    hostile: Hostile, complete: Complete, retry_waits: list[float]
) -> None:
    def deep_error(peer: Peer) -> None:
        peer.send_body(500, ('{"error": {"message": ' + DEEP + "}}").encode())

    server = hostile.serve(_sequence(deep_error, _ok))
    completion = await complete(hostile.client(server, max_retries=1), CLAUDE_REQUEST)
    assert completion.choices[0].message.content == "fine"
    assert server.requests == 2

    server.handler = deep_error
    with pytest.raises(InternalServerError) as raised:
        await complete(hostile.client(server), CLAUDE_REQUEST)
    assert raised.value.status_code == 500


async def test_a_deeply_nested_sse_frame_is_a_typed_error(
    hostile: Hostile, collect_stream: CollectStream
) -> None:
    def deep_frame(peer: Peer) -> None:
        peer.start_chunked()
        peer.chunk(f"data: {DEEP}\n\n".encode())
        peer.chunk(b"")

    server = hostile.serve(deep_frame)
    _, error = await collect_stream(hostile.client(server), GPT_REQUEST)
    # No event parses, so the request is sent once more without `stream` (the streaming
    # rule); this server answers that with the same frame, which is no completion either.
    assert isinstance(error, ResponseValidationError)
    assert "not a chat completion" in str(error)


def _deep_tool_call_answer(peer: Peer) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": DEEP}}
    peer.send_json(200, completion_body(None, tool_calls=[call]))


def _deep_tool_call_stream(peer: Peer) -> None:
    delta = {"index": 0, "id": "c1", "function": {"name": "f", "arguments": DEEP}}
    peer.start_chunked()
    peer.chunk(sse_event(chunk_body(tool_calls=[delta])))
    peer.chunk(sse_event(chunk_body(finish_reason="tool_calls")))
    peer.chunk(b"data: [DONE]\n\n")
    peer.chunk(b"")


@pytest.mark.parametrize("way", ["invoke", "ainvoke", "stream", "astream"])
async def test_deeply_nested_tool_arguments_are_kept_as_invalid_like_malformed_json(
    hostile: Hostile, way: Any
) -> None:
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    from llama_index_assemblyai_gateway import AssemblyAIGateway
    from tests.support.reliability import LangChainDriver, LlamaIndexDriver

    streamed = way in ("stream", "astream")
    server = hostile.serve(_deep_tool_call_stream if streamed else _deep_tool_call_answer)
    model = "gpt-5" if streamed else "claude-sonnet-4-5-20250929"
    settings = {"api_key": KEY, "base_url": server.base_url, "max_retries": 0}
    models: list[Any] = [
        ChatAssemblyAIGateway(model=model, **settings),
        AssemblyAIGateway(model=model, **settings),
    ]
    for driver_type, llm in zip([LangChainDriver, LlamaIndexDriver], models, strict=True):
        driver = driver_type(None, None)  # type: ignore[arg-type]
        reply = (await driver.call(llm, way)).ok()  # no RecursionError
        # Mapped like malformed JSON: the raw text survives, no usable arguments.
        assert reply.raw_arguments == [DEEP]
        if driver.name == "llama_index":
            assert reply.tool_calls == [("f", {})]  # documented for unparsable text
        elif not streamed:
            assert reply.tool_calls == []
            assert reply.invalid_tool_calls == [("f", DEEP)]
        else:  # LangChain's chunk sum re-parses leniently; kept exactly once
            assert len(reply.tool_calls) + len(reply.invalid_tool_calls) == 1
        await llm.aclose()


# ----------------------------------------------------------- 6. size limits


def _gzip_bomb(status: int, decompressed: int) -> Any:
    payload = gzip.compress(b'{"error": {"message": "' + b" " * decompressed + b'"}}')

    def bomb(peer: Peer) -> None:
        peer.send_body(status, payload, {"content-encoding": "gzip"})

    return bomb


async def test_a_gzip_bomb_is_refused_while_reading(hostile: Hostile, complete: Complete) -> None:
    server = hostile.serve(_gzip_bomb(200, 8 * 1024 * 1024))
    client = hostile.client(server, max_response_bytes=1024 * 1024)
    with pytest.raises(ResponseTooLargeError) as raised:
        await complete(client, CLAUDE_REQUEST)
    assert raised.value.limit == 1024 * 1024


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
async def test_the_adapters_pass_their_limits_to_the_core(hostile: Hostile, framework: str) -> None:
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    from llama_index_assemblyai_gateway import AssemblyAIGateway

    server = hostile.serve(_gzip_bomb(200, 8 * 1024 * 1024))
    limits = {"max_response_bytes": 1024 * 1024, "attempt_deadline": 30.0, "max_event_size": 4096}
    settings = {"api_key": KEY, "base_url": server.base_url, "max_retries": 0, **limits}
    llm: Any = (
        ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", **settings)
        if framework == "langchain"
        else AssemblyAIGateway(model="claude-sonnet-4-5-20250929", **settings)
    )
    client = llm.client if framework == "langchain" else llm._gateway_client()
    assert (client.attempt_deadline, client.limits.max_event_size) == (30.0, 4096)
    with pytest.raises(ResponseTooLargeError):
        await llm.ainvoke("hi") if framework == "langchain" else await llm.acomplete("hi")
    await llm.aclose()


async def test_an_endless_body_is_refused_while_reading(
    hostile: Hostile, complete: Complete
) -> None:
    def endless(peer: Peer) -> None:
        peer.start_chunked(content_type="application/json")
        for _ in range(10_000):  # bounded: 640 MiB, far beyond the cap
            peer.chunk(b" " * 65536)

    server = hostile.serve(endless)
    with pytest.raises(ResponseTooLargeError):
        await complete(hostile.client(server, max_response_bytes=1024 * 1024), CLAUDE_REQUEST)


async def test_a_5xx_gzip_bomb_is_retried_with_a_capped_body(
    hostile: Hostile, complete: Complete, retry_waits: list[float]
) -> None:
    server = hostile.serve(_gzip_bomb(500, 8 * 1024 * 1024))
    with pytest.raises(InternalServerError) as raised:
        await complete(hostile.client(server, max_retries=2), CLAUDE_REQUEST)
    assert server.requests == 3
    assert len(str(raised.value)) <= 2_000
    assert len(json.dumps(raised.value.body, default=str)) <= 70_000


async def test_a_huge_gateway_error_message_is_truncated(
    hostile: Hostile, complete: Complete
) -> None:
    message = "x" * (10 * 1024 * 1024)

    def huge(peer: Peer) -> None:
        peer.send_json(400, error_body(400, message))

    server = hostile.serve(huge)
    with pytest.raises(BadRequestError) as raised:
        await complete(hostile.client(server), CLAUDE_REQUEST)
    assert len(str(raised.value)) <= 2_000
    assert len(repr(raised.value.args)) <= 2_000
    assert len(json.dumps(raised.value.body, default=str)) <= 70_000


async def test_an_sse_event_beyond_the_event_cap_is_refused(
    hostile: Hostile, collect_stream: CollectStream
) -> None:
    def huge_event(peer: Peer) -> None:
        peer.start_chunked()
        peer.chunk(sse_event(chunk_body("x" * (2 * 1024 * 1024), role="assistant")))
        peer.chunk(b"data: [DONE]\n\n")
        peer.chunk(b"")

    server = hostile.serve(huge_event)
    _, error = await collect_stream(hostile.client(server, max_event_size=1024 * 1024), GPT_REQUEST)
    assert isinstance(error, ResponseTooLargeError)


async def test_an_sse_line_without_end_is_refused_while_reading(
    hostile: Hostile, collect_stream: CollectStream
) -> None:
    def endless_line(peer: Peer) -> None:
        peer.start_chunked()
        peer.chunk(b"data: ")
        for _ in range(10_000):  # bounded: 640 MiB without a newline
            peer.chunk(b"x" * 65536)

    server = hostile.serve(endless_line)
    _, error = await collect_stream(hostile.client(server, max_event_size=1024 * 1024), GPT_REQUEST)
    assert isinstance(error, ResponseTooLargeError)


# ------------------------------------------------------- 7. mislabelled charset


async def test_sse_labelled_utf16_is_decoded_as_utf8(
    hostile: Hostile, collect_stream: CollectStream
) -> None:
    def mislabelled(peer: Peer) -> None:
        peer.send_head(
            200,
            {"content-type": "text/event-stream; charset=utf-16", "transfer-encoding": "chunked"},
        )
        peer.chunk(sse_event(chunk_body("héllo wörld", role="assistant")))
        peer.chunk(sse_event(chunk_body(finish_reason="stop")))
        peer.chunk(b"data: [DONE]\n\n")
        peer.chunk(b"")

    server = hostile.serve(mislabelled)
    chunks, error = await collect_stream(hostile.client(server), GPT_REQUEST)
    assert error is None
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "héllo wörld"


async def test_a_502_labelled_utf16_is_a_retried_status_error(
    hostile: Hostile, complete: Complete, retry_waits: list[float]
) -> None:
    def mislabelled(peer: Peer) -> None:
        peer.send_body(502, b"Bad gateway!", {"content-type": "text/plain; charset=utf-16"})

    server = hostile.serve(_sequence(mislabelled, _ok))
    completion = await complete(hostile.client(server, max_retries=1), CLAUDE_REQUEST)
    assert completion.choices[0].message.content == "fine"

    server.handler = mislabelled
    with pytest.raises(InternalServerError) as raised:
        await complete(hostile.client(server), CLAUDE_REQUEST)
    assert "Bad gateway!" in str(raised.value)


# ------------------------------------------------------ 9. an error inside a 200


@pytest.mark.parametrize(
    ("code", "error_type"), [(503, InternalServerError), (429, RateLimitError)]
)
async def test_an_error_object_inside_a_200_is_the_status_error_its_code_names(
    hostile: Hostile,
    complete: Complete,
    retry_waits: list[float],
    code: int,
    error_type: type[Exception],
) -> None:
    def error_in_200(peer: Peer) -> None:
        peer.send_json(200, {"request_id": "req-9", **error_body(code, "provider overloaded")})

    server = hostile.serve(_sequence(error_in_200, _ok))
    completion = await complete(hostile.client(server, max_retries=1), CLAUDE_REQUEST)
    assert completion.choices[0].message.content == "fine"
    assert server.requests == 2

    server.handler = error_in_200
    with pytest.raises(error_type) as raised:
        await complete(hostile.client(server), CLAUDE_REQUEST)
    assert "provider overloaded" in str(raised.value)
    assert getattr(raised.value, "status_code", None) == code
    assert raised.value.request_id == "req-9"  # type: ignore[attr-defined]


async def test_an_error_object_without_a_code_keeps_the_gateway_message(
    hostile: Hostile, complete: Complete
) -> None:
    server = hostile.serve(lambda peer: peer.send_json(200, {"error": {"message": "odd"}}))
    with pytest.raises(ResponseValidationError) as raised:
        await complete(hostile.client(server), CLAUDE_REQUEST)
    assert "odd" in str(raised.value)


# --------------------------------------------------------- 10. attempt deadline


def _trickle(peer: Peer) -> None:
    body = json.dumps(completion_body("slow")).encode()
    peer.send_head(200, {"content-type": "application/json", "content-length": str(len(body))})
    for byte in body:
        if peer.stop.wait(0.05):
            return
        peer.send(bytes([byte]))


async def test_a_trickling_body_hits_the_attempt_deadline(
    hostile: Hostile, complete: Complete
) -> None:
    server = hostile.serve(_trickle)
    with pytest.raises(APITimeoutError) as raised:
        await complete(hostile.client(server, attempt_deadline=0.5), CLAUDE_REQUEST)
    assert "deadline" in str(raised.value)


async def test_a_trickling_stream_hits_the_attempt_deadline(
    hostile: Hostile, collect_stream: CollectStream
) -> None:
    def trickle_events(peer: Peer) -> None:
        peer.start_chunked()
        for _ in range(300):
            if peer.stop.wait(0.05):
                return
            peer.chunk(b": still here\n")

    server = hostile.serve(trickle_events)
    _, error = await collect_stream(hostile.client(server, attempt_deadline=0.5), GPT_REQUEST)
    assert isinstance(error, APITimeoutError)
    assert "deadline" in str(error)


async def test_a_silent_server_costs_no_more_than_the_attempt_deadline(
    hostile: Hostile, complete: Complete
) -> None:
    server = hostile.serve(lambda peer: peer.hold())
    with pytest.raises(APITimeoutError) as raised:
        await complete(hostile.client(server, timeout=60.0, attempt_deadline=0.5), CLAUDE_REQUEST)
    assert "deadline" in str(raised.value)


def test_the_attempt_deadline_is_finite_by_default() -> None:
    client = GatewayClient(api_key=KEY)
    assert 0 < client.attempt_deadline < float("inf")


# ----------------------------------------------------------- 11. keep-alives


async def test_keep_alive_events_are_skipped(
    hostile: Hostile, collect_stream: CollectStream
) -> None:
    def with_pings(peer: Peer) -> None:
        peer.start_chunked()
        peer.chunk(b"event: ping\ndata: keep-alive\n\n")
        peer.chunk(sse_event(chunk_body("Hi", role="assistant")))
        peer.chunk(b"event: ping\ndata: {}\n\n")
        peer.chunk(b"event: heartbeat\ndata: \n\n")
        peer.chunk(sse_event(chunk_body(finish_reason="stop")))
        peer.chunk(b"data: [DONE]\n\n")
        peer.chunk(b"")

    server = hostile.serve(with_pings)
    chunks, error = await collect_stream(hostile.client(server), GPT_REQUEST)
    assert error is None
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Hi"
