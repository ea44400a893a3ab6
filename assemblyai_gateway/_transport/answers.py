"""What the client makes of an HTTP answer: a completion, or one of our errors.

Pure functions over ``httpx`` objects, shared by the sync and async send loops in
:mod:`assemblyai_gateway._transport.client`. Rules:

* a 2xx body is validated as a completion; one whose body is an error (an
  ``{"error": ...}`` object, or the business envelope ``{"message", "code",
  "metadata"}``) and no choices is the status error its ``code`` names, so it is
  retried like that status;
* a transport failure becomes :class:`APIConnectionError` (or :class:`APITimeoutError`)
  whose text never holds a request header value; a request httpx refuses to encode
  (``LocalProtocolError``) is a :class:`ConfigurationError`, never retried.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import ValidationError

from .._wire.types import ChatCompletion
from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigurationError,
    ResponseValidationError,
    StreamError,
    status_error_from_payload,
    status_error_from_response,
)
from .untrusted_text import loads_untrusted, truncate_text, utf8_text

if TYPE_CHECKING:
    import httpx

    from .attempt_limits import Deadline

__all__ = [
    "cause_of",
    "completion_from_response",
    "connection_error",
    "is_event_stream",
    "parse_completion",
    "stream_broke",
]

logger = logging.getLogger("assemblyai_gateway")

_MAX_BODY_IN_ERROR = 500
_MAX_TRANSPORT_TEXT = 200


def _body_preview(body: bytes | str) -> str:
    return utf8_text(body[: _MAX_BODY_IN_ERROR * 4])[:_MAX_BODY_IN_ERROR]


def _error_inside(body: bytes | str, headers: Mapping[str, str]) -> APIError | None:
    """The error a 2xx body carries instead of choices, if any: an ``{"error": ...}``
    object, or the gateway's ``{"message", "code", "metadata"}`` business envelope."""
    try:
        payload = loads_untrusted(body)
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("choices"):
        return None
    error = payload.get("error")
    if error is None and not isinstance(payload.get("message"), str):
        return None
    inner = error if isinstance(error, dict) else payload
    code = inner.get("code", inner.get("status", payload.get("status")))
    if isinstance(code, int) and not isinstance(code, bool) and 400 <= code <= 599:
        return status_error_from_payload(code, payload, headers)
    message = error.get("message") if isinstance(error, dict) else error or payload["message"]
    request_id = payload.get("request_id")
    return ResponseValidationError(
        f"the gateway answered 2xx with an error object: {truncate_text(str(message), 1000)}",
        body=_body_preview(body),
        request_id=request_id if isinstance(request_id, str) else None,
    )


def _completion_from_json(body: bytes | str) -> ChatCompletion:
    """pydantic's fast JSON path, else the lenient parse for what it refuses but JSON allows.

    pydantic's parser rejects a lone surrogate escape (``"\\ud83d"``), which JSON
    permits; :func:`loads_untrusted` reads it as U+FFFD.
    """
    try:
        return ChatCompletion.model_validate_json(body)
    except ValidationError as exc:
        if exc.errors()[0]["type"] != "json_invalid":
            raise
        try:
            payload = loads_untrusted(body)
        except ValueError:
            raise exc from None
        return ChatCompletion.model_validate(payload)


def parse_completion(body: bytes | str, headers: Mapping[str, str] | None = None) -> ChatCompletion:
    """Validate a 2xx body as a completion.

    Raises:
        APIStatusError: the body is an error object whose ``code`` names a status.
        ResponseValidationError: the body is not JSON, not a completion, or has no choices.
    """
    try:
        completion = _completion_from_json(body)
    except ValidationError as exc:
        inside = _error_inside(body, headers or {})
        if inside is not None:
            raise inside from None
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ResponseValidationError(
            f"the gateway answered 2xx with a body that is not a chat completion "
            f"({where}: {truncate_text(first['msg'], 200)})",
            body=_body_preview(body),
        ) from None
    if not completion.choices:
        inside = _error_inside(body, headers or {})
        if inside is not None:
            raise inside
        raise ResponseValidationError(
            "the gateway returned a completion with no choices",
            body=_body_preview(body),
            request_id=completion.request_id,
        )
    return completion


def completion_from_response(response: httpx.Response, content: bytes) -> ChatCompletion:
    """The completion in a response whose (capped) body is ``content``.

    Raises:
        APIStatusError: a non-2xx status, or an error object inside a 2xx.
        ResponseValidationError: a 2xx body that is not a completion.
    """
    if not response.is_success:
        raise status_error_from_response(response, content)
    completion = parse_completion(content, response.headers)
    logger.debug(
        "gateway answered %s request_id=%s model=%s",
        response.status_code,
        completion.request_id,
        completion.served_model,
    )
    return completion


def _transport_text(error: httpx.TransportError) -> str:
    return truncate_text(str(error), _MAX_TRANSPORT_TEXT)


def connection_error(
    error: httpx.TransportError, deadline: Deadline | None = None
) -> APIConnectionError | ConfigurationError:
    """The typed error for a failed attempt (its text never holds a header value)."""
    import httpx

    name = type(error).__name__
    if isinstance(error, httpx.LocalProtocolError):
        # httpx's text quotes the offending header, which may be the key.
        return ConfigurationError(
            f"the request could not be encoded ({name}): a header value holds a character "
            "HTTP forbids; check default_headers and the API key"
        )
    if deadline is not None and deadline.passed():
        return deadline.error()
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"the gateway request timed out ({name})")
    return APIConnectionError(f"could not reach the gateway ({name}: {_transport_text(error)})")


def cause_of(error: httpx.TransportError) -> BaseException | None:
    """What to chain a transport failure's typed error to (never text quoting a header)."""
    import httpx

    return None if isinstance(error, httpx.LocalProtocolError) else error


def stream_broke(
    error: httpx.TransportError, deadline: Deadline, delivered: int, request_id: str | None
) -> APIError:
    """The error for a stream whose connection failed after ``delivered`` chunks."""
    if deadline.passed():
        return deadline.error()
    return StreamError(
        f"the stream broke after {delivered} chunk(s) "
        f"({type(error).__name__}: {_transport_text(error)})",
        request_id=request_id,
    )


def is_event_stream(response: httpx.Response) -> bool:
    """Whether the gateway answered with server-sent events."""
    return "text/event-stream" in response.headers.get("content-type", "")
