"""A hostile HTTP/1.1 server on 127.0.0.1 for the hardening tests.

Unlike the emulator, it speaks raw bytes: each request is handed to a scripted
``Handler`` that writes whatever it likes (a gzip bomb, a mislabelled charset, a
trickle, ``[DONE]`` followed by silence) on the socket. Everything is bounded: every
socket has a timeout and every wait ends when the server stops.

Example:
    >>> with HostileServer(lambda peer: peer.send_json(200, {"ok": True})) as server:
    ...     server.base_url.startswith("http://127.0.0.1:")
    True
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from typing import Any

from assemblyai_gateway._transport.client import GatewayClient

__all__ = ["HOSTILE_KEY", "Handler", "Hostile", "HostileServer", "Peer", "sse_event"]

_SOCKET_TIMEOUT = 15.0
_MAX_HEAD = 64 * 1024


class Peer:
    """One received request and the socket to answer it on."""

    def __init__(self, conn: socket.socket, head: bytes, body: bytes, stop: threading.Event):
        self.conn = conn
        self.head = head
        self.body = body
        self.stop = stop

    @property
    def json(self) -> Any:
        """The request body as JSON."""
        return json.loads(self.body)

    def send(self, data: bytes) -> None:
        """Raw bytes on the wire."""
        self.conn.sendall(data)

    def send_head(self, status: int, headers: Mapping[str, str]) -> None:
        """A status line and headers."""
        lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def send_body(self, status: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        """A complete response with ``content-length``."""
        all_headers = {"content-type": "application/json", **(headers or {})}
        all_headers["content-length"] = str(len(body))
        self.send_head(status, all_headers)
        self.send(body)

    def send_json(
        self, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        """A complete JSON response."""
        self.send_body(status, json.dumps(payload).encode(), headers)

    def start_chunked(self, status: int = 200, content_type: str = "text/event-stream") -> None:
        """Headers of a chunked response; follow with :meth:`chunk`."""
        self.send_head(status, {"content-type": content_type, "transfer-encoding": "chunked"})

    def chunk(self, data: bytes) -> None:
        """One chunk of a chunked body (an empty ``data`` ends the body)."""
        self.send(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def hold(self, seconds: float = _SOCKET_TIMEOUT) -> None:
        """Keep the connection open and silent (until the server stops, at most ``seconds``)."""
        self.stop.wait(seconds)


Handler = Callable[[Peer], None]


def sse_event(payload: Any, event: str | None = None) -> bytes:
    """One server-sent event (``payload`` JSON-encoded unless it is already text)."""
    data = payload if isinstance(payload, str) else json.dumps(payload)
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {data}\n\n".encode()


class HostileServer:
    """Serves every connection on its own thread; each request goes to ``handler``.

    Args:
        handler: Answers each request.
        tls: Serve HTTPS with this server-side context (a failed handshake just closes
            that connection).

    Attributes:
        requests: How many requests were received.
        bodies: Their bodies, in order of arrival.
    """

    def __init__(self, handler: Handler, *, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self._tls = tls
        self.requests = 0
        self.bodies: list[bytes] = []
        self.heads: list[bytes] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        scheme = "https" if tls is not None else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> HostileServer:
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting, wake every held connection and close every socket."""
        self._stop.set()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                conn.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(_SOCKET_TIMEOUT)
            with self._lock:
                self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _requests(self, conn: socket.socket) -> Iterator[tuple[bytes, bytes]]:
        buffer = b""
        while not self._stop.is_set():
            while b"\r\n\r\n" not in buffer:
                data = conn.recv(65536)
                if not data or len(buffer) > _MAX_HEAD:
                    return
                buffer += data
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(buffer) < length:
                data = conn.recv(65536)
                if not data:
                    return
                buffer += data
            body, buffer = buffer[:length], buffer[length:]
            yield head, body

    def _serve(self, conn: socket.socket) -> None:
        if self._tls is not None:
            try:
                conn = self._tls.wrap_socket(conn, server_side=True)
            except OSError:  # the client refused our certificate
                conn.close()
                return
            with self._lock:
                self._conns.append(conn)
        with suppress(OSError), conn:
            for head, body in self._requests(conn):
                with self._lock:
                    self.requests += 1
                    self.bodies.append(body)
                    self.heads.append(head)
                self.handler(Peer(conn, head, body, self._stop))


HOSTILE_KEY = "sk-aai-HOSTILE-1a2b3c"


class Hostile:
    """Starts hostile servers, and core clients pointed at them, for one test.

    Example: ``client = hostile.client(hostile.serve(handler), attempt_deadline=1.0)``.
    """

    def __init__(self) -> None:
        self.servers: list[HostileServer] = []
        self.clients: list[GatewayClient] = []

    def serve(self, handler: Handler, *, tls: ssl.SSLContext | None = None) -> HostileServer:
        """A running server answering every request with ``handler``."""
        server = HostileServer(handler, tls=tls).__enter__()
        self.servers.append(server)
        return server

    def client(self, server: HostileServer, **settings: Any) -> GatewayClient:
        """A core client for ``server`` (no retries unless ``max_retries`` is given)."""
        settings.setdefault("max_retries", 0)
        settings.setdefault("base_url", server.base_url)
        client = GatewayClient(api_key=HOSTILE_KEY, **settings)
        self.clients.append(client)
        return client

    async def close(self) -> None:
        """Close the clients, then the servers (which wakes every held connection)."""
        while self.clients:
            await self.clients.pop().aclose()
        for server in self.servers:
            server.close()
