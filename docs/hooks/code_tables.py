"""MkDocs hook: the pages' lists of what the code defines are generated from the code.

A page holds a marker; at build time it is replaced by a table read from the code by
introspection, so the list cannot drift from the release it documents:

* ``<!-- code: errors -->``: the error tree, from the exception classes the public
  packages export (their hierarchy, docstrings and ``status_code``);
* ``<!-- code: cli NAME -->``: every option of the console script ``NAME`` (as
  ``[project.scripts]`` in pyproject.toml names it), from its argparse parser;
* ``<!-- code: settings DOTTED.NAME -->``: a class's settings with their defaults: a
  pydantic model's own fields, else the keyword arguments of its ``__init__``, with the
  descriptions its docstrings give;
* ``<!-- code: settings-compared DOTTED.NAME ... -->``: the same settings side by side;
* ``<!-- code: regions -->``: the regions and their endpoints.

Everything is imported through public names (``assemblyai_gateway.GatewayError``, the
adapters' top-level classes, the console scripts' entry points), so modules may move.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import itertools
import os
import re
import textwrap
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple
from unittest import mock

__all__ = [
    "PUBLIC_PACKAGES",
    "ErrorEntry",
    "Setting",
    "cli_parsers",
    "console_scripts",
    "error_entries",
    "on_page_markdown",
    "render_cli",
    "render_error_tree",
    "render_regions",
    "render_settings",
    "render_settings_compared",
    "settings_of",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
# The packages whose ``__all__`` is the public surface (errors are looked up in them).
PUBLIC_PACKAGES = (
    "assemblyai_gateway",
    "assemblyai_gateway.bulk",
    "assemblyai_gateway.emulator",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
)
# Classes defined under these roots are ours; the rest of an MRO is a framework's.
_OUR_ROOTS = (
    "assemblyai_gateway",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
    "llama_index.llms.assemblyai_gateway",
)
_MARKER = re.compile(r"<!-- code: ([\w-]+)((?: [^ >]+)*) -->")
_ROLE = re.compile(r":(?:py:)?\w+:`~?([\w.]+)`")


def _markdown(text: str) -> str:
    """Docstring text as one Markdown table cell (roles and ``literals`` as code)."""
    text = _ROLE.sub(lambda match: f"`{match.group(1).rsplit('.', 1)[-1]}`", text)
    text = text.replace("``", "`")
    return " ".join(text.split()).replace("|", "\\|")


def _summary(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    return _markdown(doc.split("\n\n", 1)[0])


def _docstring_section(doc: str | None, title: str) -> dict[str, str]:
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
    return {key: _markdown(value) for key, value in entries.items()}


def _code(value: object) -> str:
    text = repr(value)
    return f"`{text}`" if "`" not in text else text


# ----------------------------------------------------------------------- errors


class ErrorEntry(NamedTuple):
    """One public exception class and where it is imported from."""

    cls: type[BaseException]
    module: str


def error_entries() -> list[ErrorEntry]:
    """Every exception class the public packages export, in definition order."""
    found: dict[type[BaseException], str] = {}
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, BaseException):
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
    rows = ["| error | raised when | attributes |", "|---|---|---|"]
    for entry in entries:
        name = f"`{entry.cls.__name__}`"
        if entry.module != PUBLIC_PACKAGES[0]:
            name += f" (`{entry.module}`)"
        attributes = _docstring_section(entry.cls.__doc__, "Attributes")
        own = ", ".join(f"`{key}`: {text}" for key, text in attributes.items())
        rows.append(f"| {name} | {_summary(entry.cls)} | {own} |")
    tree = "\n".join(_tree_lines(entries))
    return f"```text\n{tree}\n```\n\n" + "\n".join(rows)


# -------------------------------------------------------------------------- CLI


def console_scripts() -> dict[str, str]:
    """``[project.scripts]`` of pyproject.toml: script name to ``module:function``."""
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        scripts: dict[str, str] = tomllib.load(file)["project"]["scripts"]
    return scripts


class _Captured(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        super().__init__(parser.prog)
        self.parser = parser


def _capture(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
    raise _Captured(self)


def _entry_parser(target: str) -> argparse.ArgumentParser:
    """The parser a console script's ``main`` builds; it is stopped before parsing."""
    module_name, _, function = target.partition(":")
    main = getattr(importlib.import_module(module_name), function)
    with (
        mock.patch.object(argparse.ArgumentParser, "parse_args", _capture),
        mock.patch.object(argparse.ArgumentParser, "parse_known_args", _capture),
    ):
        try:
            main([])
        except _Captured as captured:
            return captured.parser
    raise RuntimeError(f"{target} returned without parsing its arguments")


def cli_parsers(script: str) -> list[tuple[str, argparse.ArgumentParser]]:
    """``(command line, parser)`` for the script and each of its subcommands."""
    found = [(script, _entry_parser(console_scripts()[script]))]
    for _, parser in list(found):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found += [(f"{script} {name}", sub) for name, sub in action.choices.items()]
    return found


