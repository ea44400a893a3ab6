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
import contextlib
import ssl
from collections.abc import AsyncIterator, Callable

import httpx

__all__ = ["ShardedAsyncPool"]


class ShardedAsyncPool:
    """Up to ``max_shards`` httpx clients of ``shard_size`` connections each, for one loop.

    Args:
        make_client: Builds one shard from its limits and the pool's TLS context (loading
            the CA bundle takes ~60 ms, so every shard shares one context).
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
        self._tls: ssl.SSLContext | None = None
        self.clients: list[httpx.AsyncClient] = []

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`aclose` ran or a shard was closed behind our back."""
        return self._closed or any(client.is_closed for client in self.clients)

    def _least_busy(self) -> int:
        counts = self._in_flight
        index = min(range(len(counts)), key=counts.__getitem__) if counts else -1
        if index < 0 or (counts[index] >= self._shard_size and len(counts) < self._max_shards):
            if self._tls is None:
                self._tls = httpx.create_ssl_context()
            self.clients.append(self._make_client(self._limits, self._tls))
            counts.append(0)
            index = len(counts) - 1
        return index

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[httpx.AsyncClient]:
        """Wait for a free connection slot; yield the least busy shard's client."""
        async with self._gate:
            index = self._least_busy()
            self._in_flight[index] += 1
            try:
                yield self.clients[index]
            finally:
                self._in_flight[index] -= 1

    def least_busy(self) -> httpx.AsyncClient:
        """The least busy shard, without a slot (for streams, which hold theirs for long)."""
        return self.clients[self._least_busy()]

    async def aclose(self) -> None:
        """Close every shard."""
        self._closed = True
        for client in self.clients:
            await client.aclose()
