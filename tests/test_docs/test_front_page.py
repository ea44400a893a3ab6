"""README.md is a short front page whose links also work where PyPI shows it."""

from __future__ import annotations

import re

from tests.support.docs import README, REPO_ROOT, shell_blocks

TEXT = README.read_text(encoding="utf-8")
# Markdown links and images: [text](target) and ![alt](target).
LINK_TARGETS = re.findall(r"\]\(([^)\s]+)\)", TEXT)


def test_the_readme_is_a_front_page() -> None:
    assert len(TEXT.splitlines()) <= 150


def test_the_readme_states_what_it_is_verified_against() -> None:
    status = (
        "verified against the vendor's published spec and the local emulator, "
        "not yet against the live gateway"
    )
    assert status in " ".join(TEXT.split())


def test_readme_links_are_absolute_so_they_work_on_pypi() -> None:
    assert LINK_TARGETS
    relative = [target for target in LINK_TARGETS if not target.startswith("https://")]
    assert relative == []


def test_readme_headings_do_not_repeat() -> None:
    headings = [line for line in TEXT.splitlines() if line.startswith("#")]
    assert len(headings) == len(set(headings))


def _command_lines(script: str) -> list[str]:
    """The commands of a shell script, comments and blank lines left out."""
    lines = (line.split("#", 1)[0].strip() for line in script.splitlines())
    return [line for line in lines if line]


def _shell_commands(page: str) -> list[str]:
    """The commands of a Markdown page's ``bash`` blocks."""
    return [command for block in shell_blocks(page) for command in _command_lines(block)]


def test_the_readme_names_the_demo_and_the_test_command() -> None:
    commands = _shell_commands(TEXT)
    assert "make demo" in commands
    assert "make test" in commands


def test_ci_runs_the_test_command_the_readme_names() -> None:
    ci_script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    setup = ("set ", "cd ")
    ci_commands = [line for line in _command_lines(ci_script) if not line.startswith(setup)]
    assert ci_commands == ["make test"]
    assert set(ci_commands) <= set(_shell_commands(TEXT))


def test_the_readme_install_line_works_from_a_clone() -> None:
    commands = _shell_commands(TEXT)
    assert "pip install '.[langchain]'" in commands  # resolves before the release
    assert "pip install 'assemblyai-llm-gateway[langchain]'" in " ".join(TEXT.split())
