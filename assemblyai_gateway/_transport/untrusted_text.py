"""Reading text the server sent: UTF-8 whatever the label, JSON whatever the depth.

Every parse of server text goes through here, so a mislabelled charset or absurdly
deep nesting fails the way malformed JSON does (a ``ValueError``), never as a raw
``UnicodeError`` or ``RecursionError``. A lone surrogate escape (``"\\ud800"``, which
JSON allows and models sometimes emit mid-emoji) becomes U+FFFD, as undecodable bytes
do, so the text can be encoded again (sent back in history, logged, serialized).
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

__all__ = [
    "Utf8Stream",
    "loads_untrusted",
    "may_hold_lone_surrogate",
    "truncate_text",
    "utf8_text",
    "without_lone_surrogates",
]


def utf8_text(data: bytes | str) -> str:
    """Bytes as UTF-8 text; undecodable bytes become U+FFFD (the gateway speaks UTF-8)."""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def loads_untrusted(data: bytes | str, *, strict: bool = True) -> Any:
    """``json.loads`` for server text (``strict=False`` allows control characters in strings).

    Raises:
        ValueError: the text is not JSON, or nests deeper than Python can parse.

    Example:
        >>> loads_untrusted(b'{"a": [1]}')
        {'a': [1]}
        >>> loads_untrusted("[" * 100_000)
        Traceback (most recent call last):
        ...
        ValueError: JSON nested too deeply to parse
    """
    text = utf8_text(data)
    try:
        value = json.loads(text, strict=strict)
        # A cheap scan first: only a text with a surrogate can hold a lone one.
        return without_lone_surrogates(value) if may_hold_lone_surrogate(text) else value
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None


# A surrogate, escaped or (in text that did not come as UTF-8 bytes) as it is.
_SURROGATE = re.compile("\\\\u[dD][89a-fA-F]|[\ud800-\udfff]")


def may_hold_lone_surrogate(json_text: str) -> bool:
    """Whether ``json_text`` holds a surrogate (a cheap test before a walk)."""
    return _SURROGATE.search(json_text) is not None


def without_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        if not any("\ud800" <= char <= "\udfff" for char in value):
            return value
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            without_lone_surrogates(key): without_lone_surrogates(item)
            for key, item in value.items()
        }
    return value


def truncate_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was cut.

    Example:
        >>> truncate_text("x" * 10, 4)
        'xxxx... (6 more characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


class Utf8Stream:
    """Decodes a byte stream as UTF-8, piece by piece (characters may span pieces).

    Example:
        >>> stream = Utf8Stream()
        >>> stream.decode("é".encode()[:1]), stream.decode("é".encode()[1:])
        ('', 'é')
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode(self, data: bytes) -> str:
        """The text completed by ``data``."""
        return self._decoder.decode(data)

    def flush(self) -> str:
        """Whatever is left at the end of the stream."""
        return self._decoder.decode(b"", final=True)
