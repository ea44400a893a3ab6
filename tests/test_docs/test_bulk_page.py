"""The bulk page: its exit codes are generated from the command line by the MkDocs hook."""

from __future__ import annotations

from assemblyai_gateway.cli import EXIT_CODES
from tests.support.docs import DOCS_DIR, load_hook

HOOK = load_hook("code_tables.py")
PAGE = (DOCS_DIR / "bulk-jobs.md").read_text(encoding="utf-8")


def test_the_built_page_lists_every_exit_code_with_its_meaning() -> None:
    assert "<!-- code: exit-codes assemblyai-gateway -->" in PAGE
    built = HOOK.on_page_markdown(PAGE, page=None)
    for code, meaning in EXIT_CODES.items():
        assert f"| {code} | {meaning} |" in built


def test_the_page_states_the_resume_rule_for_items_without_ids() -> None:
    assert "sha256:" in PAGE
    assert "#2" in PAGE
