"""``{{ field }}`` templating for bulk prompts.

A placeholder names a field of the item (``{{ title }}``, or ``{{ meta.speaker }}`` for
a nested one); its value is inserted as text (JSON for lists and objects).
``{{ transcript }}`` is the gateway's own tag: when the item has no ``transcript``
field it is left in place for the gateway to fill from the item's ``transcript_id``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestError

__all__ = ["GATEWAY_TAGS", "TemplateError", "placeholders", "render_template"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}")
# Filled by the gateway itself (from ``transcript_id``), never by us.
GATEWAY_TAGS = frozenset({"transcript"})


class TemplateError(InvalidRequestError):
    """An item lacks a field its prompt template names (raised before sending)."""


def placeholders(template: str) -> list[str]:
    """The field names a template uses, in order of first use.

    Example:
        >>> placeholders("Summarise {{ title }} for {{ team }}; {{title}} again")
        ['title', 'team']
    """
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(template):
        seen.setdefault(match.group(1), None)
    return list(seen)


def _lookup(item: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    value: Any = item
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def render_template(template: str, item: Mapping[str, Any]) -> str:
    """``template`` with each ``{{ field }}`` replaced by the item's value.

    Raises:
        TemplateError: the item lacks a field the template names.

    Example:
        >>> render_template("Title: {{ title }}. {{ transcript }}", {"title": "Standup"})
        'Title: Standup. {{ transcript }}'
    """
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        found, value = _lookup(item, name)
        if found:
            return _text(value)
        if name in GATEWAY_TAGS:
            return match.group(0)
        missing.append(name)
        return match.group(0)

    rendered = _PLACEHOLDER.sub(replace, template)
    if missing:
        names = ", ".join(sorted(set(missing)))
        raise TemplateError(f"the item has no field(s) {names} that the prompt template uses")
    return rendered
