"""The ranges pyproject.toml publishes, as `make test-deps` (test_deps.sh) reads them.

Run from the repository root, with any Python 3.11+ (the standard library suffices):

- ``python -m tests.support.dependency_ranges pythons``: the supported Python versions,
  from the ``Programming Language :: Python :: 3.X`` classifiers, one a line;
- ``... names``: the direct dependencies (core and extras), one a line;
- ``... test-group``: the requirements of the ``test`` dependency group, one a line;
- ``... floors``: a constraint ``name==floor`` for each direct dependency, at the lower
  bound pyproject.toml publishes. ``make test-deps`` installs the package under these
  constraints: a floor that cannot be installed beside the others (another package
  needs more) is a floor no test proves, and the resolver says why.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
_PYTHON_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (3\.\d+)$")
_SPECIFIER = re.compile(r"(===|==|~=|>=|<=|!=|>|<)\s*([^,\s]+)")


def _pyproject(path: Path = PYPROJECT) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def supported_pythons(pyproject: dict[str, Any] | None = None) -> list[str]:
    """The ``3.X`` versions the classifiers list, oldest first."""
    classifiers = (pyproject or _pyproject())["project"]["classifiers"]
    found = [m.group(1) for c in classifiers if (m := _PYTHON_CLASSIFIER.match(c))]
    return sorted(found, key=lambda text: tuple(int(part) for part in text.split(".")))


def direct_requirements(pyproject: dict[str, Any] | None = None) -> list[str]:
    """The core requirements and every extra's, without the project's own extras."""
    project = (pyproject or _pyproject())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += [r for r in extra if not r.startswith(project["name"])]
    return requirements


def requirement_name(requirement: str) -> str:
    """The canonical distribution name of a requirement string."""
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def group_requirements(group: str, pyproject: dict[str, Any] | None = None) -> Iterator[str]:
    """A dependency group's requirements, with the groups it includes expanded."""
    groups = (pyproject or _pyproject())["dependency-groups"]
    for item in groups[group]:
        if isinstance(item, dict):
            yield from group_requirements(item["include-group"], pyproject)
        else:
            yield item


def floor_constraint(requirement: str) -> str:
    """``name==floor`` (with the requirement's marker) for a requirement's lower bound.

    Examples:
        >>> floor_constraint("pydantic>=2.11.5,<3")
        'pydantic==2.11.5'
        >>> floor_constraint('foo[bar]~=1.2; python_version < "3.12"')
        'foo==1.2; python_version < "3.12"'
    """
    spec, _, marker = requirement.partition(";")
    floors = [version for op, version in _SPECIFIER.findall(spec) if op in (">=", "~=", "==")]
    if len(floors) != 1:
        raise ValueError(f"{requirement!r} must publish one lower bound (>=, ~= or ==)")
    constraint = f"{requirement_name(spec)}=={floors[0]}"
    return f"{constraint}; {marker.strip()}" if marker.strip() else constraint


def main(argv: list[str]) -> int:
    """The command line described in the module docstring."""
    command = argv[0] if argv else ""
    if command == "pythons":
        print("\n".join(supported_pythons()))
    elif command == "names":
        print("\n".join(requirement_name(r) for r in direct_requirements()))
    elif command == "test-group":
        print("\n".join(group_requirements("test")))
    elif command == "floors":
        try:
            print("\n".join(floor_constraint(r) for r in direct_requirements()))
        except ValueError as exc:
            print(f"test-deps: {exc}", file=sys.stderr)
            return 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
