"""The deterministic JSON Schema instance generator behind tool arguments and JSON output."""

from __future__ import annotations

import datetime
import enum
import uuid
from typing import Any, Literal

import jsonschema
import pydantic
import pytest

from assemblyai_gateway.emulator import instance_for

Json = dict[str, Any]


def check(schema: Json, hints: dict[str, str] | None = None) -> Any:
    """Generate twice (must be identical) and validate, formats included."""
    value = instance_for(schema, hints=hints)
    assert instance_for(schema, hints=hints) == value
    validator = jsonschema.validators.validator_for(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(value)
    return value


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(pydantic.BaseModel):
    street: str
    postcode: str = pydantic.Field(pattern=r"^[0-9]{5}$")


class Person(pydantic.BaseModel):
    name: str
    age: int = pydantic.Field(ge=18, le=130)
    email: str | None = pydantic.Field(default=None, json_schema_extra={"format": "email"})
    id: uuid.UUID
    born: datetime.date
    seen: datetime.datetime
    colour: Colour
    kind: Literal["employee", "contractor"]
    tags: list[str] = pydantic.Field(min_length=2, max_length=5)
    scores: dict[str, float]
    home: Address
    previous: list[Address] = []
    manager: Person | None = None
    ratio: float = pydantic.Field(gt=0, lt=1)


PYDANTIC_MODELS: list[type[pydantic.BaseModel]] = [Person, Address]


@pytest.mark.parametrize("model", PYDANTIC_MODELS, ids=lambda m: m.__name__)
def test_pydantic_schemas_get_valid_instances(model: type[pydantic.BaseModel]) -> None:
    value = check(model.model_json_schema())
    model.model_validate(value)


def test_recursive_refs_terminate() -> None:
    value = check(Person.model_json_schema())
    assert value["manager"]["manager"]["name"] == "name"


def test_strings_are_property_names_and_formats_are_honoured() -> None:
    value = check(Person.model_json_schema())
    assert value["name"] == "name"
    assert value["born"] == "2024-01-01"
    assert value["seen"] == "2024-01-01T00:00:00Z"
    assert value["home"]["postcode"].isdigit()
    assert value["tags"] == ["tags", "tags 2"]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "minLength": 12, "maxLength": 14},
        {"type": "string", "maxLength": 2},
        {"type": "integer", "minimum": 10, "maximum": 12},
        {"type": "integer", "exclusiveMinimum": 10, "multipleOf": 7},
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        {"type": "number", "minimum": 100, "multipleOf": 0.5},
        {"type": "number", "maximum": -5},
        {"type": ["null", "integer"]},
        {"type": "null"},
        {"type": "boolean"},
        {"const": {"fixed": [1, 2]}},
        {"enum": [3, "x"]},
        {"type": "array", "items": {"type": "integer"}, "minItems": 3, "uniqueItems": True},
        {"type": "array", "maxItems": 0},
        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
        {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 2},
        {"type": "object", "properties": {"a": {}, "b": {}, "c": {}}, "maxProperties": 1},
        {"anyOf": [{"type": "null"}, {"type": "string", "format": "email"}]},
        {"oneOf": [{"type": "integer"}, {"type": "string"}]},
        {"allOf": [{"properties": {"a": {"type": "string"}}}, {"required": ["b"]}]},
        {"type": "string", "format": "uuid"},
        {"type": "string", "format": "ipv4"},
        {"type": "string", "nullable": True},
        {"$defs": {"x": {"type": "integer"}}, "$ref": "#/$defs/x"},
        {
            "definitions": {"x": {"type": "boolean"}},
            "properties": {"f": {"$ref": "#/definitions/x"}},
        },
        {"type": "object", "properties": {"child": {"$ref": "#"}}},
        {
            "$schema": "http://json-schema.org/draft-04/schema#",
            "minimum": 5,
            "exclusiveMinimum": True,
        },
        {},
        True,
    ],
)
def test_keyword_subset_produces_valid_instances(schema: Any) -> None:
    if isinstance(schema, bool):
        assert instance_for(schema) == "value"
    else:
        check(schema)


def test_hints_fill_matching_properties() -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "count": {"type": "integer"},
            "ok": {"type": "boolean"},
            "unit": {"enum": ["c", "f"]},
            "code": {"type": "string", "maxLength": 3},
        },
    }
    value = check(
        schema, {"city": "Oslo", "count": "4", "ok": "false", "unit": "f", "code": "long"}
    )
    assert value == {"city": "Oslo", "count": 4, "ok": False, "unit": "f", "code": "cod"}


def test_examples_in_the_docstring_hold() -> None:
    assert instance_for({"type": "object", "properties": {"city": {"type": "string"}}}) == {
        "city": "city"
    }
    assert instance_for({"type": "integer", "minimum": 5}) == 5
