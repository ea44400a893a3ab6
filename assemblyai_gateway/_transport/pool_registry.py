"""The connection pools a client owns: one sync pool, and one async pool per event loop.

Two lifecycles are handled here, once for every client:

* **Event loops.** A pool bound to a finished loop fails with "Event loop is closed",
  so each loop gets its own. When a loop shuts down (``asyncio.run()`` ends), its pool
  is closed and forgotten with it: nothing kept here references a finished loop, so
  thousands of ``asyncio.run()`` calls leave no loops, pools or sockets behind.
* **Forks.** A child process must never use the sockets it inherited: two processes
  reading one keep-alive connection get each other's answers. After a fork the child
  builds fresh pools and abandons the parent's without closing them (closing would
  shut the parent's connections down too).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from .deadline_io import bound_by_deadlines
from .sharded_async_pool import ShardedAsyncPool, shared_tls_context

__all__ = ["Pools", "fork_generation"]

logger = logging.getLogger("assemblyai_gateway")
_SHARD_CONNECTIONS = 5

_fork_generation = 0
# Pools inherited from a parent process: kept alive, never closed, never used.
_abandoned: list[Any] = []


def _after_fork_in_child() -> None:
    global _fork_generation
    _fork_generation += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def fork_generation() -> int:
    """How many forks separate this process from the one that imported the package."""
    return _fork_generation


async def _close_when_loop_shuts_down(
    pool: ShardedAsyncPool, pools: weakref.ref[weakref.WeakKeyDictionary[Any, Any]]
) -> AsyncIterator[None]:
    # asyncio closes every live async generator in shutdown_asyncgens(), while the loop
    # still runs, so pooled connections close cleanly instead of leaking on a dead loop.
    try:
        yield
    finally:
        # Forget this loop's entry first: it holds this generator, whose finalizer
        # holds the loop, so leaving it would keep the finished loop alive forever.
        owner = pools()
        if owner is not None:
            with contextlib.suppress(RuntimeError):
                owner.pop(asyncio.get_running_loop(), None)
        # When the owner is dropped just before asyncio.run() ends, this close runs in a
        # task that the runner cancels once; shielding lets the close finish anyway.
        closing = asyncio.ensure_future(pool.aclose())
        try:
            await asyncio.shield(closing)
        except asyncio.CancelledError:
            await closing
            raise


@dataclass(frozen=True)
class _LoopPool:
    """The async pool owned for one event loop."""

    pool: ShardedAsyncPool
    closer: AsyncIterator[None]
    loop: weakref.ref[asyncio.AbstractEventLoop]


class Pools:
    """Builds pools on first use, per process and per event loop.

    Args:
        timeout: The pools' default timeout.
        limits: The pools' connection limits.

    Example:
        >>> import httpx
        >>> pools = Pools(httpx.Timeout(5.0), httpx.Limits(max_connections=10))
        >>> pools.sync_client() is pools.sync_client()
        True
        >>> pools.close()
    """

    def __init__(self, timeout: httpx.Timeout, limits: httpx.Limits) -> None:
        self._timeout = timeout
        self._limits = limits
        self._reset()

    def _reset(self) -> None:
        self._generation = _fork_generation
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool] = (
            weakref.WeakKeyDictionary()
        )

    def _leave_parent_pools(self) -> None:
        """In a forked child: never touch the parent's sockets, build new pools."""
        if self._finalizer is not None:
            self._finalizer.detach()
        _abandoned.append((self._client, self._async))
        logger.debug("forked: the child builds its own connection pools")
        self._reset()

    def sync_client(self) -> httpx.Client:
        """This process's sync pool."""
        if self._generation != _fork_generation:
            self._leave_parent_pools()
        client = self._client
        if client is None or client.is_closed:
            with self._lock:
                client = self._client
                if client is None or client.is_closed:
                    # Every wait of a call ends by its attempt's deadline (_deadline_io).
                    client = bound_by_deadlines(
                        httpx.Client(
                            timeout=self._timeout, limits=self._limits, verify=shared_tls_context()
                        )
                    )
                    self._client = client
                    # Close the pool when its owner goes away without close().
                    self._finalizer = weakref.finalize(self, client.close)
        return client

    async def async_pool(self) -> ShardedAsyncPool:
        """The running loop's pool: small httpx pools behind one gate (see ``_pool``)."""
        if self._generation != _fork_generation:
            self._leave_parent_pools()
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is not None and not entry.pool.is_closed:
            return entry.pool
        self._forget_closed_loops()
        timeout = self._timeout
        # As many connections as the sync pool, in shards of 5: httpcore's bookkeeping
        # grows with the square of one pool's size (see _pool).
        pool = ShardedAsyncPool(
            lambda limits, tls: bound_by_deadlines(
                httpx.AsyncClient(timeout=timeout, limits=limits, verify=tls)
            ),
            max_shards=max(1, (self._limits.max_connections or 100) // _SHARD_CONNECTIONS),
            shard_size=_SHARD_CONNECTIONS,
            keepalive_expiry=self._limits.keepalive_expiry or 30.0,
        )
        closer = _close_when_loop_shuts_down(pool, weakref.ref(self._async))
        await closer.__anext__()
        self._async[loop] = _LoopPool(pool, closer, weakref.ref(loop))
        return pool

    def _forget_closed_loops(self) -> None:
        # A loop closed without shutdown_asyncgens() never closed its pool; its sockets
        # cannot be closed through a closed loop, so the entry is dropped for the GC.
        for loop in [loop for loop in self._async if loop.is_closed()]:
            self._async.pop(loop, None)

    def close(self) -> None:
        """Close the sync pool (a later call builds a new one)."""
        if self._client is not None and self._generation == _fork_generation:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the sync pool and every loop's async pool that can still be closed.

        A pool whose loop was closed without ``shutdown_asyncgens()`` cannot be closed
        from another loop; it is forgotten (its sockets close when it is collected).
        """
        self.close()
        if self._generation != _fork_generation:
            return
        entries = list(self._async.values())
        self._async.clear()
        running = asyncio.get_running_loop()
        for entry in entries:
            loop = entry.loop()
            if loop is running:
                await entry.pool.aclose()
                continue
            if loop is None or loop.is_closed():
                continue
            with contextlib.suppress(RuntimeError):
                await entry.pool.aclose()
