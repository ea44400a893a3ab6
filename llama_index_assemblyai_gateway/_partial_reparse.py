"""The partial-arguments rule over the whole text: the reference, and the fallback.

:class:`ReparsedArguments` gives, after every piece, the object the text so far stands
for, with the rules of llama-index's ``parse_partial_json`` (open strings and
containers are closed, a key whose value has not started maps to ``None``, a string
that holds no ``:`` yet is not shown) plus one of ours: text that ends inside a
literal (``tru``, ``1.``, ``-``) is cut back to its last ``,``/``:``/``{``/``[``.

Each character is scanned once in Python, but every reading parses the whole text
again with ``json.loads``: O(n) per piece. :class:`~._partial_json.PartialArguments`
builds the object incrementally instead, and hands the text to this class only once
it is not a JSON object's prefix (malformed arguments), where these rules still apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from assemblyai_gateway._wire.translate import loads_server_json

__all__ = ["ReparsedArguments"]

# How many times the text is cut back to an earlier structural character at most.
_MAX_TRIMS = 64
_CUT_POINTS = frozenset(",:{[")


@dataclass
class _ScanState:
    """Where ``parse_partial_json`` would stand after a prefix of the text."""

    raw_length: int = 0
    out_length: int = 0
    in_string: bool = False
    escaped: bool = False
    closers: list[str] = field(default_factory=list)
    last_quote: int = -1  # index in the rewritten text of its last '"'
    colon_since_quote: bool = False
    malformed: bool = False


class ReparsedArguments:
    """One tool call's argument text, fed piece by piece, read as a partial object.

    Example:
        >>> arguments = ReparsedArguments()
        >>> arguments.feed('{"city": "Paris", "da')
        >>> arguments.value()
        {'city': 'Paris'}
        >>> arguments.feed('ys": 3}')
        >>> arguments.value()
        {'city': 'Paris', 'days': 3}
    """

    def __init__(self) -> None:
        self._raw: list[str] = []
        self._out: list[str] = []
        self._state = _ScanState()
        # The state right after every structural character outside a string.
        self._cuts: list[_ScanState] = []

    def feed(self, piece: str) -> None:
        """Append the next piece of argument text."""
        if not piece:
            return
        self._raw.append(piece)
        state = self._state
        out = self._out
        for char in piece:
            state.raw_length += 1
            if state.in_string:
                if char == '"' and not state.escaped:
                    state.in_string = False
                elif char == "\n" and not state.escaped:
                    char = "\\n"  # the rewrite parse_partial_json makes
                elif char == "\\":
                    state.escaped = not state.escaped
                else:
                    state.escaped = False
            elif char == '"':
                state.in_string = True
                state.escaped = False
            elif char == "{":
                state.closers.append("}")
            elif char == "[":
                state.closers.append("]")
            elif char in "}]":
                if state.closers and state.closers[-1] == char:
                    state.closers.pop()
                else:
                    state.malformed = True
            out.append(char)
            if char == '"':
                state.last_quote = state.out_length
                state.colon_since_quote = False
            elif char == ":":
                state.colon_since_quote = True
            state.out_length += len(char)
            if not state.in_string and char in _CUT_POINTS:
                self._cuts.append(replace(state, closers=list(state.closers)))

    def value(self) -> dict[str, Any]:
        """The object the text so far stands for (``{}`` when it is not an object)."""
        raw = "".join(self._raw)
        if not raw.strip():
            return {}
        self._raw = [raw]
        out = "".join(self._out)
        self._out = [out]
        candidates = [self._state, *reversed(self._cuts_before(self._state.raw_length - 1))]
        for state in candidates[:_MAX_TRIMS]:
            try:
                parsed = _parse_prefix(raw, out, state)
            except ValueError:
                continue
            return parsed if isinstance(parsed, dict) else {}
        return {}

    def _cuts_before(self, raw_length: int) -> list[_ScanState]:
        """The cut states whose prefix ends at or before ``raw_length`` characters."""
        cuts = self._cuts
        end = len(cuts)
        while end and cuts[end - 1].raw_length > raw_length:
            end -= 1
        return cuts[max(0, end - _MAX_TRIMS) : end]


def _parse_prefix(raw: str, out: str, state: _ScanState) -> Any:
    """``parse_partial_json`` of ``raw[: state.raw_length]``, from the scan state."""
    # Text with an open string or container is never valid JSON as it stands: skip
    # parse_partial_json's first attempt then, which would only fail.
    if not (state.in_string or state.closers or state.malformed):
        try:
            return loads_server_json(raw[: state.raw_length])
        except ValueError:  # malformed, or nested too deeply to parse
            pass
    if state.malformed:
        raise ValueError("malformed partial JSON")
    text = out[: state.out_length]
    if state.in_string and state.last_quote >= 0 and not state.colon_since_quote:
        text = text[: state.last_quote]
    elif state.in_string:
        text += '"'
    text = text.rstrip()
    if text.endswith(":"):
        text += " null"
    elif text.endswith(","):
        text = text[:-1]
    text += "".join(reversed(state.closers))
    try:
        return loads_server_json(text)
    except ValueError:
        raise ValueError("malformed partial JSON") from None
