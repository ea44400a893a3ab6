"""The bounded content decoders: every piece is small, whatever the input expands to."""

from __future__ import annotations

import gzip
import zlib

import pytest

from assemblyai_gateway._transport.content_encoding import (
    ACCEPT_ENCODING,
    BodyDecoder,
    UndecodableBodyError,
)
from tests.support.compression import CODECS, ENCODINGS, NO_ZSTD, brotli, zstandard

MiB = 1024 * 1024


# The most bytes one decoded piece may hold: brotli's limit holds at block granularity
# (up to about twice the piece); 32 bytes of zstd regenerate at most 9 blocks.
LARGEST_PIECE = {
    "gzip": 64 * 1024,
    "deflate": 64 * 1024,
    "deflate-raw": 64 * 1024,
    "zstd": 9 * 128 * 1024,
    "br": 3 * 64 * 1024,
}


def _decode_all(decoder: BodyDecoder, data: bytes, step: int) -> list[bytes]:
    pieces: list[bytes] = []
    for start in range(0, len(data), step):
        pieces.extend(decoder.decode(data[start : start + step]))
    pieces.extend(decoder.flush())
    return pieces


@pytest.mark.parametrize("codec", ENCODINGS)
@pytest.mark.parametrize("step", [1, 7, 65536], ids=["1-byte", "7-byte", "64k"])
def test_a_bomb_decodes_in_small_pieces(codec: str, step: int) -> None:
    encoding, compress = CODECS[codec]
    largest = LARGEST_PIECE[codec]
    original = b" " * (16 * MiB) if step == 65536 else b"x" * MiB
    pieces = _decode_all(BodyDecoder([encoding]), compress(original), step)

    assert b"".join(pieces) == original
    assert max(len(piece) for piece in pieces) <= largest


def test_pieces_are_produced_only_as_they_are_pulled() -> None:
    bomb = gzip.compress(b" " * (64 * MiB))
    pieces = BodyDecoder(["gzip"]).decode(bomb)
    assert len(next(pieces)) <= 64 * 1024  # the rest is inflated only when pulled


def test_layers_are_decoded_last_applied_first() -> None:
    body = b"hello layers" * 1000
    data = zlib.compress(gzip.compress(body))  # gzip, then deflate
    assert b"".join(_decode_all(BodyDecoder(["gzip", "deflate"]), data, 5)) == body


@pytest.mark.skipif(zstandard is None, reason=NO_ZSTD)
def test_concatenated_zstd_frames_are_all_decoded() -> None:
    squeezer = zstandard.ZstdCompressor()
    data = squeezer.compress(b"first ") + squeezer.compress(b"second")
    assert b"".join(_decode_all(BodyDecoder(["zstd"]), data, 3)) == b"first second"


def test_identity_passes_bytes_through() -> None:
    decoder = BodyDecoder(["identity", ""])
    assert decoder.is_identity
    assert list(decoder.decode(b"as is")) == [b"as is"]


@pytest.mark.parametrize(
    "encodings", [["compress"], ["x-new"], ["gzip"] * 4], ids=["compress", "unknown", "4-layers"]
)
def test_what_is_not_decoded_with_a_bound_is_refused(encodings: list[str]) -> None:
    with pytest.raises(UndecodableBodyError, match=r"(?i)encoding"):
        BodyDecoder(encodings)


def test_bytes_that_do_not_decompress_raise_a_clear_error() -> None:
    with pytest.raises(UndecodableBodyError, match=r"did not decompress.*gzip"):
        list(BodyDecoder(["gzip"]).decode(b"not gzip at all"))


def test_the_accept_encoding_header_names_only_bounded_decoders() -> None:
    offered = {name.strip() for name in ACCEPT_ENCODING.split(",")}
    for name in offered:
        BodyDecoder([name])  # never refused
    assert {"gzip", "deflate"} <= offered
    assert ("zstd" in offered) == (zstandard is not None)
    assert ("br" in offered) == (brotli is not None)
