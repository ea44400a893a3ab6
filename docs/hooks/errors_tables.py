"""MkDocs hook: the errors page's lists are generated from the code that defines them.

``docs/errors-and-retries.md`` holds two markers, replaced at build time:

* ``<!-- CONTEXT_OVERFLOW_PHRASES -->``: the phrases of
  :data:`assemblyai_gateway.errors.CONTEXT_OVERFLOW_PHRASES`;
* ``<!-- LANGCHAIN_ERRORS_TABLE -->``: each core error class and the langchain-core type
  LangChain raises it as, from ``langchain_assemblyai_gateway._errors.MODEL_ERROR_TYPES``.
"""

from __future__ import annotations

from typing import Any

from assemblyai_gateway.errors import CONTEXT_OVERFLOW_PHRASES
from langchain_assemblyai_gateway._errors import MODEL_ERROR_TYPES

__all__ = [
    "OVERFLOW_MARKER",
    "TABLE_MARKER",
    "on_page_markdown",
    "render_langchain_errors",
    "render_overflow_phrases",
]

OVERFLOW_MARKER = "<!-- CONTEXT_OVERFLOW_PHRASES -->"
TABLE_MARKER = "<!-- LANGCHAIN_ERRORS_TABLE -->"


def render_overflow_phrases() -> str:
    """A Markdown list of the phrases (matched case-insensitively)."""
    return "\n".join(f"- `{phrase}`" for phrase in CONTEXT_OVERFLOW_PHRASES)


def render_langchain_errors() -> str:
    """A Markdown table: core class (first match wins, top down) -> langchain-core type."""
    rows = [f"| `{core.__name__}` | `{model.__name__}` |" for core, model in MODEL_ERROR_TYPES]
    header = "| core class (and its subclasses, first match) | also raised as |\n|---|---|"
    return "\n".join([header, *rows])


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs event: put the generated lists where a page has their markers."""
    if OVERFLOW_MARKER in markdown:
        markdown = markdown.replace(OVERFLOW_MARKER, render_overflow_phrases())
    if TABLE_MARKER in markdown:
        markdown = markdown.replace(TABLE_MARKER, render_langchain_errors())
    return markdown
