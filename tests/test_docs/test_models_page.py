"""The supported-models page is generated from the catalog by the MkDocs hook."""

from __future__ import annotations

from assemblyai_gateway.catalog import ModelInfo, known_models
from tests.support.docs import DOCS_DIR, load_hook

HOOK = load_hook("models_table.py")
PAGE = (DOCS_DIR / "models.md").read_text(encoding="utf-8")


def test_the_page_is_generated_not_copied() -> None:
    assert HOOK.MARKER in PAGE
    assert all(f"`{info.id}`" not in PAGE for info in known_models())


def test_the_built_page_lists_every_catalog_model() -> None:
    built = HOOK.on_page_markdown(PAGE, page=None, config=None, files=None)
    assert HOOK.MARKER not in built
    for info in known_models():
        assert f"| `{info.id}` |" in built


def test_each_row_reports_the_catalog_entry() -> None:
    table = HOOK.render_models_table(
        (
            ModelInfo(
                "gpt-oss-120b",
                "openai",
                131_072,
                131_072,
                native_streaming=True,
                supports_json_schema=False,
                eu_available=False,
            ),
            ModelInfo("claude-3-haiku-20240307", "anthropic", 200_000, 4_096, retired="2026-04-20"),
        )
    )
    rows = table.splitlines()[2:]
    assert rows == [
        "| `gpt-oss-120b` | OpenAI | 131,072 | 131,072 | native SSE | yes | function calling "
        "| no |  |",
        "| `claude-3-haiku-20240307` | Anthropic | 200,000 | 4,096 | replayed from one request "
        "| yes | json_schema | yes | 2026-04-20 |",
    ]


def test_pages_without_the_marker_are_left_alone() -> None:
    assert HOOK.on_page_markdown("# Title\n", page=None) == "# Title\n"
