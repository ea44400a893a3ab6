"""MkDocs hook: the bulk page's exit-code table is generated from the command line.

``docs/bulk-jobs.md`` holds the marker below; at build time it is replaced by a table
of :data:`assemblyai_gateway.cli.EXIT_CODES`, the same text ``--help`` prints, so the
page cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assemblyai_gateway.cli import EXIT_CODES

__all__ = ["MARKER", "on_page_markdown", "render_exit_codes"]

MARKER = "<!-- BULK_EXIT_CODES -->"


def render_exit_codes(codes: Mapping[int, str] | None = None) -> str:
    """A Markdown table of ``codes`` (default: the command line's)."""
    rows = [f"| {code} | {meaning} |" for code, meaning in (codes or EXIT_CODES).items()]
    return "\n".join(["| Exit code | Meaning |", "|---:|---|", *rows])


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs event: put the exit-code table where a page has the marker."""
    return markdown.replace(MARKER, render_exit_codes()) if MARKER in markdown else markdown
