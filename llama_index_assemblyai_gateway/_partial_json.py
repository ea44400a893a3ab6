"""Tool-call arguments read while they stream: a partial JSON object, built piece by piece.

:class:`PartialArguments` gives, after every piece, the object the text so far stands
for, with the rules of :class:`~._partial_reparse.ReparsedArguments` (llama-index's
``parse_partial_json``, plus a cut back to the last ``,``/``:``/``{``/``[`` when the text
ends inside a literal such as ``tru`` or ``1.``).

Reading the whole text again on every piece costs O(n) per piece, O(n²) per stream,
however fast the parser. Here the object is built as the text arrives: each finished
key, string and number is decoded once and added to its container; only the value in
progress (the last string, number or literal) is read again. A reading copies the open
containers on the path to that value, never the finished values inside them, so the
objects a stream hands out never change afterwards, and the work per piece does not
grow with the text. Text that is not a JSON object's prefix (malformed arguments) is
handed, once, to ``ReparsedArguments``, which applies the same rules to the whole text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from assemblyai_gateway._transport.untrusted_text import (
    may_hold_lone_surrogate,
    without_lone_surrogates,
)
from llama_index_assemblyai_gateway._partial_reparse import ReparsedArguments

__all__ = ["PartialArguments"]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A string's text up to its closing quote (or a lone backslash ending the piece).
_STRING_TEXT = re.compile(r'(?:[^"\\]|\\.)*', re.DOTALL)
_LITERAL_TEXT = re.compile(r"[0-9A-Za-z+\-.]*")
_LITERAL_START = frozenset("0123456789-+.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# An escape the piece cut short (\u with < 4 digits), or a high surrogate whose low half
# may follow (with the escape after it, if cut short): decoded with what comes next, so
# a surrogate pair decodes to one character, as a whole-text parse would.
_HIGH_SURROGATE = r"\\u[dD][89abAB][0-9a-fA-F]{2}"
_OPEN_ESCAPE = re.compile(rf"(?:{_HIGH_SURROGATE})?(?:\\u[0-9a-fA-F]{{0,3}})?$")
_ESCAPE_OR_NEWLINE = re.compile(r"(\\.)|\n", re.DOTALL)
# Deeper nesting, or longer numbers and literals, go to the whole-text rule.
_MAX_DEPTH = 100
_MAX_LITERAL = 5000

# What a frame expects next.
_KEY_OR_END, _KEY, _COLON, _VALUE, _COMMA_OR_END, _VALUE_OR_END = range(6)
_LEFT_OUT = object()  # a value in progress that the rules leave out (or show as None)
# One decoder for the short texts decoded here (a string, a number, a literal): none can
# nest, and json.loads would build a decoder per call.
_decode_json = json.JSONDecoder().decode


def _decode(text: str) -> str | None:
    """A JSON string's text decoded, raw newlines read as ``\\n``; None when invalid."""
    if "\n" in text:
        text = _ESCAPE_OR_NEWLINE.sub(lambda match: match.group(1) or "\\n", text)
    try:
        value = _decode_json(f'"{text}"')
    except ValueError:
        return None
    if not isinstance(value, str):
        return None
    # A lone surrogate reads as U+FFFD, as the whole-text parse has it.
    return without_lone_surrogates(value) if may_hold_lone_surrogate(text) else value


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd run of backslashes."""
    before = text[max(0, index - 16) : index]
    return (len(before) - len(before.rstrip("\\"))) % 2 == 1


def _open_escape_start(raw: str) -> int:
    """Where the escape(s) :data:`_OPEN_ESCAPE` holds back start (``len(raw)`` if none)."""
    start = max(0, len(raw) - 12)
    while (match := _OPEN_ESCAPE.search(raw, start)) is not None and match.start() < len(raw):
        if not _escaped(raw, match.start()):
            return match.start()
        start = match.start() + 1  # "\\u00" is a backslash, then "u00"
    return len(raw)


class _String:
    """A key or string value in progress: decoded once per piece, as it arrives."""

    __slots__ = ("colon_since_quote", "held", "invalid", "is_key", "parts", "shown")

    def __init__(self, is_key: bool) -> None:
        self.is_key = is_key
        self.parts: list[str] = []  # decoded text
        self.held = ""  # raw text decoded with the next piece (see _OPEN_ESCAPE)
        self.invalid = False
        # parse_partial_json shows an open string only if a ':' follows its last '"'.
        self.colon_since_quote = False
        self.shown: tuple[int, str] = (0, "")  # parts joined, and how many

    def add(self, raw_piece: str) -> None:
        quote = raw_piece.rfind('"')
        if quote >= 0:
            self.colon_since_quote = ":" in raw_piece[quote + 1 :]
        elif ":" in raw_piece:
            self.colon_since_quote = True
        if self.invalid:
            return
        raw = self.held + raw_piece
        cut = _open_escape_start(raw)
        self.held = raw[cut:]
        if cut:
            decoded = _decode(raw[:cut])
            if decoded is None:
                self.invalid = True
            else:
                self.parts.append(decoded)

    def _text(self) -> str | None:
        count, text = self.shown
        if count != len(self.parts):
            text += "".join(self.parts[count:])
            self.shown = (len(self.parts), text)
        if not self.held:
            return text
        rest = _decode(self.held)
        return None if rest is None else text + rest

    def partial(self) -> Any:
        if self.invalid or not self.colon_since_quote:
            return _LEFT_OUT
        text = self._text()
        return _LEFT_OUT if text is None else text

    def final(self) -> str | None:
        return None if self.invalid else self._text()


class _Frame:
    """An open object or array: its finished members, and where its text stands."""

    __slots__ = ("container", "expect", "key")

    def __init__(self, container: dict[str, Any] | list[Any]) -> None:
        self.container = container
        self.expect = _KEY_OR_END if isinstance(container, dict) else _VALUE_OR_END
        self.key = ""


def _literal(text: str) -> Any:
    try:
        return _decode_json(text)
    except ValueError:
        return _LEFT_OUT


class _ObjectBuilder:
    """Builds the object while its text arrives; :meth:`feed` is False once the text is not
    a JSON object's prefix."""

    def __init__(self) -> None:
        self._stack: list[_Frame] = []
        self._root: dict[str, Any] | None = None
        self._done = False
        self._string: _String | None = None
        self._literal: str | None = None
        self._carry = ""  # a lone backslash that ended the last piece, inside a string

    def feed(self, piece: str) -> bool:
        text = self._carry + piece
        self._carry = ""
        position, end = 0, len(text)
        while position < end:
            if (string := self._string) is not None:
                stop = _STRING_TEXT.match(text, position).end()  # type: ignore[union-attr]
                if stop > position:
                    string.add(text[position:stop])
                if stop == end:
                    return True
                if text[stop] == "\\":  # its escape arrives with the next piece
                    self._carry = text[stop:]
                    return True
                if not self._close_string(string):
                    return False
                position = stop + 1
            elif self._literal is not None:
                stop = _LITERAL_TEXT.match(text, position).end()  # type: ignore[union-attr]
                self._literal += text[position:stop]
                if len(self._literal) > _MAX_LITERAL:
                    return False
                if stop == end:
                    return True
                value, self._literal = _literal(self._literal), None
                if value is _LEFT_OUT:
                    return False
                self._add(value)
                position = stop
            else:
                position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
                if position == end:
                    return True
                if not self._structural(text[position]):
                    return False
                position += 1
        return True

    def _close_string(self, string: _String) -> bool:
        self._string = None
        value = string.final()
        if value is None:
            return False
        if string.is_key:
            self._stack[-1].key = value
            self._stack[-1].expect = _COLON
        else:
            self._add(value)
        return True

    def _add(self, value: Any) -> None:
        frame = self._stack[-1]
        if isinstance(frame.container, dict):
            frame.container[frame.key] = value
        else:
            frame.container.append(value)
        frame.expect = _COMMA_OR_END

    def _open(self, container: dict[str, Any] | list[Any]) -> bool:
        if len(self._stack) >= _MAX_DEPTH:
            return False
        self._stack.append(_Frame(container))
        return True

    def _close(self) -> None:
        frame = self._stack.pop()
        if self._stack:
            self._add(frame.container)
        else:
            self._done = True

    def _structural(self, char: str) -> bool:
        """Take one character outside strings and literals; False if it cannot come here."""
        if self._done:
            return False
        if not self._stack:
            if char != "{":
                return False
            self._root = {}
            return self._open(self._root)
        frame = self._stack[-1]
        expect = frame.expect
        closer = "}" if isinstance(frame.container, dict) else "]"
        if char == closer and expect in (_KEY_OR_END, _VALUE_OR_END, _COMMA_OR_END):
            self._close()
        elif expect == _COMMA_OR_END:
            if char != ",":
                return False
            frame.expect = _KEY if closer == "}" else _VALUE
        elif expect in (_KEY_OR_END, _KEY):
            if char != '"':
                return False
            self._string = _String(is_key=True)
        elif expect == _COLON:
            if char != ":":
                return False
            frame.expect = _VALUE
        elif char == '"':
            self._string = _String(is_key=False)
        elif char == "{":
            return self._open({})
        elif char == "[":
            return self._open([])
        elif char in _LITERAL_START:
            self._literal = char
        else:
            return False
        return True

    def _value_in_progress(self, frame: _Frame) -> Any:
        """What the deepest frame shows for the value being written, if anything."""
        if frame.expect not in (_VALUE, _VALUE_OR_END):
            return _LEFT_OUT
        if self._string is not None:
            # A backslash ending the text escapes the quote that would close the string.
            value = _LEFT_OUT if self._carry else self._string.partial()
        elif self._literal is not None:
            value = _literal(self._literal)
        else:
            value = _LEFT_OUT
        if value is _LEFT_OUT and isinstance(frame.container, dict):
            return None  # a key whose value has not started (or is cut back) maps to None
        return value

    def value(self) -> dict[str, Any]:
        """The object so far: open containers are copies; finished values are shared."""
        if self._root is None:
            return {}
        if self._done:
            return self._root
        shown: Any = _LEFT_OUT
        for depth in range(len(self._stack) - 1, -1, -1):
            frame = self._stack[depth]
            copy = frame.container.copy()
            member = shown if depth < len(self._stack) - 1 else self._value_in_progress(frame)
            if member is not _LEFT_OUT:
                if isinstance(copy, dict):
                    copy[frame.key] = member
                else:
                    copy.append(member)
            shown = copy
        return shown  # type: ignore[no-any-return]


