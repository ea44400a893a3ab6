"""Bounded decompression of response bodies, for every encoding the client asks for.

httpx inflates each network chunk whole before anyone can count it: 32 KB of zstd
became 2 GiB in memory before the size cap was looked at. So the client reads the raw
bytes (``iter_raw``) and decodes them here into pieces of bounded size, and the caps
are checked after each piece:

* ``gzip`` and ``deflate``: zlib with ``max_length``, 64 KiB per piece;
* ``zstd`` (when ``zstandard`` is installed): the input is fed 32 bytes at a time. A
  zstd block regenerates at most 128 KiB from 4 bytes, so one piece holds at most about
  1 MiB; and a frame may not ask for a window beyond 8 MiB (RFC 9659's limit for HTTP,
  which browsers enforce too);
* ``br`` (when ``brotli`` or ``brotlicffi`` 1.2 or newer is installed, whose decoder
  takes ``output_buffer_limit``): about 64 KiB per piece.

:data:`ACCEPT_ENCODING` lists exactly these, so a server has no reason to send
anything else; a body in another encoding, or one that does not decompress, raises
:class:`UndecodableBodyError` instead of reaching the parser undecoded or being
decoded without a bound.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

__all__ = ["ACCEPT_ENCODING", "BROTLI", "ZSTANDARD", "BodyDecoder", "UndecodableBodyError"]

_PIECE = 64 * 1024
# A zstd block (3-byte header + 1 byte of RLE) regenerates at most 128 KiB: 32 bytes of
# input yield at most 9 blocks, about 1 MiB.
_ZSTD_SLICE = 32
_ZSTD_MAX_WINDOW = 8 * 1024 * 1024
# "gzip, gzip, gzip, ..." could otherwise stack a decompressor per word of a header.
_MAX_LAYERS = 3


def _optional_module(*names: str) -> Any:
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


ZSTANDARD: Any = _optional_module("zstandard")
"""The ``zstandard`` module, or ``None`` when it is not installed."""
BROTLI: Any = _optional_module("brotli", "brotlicffi")
"""``brotli`` or ``brotlicffi`` when one of 1.2 or newer is installed, else ``None``."""
if BROTLI is not None and not hasattr(BROTLI.Decompressor, "can_accept_more_data"):
    BROTLI = None  # before 1.2 its decoder cannot bound its output


class UndecodableBodyError(Exception):
    """The body's ``Content-Encoding`` is unknown to us, or its bytes do not decode."""


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class _ZlibDecoder:
    """gzip (``wbits=31``), or deflate: zlib-wrapped as the RFC says, or raw as some
    servers send it (told apart by the two-byte zlib header, as browsers do)."""

    def __init__(self, wbits: int | None) -> None:
        self._inflate = None if wbits is None else zlib.decompressobj(wbits)
        self._head = b""

    def decode(self, data: bytes) -> Iterator[bytes]:
        inflate = self._inflate
        if inflate is None:  # deflate, before its first two bytes arrived
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            wrapped = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            inflate = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            self._inflate = inflate
        out = inflate.decompress(data, _PIECE)
        while True:
            if out:
                yield out
            # A full piece may leave output pending even after all input was taken.
            if inflate.eof or (not inflate.unconsumed_tail and len(out) < _PIECE):
                return
            out = inflate.decompress(inflate.unconsumed_tail, _PIECE)

    def flush(self) -> Iterator[bytes]:
        if self._inflate is None and self._head:
            raise zlib.error("incomplete deflate data (one byte)")
        if self._inflate is not None:
            yield from self.decode(b"")


