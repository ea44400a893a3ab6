"""Wire rules written once: tool-call objects, tool arguments, and shorthand spellings.

Both adapters, the wire models and the testing kit build the OpenAI-shape tool-call
dict with :func:`wire_tool_call` and read finished tool arguments with
:func:`tool_arguments_object`, so an id, a ``type`` or the "arguments are a JSON
object" rule cannot differ between them. Pure functions; :data:`FallbackList` and
:data:`PostProcessingList` attach the shorthand rules to any pydantic field, and
:data:`ModelRegion` and :data:`MaxTimeout` the constraints of two request fields, so the
request model and both adapters' settings refuse the same values.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Field, StrictFloat, StrictInt

from .._transport.untrusted_text import loads_untrusted
from ..errors import InvalidRequestError

__all__ = [
    "FallbackList",
    "MaxTimeout",
    "ModelRegion",
    "PostProcessingList",
    "ToolArgumentsError",
    "arguments_text",
    "fallback_objects",
    "post_processing_objects",
    "stable_tool_call_id",
    "tool_arguments_object",
    "wire_tool_call",
]


def stable_tool_call_id(index: int, name: str, arguments: str) -> str:
    """A deterministic id for a tool call the gateway sent without one.

    The same call always gets the same id, so streamed and non-streamed results agree.
    """
    digest = hashlib.sha1(f"{index}\x00{name}\x00{arguments}".encode()).hexdigest()[:16]
    return f"call_{digest}"


def arguments_text(arguments: Any, *, tool: str | None = None) -> str:
    """Tool arguments as the wire's JSON text: text as is, ``None`` as ``""``.

    Raises:
        InvalidRequestError: the arguments hold a value JSON cannot carry (a
            ``datetime``), naming ``tool``; raised before anything is sent.

    Example:
        >>> arguments_text({"city": "Paris"}), arguments_text('{"a": 1}'), arguments_text(None)
        ('{"city": "Paris"}', '{"a": 1}', '')
    """
    if arguments is None:
        return ""
    if isinstance(arguments, str):
        return arguments
    try:
        return json.dumps(arguments, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        where = f"tool call {tool!r}" if tool else "a tool call"
        raise InvalidRequestError(
            f"invalid gateway request: the arguments of {where} are not JSON-serialisable ({exc})"
        ) from None


def wire_tool_call(
    name: str, arguments: Any, call_id: str | None = None, *, index: int = 0
) -> dict[str, Any]:
    """One OpenAI-shape tool call: ``{"id", "type": "function", "function": {...}}``.

    Args:
        name: The function's name.
        arguments: JSON text, or an object to encode.
        call_id: The call's id; ``None`` means "none given": the stable id for
            ``index`` is used.
        index: The call's position among its message's calls (for the stable id).

    Example:
        >>> wire_tool_call("add", {"a": 1}, "c1")
        {'id': 'c1', 'type': 'function', 'function': {'name': 'add', 'arguments': '{"a": 1}'}}
    """
    text = arguments_text(arguments, tool=name)
    return {
        "id": call_id if call_id is not None else stable_tool_call_id(index, name, text),
        "type": "function",
        "function": {"name": name, "arguments": text},
    }


class ToolArgumentsError(ValueError):
    """Finished tool arguments that are not a JSON object (the message says why)."""


def tool_arguments_object(name: str, text: str) -> dict[str, Any]:
    """Finished tool arguments as a dict: a JSON object, or ``{}`` for empty text.

    Raises:
        ToolArgumentsError: the text is not valid JSON, or not a JSON object.

    Example:
        >>> tool_arguments_object("add", '{"a": 1}'), tool_arguments_object("add", " ")
        ({'a': 1}, {})
    """
    if not text.strip():
        return {}
    try:
        # The server's text: absurd nesting fails like malformed JSON, never RecursionError.
        value = loads_untrusted(text, strict=False)
    except ValueError as exc:
        detail = (
            f"{exc.msg} at position {exc.pos}" if isinstance(exc, json.JSONDecodeError) else exc
        )
        raise ToolArgumentsError(f"arguments of {name!r} are not valid JSON ({detail})") from None
    if not isinstance(value, dict):
        raise ToolArgumentsError(f"arguments of {name!r} are not a JSON object")
    return value


def _objects(value: Any, key: str) -> Any:
    if isinstance(value, str):
        return [{key: value}]  # one entry, never a list of one-letter entries
    if isinstance(value, (list, tuple)):
        return [{key: item} if isinstance(item, str) else item for item in value]
    return value


def fallback_objects(value: Any) -> Any:
    """``fallbacks`` with bare model ids spelled as ``{"model": id}`` objects.

    Example:
        >>> fallback_objects(["gpt-5", {"model": "gemini-2.5-pro"}])
        [{'model': 'gpt-5'}, {'model': 'gemini-2.5-pro'}]
    """
    return _objects(value, "model")


def post_processing_objects(value: Any) -> Any:
    """``post_processing_steps`` with bare step names spelled as ``{"type": name}``.

    Example:
        >>> post_processing_objects(["json-repair"])
        [{'type': 'json-repair'}]
    """
    return _objects(value, "type")


_Item = TypeVar("_Item")

FallbackList = Annotated[list[_Item], BeforeValidator(fallback_objects)]
"""A ``fallbacks`` list field that also accepts bare model ids."""

PostProcessingList = Annotated[list[_Item], BeforeValidator(post_processing_objects)]
"""A ``post_processing_steps`` list field that also accepts bare step names."""

ModelRegion = Annotated[str, Field(min_length=1)]
"""``model_region``: the provider region the gateway routes the model to (non-empty)."""

MaxTimeout = Annotated[StrictInt | StrictFloat, Field(gt=0, allow_inf_nan=False)]
"""``max_timeout``: the seconds the gateway may spend on a request; a finite number above
0 (never a ``bool``), sent as given."""
