"""Every recipe the cookbook lists runs from the environment ``make demo`` sets up.

``make demo`` installs the ``all`` extra and the ``demo`` dependency group from uv.lock.
Each recipe's imports (and those of the cookbook modules it imports) must come from
that environment, or from the dependency group its row in cookbook/README.md names.
The environment is read from uv.lock, which is exactly what ``uv sync --locked``
installs; an import is traced to the distribution that ships it in this environment.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.support.docs import DOCS_DIR, REPO_ROOT

COOKBOOK = REPO_ROOT / "cookbook"
README = (COOKBOOK / "README.md").read_text(encoding="utf-8")
PROJECT = "assemblyai-llm-gateway"
# The Makefile's SYNC_DEMO: `--extra all --group demo`.
DEMO_EXTRAS = ("all",)
DEMO_GROUPS = ("demo",)
# Our own packages: the editable install of PROJECT provides them.
FIRST_PARTY = (
    "assemblyai_gateway",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
    "llama_index.llms.assemblyai_gateway",
    "pydantic_ai_assemblyai_gateway",
    "cookbook",
)

_ROW = re.compile(r"^\|[^|]*\|[^|]*\| `python -m cookbook\.(\w+)` \| ([^|]*) \|$", re.MULTILINE)


def recipe_rows(text: str) -> dict[str, str]:
    """Recipe module -> the "needs beyond make demo" cell, for each row of a recipe table."""
    return {module: needs.strip() for module, needs in _ROW.findall(text)}


RECIPES = recipe_rows(README)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def _locked_packages() -> dict[str, list[dict[str, Any]]]:
    with (REPO_ROOT / "uv.lock").open("rb") as lock:
        packages: list[dict[str, Any]] = tomllib.load(lock)["package"]
    by_name: dict[str, list[dict[str, Any]]] = {}
    for package in packages:
        by_name.setdefault(package["name"], []).append(package)
    return by_name


def locked_closure(*, extras: Iterable[str] = (), groups: Iterable[str] = ()) -> set[str]:
    """Every distribution uv.lock installs for PROJECT with these extras and groups."""
    packages = _locked_packages()
    project = packages[PROJECT][0]
    todo: list[dict[str, Any]] = list(project.get("dependencies", []))
    for extra in extras:
        todo += project["optional-dependencies"][extra]
    for group in groups:
        todo += project["dev-dependencies"][group]
    seen = {PROJECT}
    done: set[tuple[str, str]] = set()
    while todo:
        dependency = todo.pop()
        name = dependency["name"]
        seen.add(name)
        # Environment markers are ignored: a superset, never a miss on this platform.
        for wanted in ("", *dependency.get("extra", [])):
            if (name, wanted) in done:
                continue
            done.add((name, wanted))
            for package in packages[name]:
                if wanted:
                    todo += package.get("optional-dependencies", {}).get(wanted, [])
                else:
                    todo += package.get("dependencies", [])
    return seen


def _imported_modules(path: Path) -> set[str]:
    """Absolute imports anywhere in a module (in functions and TYPE_CHECKING blocks too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names - {"__future__"}


def recipe_imports(module: str) -> set[str]:
    """What ``cookbook.<module>`` imports, following the cookbook modules it imports."""
    found: set[str] = set()
    todo = [module]
    visited: set[str] = set()
    while todo:
        current = todo.pop()
        if current in visited:
            continue
        visited.add(current)
        for name in _imported_modules(COOKBOOK / f"{current}.py"):
            if name.startswith("cookbook."):
                todo.append(name.removeprefix("cookbook."))
            elif name != "cookbook":
                found.add(name)
    return found


@cache
def _packages_distributions() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


@cache
def _files_of(distribution: str) -> set[str]:
    files = importlib.metadata.distribution(distribution).files or ()
    return {file.as_posix() for file in files}


def distribution_of(module: str) -> str | None:
    """The distribution that ships ``module`` here; None for the standard library."""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names:
        return None
    if any(module == ours or module.startswith(f"{ours}.") for ours in FIRST_PARTY):
        return PROJECT
    candidates = _packages_distributions().get(top, [])
    if len(candidates) > 1:  # a namespace package (llama_index): find the file's owner
        path = module.replace(".", "/")
        sources = {f"{path}.py", f"{path}/__init__.py"}
        candidates = [name for name in candidates if sources & _files_of(name)]
    assert len(candidates) == 1, f"cannot tell which distribution ships {module}: {candidates}"
    return _canonical(candidates[0])


def named_groups(needs: str) -> list[str]:
    """The dependency groups a "needs" cell names, as "the `ray` group"."""
    return re.findall(r"the `([\w-]+)` group", needs)


def test_the_cookbook_lists_every_recipe() -> None:
    modules = {path.stem for path in COOKBOOK.glob("*.py") if not path.stem.startswith("_")}
    assert set(RECIPES) == modules


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_each_recipe_imports_only_what_make_demo_or_its_row_installs(recipe: str) -> None:
    needs = RECIPES[recipe]
    groups = named_groups(needs)
    assert needs == "nothing" or groups, f"{recipe}: name the group it needs, not {needs!r}"
    installed = locked_closure(extras=DEMO_EXTRAS, groups=(*DEMO_GROUPS, *groups))
    demo = locked_closure(extras=DEMO_EXTRAS, groups=DEMO_GROUPS)

    shipped_by = {name: distribution_of(name) for name in recipe_imports(recipe)}
    missing = {name: dist for name, dist in shipped_by.items() if dist and dist not in installed}
    assert missing == {}, f"{recipe} imports what `make demo` does not install"
    needed = {dist for dist in shipped_by.values() if dist and dist not in demo}
    assert bool(needed) == bool(groups), f"{recipe}: its row says {needs!r}, it needs {needed}"


def test_the_demo_group_is_what_the_readme_tells_other_environments_to_add() -> None:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        demo_group = tomllib.load(file)["dependency-groups"]["demo"]
    from_extras = locked_closure(extras=DEMO_EXTRAS)
    pip_line = next(line for line in README.splitlines() if "pip install '.[all]'" in line)
    for requirement in demo_group:
        name = _canonical(re.split(r"[<>=!~\[; ]", requirement)[0])
        assert name in from_extras or name in pip_line, f"{name} is missing from: {pip_line}"


def test_getting_started_lists_only_cookbook_recipes() -> None:
    page = (DOCS_DIR / "getting-started.md").read_text(encoding="utf-8")
    listed = re.findall(r"`python -m cookbook\.(\w+)`", page)
    assert listed
    assert set(listed) <= set(RECIPES)


def test_the_ray_recipe_says_how_to_install_ray_when_it_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    from cookbook import ray_bulk

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "ray" else real_find_spec(name, *args),
    )
    with pytest.raises(SystemExit) as exit_info:
        ray_bulk.main()
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == ray_bulk.NEEDS_RAY + "\n"
    assert "`make install`" in ray_bulk.NEEDS_RAY
    assert "make install" in RECIPES["ray_bulk"]
