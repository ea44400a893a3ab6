"""Reading a response: raw bytes, decoded in bounded pieces, counted against a cap.

Everything that decides lives here once, in :class:`BodyReader` (a body) and
:class:`StreamReader` (an event stream); the loops over the raw bytes are the only code
written twice, sync and async. The rules:

* the body is read raw and decoded by :mod:`assemblyai_gateway._transport.content_encoding`, so no
  compressed piece is ever inflated whole; the cap is checked after every piece;
* a body is capped by ``max_response_bytes``, a stream's total by ``max_stream_bytes``
  (keep-alives and comments count: they are bytes the server sent), one event by
  ``max_event_size``; an error body is only quoted, so it is cut quietly at its cap;
* the deadline is checked whenever data arrives, and each sync read waits at most until
  it (:func:`~assemblyai_gateway._transport.deadline_io.bounded_by`);
* a body in an encoding we did not ask for, or that does not decompress, is a
  :class:`~assemblyai_gateway.errors.ResponseValidationError` (an error body is kept
  as far as it decoded).

A response httpx has already read (built in memory by a mock transport, or read by an
event hook) is taken as it is: httpx decoded it when it read it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING

from .._wire.accumulator import completion_to_chunks
from ..errors import APIError, ResponseTooLargeError, ResponseValidationError
from .answers import completion_from_response, is_event_stream, stream_broke
from .content_encoding import BodyDecoder, UndecodableBodyError
from .deadline_io import bounded_by
from .sse import ChunkDecoder
from .untrusted_text import Utf8Stream

if TYPE_CHECKING:
    import httpx

    from .._wire.types import ChatCompletionChunk
    from .attempt_limits import AttemptLimits, Deadline

__all__ = [
    "BodyReader",
    "StreamReader",
    "araw_pieces",
    "aread_capped",
    "raw_pieces",
    "read_capped",
]


def _too_large(setting: str, limit: int) -> ResponseTooLargeError:
    what = "stream" if setting == "max_stream_bytes" else "response"
    return ResponseTooLargeError(
        f"the gateway's {what} exceeded {setting} ({limit} bytes, decompressed); "
        f"raise the cap if such a {what} is expected",
        limit=limit,
    )


class BodyReader:
    """One body: raw bytes in, decoded pieces out, counted against ``limit``.

    Args:
        response: A streamed response (the caller reads and closes it).
        deadline: The attempt's deadline, checked whenever data arrives.
        limit: The most decoded bytes the body may have.
        setting: The name of the cap, for the error.
        truncate: For an error body: stop quietly at ``limit``, and keep what decoded
            when the rest does not.

    Raises:
        ResponseTooLargeError: (when built) a plain body announcing more than ``limit``.
        ResponseValidationError: (when built) an encoding we do not decode.
    """

    def __init__(
        self,
        response: httpx.Response,
        deadline: Deadline,
        limit: int,
        *,
        setting: str = "max_response_bytes",
        truncate: bool = False,
    ) -> None:
        self._deadline = deadline
        self._limit = limit
        self._setting = setting
        self._truncate = truncate
        self.received = 0
        self.full = False
        self._kept = bytearray()
        encodings = (
            []
            if response.is_stream_consumed
            else response.headers.get_list("content-encoding", split_commas=True)
        )
        try:
            self._decoder = BodyDecoder(encodings)
        except UndecodableBodyError as exc:
            if not truncate:
                raise ResponseValidationError(str(exc)) from None
            self._decoder = BodyDecoder([])
        declared = response.headers.get("content-length", "")
        if (
            not truncate
            and self._decoder.is_identity
            and declared.isdigit()
            and int(declared) > limit
        ):
            raise _too_large(setting, limit)  # refused before reading

    def pieces(self, raw: bytes) -> Iterator[bytes]:
        """The decoded pieces of ``raw``, each counted as it is produced."""
        self._deadline.check()
        yield from self._counted(self._decoder.decode(raw))

    def tail(self) -> Iterator[bytes]:
        """What the decoder still holds once the raw bytes have ended."""
        if not self.full:
            yield from self._counted(self._decoder.flush())

    def collect(self, raw: bytes) -> bool:
        """Keep the decoded pieces of ``raw``; whether the body is full (cut at its cap)."""
        for piece in self.pieces(raw):
            self._kept += piece
        return self.full

    def collected(self) -> bytes:
        """Everything kept, with what the decoder still held."""
        for piece in self.tail():
            self._kept += piece
        return bytes(self._kept)

    def _counted(self, pieces: Iterator[bytes]) -> Iterator[bytes]:
        try:
            for piece in pieces:
                room = self._limit - self.received
                self.received += len(piece)
                if len(piece) > room:
                    if not self._truncate:
                        raise _too_large(self._setting, self._limit)
                    self.full = True
                    yield piece[:room]
                    return
                yield piece
        except UndecodableBodyError as exc:
            if not self._truncate:
                raise ResponseValidationError(str(exc)) from None
            self.full = True  # an error body is kept as far as it decoded


def raw_pieces(response: httpx.Response, deadline: Deadline) -> Iterator[bytes]:
    """The body's bytes as they arrive, each read bounded by ``deadline``."""
    if response.is_stream_consumed:
        yield response.content
        return
    raw = response.iter_raw()
    while True:
        with bounded_by(deadline):
            piece = next(raw, None)
        if piece is None:
            return
        yield piece


