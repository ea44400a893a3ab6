"""Bytes on the wire: compressed bodies, a stream's total, the header wait, TLS settings.

Each test drives the core client sync and async (``sync_or_async``) against a
:class:`~tests.support.hostile.HostileServer`. Memory is measured with ``tracemalloc``
(what Python allocates while the call runs), and a trickle by the bytes the server
managed to send, never by time.
"""

from __future__ import annotations

import gc
import gzip
import json
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assemblyai_gateway import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    ResponseTooLargeError,
    ResponseValidationError,
)
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway.testing import chunk_body, completion_body, error_body
from tests.conftest import CollectStream, Complete
from tests.support.certificates import certificates
from tests.support.compression import CODECS, ENCODINGS, NO_ZSTD, brotli, zstandard
from tests.support.hostile import Handler, Hostile, Peer, sse_event

GPT_REQUEST = {"model": "gpt-5", "messages": [{"role": "user", "content": "hi"}]}
CLAUDE_REQUEST = {
    "model": "claude-sonnet-4-5-20250929",
    "messages": [{"role": "user", "content": "hi"}],
}
MiB = 1024 * 1024
CAP = MiB
BOMB = 64 * MiB  # what one bomb inflates to: far beyond every cap here


_bombs: dict[tuple[str, bytes], bytes] = {}


def _bomb(codec: str, head: bytes, tail: bytes = b"") -> bytes:
    """``head``, 64 MiB of spaces and ``tail``, compressed (kilobytes on the wire)."""
    key = (codec, head + b"|" + tail)
    if key not in _bombs:
        _bombs[key] = CODECS[codec][1](head + b" " * BOMB + tail)
    return _bombs[key]


@dataclass
class Memory:
    """Bytes Python allocated in a block: ``peak`` while it ran, ``held`` at its end."""

    peak: int = 0
    held: int = 0


@contextmanager
def traced() -> Iterator[Memory]:
    gc.collect()
    tracemalloc.start()
    memory = Memory()
    base = tracemalloc.get_traced_memory()[0]
    try:
        yield memory
    finally:
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        memory.peak, memory.held = peak - base, held - base


def _send_encoded(status: int, body: bytes, codec: str, content_type: str) -> Handler:
    def handle(peer: Peer) -> None:
        encoding = CODECS[codec][0]
        peer.send_body(status, body, {"content-encoding": encoding, "content-type": content_type})

    return handle


# ------------------------------------------------------------------ decompression


@pytest.mark.parametrize("codec", ENCODINGS)
async def test_a_compression_bomb_is_refused_before_it_is_inflated(
    hostile: Hostile, complete: Complete, codec: str
) -> None:
    bomb = _bomb(codec, b'{"id": "x", "choices": [{"message": {"content": "', b'"}}]}')
    server = hostile.serve(_send_encoded(200, bomb, codec, "application/json"))
    client = hostile.client(server, max_response_bytes=CAP)

    with traced() as memory, pytest.raises(ResponseTooLargeError) as raised:
        await complete(client, CLAUDE_REQUEST)

    assert raised.value.limit == CAP
    assert memory.peak < 8 * MiB  # 64 MiB would have been inflated, one network chunk at a time


@pytest.mark.parametrize("codec", ENCODINGS)
async def test_a_compression_bomb_in_an_error_body_is_read_to_its_small_cap(
    hostile: Hostile, complete: Complete, codec: str
) -> None:
    bomb = _bomb(codec, b'{"error": {"message": "', b'"}}')
    server = hostile.serve(_send_encoded(500, bomb, codec, "application/json"))

    with traced() as memory, pytest.raises(InternalServerError) as raised:
        await complete(hostile.client(server), CLAUDE_REQUEST)

    assert raised.value.status_code == 500
    assert memory.peak < 8 * MiB


@pytest.mark.parametrize("codec", ENCODINGS)
async def test_a_compression_bomb_in_a_stream_is_refused_before_it_is_inflated(
    hostile: Hostile, collect_stream: CollectStream, codec: str
) -> None:
    bomb = _bomb(codec, b"data: ")
    server = hostile.serve(_send_encoded(200, bomb, codec, "text/event-stream"))
    client = hostile.client(server, max_event_size=CAP)

    with traced() as memory:
        _, error = await collect_stream(client, GPT_REQUEST)

    assert isinstance(error, ResponseTooLargeError)
    assert memory.peak < 8 * MiB


