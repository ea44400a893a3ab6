"""The API reference's lists: every public name of a package, once, from its ``__all__``.

Rendered for ``code_tables.py``'s ``api`` marker. A name re-exported by more than one of
the packages a page lists (``TranscriptClient`` from ``assemblyai_gateway`` and
``assemblyai_gateway.transcripts``) is documented once, under the first package that
exports it; the others link to it.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence

__all__ = ["public_names", "render_api"]


def _defining_path(package: str, name: str, value: object) -> str:
    """Where mkdocstrings finds ``value``: the module that defines it, else the package."""
    module = getattr(value, "__module__", None)
    defined_here = inspect.isclass(value) or inspect.isfunction(value)
    if defined_here and isinstance(module, str) and getattr(value, "__name__", None) == name:
        return f"{module}.{name}"
    return f"{package}.{name}"


def public_names(package: str) -> list[tuple[str, object]]:
    """``package.__all__`` with each name's object, in the package's own order."""
    module = importlib.import_module(package)
    return [(name, getattr(module, name)) for name in module.__all__]


def _documented(value: object) -> bool:
    """Classes and functions get a ``:::`` block; constants and aliases a table row."""
    return inspect.isclass(value) or inspect.isfunction(value)


def render_api(packages: Sequence[str]) -> str:
    """A ``:::`` block per public class or function, each documented once, and a table
    of each package's constants."""
    seen: dict[int, str] = {}
    parts: list[str] = []
    for package in packages:
        parts.append(f"## `{package}`\n")
        also: list[str] = []
        constants: list[str] = []
        for name, value in public_names(package):
            if not _documented(value):
                constants.append(f"| `{name}` | `{value!r}` |")
                continue
            first = seen.get(id(value))
            if first is not None:
                also.append(f"`{name}` (documented under `{first}`)")
                continue
            seen[id(value)] = f"{package}.{name}"
            parts.append(f"::: {_defining_path(package, name, value)}\n")
        if constants:
            parts.append("| Constant | Value |\n|---|---|\n" + "\n".join(constants) + "\n")
        if also:
            parts.append("Also exported here: " + ", ".join(also) + ".\n")
    return "\n".join(parts)
