"""README.md is a short front page whose links also work where PyPI shows it."""

from __future__ import annotations

import re

from tests.support.docs import README

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