def _chunked_encoded(body: bytes, codec: str, content_type: str) -> Handler:
    """``body`` compressed and sent in 7-byte chunks, so every piece decodes separately."""

    def handle(peer: Peer) -> None:
        encoding, compress = CODECS[codec]
        data = compress(body)
        peer.send_head(
            200,
            {
                "content-type": content_type,
                "content-encoding": encoding,
                "transfer-encoding": "chunked",
            },
        )
        for start in range(0, len(data), 7):
            peer.chunk(data[start : start + 7])
        peer.chunk(b"")

    return handle


@pytest.mark.parametrize("codec", ENCODINGS)
async def test_each_encoding_the_client_asks_for_is_decoded(
    hostile: Hostile, complete: Complete, collect_stream: CollectStream, codec: str
) -> None:
    text = "héllo " * 40_000  # 240 KB: several decoded pieces
    answer = json.dumps(completion_body(text)).encode()
    events = (
        sse_event(chunk_body(text, role="assistant"))
        + sse_event(chunk_body(finish_reason="stop"))
        + b"data: [DONE]\n\n"
    )
    plain = hostile.serve(_chunked_encoded(answer, codec, "application/json"))
    streamed = hostile.serve(_chunked_encoded(events, codec, "text/event-stream"))

    completion = await complete(hostile.client(plain), CLAUDE_REQUEST)
    chunks, error = await collect_stream(hostile.client(streamed), GPT_REQUEST)

    assert completion.choices[0].message.content == text
    assert error is None
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == text
    accepted = _accept_encoding(plain.heads[0])
    assert CODECS[codec][0] in accepted


def _accept_encoding(head: bytes) -> set[str]:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "accept-encoding":
            return {part.strip() for part in value.split(",")}
    return set()


async def test_the_client_asks_only_for_encodings_it_decodes_with_a_bound(
    hostile: Hostile, complete: Complete
) -> None:
    server = hostile.serve(lambda peer: peer.send_json(200, completion_body("fine")))
    await complete(hostile.client(server), CLAUDE_REQUEST)

    assert _accept_encoding(server.heads[0]) == _bounded_encodings()


def _bounded_encodings() -> set[str]:
    expected = {"gzip", "deflate"}
    expected |= {"zstd"} if zstandard is not None else set()
    expected |= {"br"} if brotli is not None else set()
    return expected


@pytest.mark.parametrize(
    "encoding",
    [
        "x-unheard-of",
        "compress",
        "gzip, gzip, gzip, gzip",
        pytest.param(
            "br",
            marks=pytest.mark.skipif(brotli is not None, reason="brotli >= 1.2 decodes br"),
        ),
    ],
)
async def test_an_encoding_the_client_did_not_ask_for_is_a_typed_error(
    hostile: Hostile, complete: Complete, encoding: str
) -> None:
    # A plain completion, mislabelled: httpx would pass it on as if it were decoded.
    body = json.dumps(completion_body("fine")).encode()
    server = hostile.serve(lambda peer: peer.send_body(200, body, {"content-encoding": encoding}))

    with pytest.raises(ResponseValidationError) as raised:
        await complete(hostile.client(server), CLAUDE_REQUEST)
    assert "Content-Encoding" in str(raised.value) or "content encodings" in str(raised.value)


async def test_a_body_that_does_not_decompress_is_a_typed_error(
    hostile: Hostile, complete: Complete, retry_waits: list[float]
) -> None:
    def corrupt(status: int) -> Handler:
        return lambda peer: peer.send_body(status, b"not gzip at all", {"content-encoding": "gzip"})

    ok = hostile.serve(corrupt(200))
    with pytest.raises(ResponseValidationError, match="did not decompress"):
        await complete(hostile.client(ok), CLAUDE_REQUEST)

    failing = hostile.serve(corrupt(502))
    with pytest.raises(InternalServerError) as raised:
        await complete(hostile.client(failing, max_retries=1), CLAUDE_REQUEST)
    assert raised.value.status_code == 502
    assert failing.requests == 2  # still the retried status error it is