def _option_cell(action: argparse.Action) -> str:
    names = ", ".join(action.option_strings) or action.dest
    if action.nargs == 0:
        return f"`{names}`"
    metavar = action.metavar or (
        "{" + ",".join(map(str, action.choices)) + "}" if action.choices else action.dest.upper()
    )
    return f"`{names} {metavar}`"


def _default_cell(action: argparse.Action) -> str:
    if action.required:
        return "required"
    default = action.default
    if isinstance(action, argparse._VersionAction) or default is argparse.SUPPRESS:
        return ""
    if action.nargs == 0 and isinstance(default, bool):
        return "on" if default else "off"
    if default is None or default == []:
        return "none"
    return f"`{default}`"


def _help_cell(action: argparse.Action, parser: argparse.ArgumentParser) -> str:
    params = {**vars(action), "prog": parser.prog}
    text = (action.help or "") % params if action.help else ""
    if action.choices and action.option_strings:
        text += "; one of " + ", ".join(f"`{choice}`" for choice in action.choices)
    if isinstance(action, argparse._AppendAction) and "repeatable" not in text:
        text += " (repeatable)"
    return _markdown(text)


def _exclusive_note(parser: argparse.ArgumentParser) -> str:
    notes = []
    for group in parser._mutually_exclusive_groups:
        names = " or ".join(f"`{action.option_strings[0]}`" for action in group._group_actions)
        notes.append(f"{'Exactly' if group.required else 'At most'} one of {names}.")
    return " ".join(notes)


def render_cli(script: str) -> str:
    """A table of every option of ``script`` (one per subcommand that has options)."""
    parts = []
    for command, parser in cli_parsers(script):
        actions = [
            action
            for action in parser._actions
            if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
        ]
        if not actions:
            continue
        rows = ["| option | default | meaning |", "| --- | --- | --- |"]
        rows += [
            f"| {_option_cell(a)} | {_default_cell(a)} | {_help_cell(a, parser)} |" for a in actions
        ]
        note = _exclusive_note(parser)
        parts.append(f"`{command}`:\n\n" + "\n".join(rows) + (f"\n\n{note}" if note else ""))
    return "\n\n".join(parts)


# --------------------------------------------------------------------- settings


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
            meaning = _markdown(field.description or docs.get(name, ""))
            settings.append(
                Setting(name, _code(default), meaning + _constraints(field.metadata), field.alias)
            )
    return settings


def _init_settings(cls: type) -> list[Setting]:
    described = _docstring_section(cls.__doc__, "Args")
    parameters = list(inspect.signature(cls).parameters.values())
    return [
        Setting(
            p.name,
            "required" if p.default is inspect.Parameter.empty else _code(p.default),
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
    head = "| setting (alias) |" if with_aliases else "| setting |"
    rows = [f"{head} default | meaning |", "|---|---|---|"]
    for setting in settings:
        name = f"`{setting.name}`" + (f" (`{setting.alias}`)" if setting.alias else "")
        rows.append(f"| {name} | {setting.default} | {setting.meaning} |")
    return "\n".join(rows) + _inherited_note(_resolve(dotted))


def render_settings_compared(dotted_names: Sequence[str]) -> str:
    """One row per setting name, one default column per class (— where it has none)."""
    per_class = [{s.name: s for s in settings_of(dotted)} for dotted in dotted_names]
    names = list(dict.fromkeys(name for settings in per_class for name in settings))
    titles = " | ".join(f"`{dotted.rsplit('.', 1)[-1]}`" for dotted in dotted_names)
    rows = [f"| setting | {titles} | meaning |", "|---|" + "---|" * (len(dotted_names) + 1)]
    for name in names:
        found = [settings.get(name) for settings in per_class]
        cells = " | ".join(s.default if s else "—" for s in found)
        meaning = next((s.meaning for s in found if s and s.meaning), "")
        rows.append(f"| `{name}` | {cells} | {meaning} |")
    return "\n".join(rows)


def render_regions() -> str:
    """The region names and their endpoints (``assemblyai_gateway.REGION_BASE_URLS``)."""
    urls: dict[str, str] = _resolve("assemblyai_gateway.REGION_BASE_URLS")
    rows = ["| `region` | base URL |", "|---|---|"]
    return "\n".join(rows + [f"| `{name!r}` | `{url}` |" for name, url in urls.items()])


# ------------------------------------------------------------------------- hook


def _render(kind: str, arguments: list[str]) -> str:
    if kind == "errors" and not arguments:
        return render_error_tree()
    if kind == "cli" and len(arguments) == 1:
        return render_cli(arguments[0])
    if kind == "settings" and len(arguments) == 1:
        return render_settings(arguments[0])
    if kind == "regions" and not arguments:
        return render_regions()
    if kind == "settings-compared" and arguments:
        return render_settings_compared(arguments)
    raise ValueError(f"unknown generated-table marker: {kind} {' '.join(arguments)}")


def on_page_markdown(markdown: str, **_: Any) -> str:
    """MkDocs event: replace each ``<!-- code: ... -->`` marker with its table."""
    return _MARKER.sub(lambda match: _render(match.group(1), match.group(2).split()), markdown)
