"""The package's one token estimate: offline, tokenizer-free and on the safe side.

The gateway serves models with different tokenizers, so no exact local count exists; the
gateway's ``usage`` is the exact count, afterwards. Planning a request (does a
transcript fit the context window, how big may a chunk be) needs a number before, and
there an estimate that is a little high costs a little context, while one that is low
costs a refused request. So the estimate is the larger of two counts: one token per
four characters (langchain-core's ``count_tokens_approximately``), and one per word or
punctuation mark (BPE tokenizers never merge two words or a word and a mark). Characters
beyond ASCII weigh more: half a token each, and a whole one for CJK, kana and Hangul,
which tokenizers split finely.
"""

from __future__ import annotations

import math
import re
from typing import Final

__all__ = ["CHARS_PER_TOKEN", "estimate_tokens"]

CHARS_PER_TOKEN: Final = 4.0
"""Characters per token of plain ASCII text (langchain-core's own estimate)."""

_PIECES = re.compile(r"\w+|[^\w\s]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# CJK ideographs and symbols, kana, Hangul and full-width forms.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
    "\uffe0-\uffe6\U00020000-\U0003fffd]"
)


def estimate_tokens(text: str) -> int:
    """About how many tokens ``text`` is, erring high rather than low.

    Examples:
        >>> estimate_tokens("Hello there")
        3
        >>> estimate_tokens("Speaker A: Yes, I do.")  # words and marks outnumber chars / 4
        8
        >>> estimate_tokens("会議は金曜日です")  # one per CJK character
        8
    """
    if not text:
        return 0
    pieces = len(_PIECES.findall(text))
    if text.isascii():
        return max(math.ceil(len(text) / CHARS_PER_TOKEN), pieces)
    wide = len(_WIDE.findall(text))
    other = len(_NON_ASCII.findall(text)) - wide
    plain = len(text) - wide - other
    return max(math.ceil(plain / CHARS_PER_TOKEN + other / 2 + wide), pieces)
