"""A small deterministic JSON Schema instance generator.

Why not a library: hypothesis-jsonschema draws random examples (slow, and a server
must answer the same request the same way), and the faker-based generators are
random too. The subset below covers what LLM tool and structured-output schemas
use (pydantic, zod and hand-written ones):

* ``type`` (a name or a list: the first non-null one wins), ``nullable``,
  ``const``, ``enum`` (the first value, or a hinted one);
* ``properties`` (every property is filled, not only the required ones, down to a
  nesting depth of 3; deeper, only required ones, so recursive schemas end),
  ``required``, ``additionalProperties``, ``minProperties``/``maxProperties``;
* ``items`` (schema or tuple list), ``prefixItems``, ``minItems``/``maxItems``
  (one item unless ``minItems`` asks for more; items differ when ``uniqueItems``);
* ``anyOf``/``oneOf`` (the first branch that is not ``null``), ``allOf`` (merged);
* ``$ref`` to ``#``, ``#/$defs/...``, ``#/definitions/...`` or any local JSON pointer;
* numbers honour ``minimum``/``maximum`` (inclusive and exclusive) and ``multipleOf``;
* strings honour ``minLength``/``maxLength``, a few ``pattern`` candidates, and the
  formats date, date-time, time, email, uuid, uri, hostname, ipv4, ipv6, duration;
  a ``pattern`` the name does not match gets a sample built from the regex itself.

Strings are meaningful rather than random: a property's value is its name with
underscores turned into spaces (``final_answer`` -> ``"final answer"``), unless a
hint gives the value (the user wrote ``city: Paris`` -> ``"Paris"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from ._regex_sample import sample_for_pattern

__all__ = ["instance_for"]

_MAX_DEPTH = 12
# Past this nesting depth only what the schema demands is generated (required
# properties, minItems, the null branch), so recursive schemas stay small.
_SOFT_DEPTH = 3

_FORMATS: dict[str, str] = {
    "date": "2024-01-01",
    "date-time": "2024-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "duration": "P1D",
}

_PATTERN_CANDIDATES = ("value", "a", "A", "abc", "ABC", "0", "123", "a1", "2024-01-01", "x@y.z")


def instance_for(
    schema: object, *, hints: Mapping[str, str] | None = None, name: str = "value"
) -> Any:
    """Return the same JSON value for the same schema and hints, every time.

    Args:
        schema: A JSON Schema (dict or boolean).
        hints: Values for properties by name, taken from the user's message.
        name: The name used for a top-level string.

    Examples:
        >>> instance_for({"type": "object", "properties": {"city": {"type": "string"}}})
        {'city': 'city'}
        >>> instance_for({"type": "integer", "minimum": 5})
        5
    """
    return _Generator(schema, hints or {}).value(schema, name, 0, 0)


class _Generator:
    def __init__(self, root: object, hints: Mapping[str, str]) -> None:
        self._root = root
        self._hints = hints

    # -- schema plumbing -------------------------------------------------------------

    def resolve(self, schema: object, depth: int = 0) -> dict[str, Any]:
        """Follow ``$ref`` and merge ``allOf`` until a plain schema dict remains."""
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return {}
        result: dict[str, Any] = dict(schema)
        ref = result.pop("$ref", None)
        if isinstance(ref, str):
            target = self.resolve(self._pointer(ref), depth + 1)
            result = _merge(target, result)
        branches = result.pop("allOf", None)
        if isinstance(branches, list):
            for branch in branches:
                result = _merge(result, self.resolve(branch, depth + 1))
        return result

    def _pointer(self, ref: str) -> object:
        if not ref.startswith("#"):
            return {}  # remote refs are out of scope for an offline emulator
        node: object = self._root
        for raw in ref[1:].split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                node = node.get(part, {})
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return {}
        return node

    # -- values ----------------------------------------------------------------------

    def value(self, schema: object, name: str, variant: int, depth: int) -> Any:
        s = self.resolve(schema)
        if "const" in s:
            return s["const"]
        enum = s.get("enum")
        if isinstance(enum, list) and enum:
            hint = self._hints.get(name)
            if hint is not None and hint in enum:
                return hint
            return enum[variant % len(enum)]
        for key in ("anyOf", "oneOf"):
            branches = s.pop(key, None)
            if isinstance(branches, list) and branches:
                branch = self._pick_branch(branches, deep=depth >= _SOFT_DEPTH)
                return self.value(_merge(s, branch), name, variant, depth)
        kind = _pick_type(s)
        if depth > _MAX_DEPTH:
            return _minimal(kind)
        if kind == "object":
            return self._object(s, name, variant, depth)
        if kind == "array":
            return self._array(s, name, variant, depth)
        if kind in ("integer", "number"):
            return self._number(s, name, variant, integer=kind == "integer")
        if kind == "boolean":
            hint = self._hints.get(name, "").lower()
            return hint == "true" if hint in ("true", "false") else variant % 2 == 0
        if kind == "null":
            return None
        return self._string(s, name, variant)

    def _pick_branch(self, branches: list[Any], *, deep: bool) -> dict[str, Any]:
        resolved = [self.resolve(branch) for branch in branches]
        if deep:
            nulls = [branch for branch in resolved if branch.get("type") == "null"]
            if nulls:
                return nulls[0]
        for branch in resolved:
            if branch.get("type") != "null":
                return branch
        return resolved[0]

    def _object(self, s: dict[str, Any], name: str, variant: int, depth: int) -> dict[str, Any]:
        props = s.get("properties")
        props = props if isinstance(props, dict) else {}
        required = [r for r in s.get("required", []) if isinstance(r, str)]
        extra = s.get("additionalProperties")
        extra_schema: object = extra if isinstance(extra, dict) else {}
        # Required keys first so maxProperties never drops one of them.
        keys = [*required, *(key for key in props if key not in required)]
        if depth >= _SOFT_DEPTH:
            keys = required
        max_props = s.get("maxProperties")
        if isinstance(max_props, int):
            keys = keys[: max(max_props, len(required))]
        result: dict[str, Any] = {}
        for key in keys:
            result[key] = self.value(props.get(key, extra_schema), key, variant, depth + 1)
        min_props = s.get("minProperties")
        index = 1
        while isinstance(min_props, int) and len(result) < min_props and extra is not False:
            key = f"{name}_{index}"
            result[key] = self.value(extra_schema, key, variant, depth + 1)
            index += 1
        return result

    def _array(self, s: dict[str, Any], name: str, variant: int, depth: int) -> list[Any]:
        items = s.get("items")
        prefix = s.get("prefixItems")
        if isinstance(items, list):  # draft 4-7 tuple form
            prefix, items = items, s.get("additionalItems")
        prefix = prefix if isinstance(prefix, list) else []
        item_schema: object = items if isinstance(items, dict) else {}
        min_items = s.get("minItems")
        floor = min_items if isinstance(min_items, int) else 0
        count = floor if depth >= _SOFT_DEPTH else max(floor, 1, len(prefix))
        max_items = s.get("maxItems")
        if isinstance(max_items, int):
            count = min(count, max_items)
        if items is False:
            count = min(count, len(prefix))
        return [
            self.value(prefix[i] if i < len(prefix) else item_schema, name, variant + i, depth + 1)
            for i in range(count)
        ]

    def _number(self, s: dict[str, Any], name: str, variant: int, *, integer: bool) -> int | float:
        hint = _parse_number(self._hints.get(name))
        candidate: float = hint if hint is not None else (1 if integer else 1.5) + variant
        lo, lo_ex = _bound(s, "minimum", "exclusiveMinimum")
        hi, hi_ex = _bound(s, "maximum", "exclusiveMaximum")
        if integer:
            lo_i = None if lo is None else (math.floor(lo) + 1 if lo_ex else math.ceil(lo))
            hi_i = None if hi is None else (math.ceil(hi) - 1 if hi_ex else math.floor(hi))
            result = round(candidate)
            if lo_i is not None:
                result = max(result, lo_i)
            if hi_i is not None:
                result = min(result, hi_i)
            step = s.get("multipleOf")
            if isinstance(step, int) and not isinstance(step, bool) and step > 0:
                result = math.ceil(result / step) * step
                if hi_i is not None and result > hi_i:
                    result -= step
            return result
        if lo is not None and (candidate < lo or (lo_ex and candidate == lo)):
            candidate = lo + 1 if hi is None or lo + 1 < hi else (lo + hi) / 2
        if hi is not None and (candidate > hi or (hi_ex and candidate == hi)):
            candidate = hi - 1 if lo is None or hi - 1 > lo else (lo + hi) / 2
        step = s.get("multipleOf")
        if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:
            multiple = math.ceil(candidate / step)
            if hi is not None and multiple * step > hi:
                multiple -= 1
            # An integer multiple avoids float noise that would fail multipleOf.
            return int(multiple * step) if float(step).is_integer() else multiple * step
        return candidate

    def _string(self, s: dict[str, Any], name: str, variant: int) -> str:
        hint = self._hints.get(name)
        fmt = s.get("format")
        if hint is not None and _fits(hint, s):
            return hint
        if isinstance(fmt, str) and fmt in _FORMATS:
            return _FORMATS[fmt]
        text = name.replace("_", " ").strip() or "value"
        if variant:
            text = f"{text} {variant + 1}"
        pattern = s.get("pattern")
        if isinstance(pattern, str) and not _matches(pattern, text):
            sample = sample_for_pattern(pattern)
            text = sample or next((c for c in _PATTERN_CANDIDATES if _matches(pattern, c)), text)
        min_len = s.get("minLength")
        if isinstance(min_len, int) and len(text) < min_len:
            text += "x" * (min_len - len(text))
        max_len = s.get("maxLength")
        if isinstance(max_len, int):
            text = text[:max_len]
        return text


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Combine two schemas that must both hold (``allOf`` branches, ``$ref`` siblings)."""
    merged = dict(base)
    for key, value in extra.items():
        if key == "properties" and isinstance(value, dict):
            props = dict(merged.get("properties") or {})
            for prop, prop_schema in value.items():
                props[prop] = (
                    {"allOf": [props[prop], prop_schema]} if prop in props else prop_schema
                )
            merged["properties"] = props
        elif key == "required" and isinstance(value, list):
            merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
        elif key == "type" and "type" in merged:
            both = [t for t in _types(merged["type"]) if t in _types(value)]
            merged["type"] = both or value
        else:
            merged[key] = value
    return merged


