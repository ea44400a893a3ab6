"""``make build-check`` refuses an sdist that ships files the include list does not name."""

from __future__ import annotations

import io
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.support.check_dist import (
    PYPROJECT,
    SDIST_MUST_HOLD,
    WHEEL_MUST_HOLD,
    check,
    sdist_roots,
)

ROOT = "assemblyai_llm_gateway-1.0.0"


def build_fake_dist(folder: Path, sdist_extra: tuple[str, ...] = ()) -> Path:
    folder.mkdir()
    with zipfile.ZipFile(folder / "assemblyai_llm_gateway-1.0.0-py3-none-any.whl", "w") as wheel:
        for name in WHEEL_MUST_HOLD:
            wheel.writestr(name, "")
    with tarfile.open(folder / f"{ROOT}.tar.gz", "w:gz") as sdist:
        for name in (*SDIST_MUST_HOLD, "PKG-INFO", "assemblyai_gateway/__init__.py", *sdist_extra):
            sdist.addfile(tarfile.TarInfo(f"{ROOT}/{name}"), io.BytesIO(b""))
    return folder


def test_an_sdist_of_the_included_files_passes(tmp_path: Path) -> None:
    assert check(build_fake_dist(tmp_path / "dist")) == []


@pytest.mark.parametrize(
    "stray", ["cookbook/README.md", "benchmarks/README.md", "tests/cassettes/README.md"]
)
def test_a_readme_below_the_root_is_a_stray(tmp_path: Path, stray: str) -> None:
    problems = check(build_fake_dist(tmp_path / "dist", (stray,)))
    assert problems == [
        f"sdist ships {stray}, which the include list does not name (anchor its patterns with /)"
    ]


def test_every_include_pattern_is_anchored_at_the_root() -> None:
    with PYPROJECT.open("rb") as file:
        include = tomllib.load(file)["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    assert [pattern for pattern in include if not pattern.startswith("/")] == []
    assert {"README.md", "LICENSE", "CHANGELOG.md", "assemblyai_gateway"} <= sdist_roots()
