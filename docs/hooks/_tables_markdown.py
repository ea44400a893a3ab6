"""Markdown for the generated tables: cells from docstrings and values, and the tables.

Shared by the renderers beside it (``_tables_errors``, ``_tables_cli``,
``_tables_settings``), which ``code_tables.py`` calls for the pages' markers.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Sequence

__all__ = ["cell", "code", "docstring_section", "summary", "table"]

_ROLE = re.compile(r":(?:py:)?\w+:`~?([\w.]+)`")


def cell(text: str) -> str:
    """Docstring text as one Markdown table cell (roles and ``literals`` as code)."""
    text = _ROLE.sub(lambda match: f"`{match.group(1).rsplit('.', 1)[-1]}`", text)
    text = text.replace("``", "`")
    return " ".join(text.split()).replace("|", "\\|")


def summary(obj: object) -> str:
    """The first paragraph of ``obj``'s docstring, as a cell."""
    doc = inspect.getdoc(obj) or ""
    return cell(doc.split("\n\n", 1)[0])


def docstring_section(doc: str | None, title: str) -> dict[str, str]:
    """``name: text`` entries of a Google-style section (``Args:``, ``Attributes:``)."""
    entries: dict[str, str] = {}
    lines = inspect.cleandoc(doc or "").splitlines()
    try:
        start = lines.index(f"{title}:")
    except ValueError:
        return entries
    name = ""
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith(" "):
            break  # the next section
        match = re.match(r"^ {4}(\w+)(?: \(.*?\))?: ?(.*)$", line)
        if match:
            name = match.group(1)
            entries[name] = match.group(2)
        elif name and line.strip():
            entries[name] += " " + line.strip()
    return {key: cell(value) for key, value in entries.items()}


def code(value: object) -> str:
    """``repr(value)`` as inline code."""
    text = repr(value)
    return f"`{text}`" if "`" not in text else text


def table(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, align: Sequence[str] = ()
) -> str:
    """A Markdown table; ``align`` gives a column's separator (``"---:"``), else ``"---"``."""
    separators = [align[i] if i < len(align) else "---" for i in range(len(header))]
    lines = [header, separators, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)
