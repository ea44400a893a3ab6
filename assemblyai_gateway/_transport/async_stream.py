"""The async iterator ``GatewayClient.astream()`` returns: safe to close from anywhere.

A stream that is abandoned mid-way (``break`` out of ``async for``) is closed twice at
loop shutdown when it is a native async generator: asyncio's ``shutdown_asyncgens()``
closes every generator it tracks concurrently, so the framework's wrapper closing its
inner stream collides with asyncio closing that same stream ("aclose(): asynchronous
generator is already running"). Here the generator doing the work is kept out of
asyncio's tracking; only its owner closes it, once, however many callers ask.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any, TypeVar

__all__ = ["AsyncStream"]

T = TypeVar("T")


def _left_to_the_sentinel(generator: object) -> None:
    """The inner generator's finalizer: its sentinel closes it (never a sync close)."""


class _Closing:
    """Closes one generator once, whoever asks first; later callers wait for it."""

    __slots__ = ("generator", "task")

    def __init__(self, generator: AsyncIterator[object]) -> None:
        self.generator = generator
        self.task: asyncio.Future[None] | None = None

    async def aclose(self) -> None:
        if self.task is None:
            aclose = getattr(self.generator, "aclose", None)
            if not callable(aclose):
                return
            self.task = asyncio.ensure_future(aclose())
        await asyncio.shield(self.task)


async def _sentinel(closing: _Closing) -> AsyncIterator[None]:
    # Tracked by asyncio like any async generator: when the loop shuts down, or when
    # the stream is dropped, asyncio closes this one, and it closes the stream.
    try:
        yield
    finally:
        await closing.aclose()


class AsyncStream(AsyncGenerator[T, None]):
    """Iterates the async generator ``start()`` returns, started on the first ``__anext__``.

    ``aclose()`` is idempotent and may be awaited by several callers at once (a
    framework's wrapper and asyncio's shutdown). A stream dropped or abandoned without
    ``aclose()`` is closed when the loop shuts down, or soon after it is dropped.

    Example:
        >>> import asyncio
        >>> async def numbers():
        ...     yield 1
        ...     yield 2
        >>> async def first() -> int:
        ...     stream = AsyncStream(numbers)
        ...     async for number in stream:
        ...         await stream.aclose()
        ...         await stream.aclose()  # again: nothing happens
        ...         return number
        ...     return 0
        >>> asyncio.run(first())
        1
    """

    def __init__(self, start: Callable[[], AsyncIterator[T]]) -> None:
        self._start: Callable[[], AsyncIterator[T]] | None = start
        self._generator: AsyncIterator[T] | None = None
        self._closing: _Closing | None = None
        self._sentinel: AsyncIterator[None] | None = None
        self._finished = False

    def __aiter__(self) -> AsyncStream[T]:
        return self

    async def _first_step(self, start: Callable[[], AsyncIterator[T]]) -> T:
        generator = self._generator = start()
        # Without asyncio's first-step hook this generator is not tracked by the loop,
        # so only its _Closing ever closes it, never concurrently.
        hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(firstiter=None, finalizer=_left_to_the_sentinel)
        try:
            step = generator.__anext__()
        finally:
            sys.set_asyncgen_hooks(*hooks)
        self._closing = _Closing(generator)
        self._sentinel = _sentinel(self._closing)
        await self._sentinel.__anext__()
        return await step

    async def __anext__(self) -> T:
        if self._finished:
            raise StopAsyncIteration
        try:
            if self._start is not None:
                start, self._start = self._start, None
                return await self._first_step(start)
            assert self._generator is not None
            return await self._generator.__anext__()
        except BaseException:
            self._finished = True
            raise

    async def asend(self, value: None) -> T:
        """Like ``__anext__`` (the stream takes no values)."""
        return await self.__anext__()

    async def athrow(self, typ: Any, val: Any = None, tb: Any = None) -> T:
        """Raise an exception inside the stream, as for an async generator."""
        error = typ if isinstance(typ, BaseException) else typ() if val is None else val
        if (
            self._generator is None
            or self._finished
            or not isinstance(self._generator, AsyncGenerator)
        ):
            self._finished = True
            raise error
        try:
            value: T = await self._generator.athrow(error)
        except BaseException:
            self._finished = True
            raise
        return value

    async def aclose(self) -> None:
        """Close the stream (and its response); later and concurrent calls just wait."""
        self._finished = True
        self._start = None
        if self._closing is not None:
            await self._closing.aclose()
