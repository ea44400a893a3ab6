"""The stream objects ``GatewayClient.stream()`` and ``astream()`` return.

A stream iterates :class:`~assemblyai_gateway._wire.types.ChatCompletionChunk` s and folds
each one into :attr:`~ChatCompletionStream.snapshot` as it passes (the one accumulator,
:func:`~assemblyai_gateway._wire.accumulator.accumulate_chunk`), so nobody else has to.
:meth:`~ChatCompletionStream.final_completion` reads what is left and returns the same
completion a non-streamed call gives. Closing the stream (``close()``/``aclose()`` or
leaving its ``with`` block) closes the HTTP response.

:class:`StreamMapper` is the one contract the adapters' stream mappers follow, and
:func:`map_stream` / :func:`amap_stream` are the only loops that drive them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterable, Iterator
from typing import Protocol, TypeVar

from .._wire.accumulator import CompletionSnapshot, accumulate_chunk
from .._wire.types import ChatCompletion, ChatCompletionChunk

__all__ = [
    "AsyncChatCompletionStream",
    "ChatCompletionStream",
    "StreamMapper",
    "amap_stream",
    "map_stream",
]

Output_co = TypeVar("Output_co", covariant=True)
Output = TypeVar("Output")


class ChatCompletionStream(Iterator[ChatCompletionChunk]):
    """Chunks as they arrive, folded into :attr:`snapshot` on the way.

    Example:
        >>> from assemblyai_gateway import ChatCompletionChunk
        >>> chunks = [ChatCompletionChunk(choices=[{"delta": {"content": t}}]) for t in "Hi"]
        >>> with ChatCompletionStream(iter(chunks)) as stream:
        ...     first = next(stream)
        ...     stream.snapshot.choices[0].content
        ...     stream.final_completion().choices[0].message.content
        'H'
        'Hi'
    """

    def __init__(self, chunks: Iterator[ChatCompletionChunk]) -> None:
        self._chunks = chunks
        self.snapshot = CompletionSnapshot()
        """Everything the stream has said so far (empty before the first chunk)."""

    def __iter__(self) -> ChatCompletionStream:
        return self

    def __next__(self) -> ChatCompletionChunk:
        chunk = next(self._chunks)
        accumulate_chunk(self.snapshot, chunk)
        return chunk

    def final_completion(self) -> ChatCompletion:
        """Read the rest of the stream; the completion a non-streamed call returns."""
        for _ in self:
            pass
        return self.snapshot.to_completion()

    def close(self) -> None:
        """Stop reading and close the HTTP response (safe to call more than once)."""
        close = getattr(self._chunks, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> ChatCompletionStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncChatCompletionStream(AsyncIterator[ChatCompletionChunk]):
    """Async :class:`ChatCompletionStream`.

    Example:
        >>> import asyncio
        >>> from assemblyai_gateway import ChatCompletionChunk
        >>> async def chunks():
        ...     for text in "Hi":
        ...         yield ChatCompletionChunk(choices=[{"delta": {"content": text}}])
        >>> async def main():
        ...     async with AsyncChatCompletionStream(chunks()) as stream:
        ...         return (await stream.final_completion()).choices[0].message.content
        >>> asyncio.run(main())
        'Hi'
    """

    def __init__(self, chunks: AsyncIterator[ChatCompletionChunk]) -> None:
        self._chunks = chunks
        self.snapshot = CompletionSnapshot()
        """Everything the stream has said so far (empty before the first chunk)."""

    def __aiter__(self) -> AsyncChatCompletionStream:
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        chunk = await anext(self._chunks)
        accumulate_chunk(self.snapshot, chunk)
        return chunk

    async def final_completion(self) -> ChatCompletion:
        """Read the rest of the stream; the completion a non-streamed call returns."""
        async for _ in self:
            pass
        return self.snapshot.to_completion()

    async def aclose(self) -> None:
        """Stop reading and close the HTTP response (safe to call more than once)."""
        aclose = getattr(self._chunks, "aclose", None)
        if callable(aclose):
            await aclose()

    async def __aenter__(self) -> AsyncChatCompletionStream:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()


class StreamMapper(Protocol[Output_co]):
    """What an adapter's stream mapper does: chunks in, framework objects out.

    :meth:`feed` is called with each chunk right after the stream folded it into the
    snapshot, and returns what can be shown now (nothing, or one or more objects);
    :meth:`finish` is called once after the last chunk and returns the rest.
    """

    def feed(self, chunk: ChatCompletionChunk, snapshot: CompletionSnapshot) -> Iterable[Output_co]:
        """The objects this chunk makes ready."""
        ...

    def finish(self, snapshot: CompletionSnapshot) -> Iterable[Output_co]:
        """The objects left once the stream ended."""
        ...


def map_stream(
    stream: ChatCompletionStream, mapper: StreamMapper[Output]
) -> Generator[Output, None, None]:
    """Drive ``mapper`` over ``stream``; the stream is closed however this ends."""
    with stream:
        for chunk in stream:
            yield from mapper.feed(chunk, stream.snapshot)
        yield from mapper.finish(stream.snapshot)


async def amap_stream(
    stream: AsyncChatCompletionStream, mapper: StreamMapper[Output]
) -> AsyncGenerator[Output, None]:
    """Async :func:`map_stream`."""
    async with stream:
        async for chunk in stream:
            for item in mapper.feed(chunk, stream.snapshot):
                yield item
        for item in mapper.finish(stream.snapshot):
            yield item