def _types(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def _pick_type(s: dict[str, Any]) -> str:
    declared = _types(s.get("type"))
    if declared:
        non_null = [t for t in declared if t != "null"]
        return non_null[0] if non_null else "null"
    if any(k in s for k in ("properties", "required", "additionalProperties", "minProperties")):
        return "object"
    if any(k in s for k in ("items", "prefixItems", "minItems", "maxItems")):
        return "array"
    if any(k in s for k in ("minimum", "maximum", "exclusiveMinimum", "multipleOf")):
        return "number"
    return "string"


def _minimal(kind: str) -> Any:
    return {"object": {}, "array": [], "integer": 0, "number": 0, "boolean": False}.get(kind)


def _bound(s: dict[str, Any], inclusive: str, exclusive: str) -> tuple[float | None, bool]:
    ex = s.get(exclusive)
    value = s.get(inclusive)
    if isinstance(ex, bool):  # draft 4: exclusiveMinimum is a flag on minimum
        return (float(value), ex) if _is_number(value) else (None, False)
    if _is_number(ex):
        return float(ex), True
    return (float(value), False) if _is_number(value) else (None, False)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True  # a pattern Python cannot read: do not fight it


def _fits(hint: str, s: dict[str, Any]) -> bool:
    max_len = s.get("maxLength")
    min_len = s.get("minLength")
    pattern = s.get("pattern")
    return (
        (not isinstance(max_len, int) or len(hint) <= max_len)
        and (not isinstance(min_len, int) or len(hint) >= min_len)
        and (not isinstance(pattern, str) or _matches(pattern, hint))
    )
