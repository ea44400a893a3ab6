"""What ``make test-deps`` reads from pyproject.toml, and how it judges a floor."""

from __future__ import annotations

import tomllib

import pytest

from tests.support.dependency_ranges import (
    PYPROJECT,
    direct_requirements,
    floor_constraint,
    group_requirements,
    requirement_name,
    supported_pythons,
)

with PYPROJECT.open("rb") as _file:
    CONFIG = tomllib.load(_file)


def test_the_classifiers_list_every_version_from_the_floor_to_3_13() -> None:
    versions = supported_pythons()
    floor = CONFIG["project"]["requires-python"].removeprefix(">=")
    assert versions[0] == floor == "3.11"
    minors = [int(version.split(".")[1]) for version in versions]
    assert minors == list(range(minors[0], minors[-1] + 1))  # no gap
    assert minors[-1] >= 13


def test_the_tools_check_the_oldest_supported_version() -> None:
    floor = supported_pythons()[0]
    assert CONFIG["tool"]["mypy"]["python_version"] == floor
    assert CONFIG["tool"]["ruff"]["target-version"] == "py" + floor.replace(".", "")


def test_direct_requirements_cover_the_core_and_every_extra_but_our_own() -> None:
    names = [requirement_name(r) for r in direct_requirements()]
    frameworks = {"langchain-core", "llama-index-core", "pydantic-ai-slim"}
    assert {"httpx", "pydantic", "jsonschema", *frameworks} <= set(names)
    assert "assemblyai-llm-gateway" not in names
    assert "pytest" in {requirement_name(r) for r in group_requirements("test")}


@pytest.mark.parametrize(
    ("requirement", "constraint"),
    [
        ("pydantic>=2.11.5,<3", "pydantic==2.11.5"),
        ("typing_extensions >= 4.13", "typing-extensions==4.13"),
        ("langchain-core<2,>=1.4.2", "langchain-core==1.4.2"),
        ('ray[data]~=2.40; python_version < "3.14"', 'ray==2.40; python_version < "3.14"'),
    ],
)
def test_each_requirement_is_pinned_at_the_floor_it_publishes(
    requirement: str, constraint: str
) -> None:
    assert floor_constraint(requirement) == constraint


@pytest.mark.parametrize("requirement", ["tenacity", "httpx<1", "a>=1,>=2"])
def test_a_requirement_without_one_lower_bound_is_refused(requirement: str) -> None:
    with pytest.raises(ValueError, match="must publish one lower bound"):
        floor_constraint(requirement)


def test_every_published_requirement_has_a_floor_to_test() -> None:
    assert [floor_constraint(r) for r in direct_requirements()]
