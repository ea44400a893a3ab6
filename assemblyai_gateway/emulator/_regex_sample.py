"""One deterministic string matching a simple regular expression (for ``pattern``).

It walks the stdlib's own regex parse tree: literals, classes, ranges, ``\\d\\w\\s``,
repeats (the minimum, at least one), groups and the first alternative. Anything
fancier (back-references, negated classes) returns None and the caller falls back.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["sample_for_pattern"]

_MAX_REPEAT = 64
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}


class _Unsupported(Exception):
    pass


def _parser() -> Any:
    # re._parser since Python 3.11; sre_parse (deprecated there) before.
    try:
        return importlib.import_module("re._parser")
    except ImportError:  # pragma: no cover - Python 3.10
        return importlib.import_module("sre_parse")


def sample_for_pattern(pattern: str) -> str | None:
    """A string that ``re.search(pattern, ...)`` accepts, or None if out of reach.

    Examples:
        >>> sample_for_pattern(r"^[0-9]{5}$")
        '00000'
        >>> sample_for_pattern(r"^(ab|cd)-\\w+$")
        'ab-a'
    """
    try:
        parsed = _parser().parse(pattern)
        out: list[str] = []
        _emit(parsed, out)
    except (_Unsupported, re.error, RecursionError, TypeError, ValueError):
        return None
    text = "".join(out)
    try:
        return text if re.search(pattern, text) else None
    except re.error:
        return None


def _emit(items: Any, out: list[str]) -> None:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("b" if chr(arg) == "a" else "a")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_from_set(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            for _ in range(min(max(low, min(1, high)), _MAX_REPEAT)):
                _emit(sub, out)
        elif name == "SUBPATTERN":
            _emit(arg[-1], out)
        elif name == "ATOMIC_GROUP":
            _emit(arg, out)
        elif name == "BRANCH":
            _emit(arg[1][0], out)
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # anchors and lookarounds produce no text
        else:
            raise _Unsupported(name)


def _from_set(items: Any) -> str:
    op, arg = items[0]
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(arg[0])
    if name == "CATEGORY" and str(arg) in _CATEGORY_CHARS:
        return _CATEGORY_CHARS[str(arg)]
    raise _Unsupported(name)