@pytest.mark.skipif(zstandard is None, reason=NO_ZSTD)
async def test_a_zstd_frame_asking_for_a_window_beyond_8_mib_is_refused(
    hostile: Hostile, complete: Complete
) -> None:
    params = zstandard.ZstdCompressionParameters(window_log=27, compression_level=3)
    squeezer = zstandard.ZstdCompressor(compression_params=params).compressobj()
    body = squeezer.compress(json.dumps(completion_body("fine")).encode()) + squeezer.flush()
    server = hostile.serve(lambda peer: peer.send_body(200, body, {"content-encoding": "zstd"}))

    with pytest.raises(ResponseValidationError, match="zstd"):
        await complete(hostile.client(server), CLAUDE_REQUEST)


async def test_a_compressed_error_body_is_still_quoted(
    hostile: Hostile, complete: Complete
) -> None:
    body = gzip.compress(json.dumps(error_body(400, "bad field")).encode())
    server = hostile.serve(lambda peer: peer.send_body(400, body, {"content-encoding": "gzip"}))
    with pytest.raises(BadRequestError, match="bad field"):
        await complete(hostile.client(server), CLAUDE_REQUEST)


# --------------------------------------------------------------- a stream's total

CONTENT_EVENT = sse_event(chunk_body("x" * 1000))
PING_EVENT = b"event: ping\ndata: " + b"p" * 1000 + b"\n\n"
COMMENT_EVENT = b": keep-alive " + b"c" * 1000 + b"\n\n"


