"""Closing the event loop pydantic-ai's ``run_sync`` leaves set on the thread.

``Agent.run_sync`` runs on the thread's current event loop, creating and setting one when
there is none, and leaves it open for the next call (so connections are reused across
calls). A test that ran it closes that loop afterwards as ``asyncio.run`` would: first
the async generators (the core's pools close their connections there), then the loop.
Otherwise the loop and its sockets are left for the garbage collector, whose
``ResourceWarning`` would fail whichever later test it lands in.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import warnings
from collections.abc import Iterator

import pytest

__all__ = ["close_loop", "close_loop_left_set", "close_the_loop_run_sync_left", "run_sync_loop"]


_DRAIN_SECONDS = 5.0


async def _drain() -> None:
    """Let the loop's pending work finish: a callback scheduled from outside the loop
    (an async generator's finalizer, when its owner was collected) becomes a task first."""
    await asyncio.sleep(0)
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    if pending:
        _, stuck = await asyncio.wait(pending, timeout=_DRAIN_SECONDS)
        for task in stuck:
            task.cancel()
        if stuck:
            await asyncio.wait(stuck)


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Finish ``loop``'s pending work, shut its async generators down, then close it (a
    running or closed loop is left alone)."""
    if loop.is_running() or loop.is_closed():
        return
    try:
        loop.run_until_complete(_drain())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(_drain())
    finally:
        loop.close()


def close_loop_left_set() -> None:
    """Close the loop set on this thread, if one is (and unset it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return
    asyncio.set_event_loop(None)
    close_loop(loop)


@contextlib.contextmanager
def run_sync_loop() -> Iterator[None]:
    """A fresh event loop for ``run_sync`` calls, closed when the block ends."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        asyncio.set_event_loop(None)
        close_loop(loop)


@pytest.fixture(autouse=True)
def close_the_loop_run_sync_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """Autouse (import it into a conftest): after a synchronous test, close the loop
    ``run_sync`` left set on the thread."""
    yield
    if not inspect.iscoroutinefunction(request.function):
        close_loop_left_set()
