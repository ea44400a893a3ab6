"""The errors page's generated lists: the error tree and table, the phrases that mark a
context-window overflow, and the langchain-core type LangChain raises each error as.

Rendered for ``code_tables.py``'s ``errors``, ``context-overflow-phrases`` and
``langchain-errors`` markers.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence
from typing import NamedTuple

from _tables_markdown import docstring_section, summary, table

from assemblyai_gateway.errors import CONTEXT_OVERFLOW_PHRASES
from langchain_assemblyai_gateway._errors import MODEL_ERROR_TYPES

__all__ = [
    "PUBLIC_PACKAGES",
    "ErrorEntry",
    "error_entries",
    "is_error",
    "render_error_tree",
    "render_langchain_errors",
    "render_overflow_phrases",
]

# The packages whose ``__all__`` is the public surface (errors are looked up in them).
PUBLIC_PACKAGES = (
    "assemblyai_gateway",
    "assemblyai_gateway.bulk",
    "assemblyai_gateway.emulator",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
)


class ErrorEntry(NamedTuple):
    """One public exception class and where it is imported from."""

    cls: type[BaseException]
    module: str


def is_error(value: object) -> bool:
    """Whether ``value`` is an exception class that is not a warning category (those,
    such as ``ModelRetirementWarning``, are documented where they are given)."""
    return (
        isinstance(value, type)
        and issubclass(value, BaseException)
        and not issubclass(value, Warning)
    )


def error_entries() -> list[ErrorEntry]:
    """Every exception class the public packages export, in definition order."""
    found: dict[type[BaseException], str] = {}
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if is_error(value):
                found.setdefault(value, package)

    def defined_at(cls: type[BaseException]) -> tuple[int, str, int]:
        package = PUBLIC_PACKAGES.index(found[cls])
        return package, cls.__module__, inspect.getsourcelines(cls)[1]

    return [ErrorEntry(cls, found[cls]) for cls in sorted(found, key=defined_at)]


def _public_parent(cls: type, public: Sequence[type]) -> type | None:
    return next((base for base in cls.__mro__[1:] if base in public), None)


def _tree_lines(entries: list[ErrorEntry]) -> list[str]:
    public = [entry.cls for entry in entries]
    children: dict[type | None, list[type]] = {}
    for cls in public:
        children.setdefault(_public_parent(cls, public), []).append(cls)

    def label(cls: type) -> str:
        parent = _public_parent(cls, public)
        # Other bases a user may catch it as (ValueError), beyond the tree's parent.
        extra = [
            base.__name__
            for base in cls.__bases__
            if base not in (parent, Exception, BaseException)
            and not (parent and issubclass(parent, base))
        ]
        text = cls.__name__ + (f" (also {', '.join(extra)})" if extra else "")
        status = vars(cls).get("status_code")
        return f"{text:<40} {status}" if status else text

    lines: list[str] = []

    def walk(cls: type, prefix: str, last: bool, root: bool) -> None:
        lines.append(label(cls) if root else f"{prefix}{'└── ' if last else '├── '}{label(cls)}")
        below = children.get(cls, [])
        inner = "" if root else prefix + ("    " if last else "│   ")
        for index, child in enumerate(below):
            walk(child, inner, index == len(below) - 1, False)

    for root in children.get(None, []):
        walk(root, "", True, True)
    return lines


def render_error_tree(entries: list[ErrorEntry] | None = None) -> str:
    """The hierarchy as a text tree, then a table of when each error is raised."""
    entries = error_entries() if entries is None else entries
    rows = []
    for entry in entries:
        name = f"`{entry.cls.__name__}`"
        if entry.module != PUBLIC_PACKAGES[0]:
            name += f" (`{entry.module}`)"
        attributes = docstring_section(entry.cls.__doc__, "Attributes")
        own = ", ".join(f"`{key}`: {text}" for key, text in attributes.items())
        rows.append([name, summary(entry.cls), own])
    tree = "\n".join(_tree_lines(entries))
    errors = table(["error", "raised when", "attributes"], rows)
    return f"```text\n{tree}\n```\n\n{errors}"


def render_overflow_phrases() -> str:
    """A Markdown list of ``CONTEXT_OVERFLOW_PHRASES`` (matched case-insensitively)."""
    return "\n".join(f"- `{phrase}`" for phrase in CONTEXT_OVERFLOW_PHRASES)


def render_langchain_errors() -> str:
    """Each core class (first match wins, top down) and its langchain-core type."""
    rows = [[f"`{core.__name__}`", f"`{model.__name__}`"] for core, model in MODEL_ERROR_TYPES]
    return table(["core class (and its subclasses, first match)", "also raised as"], rows)