class PartialArguments:
    """One tool call's argument text, fed piece by piece, read as a partial object.

    A reading is a new object (or the previous one, when nothing arrived since), never
    changed by later pieces.

    Example:
        >>> arguments = PartialArguments()
        >>> arguments.feed('{"city": "Paris", "da')
        >>> arguments.value()
        {'city': 'Paris'}
        >>> arguments.feed('ys": 3}')
        >>> arguments.value()
        {'city': 'Paris', 'days': 3}
    """

    def __init__(self) -> None:
        self.pieces_fed = 0
        """How many pieces :meth:`feed` got (a stream feeds only the ones after)."""
        self._pieces: list[str] = []
        self._builder: _ObjectBuilder | None = _ObjectBuilder()
        self._reparsed: ReparsedArguments | None = None
        self._value: dict[str, Any] | None = None

    def feed(self, piece: str) -> None:
        """Append the next piece of argument text."""
        self.pieces_fed += 1
        if not piece:
            return
        self._value = None
        if self._reparsed is not None:
            self._reparsed.feed(piece)
            return
        self._pieces.append(piece)
        if self._builder is not None and not self._builder.feed(piece):
            # Not a JSON object's prefix: the whole-text rule decides from now on.
            self._builder = None
            self._reparsed = ReparsedArguments()
            self._reparsed.feed("".join(self._pieces))
            self._pieces = []

    def value(self) -> dict[str, Any]:
        """The object the text so far stands for (``{}`` when it is not an object)."""
        if self._value is None:
            source = self._builder if self._builder is not None else self._reparsed
            self._value = source.value() if source is not None else {}
        return self._value
