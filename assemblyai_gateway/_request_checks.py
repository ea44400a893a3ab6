"""Checks a request passes before anything is sent; each failure names the field.

* :func:`validate_request`: the wire model's validation, as one
  :class:`~assemblyai_gateway.errors.InvalidRequestError` listing every bad field.
* :func:`request_body`: the JSON body; text JSON cannot carry (a lone surrogate) is
  refused with the path of the field that holds it.

Tool-call arguments JSON cannot carry (a ``datetime``) are refused, naming the tool, by
:func:`assemblyai_gateway.wire.arguments_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from .errors import InvalidRequestError
from .types import ChatCompletionRequest

__all__ = ["request_body", "validate_request"]


def validate_request(request: ChatCompletionRequest | Mapping[str, Any]) -> ChatCompletionRequest:
    """``request`` as a validated wire model.

    Raises:
        InvalidRequestError: listing every field that failed (``model: Field required``).
    """
    if isinstance(request, ChatCompletionRequest):
        return request
    try:
        return ChatCompletionRequest.model_validate(request)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'request'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidRequestError(f"invalid gateway request: {problems}") from None


def _unencodable_path(value: Any, path: str) -> str | None:
    """Where in ``value`` a string holds text UTF-8 cannot encode, if anywhere."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "request"
        return None
    if isinstance(value, Mapping):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _unencodable_path(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def request_body(request: ChatCompletionRequest) -> bytes:
    """The JSON body of ``request``, without unset fields.

    Raises:
        InvalidRequestError: a field cannot be encoded as JSON (the path is named).
    """
    try:
        return request.to_json_bytes()
    except PydanticSerializationError as exc:
        where = _unencodable_path(request.model_dump(by_alias=True, exclude_none=True), "")
        if where is not None:
            raise InvalidRequestError(
                f"invalid gateway request: {where}: the text holds a lone surrogate "
                "(a broken character) that UTF-8 JSON cannot carry"
            ) from None
        raise InvalidRequestError(f"invalid gateway request: {exc}") from None
