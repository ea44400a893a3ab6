"""An independent check that a JSON schema is valid for strict structured output.

OpenAI's strict mode (which the gateway passes on) refuses a schema unless every object
in it, at any depth, has ``additionalProperties: false`` and lists every property in
``required``. This walks every place a schema can hold another one, so a test can
assert what reached the wire without trusting the code that normalised it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["strict_schema_problems"]

_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")


def _children(schema: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    for key in _SCHEMA_MAPS:
        members = schema.get(key)
        if isinstance(members, Mapping):
            for name, member in members.items():
                yield f"{path}/{key}/{name}", member
    for key in _SCHEMA_LISTS:
        members = schema.get(key)
        if isinstance(members, list):
            for index, member in enumerate(members):
                yield f"{path}/{key}/{index}", member
    for key in ("items", "not", "additionalProperties"):
        member = schema.get(key)
        if isinstance(member, Mapping):
            yield f"{path}/{key}", member


def _is_object(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    return (
        kind == "object"
        or (isinstance(kind, list) and "object" in kind)
        or ("properties" in schema)
    )


def strict_schema_problems(schema: Any, path: str = "#") -> list[str]:
    """Every reason ``schema`` is not strict-valid, each with its JSON pointer; ``[]`` if none."""
    if not isinstance(schema, Mapping):
        return []
    problems: list[str] = []
    if _is_object(schema):
        if schema.get("additionalProperties") is not False:
            problems.append(f"{path}: additionalProperties is not false")
        properties = schema.get("properties") or {}
        if set(schema.get("required") or []) != set(properties):
            problems.append(f"{path}: required does not list every property")
    for child_path, child in _children(schema, path):
        problems += strict_schema_problems(child, child_path)
    return problems
