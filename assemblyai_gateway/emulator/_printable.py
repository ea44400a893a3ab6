"""What a request sent, made safe to print on a terminal or in a log line.

Anyone who can reach the emulator can put any text in a path, a header or a model name,
without a key. Printed raw, a newline forges a log line and an escape sequence drives
the terminal; so every value from a request is escaped before it is printed.
"""

from __future__ import annotations

__all__ = ["printable", "printable_field"]


def printable(value: object) -> str:
    r"""``value`` as text, every character that is not printable escaped as ``repr`` does.

    Control characters (newlines, ESC), format characters (bidirectional overrides),
    line and paragraph separators become ``\n``, ``\x1b``, ``\u202e`` and the like, and
    a backslash is doubled, so the escaped text can be told apart from what was sent.

    Example:
        >>> printable("gpt-5\n12:00:00 POST / 200 \x1b[2J")
        'gpt-5\\n12:00:00 POST / 200 \\x1b[2J'
    """
    text = str(value)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(
        char if char.isprintable() and char != "\\" else repr(char)[1:-1] for char in text
    )


def printable_field(value: object) -> str:
    """:func:`printable`, quoted when it holds spaces, so one value cannot pose as several.

    Example:
        >>> printable_field("gpt-5"), printable_field("gpt-5 stream")
        ('gpt-5', '"gpt-5 stream"')
    """
    text = printable(value)
    if text and " " not in text and '"' not in text:
        return text
    return '"' + text.replace('"', '\\"') + '"'
