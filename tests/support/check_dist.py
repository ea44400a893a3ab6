"""``make build-check``: the built wheel and sdist carry what a release needs.

Run: ``python -m tests.support.check_dist dist``. Exits non-zero, naming what is missing.
"""

from __future__ import annotations

import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

WHEEL_MUST_HOLD = (
    "LICENSE",
    "assemblyai_gateway/py.typed",
    "langchain_assemblyai_gateway/py.typed",
    "llama_index_assemblyai_gateway/py.typed",
    "pydantic_ai_assemblyai_gateway/py.typed",
    "llama_index/llms/assemblyai_gateway/__init__.py",
    # The emulator's built-in transcripts, which the docs' examples load.
    "assemblyai_gateway/emulator/transcripts/emulator-meeting.json",
)
SDIST_MUST_HOLD = ("LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml")
# What the build backend adds to every sdist beside the include list.
SDIST_ALWAYS = ("pyproject.toml", "PKG-INFO", ".gitignore")
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def sdist_roots(pyproject: Path = PYPROJECT) -> set[str]:
    """The top-level files and folders an sdist may hold: its include list, and the rest."""
    with pyproject.open("rb") as file:
        config = tomllib.load(file)
    include = config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    return {pattern.strip("/") for pattern in include} | set(SDIST_ALWAYS)


def _strays(names: list[str], roots: set[str]) -> list[str]:
    """Sdist members outside ``roots`` (each name starts with the sdist's own folder)."""
    inside = [name.split("/", 1)[1] for name in names if "/" in name]
    return [name for name in inside if name.split("/", 1)[0] not in roots]


def _missing(names: list[str], required: tuple[str, ...]) -> list[str]:
    return [item for item in required if not any(name.endswith(item) for name in names)]


def check(dist: Path) -> list[str]:
    """Every problem found in ``dist``, as readable lines (empty when all is well)."""
    problems: list[str] = []
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return [f"expected one wheel and one sdist in {dist}, found {wheels + sdists}"]
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
    problems += [f"wheel lacks {item}" for item in _missing(names, WHEEL_MUST_HOLD)]
    if any("/tests/" in name or name.startswith("tests/") for name in names):
        problems.append("wheel ships the tests")
    with tarfile.open(sdists[0]) as sdist:
        names = sdist.getnames()
    problems += [f"sdist lacks {item}" for item in _missing(names, SDIST_MUST_HOLD)]
    problems += [
        f"sdist ships {name}, which the include list does not name (anchor its patterns with /)"
        for name in _strays(names, sdist_roots())
    ]
    return problems


def main() -> int:
    """Check the folder named on the command line (default ``dist``)."""
    problems = check(Path(sys.argv[1] if len(sys.argv) > 1 else "dist"))
    for problem in problems:
        print(f"build-check: {problem}", file=sys.stderr)
    if not problems:
        print("build-check: wheel and sdist carry LICENSE, README, CHANGELOG and py.typed")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
