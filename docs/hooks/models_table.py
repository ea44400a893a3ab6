"""MkDocs hook: the supported-models page is generated from the model catalog.

``docs/models.md`` holds the marker below; at build time it is replaced by a table of
:func:`assemblyai_gateway.catalog.known_models`, so the page cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from assemblyai_gateway.catalog import ModelInfo, known_models

__all__ = ["MARKER", "on_page_markdown", "render_models_table"]

MARKER = "<!-- MODELS_TABLE -->"

_PROVIDER_NAMES = {"anthropic": "Anthropic", "openai": "OpenAI", "google": "Google"}


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _row(info: ModelInfo) -> str:
    streaming = "native SSE" if info.native_streaming else "replayed from one request"
    cells = [
        f"`{info.id}`",
        _PROVIDER_NAMES.get(info.provider, info.provider),
        f"{info.context_window:,}",
        f"{info.max_output_tokens:,}",
        streaming,
        _yes_no(info.supports_tools),
        "json_schema" if info.supports_json_schema else "function calling",
        _yes_no(info.eu_available),
        info.retired or "",
    ]
    return "| " + " | ".join(cells) + " |"


def render_models_table(models: tuple[ModelInfo, ...] | None = None) -> str:
    """A Markdown table of ``models`` (default: every catalog entry, in table order)."""
    header = (
        "| model | provider | context window | max output tokens | streaming | tools "
        "| structured output | EU | retired |\n"
        "|---|---|---:|---:|---|---|---|---|---|"
    )
    rows = [_row(info) for info in (known_models() if models is None else models)]
    return "\n".join([header, *rows])


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs event: put the catalog table where a page has the marker."""
    return markdown.replace(MARKER, render_models_table()) if MARKER in markdown else markdown
