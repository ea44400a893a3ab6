"""Checks a request passes before anything is sent; each failure names the field.

* :func:`validate_request`: the wire model's validation, as one
  :class:`~assemblyai_gateway.errors.InvalidRequestError` listing every bad field; a
  schema flagged ``strict`` comes out strict-valid (see ``_strict_schema``).
* :func:`request_body`: the JSON body; text JSON cannot carry (a lone surrogate) is
  refused with the path of the field that holds it.

Tool-call arguments JSON cannot carry (a ``datetime``) are refused, naming the tool, by
:func:`assemblyai_gateway._wire.shapes.arguments_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from .._adapting.arguments import refuse_client_settings
from ..catalog import RouteCapabilities
from ..errors import ConfigurationError, InvalidRequestError, ModelNotAvailableInRegionError
from .strict_schema import with_strict_schemas
from .types import ChatCompletionRequest

__all__ = [
    "check_default_headers",
    "check_eu_models",
    "check_json_schema_route",
    "request_body",
    "validate_request",
]


def validate_request(request: ChatCompletionRequest | Mapping[str, Any]) -> ChatCompletionRequest:
    """``request`` as a validated wire model that carries no client setting, every
    ``strict`` schema in it strict-valid.

    Raises:
        InvalidRequestError: listing every field that failed (``model: Field required``).
        MisplacedClientSettingError: a client setting (``api_key``, ...) among the
            fields, named (never its value).
    """
    if isinstance(request, ChatCompletionRequest):
        validated = request
    else:
        try:
            validated = ChatCompletionRequest.model_validate(request)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'request'}: {err['msg']}"
                for err in exc.errors()
            )
            raise InvalidRequestError(f"invalid gateway request: {problems}") from None
    refuse_client_settings(validated)
    return with_strict_schemas(validated)


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


def check_default_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers``; a value HTTP cannot carry is refused, naming only the header."""
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ConfigurationError(f"default_headers must map str to str (header {name!r})")
        if any((ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F for char in value):
            raise ConfigurationError(f"default_headers[{name!r}] holds a control character")
        checked[name] = value
    return checked


def check_eu_models(route: RouteCapabilities) -> None:
    """The residency guard: every model a request can reach must be served in the EU.

    Raises:
        ModelNotAvailableInRegionError: naming the first US-only model.
    """
    us_only = route.lacking("eu_available")
    if us_only:
        raise ModelNotAvailableInRegionError(
            f"{us_only[0]!r} is served in the US region only; the EU endpoint serves "
            "Claude and Gemini. Use region='us', another model, or "
            "enforce_region=False (or catalog.register_model) for a newer model"
        )


def check_json_schema_route(request: ChatCompletionRequest, route: RouteCapabilities) -> None:
    """A json_schema ``response_format`` only when every model the request reaches takes it.

    A fallback inherits ``response_format``, and a model without json_schema support
    (gpt-oss) answers it with a 400, so the request fails here instead.

    Raises:
        InvalidRequestError: naming the models that lack json_schema support.
    """
    response_format = request.response_format
    if response_format is None or response_format.type != "json_schema":
        return
    unsupported = route.lacking("supports_json_schema")
    if unsupported:
        raise InvalidRequestError(
            f"response_format json_schema is not supported by {', '.join(unsupported)}, "
            "which this request can reach (as the model or a fallback); use tool calling "
            "for structured output, or drop that model"
        )
