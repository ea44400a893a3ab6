"""No module of a package we ship is over 500 lines: a reader takes one in at a sitting.

The packages are the wheel's (pyproject.toml) and any ``*_assemblyai_gateway`` folder
at the root, so a new adapter is counted before it is added to the wheel.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAX_LINES = 500


def shipped_packages() -> list[Path]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    folders = {REPO / name for name in wheel} | set(REPO.glob("*_assemblyai_gateway"))
    return sorted(folder for folder in folders if folder.is_dir())


def package_modules() -> list[Path]:
    return sorted(path for package in shipped_packages() for path in package.rglob("*.py"))


def test_the_count_covers_the_core_and_every_adapter() -> None:
    names = {package.name for package in shipped_packages()}

    assert {
        "assemblyai_gateway",
        "langchain_assemblyai_gateway",
        "llama_index_assemblyai_gateway",
    } <= names
    assert REPO / "assemblyai_gateway" / "bulk" / "_runner.py" in package_modules()


def test_no_package_module_is_over_500_lines() -> None:
    sizes = {
        str(module.relative_to(REPO)): len(module.read_text(encoding="utf-8").splitlines())
        for module in package_modules()
    }

    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}
