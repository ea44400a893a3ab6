"""MkDocs hook: the pages' lists of what the code defines are generated from the code.

A page holds a marker; at build time it is replaced by a list or table read from the
code, so the page cannot drift from the release it documents. The markers, and the
module beside this file that renders each (one per concern):

* ``_tables_errors``:

  * ``<!-- code: errors -->``: the error tree and a table of when each error is raised,
    from the exception classes the public packages export (their hierarchy, docstrings
    and ``status_code``);
  * ``<!-- code: context-overflow-phrases -->``: the phrases that mark a context-window
    overflow (``assemblyai_gateway.errors.CONTEXT_OVERFLOW_PHRASES``);
  * ``<!-- code: langchain-errors -->``: the langchain-core type LangChain raises each
    core error as (``langchain_assemblyai_gateway._errors.MODEL_ERROR_TYPES``);

* ``_tables_cli``:

  * ``<!-- code: cli NAME [COMMAND...] -->``: every option of the console script
    ``NAME`` (as ``[project.scripts]`` in pyproject.toml names it) and of its
    subcommands at any depth, from its argparse parsers; with ``COMMAND``, of that
    subcommand and those below it only;
  * ``<!-- code: exit-codes NAME -->``: the ``EXIT_CODES`` table of the module of
    ``NAME``'s entry point (what its ``--help`` prints);

* ``_tables_settings``:

  * ``<!-- code: settings DOTTED.NAME -->``: a class's settings with their defaults (a
    pydantic model's own fields, else the keyword arguments of its ``__init__``) and the
    descriptions its docstrings give;
  * ``<!-- code: settings-compared DOTTED.NAME ... -->``: the same settings side by side;
  * ``<!-- code: regions -->``: the regions and their endpoints.

* ``_tables_wire``:

  * ``<!-- code: request-fields -->``: every field of the core's request model, the
    setting of each adapter that sends it (or how it does), and whether a call may give
    it (the core's argument rule);
  * ``<!-- code: finish-reasons -->``: the provider words each normalised finish reason
    stands for (the core's one table).

* ``_tables_api``:

  * ``<!-- code: api PACKAGE ... -->``: the API reference of each package's ``__all__``,
    every class and function once (a ``:::`` block for mkdocstrings), its constants in
    a table.

* ``_tables_modules``:

  * ``<!-- code: modules PACKAGE ... -->``: every module of each package, folder by
    folder, with the first line of its docstring (the architecture page's map).

A marker this hook does not know fails the build. MkDocs puts this folder on
``sys.path`` while it loads a hook, so the renderers are imported by their names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from _tables_api import render_api
from _tables_cli import render_cli_marker, render_exit_codes
from _tables_errors import render_error_tree, render_langchain_errors, render_overflow_phrases
from _tables_modules import render_modules
from _tables_settings import render_regions, render_settings, render_settings_compared
from _tables_wire import render_finish_reasons, render_request_fields

__all__ = ["MARKER", "on_page_markdown", "render_marker"]

MARKER = re.compile(r"<!-- code: ([\w-]+)((?: [^ >]+)*) -->")

# Each marker's renderer and how many arguments it takes (None: one or more, as a list).
_RENDERERS: dict[str, tuple[Callable[..., str], int | None]] = {
    "errors": (render_error_tree, 0),
    "context-overflow-phrases": (render_overflow_phrases, 0),
    "langchain-errors": (render_langchain_errors, 0),
    "cli": (render_cli_marker, None),
    "exit-codes": (render_exit_codes, 1),
    "settings": (render_settings, 1),
    "settings-compared": (render_settings_compared, None),
    "regions": (render_regions, 0),
    "request-fields": (render_request_fields, 0),
    "finish-reasons": (render_finish_reasons, 0),
    "api": (render_api, None),
    "modules": (render_modules, None),
}


def render_marker(kind: str, arguments: list[str]) -> str:
    """What the marker ``<!-- code: KIND ARGUMENTS... -->`` is replaced with."""
    render, count = _RENDERERS.get(kind, (None, 0))
    fits = len(arguments) == count if count is not None else bool(arguments)
    if render is None or not fits:
        raise ValueError(f"unknown generated-table marker: {' '.join([kind, *arguments])}")
    return render(arguments) if count is None else render(*arguments)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs event: replace each ``<!-- code: ... -->`` marker with its table."""
    return MARKER.sub(lambda match: render_marker(match.group(1), match.group(2).split()), markdown)
