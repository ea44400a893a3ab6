"""The content encodings the tests send, and whether this environment can make them.

``zstd`` needs ``zstandard`` and ``br`` needs ``brotli``/``brotlicffi`` 1.2 or newer; where
one is missing, its parameter is skipped with the reason, and the client neither asks
for that encoding nor decodes it (the refusal tests cover what it does then).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from assemblyai_gateway._transport.content_encoding import BROTLI, ZSTANDARD

__all__ = ["CODECS", "ENCODINGS", "NO_BROTLI", "NO_ZSTD", "brotli", "zstandard"]

zstandard: Any = ZSTANDARD
brotli: Any = BROTLI
NO_ZSTD = "zstandard is not installed: the client neither asks for zstd nor decodes it"
NO_BROTLI = "brotli >= 1.2 is not installed: the client neither asks for br nor decodes it"


def _deflate_raw(data: bytes) -> bytes:
    squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return squeezer.compress(data) + squeezer.flush()


# name: (Content-Encoding, compress); deflate is sent zlib-wrapped (the RFC) and raw.
CODECS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "gzip": ("gzip", lambda data: gzip.compress(data, 9)),
    "deflate": ("deflate", lambda data: zlib.compress(data, 9)),
    "deflate-raw": ("deflate", _deflate_raw),
    "zstd": ("zstd", lambda data: zstandard.ZstdCompressor(level=19).compress(data)),
    "br": ("br", lambda data: brotli.compress(data)),
}

ENCODINGS = [
    "gzip",
    "deflate",
    "deflate-raw",
    pytest.param("zstd", marks=pytest.mark.skipif(zstandard is None, reason=NO_ZSTD)),
    pytest.param("br", marks=pytest.mark.skipif(brotli is None, reason=NO_BROTLI)),
]
"""Every codec, as ``pytest.mark.parametrize`` values."""