class _AsyncRawPieces:
    """Async :func:`raw_pieces` (a class: no async generator for asyncio to finalise)."""

    def __init__(self, response: httpx.Response, deadline: Deadline) -> None:
        self._deadline = deadline
        self._content: bytes | None = None
        self._raw: AsyncIterator[bytes] | None = None
        if response.is_stream_consumed:
            self._content = response.content
        else:
            self._raw = response.aiter_raw()

    def __aiter__(self) -> _AsyncRawPieces:
        return self

    async def __anext__(self) -> bytes:
        if self._raw is None:
            content, self._content = self._content, None
            if content is None:
                raise StopAsyncIteration
            return content
        with bounded_by(self._deadline):
            return await anext(self._raw)


def araw_pieces(response: httpx.Response, deadline: Deadline) -> AsyncIterator[bytes]:
    """Async :func:`raw_pieces`."""
    return _AsyncRawPieces(response, deadline)


def read_capped(
    response: httpx.Response, limit: int, deadline: Deadline, *, truncate: bool = False
) -> bytes:
    """The decoded body, read while checking the cap and the deadline.

    Args:
        response: A streamed response (the caller closes it).
        limit: The most bytes to keep.
        deadline: The attempt's deadline.
        truncate: Stop quietly at ``limit`` (for error bodies) instead of raising.

    Raises:
        ResponseTooLargeError: the body exceeds ``limit`` (unless ``truncate``).
        ResponseValidationError: the body is in an encoding we do not decode, or does
            not decompress (unless ``truncate``).
        APITimeoutError: the deadline passed while reading.
    """
    reader = BodyReader(response, deadline, limit, truncate=truncate)
    for raw in raw_pieces(response, deadline):
        if reader.collect(raw):
            break
    return reader.collected()


async def aread_capped(
    response: httpx.Response, limit: int, deadline: Deadline, *, truncate: bool = False
) -> bytes:
    """Async :func:`read_capped`."""
    reader = BodyReader(response, deadline, limit, truncate=truncate)
    async for raw in araw_pieces(response, deadline):
        if reader.collect(raw):
            break
    return reader.collected()


class StreamReader:
    """A streamed answer read into chunks, whatever the gateway sent.

    Server-sent events are decoded and counted against ``max_stream_bytes``, then read
    as UTF-8 text by :class:`~assemblyai_gateway._transport.sse.ChunkDecoder`; a plain JSON answer
    (the gateway may answer a stream request with one body) is read under
    ``max_response_bytes`` and split into chunks at the end. The send loops feed it
    each raw piece (:meth:`feed`) and yield what it returns until :attr:`done`, then
    yield :meth:`close`; a transport failure becomes :meth:`broke`.
    """

    def __init__(
        self,
        response: httpx.Response,
        deadline: Deadline,
        limits: AttemptLimits,
        *,
        include_usage: bool,
    ) -> None:
        self._response = response
        self._deadline = deadline
        self._include_usage = include_usage
        self._events = is_event_stream(response)
        self._body = (
            BodyReader(response, deadline, limits.max_stream_bytes, setting="max_stream_bytes")
            if self._events
            else BodyReader(response, deadline, limits.max_response_bytes)
        )
        self._text = Utf8Stream()
        self._decoder = ChunkDecoder(require_choices=True, max_event_size=limits.max_event_size)
        self.delivered = 0

    @property
    def done(self) -> bool:
        """Whether ``data: [DONE]`` arrived (the stream ends there, whatever follows)."""
        return self._decoder.done

    @property
    def reads_events(self) -> bool:
        """Whether the answer is server-sent events (not one plain JSON body)."""
        return self._events

    def feed(self, raw: bytes) -> Iterator[ChatCompletionChunk]:
        """The chunks completed by ``raw``, decoded a bounded piece at a time."""
        if not self._events:
            self._body.collect(raw)
            return
        for piece in self._body.pieces(raw):
            yield from self._counted(self._decoder.feed(self._text.decode(piece)))
            if self._decoder.done:
                return

    def close(self) -> Iterator[ChatCompletionChunk]:
        """The bytes have ended (or ``[DONE]`` arrived): the last chunks, or the error.

        Raises:
            StreamError: the stream ended without ``[DONE]``.
            APIStatusError: a plain answer that is an error.
            ResponseValidationError: no chunk carried a choice.
        """
        if not self._events:
            completion = completion_from_response(self._response, self._body.collected())
            yield from completion_to_chunks(completion, include_usage=self._include_usage)
            return
        if not self._decoder.done:
            for piece in self._body.tail():
                yield from self._counted(self._decoder.feed(self._text.decode(piece)))
            # The text of a character the bytes cut short (U+FFFD) is text like any
            # other: whatever it completes is delivered before the decoder closes.
            yield from self._counted(self._decoder.feed(self._text.flush()))
        yield from self._counted(self._decoder.close())

    def _counted(self, chunks: Iterable[ChatCompletionChunk]) -> Iterator[ChatCompletionChunk]:
        """``chunks``, each counted in :attr:`delivered` as it is handed on."""
        for chunk in chunks:
            self.delivered += 1
            yield chunk

    def broke(self, error: httpx.TransportError) -> APIError:
        """The error for a connection that failed mid-stream."""
        return stream_broke(error, self._deadline, self.delivered, self._decoder.request_id)
