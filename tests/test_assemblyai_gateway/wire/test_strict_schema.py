"""A schema sent with ``strict: true`` is strict-valid, whatever path built the request."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from assemblyai_gateway._wire.strict_schema import strict_json_schema
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from tests.support.client_cases import CLAUDE, Complete, MakeClient
from tests.support.strict_schema import strict_schema_problems


class Line(BaseModel):
    sku: str
    quantity: int = 1


class Order(BaseModel):
    customer: str
    note: str | None = None
    lines: list[Line] = []
    gift: Line | None = None
    tags: dict[str, str] = {}


OBJECT = {"type": "object", "properties": {"a": {"type": "string"}}}
CASES = {
    "nested objects": {"type": "object", "properties": {"inner": OBJECT}},
    "arrays of objects": {
        "type": "object",
        "properties": {"rows": {"type": "array", "items": OBJECT}},
    },
    "anyOf": {"type": "object", "properties": {"either": {"anyOf": [OBJECT, {"type": "null"}]}}},
    "$defs": {"type": "object", "properties": {"x": {"$ref": "#/$defs/X"}}, "$defs": {"X": OBJECT}},
    "definitions": {"properties": {"x": {"$ref": "#/definitions/X"}}, "definitions": {"X": OBJECT}},
    "tuple items": {"type": "array", "items": [OBJECT, OBJECT], "prefixItems": [OBJECT]},
    "allOf and oneOf": {"allOf": [OBJECT], "oneOf": [OBJECT, {"type": "integer"}]},
    "type list": {"type": ["object", "null"], "properties": {"a": {"type": "integer"}}},
    "free-form map": {"type": "object", "additionalProperties": {"type": "string"}},
    "pydantic model": Order.model_json_schema(),
}


@pytest.mark.parametrize("schema", CASES.values(), ids=CASES.keys())
def test_every_object_at_any_depth_becomes_strict_valid(schema: dict[str, Any]) -> None:
    before = copy.deepcopy(schema)

    strict = strict_json_schema(schema)

    assert strict_schema_problems(strict) == []
    assert schema == before  # the caller's schema is never changed
    assert strict_json_schema(strict) is strict  # a strict-valid schema comes back as it is


def test_only_objects_change() -> None:
    strict = strict_json_schema(Order.model_json_schema())

    assert strict["required"] == ["customer", "note", "lines", "gift", "tags"]
    assert strict["properties"]["note"] == Order.model_json_schema()["properties"]["note"]
    assert strict["$defs"]["Line"]["required"] == ["sku", "quantity"]
    assert strict["properties"]["tags"]["additionalProperties"] is False


_SCHEMAS = st.recursive(
    st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "null"}, {}]),
    lambda inner: st.one_of(
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(
            lambda props: {"type": "object", "properties": props}
        ),
        inner.map(lambda item: {"type": "array", "items": item}),
        st.lists(inner, min_size=1, max_size=3).map(lambda options: {"anyOf": options}),
        st.tuples(inner, inner).map(
            lambda pair: {"type": "object", "properties": {"x": pair[0]}, "$defs": {"D": pair[1]}}
        ),
    ),
    max_leaves=12,
)


@settings(deadline=None)  # no wall-clock limits in this suite
@given(schema=_SCHEMAS)
def test_any_nesting_comes_out_strict_valid(schema: dict[str, Any]) -> None:
    before = json.dumps(schema, sort_keys=True)
    strict = strict_json_schema(schema)
    assert strict_schema_problems(strict) == []
    assert json.dumps(schema, sort_keys=True) == before


# --- on the wire: the rule is applied to every request the client sends


def _json_schema_format(schema: dict[str, Any], strict: bool | None) -> dict[str, Any]:
    config: dict[str, Any] = {"name": "order", "schema": schema}
    if strict is not None:
        config["strict"] = strict
    return {"type": "json_schema", "json_schema": config}


async def test_a_strict_response_format_is_sent_strict_valid(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([completion_body("{}")])
    schema = Order.model_json_schema()
    before = copy.deepcopy(schema)

    await complete(
        make_client(transport), {**CLAUDE, "response_format": _json_schema_format(schema, True)}
    )

    sent = transport.json_bodies[0]["response_format"]["json_schema"]
    assert sent["strict"] is True
    assert strict_schema_problems(sent["schema"]) == []
    assert schema == before


async def test_strict_tools_are_sent_strict_valid(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([completion_body("ok")])
    order = {"name": "order", "parameters": Order.model_json_schema(), "strict": True}
    loose = {"name": "note", "parameters": Order.model_json_schema()}
    tools = [{"type": "function", "function": order}, {"type": "function", "function": loose}]

    await complete(make_client(transport), {**CLAUDE, "tools": tools})

    strict_tool, loose_tool = transport.json_bodies[0]["tools"]
    assert strict_schema_problems(strict_tool["function"]["parameters"]) == []
    # Without strict, the schema is the caller's business: sent as given.
    assert loose_tool["function"]["parameters"] == Order.model_json_schema()


@pytest.mark.parametrize("strict", [None, False])
async def test_a_schema_not_flagged_strict_is_sent_as_given(
    make_client: MakeClient, complete: Complete, strict: bool | None
) -> None:
    transport = ScriptedTransport([completion_body("{}")])
    schema = Order.model_json_schema()

    await complete(
        make_client(transport), {**CLAUDE, "response_format": _json_schema_format(schema, strict)}
    )

    assert transport.json_bodies[0]["response_format"]["json_schema"]["schema"] == schema
