"""Every wait of an attempt ends by its deadline, response headers included.

httpx bounds each socket read by the read timeout, not the whole wait: response headers
sent one byte at a time held a sync call for as long as the server liked (an async one
waits for its headers under ``asyncio.timeout``, which cannot reach a sync call, nor the
body an async generator reads between its yields). So the pools the client owns connect
through :class:`DeadlineBackend` (sync) and :class:`AsyncDeadlineBackend`: each
connect, TLS handshake, read and write waits at most until the deadline of the attempt
running in this context (:func:`bounded_by` sets it around each blocking step), then
fails as httpx's own timeout, which the client reports as the deadline's
:class:`~assemblyai_gateway.errors.APITimeoutError`.

An injected ``httpx`` client is the caller's and is never changed: its waits are
bounded by its own ``timeout``, and the deadline is checked whenever data arrives.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterable
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpcore

if TYPE_CHECKING:
    import httpx

    from .attempt_limits import Deadline

__all__ = ["AsyncDeadlineBackend", "DeadlineBackend", "bound_by_deadlines", "bounded_by"]

logger = logging.getLogger("assemblyai_gateway")

_current: ContextVar[Deadline | None] = ContextVar("assemblyai_gateway_deadline", default=None)


class bounded_by:
    """``with bounded_by(deadline):`` every wait of the pools' sockets ends by ``deadline``.

    A class rather than a generator: it is entered around every read of a body.
    """

    __slots__ = ("_deadline", "_token")

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline

    def __enter__(self) -> None:
        self._token = _current.set(self._deadline)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _current.reset(self._token)


def _bounded(
    timeout: float | None, timed_out: type[Exception]
) -> tuple[float | None, Deadline | None]:
    """The timeout to wait with, and the deadline when it is the one that binds."""
    deadline = _current.get()
    if deadline is None:
        return timeout, None
    remaining = deadline.remaining()
    if remaining <= 0:
        raise timed_out("the attempt's deadline has passed")
    if timeout is None or remaining < timeout:
        return remaining, deadline
    return timeout, None


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every wait ends by the current attempt's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        timeout, deadline = _bounded(timeout, httpcore.ReadTimeout)
        try:
            return self._stream.read(max_bytes, timeout)
        except httpcore.ReadTimeout:
            if deadline is not None:
                deadline.expire()
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        timeout, deadline = _bounded(timeout, httpcore.WriteTimeout)
        try:
            self._stream.write(buffer, timeout)
        except httpcore.WriteTimeout:
            if deadline is not None:
                deadline.expire()
            raise

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout, _ = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, each connection bounded by the attempt's deadline.

    Example:
        >>> import httpcore
        >>> backend = DeadlineBackend(httpcore.SyncBackend())
        >>> isinstance(backend, httpcore.NetworkBackend)
        True
    """

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout, _ = _bounded(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout, _ = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    """Async :class:`_DeadlineStream`."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    # httpcore's interface names the parameter `timeout` (ruff's ASYNC109).
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        timeout, deadline = _bounded(timeout, httpcore.ReadTimeout)
        try:
            return await self._stream.read(max_bytes, timeout)
        except httpcore.ReadTimeout:
            if deadline is not None:
                deadline.expire()
            raise

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        timeout, deadline = _bounded(timeout, httpcore.WriteTimeout)
        try:
            await self._stream.write(buffer, timeout)
        except httpcore.WriteTimeout:
            if deadline is not None:
                deadline.expire()
            raise

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        timeout, _ = _bounded(timeout, httpcore.ConnectTimeout)
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _AsyncDeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """Async :class:`DeadlineBackend`."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout, _ = _bounded(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout, _ = _bounded(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return _AsyncDeadlineStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


_Client = TypeVar("_Client", "httpx.Client", "httpx.AsyncClient")


def bound_by_deadlines(client: _Client) -> _Client:
    """``client`` (one the client built itself), its transports routed through
    :class:`DeadlineBackend` or :class:`AsyncDeadlineBackend`: its own, and those of
    the proxies the environment names.

    httpx offers no public way to choose the network backend of the pools it builds,
    so this reaches into each transport's httpcore pool; a transport of another shape
    is left as it is (its reads stay bounded by the read timeout).
    """
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, DeadlineBackend | AsyncDeadlineBackend):
            continue
        if isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
        elif isinstance(backend, httpcore.AsyncNetworkBackend):
            pool._network_backend = AsyncDeadlineBackend(backend)  # type: ignore[union-attr]
        elif transport is not None:
            logger.debug("%s is not bounded by the attempt deadline", type(transport).__name__)
    return client
