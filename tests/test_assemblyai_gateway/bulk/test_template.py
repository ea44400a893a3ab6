"""``{{ field }}`` templating: fields, nested fields, JSON values, the gateway's own tag."""

from __future__ import annotations

import pytest

from assemblyai_gateway.bulk import TemplateError, placeholders, render_template
from assemblyai_gateway.errors import InvalidRequestError


def test_fields_fill_their_placeholders_with_or_without_spaces() -> None:
    assert render_template("{{a}} and {{ b }}", {"a": "x", "b": 2}) == "x and 2"


def test_nested_fields_are_reached_with_dots() -> None:
    item = {"meta": {"speaker": "Ana"}}
    assert render_template("by {{ meta.speaker }}", item) == "by Ana"


def test_lists_and_objects_are_inserted_as_json() -> None:
    item = {"tags": ["a", "b"], "extra": {"k": 1}}
    assert render_template("{{ tags }} {{ extra }}", item) == '["a", "b"] {"k": 1}'


def test_the_transcript_tag_is_left_for_the_gateway() -> None:
    rendered = render_template("Summarise: {{ transcript }}", {"transcript_id": "tr_1"})
    assert rendered == "Summarise: {{ transcript }}"


def test_an_item_field_named_transcript_fills_the_tag() -> None:
    assert render_template("{{ transcript }}", {"transcript": "hello"}) == "hello"


def test_missing_fields_are_named_in_a_typed_error() -> None:
    with pytest.raises(TemplateError, match="title, when") as caught:
        render_template("{{ title }} {{ when }} {{ id }}", {"id": 1})
    assert isinstance(caught.value, InvalidRequestError)


def test_text_that_only_looks_like_a_placeholder_is_kept() -> None:
    assert render_template("{ single } {{ 9bad }}", {}) == "{ single } {{ 9bad }}"


def test_placeholders_are_listed_once_in_order() -> None:
    assert placeholders("{{ b }} {{a}} {{ b }} {{ c.d }}") == ["b", "a", "c.d"]
