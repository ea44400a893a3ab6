"""A small, fast HTTP/1.1 server for the concurrency benchmark, built on asyncio protocols.

The gateway emulator validates every request with pydantic and jsonschema, which is right
for tests and too slow to measure a client against: at 1,000 concurrent calls it, not the
client, sets the pace. This server parses just enough HTTP (request line, headers,
``Content-Length`` body), checks the key and answers the canned completion on a kept-alive
connection. It runs in its own process (``python -m benchmarks._fast_server``), so the
client's CPU time is the client's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from benchmarks._common import BENCH_API_KEY, canned_completion_bytes

__all__ = ["CannedHTTPProtocol", "main", "serve"]

_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024


def _response(status: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"connection: keep-alive\r\n\r\n" + body
    )


class CannedHTTPProtocol(asyncio.Protocol):
    """One connection: answers every POST with the canned completion (or a 401).

    Requests on one connection are answered in order (HTTP/1.1 pipelining works too).
    """

    def __init__(self, ok: bytes, unauthorized: bytes, auth_header: bytes) -> None:
        self._ok = ok
        self._unauthorized = unauthorized
        self._auth_header = auth_header
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(_HEAD_END)
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    self._close()
                return
            head = bytes(self._buffer[:end]).lower()
            length = 0
            marker = head.find(b"\r\ncontent-length:")
            if marker >= 0:
                line_end = head.find(b"\r\n", marker + 2)
                value = head[marker + 17 : line_end if line_end >= 0 else len(head)]
                length = int(value.strip() or b"0")
            total = end + len(_HEAD_END) + length
            if len(self._buffer) < total:
                return
            del self._buffer[:total]
            authorized = self._auth_header in head + b"\r\n"
            if self._transport is not None:
                self._transport.write(self._ok if authorized else self._unauthorized)

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()


async def serve(api_key: str = BENCH_API_KEY, *, backlog: int = 4096) -> None:
    """Listen on an ephemeral 127.0.0.1 port, print ``READY fast <base_url>``, serve.

    Serves until stdin closes (the parent closes it to stop the server).
    """
    ok = _response(b"200 OK", canned_completion_bytes())
    unauthorized = _response(b"401 Unauthorized", b'{"error": {"code": 401, "message": "bad key"}}')
    auth_header = b"\r\nauthorization: " + api_key.lower().encode() + b"\r\n"
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: CannedHTTPProtocol(ok, unauthorized, auth_header),
        "127.0.0.1",
        0,
        backlog=backlog,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY fast http://127.0.0.1:{port}/v1", flush=True)
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    async with server:
        await stdin_closed


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks._fast_server [--api-key KEY]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-key", default=BENCH_API_KEY)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.api_key))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
