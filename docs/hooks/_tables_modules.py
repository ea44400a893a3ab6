"""The architecture page's map of the code: every module of a package, grouped by folder.

Rendered for ``code_tables.py``'s ``modules`` marker, from the files themselves: each
module's first docstring line says what it holds, so the map cannot drift from the tree.
"""

from __future__ import annotations

import ast
from pathlib import Path

from _tables_markdown import table

__all__ = ["module_summaries", "render_modules"]

_ROOT = Path(__file__).resolve().parents[2]


def _summary(path: Path) -> str:
    """The first line of a module's docstring (empty when it has none)."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    return docstring.strip().splitlines()[0] if docstring else ""


def module_summaries(package: str) -> dict[str, list[tuple[str, str]]]:
    """For each folder of ``package`` (``a/b``), its modules and their summaries."""
    base = _ROOT / package.replace(".", "/")
    folders: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(base.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        folder = path.parent.relative_to(_ROOT).as_posix()
        folders.setdefault(folder, []).append((path.name, _summary(path)))
    return folders


def render_modules(packages: list[str]) -> str:
    """One table per folder: each module and what it holds."""
    parts: list[str] = []
    for package in packages:
        for folder, modules in module_summaries(package).items():
            parts.append(f"#### `{folder}/`\n")
            rows = [(f"`{name}`", summary.replace("|", "\\|")) for name, summary in modules]
            parts.append(table(("Module", "What it holds"), rows))
    return "\n".join(parts)
