"""The type checkers' view of ``assemblyai_gateway``'s public names, made from ``_EXPORTS``.

``assemblyai_gateway/__init__.py`` writes each public name once, in ``_EXPORTS``, and
loads it lazily. Type checkers and IDEs cannot run that table, so the file's
``if TYPE_CHECKING:`` block imports each name (``from .errors import APIError as
APIError``, the explicit re-export strict mypy wants). This module writes that block;
``tests/test_assemblyai_gateway/test_public_names.py`` checks it matches the table.

After adding, moving or removing a public name in ``_EXPORTS``, run::

    .venv/bin/python -m tests.support.public_names
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import assemblyai_gateway

__all__ = ["INIT", "exported", "type_checking_imports", "write_type_checking_block"]

INIT = Path(assemblyai_gateway.__file__)
_OPENING = "if TYPE_CHECKING:\n"
_COMMENT = (
    "    # Written by `python -m tests.support.public_names` from _EXPORTS (do not edit):\n"
    "    # type checkers and IDEs see each name; a test checks the two agree.\n"
)


def exported() -> set[tuple[str, str]]:
    """``(module, name)`` for each name in ``_EXPORTS``."""
    table: dict[str, tuple[str, ...]] = assemblyai_gateway._EXPORTS
    return {(module, name) for module, names in table.items() for name in names}


def _type_checking_block(tree: ast.Module) -> ast.If:
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            return node
    raise LookupError(f"{INIT} has no `if TYPE_CHECKING:` block")


def type_checking_imports(source: str) -> set[tuple[str, str, str | None]]:
    """``(module, name, alias)`` for each name the ``if TYPE_CHECKING:`` block imports.

    Raises:
        ValueError: the block holds something other than ``from .module import ...``.
    """
    found: set[tuple[str, str, str | None]] = set()
    for statement in _type_checking_block(ast.parse(source)).body:
        if not isinstance(statement, ast.ImportFrom) or statement.level != 1:
            raise ValueError(f"the TYPE_CHECKING block holds {ast.unparse(statement)!r}")
        found.update((statement.module or "", a.name, a.asname) for a in statement.names)
    return found


def write_type_checking_block(path: Path = INIT) -> None:
    """Rewrite the ``if TYPE_CHECKING:`` block from ``_EXPORTS``, then let ruff order it."""
    source = path.read_text(encoding="utf-8")
    block = _type_checking_block(ast.parse(source))
    lines = source.splitlines(keepends=True)
    imports = "".join(
        f"    from .{module} import {name} as {name}\n" for module, name in sorted(exported())
    )
    start, end = block.lineno - 1, block.end_lineno or block.lineno
    path.write_text("".join([*lines[:start], _OPENING, _COMMENT, imports, *lines[end:]]))
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "check", "--select", "I", "--fix", "--quiet", str(path)], check=True)
    subprocess.run([*ruff, "format", "--quiet", str(path)], check=True)


if __name__ == "__main__":
    write_type_checking_block()
    print(f"wrote the TYPE_CHECKING imports of {INIT}")
