"""The Makefile builds `.venv` once, even when ``python3`` is a pyenv shim, and every
``make`` command the docs name is one of its targets.

A shim is a script that picks an interpreter each time it runs. Given a shim's path, uv
cannot match it to the interpreter `.venv` was made from, and deletes and rebuilds `.venv`
on every target. These tests put a shim first on ``PATH``, ask the Makefile which
interpreter it hands uv, and let uv build a small project's environment twice with it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The interpreter a shim on this machine would pick: a real one, not a virtualenv's.
REAL_PYTHON = os.path.realpath(sys.executable)


def make_variable(name: str, env: dict[str, str]) -> str:
    """The value the Makefile gives ``name``, with ``env`` as the caller's environment."""
    target = f"print-{name}"
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", f"--eval={target}: ; @echo $({name})", target],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def shim_env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment with a pyenv-like shim as ``python3`` and ``python3.11``."""
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("python3", "python3.11"):
        shim = shims / name
        shim.write_text(f'#!/bin/sh\nexec "{REAL_PYTHON}" "$@"\n')
        shim.chmod(0o755)
    skip = {"PYTHON", "UV_PYTHON", "MAKEFLAGS", "MAKELEVEL", "VIRTUAL_ENV"}
    env = {key: value for key, value in os.environ.items() if key not in skip}
    env["PATH"] = f"{shims}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_makefile_hands_uv_the_interpreter_behind_a_shim(shim_env: dict[str, str]) -> None:
    shim = make_variable("PYTHON", shim_env)
    interpreter = make_variable("UV_PYTHON", shim_env)

    assert Path(shim).parent.name == "shims"  # the shim is what PATH finds first...
    assert interpreter == REAL_PYTHON  # ...and uv gets what it runs
    assert not Path(interpreter).read_bytes().startswith(b"#!")
    names_itself = subprocess.run(
        [interpreter, "-c", "import sys; print(sys.executable)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert names_itself == interpreter  # the same path on every run: uv can match it


def test_a_second_sync_reuses_the_environment_when_python3_is_a_shim(
    shim_env: dict[str, str], tmp_path: Path
) -> None:
    uv = REPO_ROOT / make_variable("UV", shim_env)
    if not uv.is_file():
        pytest.skip(f"no uv at {uv} (make bootstraps it on first use)")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "probe"\nversion = "0"\nrequires-python = ">=3.11"\ndependencies = []\n'
    )
    env = {
        **shim_env,
        # What the Makefile exports to uv, with this project's environment.
        "UV_PYTHON": make_variable("UV_PYTHON", shim_env),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PROJECT_ENVIRONMENT": str(project / ".venv"),
    }

    def sync() -> str:
        result = subprocess.run(
            [str(uv), "sync", "--offline", "--no-cache", "--color", "never"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stderr

    assert "Creating virtual environment" in sync()
    second = sync()
    assert "Removed virtual environment" not in second
    assert "Creating virtual environment" not in second


def _makefile_targets() -> set[str]:
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*):(?!=)", text, re.MULTILINE))


@pytest.mark.parametrize(
    "page",
    [
        "README.md",
        "CONTRIBUTING.md",
        "cookbook/README.md",
        *(f"docs/{p.name}" for p in sorted((REPO_ROOT / "docs").glob("*.md"))),
    ],
)
def test_every_make_command_the_docs_name_is_a_target(page: str) -> None:
    text = (REPO_ROOT / page).read_text(encoding="utf-8")
    # `make X` in prose, and make X at the start of a line in a shell block.
    named = set(re.findall(r"(?:`|^)make ([a-z][\w-]*)", text, re.MULTILINE))
    assert named - _makefile_targets() == set()


def test_contributing_runs_uv_through_make() -> None:
    # The bootstrapped uv, called directly, misses the Makefile's UV_SYSTEM_CERTS.
    text = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "make lock" in text
    assert 'make uv-run ARGS="' in text
    assert re.search(r"run (plain )?`uv ", text) is None