class _ZstdDecoder:
    def __init__(self) -> None:
        self._context = ZSTANDARD.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW)
        self._frame = self._context.decompressobj()

    def decode(self, data: bytes) -> Iterator[bytes]:
        view = memoryview(data)
        start = 0
        while start < len(view):
            piece = view[start : start + _ZSTD_SLICE]
            out = self._frame.decompress(piece)
            start += len(piece)
            if self._frame.eof:  # another frame may follow (httpx decodes those too)
                start -= len(self._frame.unused_data)
                self._frame = self._context.decompressobj()
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _BrotliDecoder:
    def __init__(self) -> None:
        self._decoder = BROTLI.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        out = self._decoder.process(data, output_buffer_limit=_PIECE)
        while True:
            if out:
                yield out
            # A full piece may leave output pending even when more input is accepted.
            if self._decoder.can_accept_more_data() and len(out) < _PIECE:
                return
            more = self._decoder.process(b"", output_buffer_limit=_PIECE)
            if not (more or out):
                return  # nothing moves; the next input (or its refusal) decides
            out = more

    def flush(self) -> Iterator[bytes]:
        return iter(())


def _decoder_for(encoding: str) -> _Decoder:
    if encoding in ("gzip", "x-gzip"):
        return _ZlibDecoder(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return _ZlibDecoder(None)
    if encoding == "zstd" and ZSTANDARD is not None:
        return _ZstdDecoder()
    if encoding == "br" and BROTLI is not None:
        return _BrotliDecoder()
    raise UndecodableBodyError(
        f"the gateway answered with Content-Encoding {encoding!r}, which this client "
        f"did not ask for and does not decode (it asks for {ACCEPT_ENCODING!r})"
    )


def _supported() -> str:
    names = ["gzip", "deflate"]
    if ZSTANDARD is not None:
        names.append("zstd")
    if BROTLI is not None:
        names.append("br")
    return ", ".join(names)


ACCEPT_ENCODING = _supported()
"""The ``Accept-Encoding`` the client sends: only what it decodes with a bound."""


class BodyDecoder:
    """Decodes one body's ``Content-Encoding`` layers into pieces of bounded size.

    Args:
        encodings: The ``Content-Encoding`` values in the order they were applied
            (``identity`` and empty values are skipped).

    Raises:
        UndecodableBodyError: (when built or fed) an encoding we do not decode, more
            than three layers, or bytes that do not decompress.

    Example:
        >>> import gzip
        >>> decoder = BodyDecoder(["gzip"])
        >>> b"".join(decoder.decode(gzip.compress(b"hello"))) + b"".join(decoder.flush())
        b'hello'
    """

    def __init__(self, encodings: Sequence[str]) -> None:
        names = [name.strip().lower() for name in encodings]
        names = [name for name in names if name and name != "identity"]
        if len(names) > _MAX_LAYERS:
            raise UndecodableBodyError(
                f"the gateway answered with {len(names)} content encodings "
                f"({', '.join(names)}); at most {_MAX_LAYERS} are decoded"
            )
        self._names = names
        # Decoded last-applied first.
        self._layers = [_decoder_for(name) for name in reversed(names)]

    @property
    def is_identity(self) -> bool:
        """Whether the body is sent as is."""
        return not self._layers

    def decode(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of ``data``, produced one at a time as they are pulled."""
        if not self._layers:
            if data:
                yield data
            return
        yield from self._guarded(self._through(0, [data], final=False))

    def flush(self) -> Iterator[bytes]:
        """What is left once the body has ended."""
        if self._layers:
            yield from self._guarded(self._through(0, [], final=True))

    def _through(self, layer: int, pieces: Iterable[bytes], *, final: bool) -> Iterator[bytes]:
        if layer == len(self._layers):
            yield from pieces
            return
        decoder = self._layers[layer]

        def decoded() -> Iterator[bytes]:
            for piece in pieces:
                yield from decoder.decode(piece)
            if final:
                yield from decoder.flush()

        yield from self._through(layer + 1, decoded(), final=final)

    def _guarded(self, pieces: Iterator[bytes]) -> Iterator[bytes]:
        try:
            yield from pieces
        except UndecodableBodyError:
            raise
        except Exception as exc:  # zlib.error, zstd.ZstdError, brotli.error
            raise UndecodableBodyError(
                f"the gateway's response did not decompress (Content-Encoding "
                f"{', '.join(self._names)}): {type(exc).__name__}: {str(exc)[:200]}"
            ) from None
