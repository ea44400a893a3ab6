"""What the client makes of an HTTP answer: a completion, or one of our errors.

Pure functions over ``httpx`` objects, shared by the sync and async send loops in
:mod:`assemblyai_gateway.client`.
"""

from __future__ import annotations

import logging

import httpx
from pydantic import ValidationError

from .errors import (
    APIConnectionError,
    APITimeoutError,
    ResponseValidationError,
    StreamError,
    status_error_from_response,
)
from .types import ChatCompletion

__all__ = [
    "completion_from_response",
    "connection_error",
    "is_event_stream",
    "parse_completion",
    "stream_broke",
]

logger = logging.getLogger("assemblyai_gateway")

_MAX_BODY_IN_ERROR = 500


def _body_preview(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return text[:_MAX_BODY_IN_ERROR]


def parse_completion(body: bytes | str) -> ChatCompletion:
    """Validate a 2xx body as a completion.

    Raises:
        ResponseValidationError: the body is not JSON, not a completion, or has no choices.
    """
    try:
        completion = ChatCompletion.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ResponseValidationError(
            f"the gateway answered 2xx with a body that is not a chat completion "
            f"({where}: {first['msg']})",
            body=_body_preview(body),
        ) from None
    if not completion.choices:
        raise ResponseValidationError(
            "the gateway returned a completion with no choices",
            body=_body_preview(body),
            request_id=completion.request_id,
        )
    return completion


def completion_from_response(response: httpx.Response) -> ChatCompletion:
    if not response.is_success:
        raise status_error_from_response(response)
    completion = parse_completion(response.content)
    logger.debug(
        "gateway answered %s request_id=%s model=%s",
        response.status_code,
        completion.request_id,
        completion.served_model,
    )
    return completion


def connection_error(error: httpx.TransportError) -> APIConnectionError:
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"the gateway request timed out ({type(error).__name__})")
    return APIConnectionError(f"could not reach the gateway ({type(error).__name__}: {error})")


def stream_broke(
    error: httpx.TransportError, delivered: int, request_id: str | None
) -> StreamError:
    return StreamError(
        f"the stream broke after {delivered} chunk(s) ({type(error).__name__}: {error})",
        request_id=request_id,
    )


def is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "")
