"""The async connection pool: a few small httpx pools side by side, behind one gate.

httpx's pool (httpcore 1.0) rescans all of its connections whenever a request enters or
leaves it, and for every idle connection it counts all the connections again
(encode/httpcore#1035). Each call therefore costs O(idle x connections): on one
100-connection pool, a burst of 1,000 calls spends most of its CPU in that bookkeeping,
about 15 ms per call when the burst hits a fresh pool. Twenty 5-connection pools hold
the same 100 connections for a small fraction of that (about 1 ms per call, measured by
``make bench``), and the gate in front keeps excess callers in an O(1) asyncio queue
instead of httpcore's rescanned one.

A shard is created only when every existing one is full, so a program that never has
more than ``shard_size`` calls in flight has exactly one httpx client.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
from collections.abc import Callable

import httpx

__all__ = ["ShardedAsyncPool", "shared_tls_context"]


# What httpx's default context is built from: the CA file or directory the environment
# names (else certifi's bundle, fixed for the life of the process), and the key log file
# the ssl module reads.
_TLS_ENVIRONMENT = ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE")
_tls_lock = threading.Lock()
_tls: tuple[tuple[object, ...], ssl.SSLContext] | None = None


def _identity(path: str) -> object:
    """What changes when a CA file is rewritten in place, or a directory gains a file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _tls_inputs() -> tuple[object, ...]:
    """The settings the context depends on, with the identity of the files they name."""
    values = tuple(os.environ.get(name) or None for name in _TLS_ENVIRONMENT)
    ca_paths = [path for path in values[:2] if path is not None]
    return (*values, *(_identity(path) for path in ca_paths))


def shared_tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, shared by every pool until what it was built from changes.

    Loading the CA bundle takes 20-60 ms, which every new httpx client pays; a fresh
    model used to pay it before its first call. ``SSL_CERT_FILE``, ``SSL_CERT_DIR`` (and
    the files they name) and ``SSLKEYLOGFILE`` are read whenever a pool is built, and the
    context is built again when one of them changed, so a model built after the change
    uses it. An ``ssl.SSLContext`` is safe to share between threads and event loops.
    """
    global _tls
    inputs = _tls_inputs()
    current = _tls
    if current is None or current[0] != inputs:
        with _tls_lock:
            current = _tls
            if current is None or current[0] != inputs:
                current = (inputs, httpx.create_ssl_context())
                _tls = current
    return current[1]


class ShardedAsyncPool:
    """Up to ``max_shards`` httpx clients of ``shard_size`` connections each, for one loop.

    Args:
        make_client: Builds one shard from its limits and the shared TLS context
            (:func:`shared_tls_context`).
        shard_size: Connections per shard; also the calls one shard takes at once.
        max_shards: Shards at most; ``shard_size * max_shards`` calls are in flight at
            once, the rest wait in the gate, first come first served.
        keepalive_expiry: Seconds an idle connection is kept.

    Example:
        >>> import asyncio, httpx
        >>> async def demo() -> int:
        ...     pool = ShardedAsyncPool(
        ...         lambda limits, tls: httpx.AsyncClient(limits=limits, verify=tls)
        ...     )
        ...     async with pool.slot() as client:
        ...         assert isinstance(client, httpx.AsyncClient)
        ...     await pool.aclose()
        ...     return len(pool.clients)
        >>> asyncio.run(demo())
        1
    """

    def __init__(
        self,
        make_client: Callable[[httpx.Limits, ssl.SSLContext], httpx.AsyncClient],
        *,
        shard_size: int = 5,
        max_shards: int = 20,
        keepalive_expiry: float = 30.0,
    ) -> None:
        self._make_client = make_client
        self._limits = httpx.Limits(
            max_connections=shard_size,
            max_keepalive_connections=shard_size,
            keepalive_expiry=keepalive_expiry,
        )
        self._shard_size = shard_size
        self._max_shards = max_shards
        self._gate = asyncio.Semaphore(shard_size * max_shards)
        self._in_flight: list[int] = []
        self._closed = False
        self.clients: list[httpx.AsyncClient] = []

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`aclose` ran or a shard was closed behind our back."""
        return self._closed or any(client.is_closed for client in self.clients)

    def _least_busy(self) -> int:
        counts = self._in_flight
        index = min(range(len(counts)), key=counts.__getitem__) if counts else -1
        if index < 0 or (counts[index] >= self._shard_size and len(counts) < self._max_shards):
            self.clients.append(self._make_client(self._limits, shared_tls_context()))
            counts.append(0)
            index = len(counts) - 1
        return index

    def slot(self) -> _Lease:
        """``async with pool.slot() as client``: wait for a free slot, use the least busy shard."""
        return _Lease(self, gated=True)

    def stream_slot(self) -> _Lease:
        """``async with pool.stream_slot() as client``: counted but not gated (for streams).

        A stream holds its connection for its whole life, and a caller may open many at
        once before reading any, so streams never wait in the gate: beyond the pool's
        size they wait in their shard's own httpx pool, under its pool timeout, as on
        any httpx client. Counting them keeps them spread over the shards.
        """
        return _Lease(self, gated=False)

    async def aclose(self) -> None:
        """Close every shard."""
        self._closed = True
        for client in self.clients:
            await client.aclose()


class _Lease:
    """One call's hold on a shard (a class, not a generator: a lease can live inside an
    async generator that the loop finalises, and a generator-based context manager
    inside it would be finalised separately, in any order)."""

    __slots__ = ("_gated", "_index", "_pool")

    def __init__(self, pool: ShardedAsyncPool, *, gated: bool) -> None:
        self._pool = pool
        self._gated = gated
        self._index = -1

    async def __aenter__(self) -> httpx.AsyncClient:
        pool = self._pool
        if self._gated:
            await pool._gate.acquire()
        self._index = pool._least_busy()
        pool._in_flight[self._index] += 1
        return pool.clients[self._index]

    async def __aexit__(self, *exc_info: object) -> None:
        pool = self._pool
        pool._in_flight[self._index] -= 1
        if self._gated:
            pool._gate.release()