def _endless(event: bytes) -> Handler:
    """The first chunk, then ``event`` over and over: 64 MiB, never ``[DONE]``."""
    block = event * (65536 // len(event) + 1)

    def handle(peer: Peer) -> None:
        peer.start_chunked()
        peer.chunk(sse_event(chunk_body("Hi", role="assistant")))
        for _ in range(BOMB // len(block)):
            if peer.stop.is_set():
                return
            peer.chunk(block)
        peer.chunk(b"")

    return handle


async def _drain(client: GatewayClient, mode: str) -> tuple[Memory, BaseException | None]:
    """Read a stream to its end keeping only the stream object (and its snapshot)."""
    error: BaseException | None = None
    with traced() as memory:
        if mode == "sync":
            stream = client.stream(GPT_REQUEST)
            try:
                for _ in stream:
                    pass
            except Exception as exc:
                error = exc
        else:
            astream = client.astream(GPT_REQUEST)
            try:
                async for _ in astream:
                    pass
            except Exception as exc:
                error = exc
    return memory, error


@pytest.mark.parametrize(
    "event", [CONTENT_EVENT, PING_EVENT, COMMENT_EVENT], ids=["content", "pings", "comments"]
)
async def test_a_stream_beyond_max_stream_bytes_is_refused(
    hostile: Hostile, sync_or_async: str, event: bytes
) -> None:
    client = hostile.client(hostile.serve(_endless(event)), max_stream_bytes=CAP)

    memory, error = await _drain(client, sync_or_async)

    assert isinstance(error, ResponseTooLargeError)
    assert error.limit == CAP
    assert "max_stream_bytes" in str(error)
    # The text of a snapshot is held legitimately, and it is under the cap; raw bytes,
    # keep-alives and comments are never held.
    assert memory.held < 2 * MiB
    assert memory.peak < 8 * MiB


def test_a_streams_total_is_capped_by_default() -> None:
    client = GatewayClient(api_key="k")
    assert 0 < client.limits.max_stream_bytes < 1024 * MiB
    assert client.limits.max_stream_bytes >= client.limits.max_response_bytes


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_the_adapters_pass_max_stream_bytes_to_the_core(framework: str) -> None:
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    from llama_index_assemblyai_gateway import AssemblyAIGateway

    if framework == "langchain":
        chat = ChatAssemblyAIGateway(model="gpt-5", api_key="k", max_stream_bytes=3 * MiB)
        assert chat.client.limits.max_stream_bytes == 3 * MiB
    else:
        llm = AssemblyAIGateway(model="gpt-5", api_key="k", max_stream_bytes=3 * MiB)
        assert llm._gateway_client().limits.max_stream_bytes == 3 * MiB


# ------------------------------------------------------------- the header deadline

_TRICKLED_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-padding: " + b"a" * 1200 + b"\r\n"
)


@dataclass
class Trickle:
    """A server sending its response headers one byte every 50 ms (a minute in all)."""

    sent: int = 0

    def __call__(self, peer: Peer) -> None:
        for byte in _TRICKLED_HEAD:
            if peer.stop.wait(0.05):
                return
            try:
                peer.send(bytes([byte]))
            except OSError:
                return  # the client hung up
            self.sent += 1
        body = json.dumps(completion_body("too late")).encode()
        peer.send(b"content-length: %d\r\n\r\n%s" % (len(body), body))


async def test_response_headers_trickled_past_the_deadline_are_cut_off(
    hostile: Hostile, complete: Complete
) -> None:
    trickle = Trickle()
    client = hostile.client(hostile.serve(trickle), timeout=60.0, attempt_deadline=0.5)

    with pytest.raises(APITimeoutError, match="attempt_deadline"):
        await complete(client, CLAUDE_REQUEST)

    # Cut off early: the server sent a fraction of its headers, nowhere near all of them.
    assert trickle.sent < len(_TRICKLED_HEAD) // 4


async def test_trickled_headers_are_cut_off_through_a_proxy_from_the_environment(
    hostile: Hostile, complete: Complete, monkeypatch: pytest.MonkeyPatch
) -> None:
    trickle = Trickle()
    proxy = hostile.serve(trickle)  # answers the proxied request itself
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    client = hostile.client(
        proxy, base_url="http://gateway.invalid/v1", timeout=60.0, attempt_deadline=0.5
    )

    with pytest.raises(APITimeoutError, match="attempt_deadline"):
        await complete(client, CLAUDE_REQUEST)

    assert proxy.requests == 1
    assert trickle.sent < len(_TRICKLED_HEAD) // 4


@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
def test_the_adapters_sync_calls_end_by_the_deadline_while_waiting_for_headers(
    hostile: Hostile, framework: str
) -> None:
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    from llama_index_assemblyai_gateway import AssemblyAIGateway
    from tests.support.hostile import HOSTILE_KEY

    trickle = Trickle()
    server = hostile.serve(trickle)
    settings: dict[str, Any] = {
        "model": "claude-sonnet-4-5-20250929",
        "api_key": HOSTILE_KEY,
        "base_url": server.base_url,
        "max_retries": 0,
        "timeout": 60.0,
        "attempt_deadline": 0.5,
    }
    call = (
        ChatAssemblyAIGateway(**settings).invoke
        if framework == "langchain"
        else AssemblyAIGateway(**settings).complete
    )
    with pytest.raises(APITimeoutError):
        call("hi")
    assert trickle.sent < len(_TRICKLED_HEAD) // 4


# ----------------------------------------------------------------- TLS settings


async def test_tls_settings_changed_after_the_first_call_reach_new_clients(
    hostile: Hostile, complete: Complete, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca_file, server_tls = certificates(tmp_path)
    answer = completion_body("fine")
    server = hostile.serve(lambda peer: peer.send_json(200, answer), tls=server_tls)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    with pytest.raises(APIConnectionError):  # the default bundle does not know our CA
        await complete(hostile.client(server), CLAUDE_REQUEST)

    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    completion = await complete(hostile.client(server), CLAUDE_REQUEST)
    assert completion.choices[0].message.content == "fine"

    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(APIConnectionError):
        await complete(hostile.client(server), CLAUDE_REQUEST)


async def test_accept_encoding_is_ours_whatever_the_caller_set(
    hostile: Hostile, complete: Complete
) -> None:
    import httpx

    server = hostile.serve(lambda peer: peer.send_json(200, completion_body("fine")))
    theirs = {"Accept-Encoding": "br, compress"}
    with httpx.Client(headers=theirs) as injected:
        async with httpx.AsyncClient(headers=theirs) as ainjected:
            client = hostile.client(
                server,
                default_headers={"accept-encoding": "br", "X-Team": "a"},
                http_client=injected,
                http_async_client=ainjected,
            )
            await complete(client, CLAUDE_REQUEST)

    head = server.heads[0].decode("latin-1").lower()
    assert head.count("accept-encoding:") == 1
    assert _accept_encoding(server.heads[0]) == _bounded_encodings()
    assert "x-team: a" in head
