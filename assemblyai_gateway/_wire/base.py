"""What every wire model shares: the base class and the lenient readers of server values.

Private: the public face is :mod:`assemblyai_gateway._wire.types`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

__all__ = ["TokenCount", "content_to_text", "none_is_empty", "none_is_zero"]


class _Wire(BaseModel):
    """Base for every wire model: keep unknown fields, accept field names or aliases."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def none_is_zero(value: Any) -> Any:
    """The gateway is written in Go: a count may arrive as ``null``; it means 0."""
    return 0 if value is None else value


def none_is_empty(value: Any) -> Any:
    """Go marshals a nil slice as ``null``; it means an empty list."""
    return [] if value is None else value


TokenCount = Annotated[int, BeforeValidator(none_is_zero)]
"""A token count: an int, ``null`` read as 0."""


def content_to_text(value: Any, *, keys: tuple[str, ...] = ("text",)) -> Any:
    """Join a list of parts into one string; leave strings and ``None`` alone.

    Each part's text is read from the first of ``keys`` it holds as a string.
    """
    if isinstance(value, list):
        texts: list[str] = []
        for part in value:
            if isinstance(part, Mapping):
                text = next((part[k] for k in keys if isinstance(part.get(k), str)), "")
            else:
                text = str(part)
            texts.append(text)
        return "".join(texts)
    return value
