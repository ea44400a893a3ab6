"""The request-field and finish-reason tables are generated from the code, and complete.

The request-field table (``docs/request-fields.md``) has a row per field of the core's
request model; each adapter's cell names its setting when it has one, and otherwise says
how it sends the field; "per call" is the core rule's answer. The finish-reason table
(``docs/errors-and-retries.md``) lists every word of the core's one table.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from assemblyai_gateway._adapting.arguments import OWNED_FIELDS, REQUEST_FIELDS
from assemblyai_gateway._wire.finish_reasons import FINISH_REASONS, NORMALISED_FINISH_REASONS
from assemblyai_gateway._wire.types import ChatCompletionRequest
from tests.support.docs import DOCS_DIR, REPO_ROOT, load_hook

HOOK = load_hook("code_tables.py")
WIRE = load_hook("_tables_wire.py")


def _rows(rendered: str) -> dict[str, list[str]]:
    rows = {}
    for line in rendered.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_request_field_has_a_row_in_the_model_s_order() -> None:
    rows = _rows(HOOK.render_marker("request-fields", []))

    assert list(rows)[:-1] == list(ChatCompletionRequest.model_fields)
    assert list(rows)[-1] == WIRE.OTHER_FIELDS.strip("`")


@pytest.mark.parametrize("adapter", WIRE.ADAPTERS, ids=lambda a: a.cls.__name__)
def test_each_cell_names_the_adapter_s_setting_or_how_it_sends_the_field(adapter: Any) -> None:
    fields = adapter.cls.model_fields
    sources = adapter.sources
    for field in REQUEST_FIELDS:
        cell = WIRE.adapter_cell(adapter, field)
        if field in fields:
            assert cell.startswith(f"`{field}`")
        elif field in sources:
            assert cell == sources[field]
        else:
            assert cell == f"per call, or in `{adapter.cls._argument_rule().extras}`"


@pytest.mark.parametrize("adapter", WIRE.ADAPTERS, ids=lambda a: a.cls.__name__)
def test_no_stale_source_entry(adapter: Any) -> None:
    sources = set(adapter.sources)

    assert sources <= REQUEST_FIELDS  # each names a request field
    assert not sources & set(adapter.cls.model_fields)
    assert sources >= OWNED_FIELDS  # the fields the model builds say how


def test_the_gateway_s_newer_fields_are_settings_of_both_adapters_and_per_call() -> None:
    rows = _rows(HOOK.render_marker("request-fields", []))

    for field in ("zero_data_retention", "model_region", "fail_fast", "max_timeout"):
        assert rows[field] == [f"`{field}`", f"`{field}`", "yes"]
    for field in OWNED_FIELDS:
        assert rows[field][-1] == "no: the model builds it"


def test_the_finish_reason_table_lists_every_word_under_its_meaning() -> None:
    rows = _rows(HOOK.render_marker("finish-reasons", []))

    assert list(rows) == list(NORMALISED_FINISH_REASONS)
    for word, meaning in FINISH_REASONS.items():
        assert f"`{word}`" in rows[meaning][0]
    assert "any word not listed" in rows["stop"][0]


@pytest.mark.parametrize(
    ("page", "marker"),
    [("request-fields.md", "request-fields"), ("errors-and-retries.md", "finish-reasons")],
)
def test_the_pages_hold_the_markers(page: str, marker: str) -> None:
    text = (DOCS_DIR / page).read_text(encoding="utf-8")

    assert f"<!-- code: {marker} -->" in text


def test_the_request_fields_page_is_in_the_nav() -> None:
    nav = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]

    assert re.search(r"'request-fields\.md'", repr(nav))
