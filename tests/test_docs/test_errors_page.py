"""The errors page's lists are generated from the code by the MkDocs hook."""

from __future__ import annotations

from assemblyai_gateway.errors import CONTEXT_OVERFLOW_PHRASES
from langchain_assemblyai_gateway._errors import MODEL_ERROR_TYPES
from tests.support.docs import DOCS_DIR, load_hook

HOOK = load_hook("code_tables.py")
PAGE = (DOCS_DIR / "errors-and-retries.md").read_text(encoding="utf-8")


def test_the_lists_are_generated_not_copied() -> None:
    assert "<!-- code: context-overflow-phrases -->" in PAGE
    assert "<!-- code: langchain-errors -->" in PAGE
    assert all(f"`{phrase}`" not in PAGE for phrase in CONTEXT_OVERFLOW_PHRASES)


def test_the_built_page_names_every_phrase_and_mapping() -> None:
    built = HOOK.on_page_markdown(PAGE, page=None, config=None, files=None)
    for phrase in CONTEXT_OVERFLOW_PHRASES:
        assert f"- `{phrase}`" in built
    for core, model in MODEL_ERROR_TYPES:
        assert f"| `{core.__name__}` | `{model.__name__}` |" in built
