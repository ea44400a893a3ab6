"""The console scripts' generated tables: every option of every command, and the exit
codes a command documents.

Rendered for ``code_tables.py``'s ``cli`` and ``exit-codes`` markers. The parsers are
the ones the scripts' entry points build (``[project.scripts]`` of pyproject.toml),
stopped before they parse anything.
"""

from __future__ import annotations

import argparse
import importlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from unittest import mock

from _tables_markdown import cell, table

__all__ = ["cli_parsers", "console_scripts", "render_cli", "render_cli_marker", "render_exit_codes"]

REPO_ROOT = Path(__file__).resolve().parents[2]


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
    """``(command line, parser)`` for the script and each of its subcommands, at any depth
    (``assemblyai-gateway transcripts summarize``)."""
    found = [(script, _entry_parser(console_scripts()[script]))]
    for command, parser in found:  # grows while it is walked: children follow parents
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found += [(f"{command} {name}", sub) for name, sub in action.choices.items()]
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
    return cell(text)


def _exclusive_note(parser: argparse.ArgumentParser) -> str:
    notes = []
    for group in parser._mutually_exclusive_groups:
        names = " or ".join(f"`{action.option_strings[0]}`" for action in group._group_actions)
        notes.append(f"{'Exactly' if group.required else 'At most'} one of {names}.")
    return " ".join(notes)


def render_cli(script: str, *command: str) -> str:
    """A table of every option of ``script`` (one per subcommand that has options); with
    ``command`` (``"bulk"``), of that subcommand and those below it only."""
    prefix = " ".join([script, *command])
    parts = []
    for line, parser in cli_parsers(script):
        if line != prefix and not line.startswith(prefix + " "):
            continue
        actions = [
            action
            for action in parser._actions
            if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
        ]
        if not actions:
            continue
        rows = [[_option_cell(a), _default_cell(a), _help_cell(a, parser)] for a in actions]
        note = _exclusive_note(parser)
        options = table(["option", "default", "meaning"], rows)
        parts.append(f"`{line}`:\n\n{options}" + (f"\n\n{note}" if note else ""))
    return "\n\n".join(parts)


def render_cli_marker(arguments: list[str]) -> str:
    """``<!-- code: cli SCRIPT [COMMAND...] -->``: :func:`render_cli` of the arguments."""
    return render_cli(arguments[0], *arguments[1:])


def render_exit_codes(script: str) -> str:
    """The exit codes of ``script``: the ``EXIT_CODES`` table of its entry point's module,
    which its ``--help`` prints too."""
    module = importlib.import_module(console_scripts()[script].partition(":")[0])
    codes: Mapping[int, str] | None = getattr(module, "EXIT_CODES", None)
    if codes is None:
        raise ValueError(f"{module.__name__} ({script}) has no EXIT_CODES table")
    rows = [[str(code), cell(meaning)] for code, meaning in codes.items()]
    return table(["Exit code", "Meaning"], rows, align=["---:"])
