"""The settings tables: a class's settings with their defaults, several classes side by
side, and the regions with their endpoints.

Rendered for ``code_tables.py``'s ``settings``, ``settings-compared`` and ``regions``
markers. A pydantic model's settings are its own fields (described by ``Field``
descriptions or the docstrings under them); any other class's are the keyword
arguments of its ``__init__`` (described by its ``Args:``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import os
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from _tables_markdown import cell, code, docstring_section, table

__all__ = [
    "Setting",
    "render_regions",
    "render_settings",
    "render_settings_compared",
    "settings_of",
]

# Classes defined under these roots are ours; the rest of an MRO is a framework's.
_OUR_ROOTS = (
    "assemblyai_gateway",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
    "llama_index.llms.assemblyai_gateway",
)


class Setting(NamedTuple):
    """One setting of a class: its name, aliases, default and meaning."""

    name: str
    default: str
    meaning: str
    alias: str | None = None


def _resolve(dotted: str) -> Any:
    module_name, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def _ours(cls: type) -> bool:
    return cls.__module__.startswith(_OUR_ROOTS)


def _attribute_docstrings(cls: type) -> dict[str, str]:
    """Docstrings written under annotated class attributes (``x: int = 1`` then a string)."""
    try:
        body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    except (OSError, TypeError, SyntaxError):
        return {}
    docs: dict[str, str] = {}
    statements = body.body if isinstance(body, ast.ClassDef) else []
    for statement, following in itertools.pairwise(statements):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


@contextmanager
def _no_gateway_environment() -> Iterator[None]:
    """Defaults as a user without ``ASSEMBLYAI_*`` variables gets them."""
    saved = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("ASSEMBLYAI_")}
    try:
        yield
    finally:
        os.environ.update(saved)


_CONSTRAINTS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "min_length": "length >="}


def _constraints(metadata: Sequence[Any]) -> str:
    found = [
        f"`{symbol} {getattr(item, attribute)}`"
        for item in metadata
        for attribute, symbol in _CONSTRAINTS.items()
        if getattr(item, attribute, None) is not None
    ]
    return f" Must be {' and '.join(found)}." if found else ""


def _model_settings(cls: Any) -> list[Setting]:
    own: set[str] = set()
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if _ours(klass):
            own |= set(vars(klass).get("__annotations__", {}))
            docs.update(_attribute_docstrings(klass))
    settings = []
    with _no_gateway_environment():
        for name, field in cls.model_fields.items():
            if name not in own:
                continue
            factory = field.default_factory
            default = factory() if factory is not None else field.default
            meaning = cell(field.description or docs.get(name, ""))
            settings.append(
                Setting(name, code(default), meaning + _constraints(field.metadata), field.alias)
            )
    return settings


def _init_settings(cls: type) -> list[Setting]:
    described = docstring_section(cls.__doc__, "Args")
    parameters = list(inspect.signature(cls).parameters.values())
    return [
        Setting(
            p.name,
            "required" if p.default is inspect.Parameter.empty else code(p.default),
            described.get(p.name, ""),
        )
        for p in parameters
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def settings_of(dotted: str) -> list[Setting]:
    """The settings of the class at ``dotted``: pydantic fields, or ``__init__`` arguments."""
    cls = _resolve(dotted)
    return _model_settings(cls) if hasattr(cls, "model_fields") else _init_settings(cls)


def _inherited_note(cls: Any) -> str:
    if not hasattr(cls, "model_fields"):
        return ""
    framework = next(k for k in cls.__mro__ if not _ours(k) and hasattr(k, "model_fields"))
    own = {setting.name for setting in _model_settings(cls)}
    names = [f"`{name}`" for name in cls.model_fields if name not in own]
    if not names:
        return ""
    return f"\n\nInherited from `{framework.__name__}`, unchanged: {', '.join(names)}."


def render_settings(dotted: str) -> str:
    """A table of the settings of the class at ``dotted`` (aliases, defaults, meaning)."""
    settings = settings_of(dotted)
    with_aliases = any(setting.alias for setting in settings)
    rows = [
        [f"`{s.name}`" + (f" (`{s.alias}`)" if s.alias else ""), s.default, s.meaning]
        for s in settings
    ]
    header = ["setting (alias)" if with_aliases else "setting", "default", "meaning"]
    return table(header, rows) + _inherited_note(_resolve(dotted))


def render_settings_compared(dotted_names: Sequence[str]) -> str:
    """One row per setting name, one default column per class (— where it has none)."""
    per_class = [{s.name: s for s in settings_of(dotted)} for dotted in dotted_names]
    names = list(dict.fromkeys(name for settings in per_class for name in settings))
    rows = []
    for name in names:
        found = [settings.get(name) for settings in per_class]
        meaning = next((s.meaning for s in found if s and s.meaning), "")
        rows.append([f"`{name}`", *(s.default if s else "—" for s in found), meaning])
    titles = [f"`{dotted.rsplit('.', 1)[-1]}`" for dotted in dotted_names]
    return table(["setting", *titles, "meaning"], rows)


def render_regions() -> str:
    """The region names and their endpoints (``assemblyai_gateway.REGION_BASE_URLS``)."""
    urls: dict[str, str] = _resolve("assemblyai_gateway.REGION_BASE_URLS")
    rows = [[f"`{name!r}`", f"`{url}`"] for name, url in urls.items()]
    return table(["`region`", "base URL"], rows)
