"""The errors page's lists are generated from the code by the MkDocs hook."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from assemblyai_gateway.errors import CONTEXT_OVERFLOW_PHRASES
from langchain_assemblyai_gateway._errors import MODEL_ERROR_TYPES
from tests.support.docs import DOCS_DIR


def _load_hook() -> ModuleType:
    path = DOCS_DIR / "hooks" / "errors_tables.py"
    spec = importlib.util.spec_from_file_location("errors_tables", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK = _load_hook()
PAGE = (DOCS_DIR / "errors-and-retries.md").read_text(encoding="utf-8")


def test_the_lists_are_generated_not_copied() -> None:
    assert HOOK.OVERFLOW_MARKER in PAGE
    assert HOOK.TABLE_MARKER in PAGE
    assert all(f"`{phrase}`" not in PAGE for phrase in CONTEXT_OVERFLOW_PHRASES)


def test_the_built_page_names_every_phrase_and_mapping() -> None:
    built = HOOK.on_page_markdown(PAGE, page=None, config=None, files=None)
    assert HOOK.OVERFLOW_MARKER not in built
    assert HOOK.TABLE_MARKER not in built
    for phrase in CONTEXT_OVERFLOW_PHRASES:
        assert f"- `{phrase}`" in built
    for core, model in MODEL_ERROR_TYPES:
        assert f"| `{core.__name__}` | `{model.__name__}` |" in built
