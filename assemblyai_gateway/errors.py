"""One error tree for everything the gateway client raises.

```
GatewayError
├── ConfigurationError (also ValueError)
│   ├── InvalidRequestError
│   ├── InvalidAPIKeyError
│   ├── MissingAPIKeyError
│   └── ModelNotAvailableInRegionError
├── UnexpectedArgumentError (also TypeError)  a misspelt name, or one the model builds
│   └── MisplacedClientSettingError       a client setting given as a request field
├── UnsupportedContentError (also ValueError)
└── APIError
    ├── APIStatusError            status_code, message, errors, field_errors, request_id
    │   ├── BadRequestError            400
    │   │   └── ContextWindowExceededError  the input is longer than the model's context
    │   ├── AuthenticationError        401
    │   ├── PermissionDeniedError      403
    │   ├── NotFoundError              404
    │   ├── ConflictError              409
    │   ├── UnprocessableEntityError   422
    │   ├── RateLimitError             429
    │   └── InternalServerError        5xx
    ├── APIConnectionError
    │   └── APITimeoutError
    ├── StreamError               truncated stream or an error event mid-stream
    ├── ResponseValidationError   a 2xx body that is not a completion
    ├── ResponseTooLargeError     a body or stream event beyond its size cap
    └── TranscriptError           the transcript API: transcript_id, status_code
        ├── TranscriptNotFoundError    no transcript with this id for this key (400/404)
        ├── TranscriptFailedError      the transcript's status is "error"
        ├── TranscriptNotReadyError    still queued or processing when the wait ended
        └── SpeakerLabelsMissingError  utterances asked of a transcript without speakers
```

No message ever contains the API key: messages are built from the gateway's
body and our own text only, and request headers are never attached. What the gateway
sends is untrusted: messages are truncated and the body kept on an error is capped.
Every error pickles whole. The gateway's error bodies, in each of their envelopes, are
read by ``_error_envelopes`` (:class:`FieldError` is one entry of a field list).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._pickling import reduce_keeping_attributes
from ._transport.error_envelopes import (
    CONTEXT_OVERFLOW_PHRASES,
    FieldError,
    describe_field_errors,
    field_errors_of,
    is_context_overflow,
    read_error_body,
)
from ._transport.untrusted_text import loads_untrusted, utf8_text

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CONTEXT_OVERFLOW_PHRASES",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ContextWindowExceededError",
    "FieldError",
    "GatewayError",
    "InternalServerError",
    "InvalidAPIKeyError",
    "InvalidRequestError",
    "MisplacedClientSettingError",
    "MissingAPIKeyError",
    "ModelNotAvailableInRegionError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SpeakerLabelsMissingError",
    "StreamError",
    "ToolChoiceError",
    "TranscriptError",
    "TranscriptFailedError",
    "TranscriptNotFoundError",
    "TranscriptNotReadyError",
    "UnexpectedArgumentError",
    "UnprocessableEntityError",
    "UnsupportedContentError",
    "is_context_overflow",
    "status_error_from_payload",
    "status_error_from_response",
]

_MAX_BODY_IN_MESSAGE = 500


class GatewayError(Exception):
    """Base class of every error this package raises; each pickles with its attributes."""

    __reduce__ = reduce_keeping_attributes


class ConfigurationError(GatewayError, ValueError):
    """The client was configured in a way that cannot work (raised before any request)."""


class InvalidAPIKeyError(ConfigurationError):
    """The API key cannot be sent (it holds a control character); never shows the key."""


class ToolChoiceError(ConfigurationError):
    """A tool choice names a tool that is not bound, or has a shape we cannot send."""


class MissingAPIKeyError(ConfigurationError):
    """No API key was given and ``ASSEMBLYAI_API_KEY`` is not set."""


class ModelNotAvailableInRegionError(ConfigurationError):
    """The chosen region does not serve this model (OpenAI models are US-only)."""


class InvalidRequestError(ConfigurationError):
    """The request failed validation before it was sent; the message names the fields."""


class UnexpectedArgumentError(GatewayError, TypeError):
    """A keyword argument the model cannot take, named (raised before any request).

    A near miss of a known name (``temprature``: did you mean ``temperature``?), or a
    field the model builds itself (``messages``). A ``TypeError``, as Python's own
    "unexpected keyword argument" is, so code catching that keeps working.
    """


class MisplacedClientSettingError(UnexpectedArgumentError):
    """A client setting (``api_key``, ``base_url``, ``timeout``, ...) given as a request field.

    Per call, in ``bind()``, or in ``model_kwargs`` / ``additional_kwargs``: client
    settings configure how to send and are never sent. The message names the argument
    and where to set it; it never shows the value.
    """


class UnsupportedContentError(GatewayError, ValueError):
    """A message holds content the gateway cannot take (it accepts text only)."""


class APIError(GatewayError):
    """Something went wrong talking to the gateway.

    Attributes:
        message: What went wrong, in words a user can act on.
        request_id: The gateway's ``request_id`` when known; quote it to support.
    """

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    def __str__(self) -> str:
        if self.request_id:
            return f"{self.message} (request_id={self.request_id})"
        return self.message


class APIStatusError(APIError):
    """The gateway answered with a non-2xx status.

    Attributes:
        status_code: The HTTP status.
        errors: The field list as the gateway sent it (``metadata.errors``: each field
            that failed validation on a 400), else ``[]``.
        field_errors: The same list read into :class:`FieldError` s (``field``,
            ``message``, ``raw``), at most a hundred; ``str(error)`` shows the first ten.
        code: The body's ``code``: a status number, or a word such as
            ``invalid_request`` in the gateway's business errors.
        metadata: The whole ``metadata`` object.
        body: The decoded response body (JSON value, or text when it was not JSON).
        headers: The response headers (never the request's, so never the key).
    """

    status_code: int = 0

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        errors: list[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        body: Any = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        code: str | int | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status_code = status_code
        self.errors = list(errors or [])
        self.field_errors = field_errors_of(self.errors)
        self.code = code
        self.metadata = dict(metadata or {})
        self.body = body
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        text = f"Error code: {self.status_code} - {self.message}"
        if self.field_errors:
            text += f" - errors: {describe_field_errors(self.field_errors, len(self.errors))}"
        if self.request_id:
            text += f" (request_id={self.request_id})"
        return text


class BadRequestError(APIStatusError):
    """400: the request was invalid; ``errors`` lists the fields."""

    status_code = 400


class ContextWindowExceededError(BadRequestError):
    """The input (with ``max_tokens``) does not fit the model's context window; never retried.

    Raised for the answers Claude, GPT and Gemini give to an overlong prompt (see
    :func:`is_context_overflow`), whatever status the gateway relayed it with: the same
    request cannot succeed, a shorter one can. ``status_code`` is the status received.
    """


class AuthenticationError(APIStatusError):
    """401: the key is missing or wrong (the gateway wants the raw key, no ``Bearer``)."""

    status_code = 401


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this model, region or feature."""

    status_code = 403


class NotFoundError(APIStatusError):
    """404: a wrong endpoint or an unknown model."""

    status_code = 404


class ConflictError(APIStatusError):
    """409: a conflicting request (retried)."""

    status_code = 409


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but could not be processed."""

    status_code = 422


class RateLimitError(APIStatusError):
    """429: too many requests (retried, honouring Retry-After)."""

    status_code = 429


class InternalServerError(APIStatusError):
    """5xx: the gateway or the model provider failed (retried)."""


class ResponseTooLargeError(APIError):
    """A response body or a stream event exceeded its size cap (never retried).

    Attributes:
        limit: The cap that was exceeded (``max_response_bytes``, ``max_stream_bytes``
            or ``max_event_size``).
    """

    def __init__(self, message: str, *, limit: int, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.limit = limit


class APIConnectionError(APIError):
    """The gateway could not be reached, or the connection broke before a response."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class StreamError(APIError):
    """A stream ended early (no ``[DONE]``) or carried an error event.

    Attributes:
        status_code: The status the error event named, when it named one.
        body: The error event's payload, when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        status_code: int | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status_code = status_code
        self.body = body


class ResponseValidationError(APIError):
    """A successful status came with a body that is not a chat completion.

    Attributes:
        body: The body as received (truncated text), for debugging.
    """

    def __init__(self, message: str, *, body: Any = None, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.body = body


class TranscriptError(APIError):
    """The transcript API (through the ``assemblyai`` SDK) could not give a transcript.

    Attributes:
        transcript_id: The transcript concerned, when there is one.
        status_code: The transcript API's HTTP status, when it answered with an error.
    """

    def __init__(
        self, message: str, *, transcript_id: str | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.transcript_id = transcript_id
        self.status_code = status_code


class TranscriptNotFoundError(TranscriptError):
    """No transcript has this id for this key and region (the API's 400 or 404)."""


class TranscriptFailedError(TranscriptError):
    """Transcription failed: the status is ``error``; ``error`` holds the API's reason."""

    def __init__(self, message: str, *, transcript_id: str, error: str) -> None:
        super().__init__(message, transcript_id=transcript_id)
        self.error = error


class TranscriptNotReadyError(TranscriptError):
    """The transcript was still ``queued`` or ``processing`` when ``poll_timeout`` ran out."""

    def __init__(self, message: str, *, transcript_id: str, status: str) -> None:
        super().__init__(message, transcript_id=transcript_id)
        self.status = status


class SpeakerLabelsMissingError(TranscriptError):
    """``utterances`` were asked of a transcript made without ``speaker_labels``."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

_STATUS_HINTS: dict[int, str] = {
    401: "check ASSEMBLYAI_API_KEY; the gateway expects the raw key (no 'Bearer') and "
    "an EU key only works with region='eu'",
    403: "this key may not use the requested model or region",
    404: "check the model id and the base URL (it should end in /v1)",
    429: "rate limited; slow down or raise max_retries",
}


def _decode_body(content: bytes) -> Any:
    # The gateway speaks UTF-8 JSON, whatever charset a proxy put in the content type.
    try:
        return loads_untrusted(content)
    except ValueError:
        return utf8_text(content)[:_MAX_BODY_IN_MESSAGE]


def status_error_from_response(
    response: httpx.Response, content: bytes | None = None
) -> APIStatusError:
    """Build the typed error for a non-2xx response.

    Accepts every envelope the gateway uses: its business errors' ``{"message", "code",
    "request_id", "metadata": {"errors": [...]}}``, its auth layer's ``{"error":
    "<text>", "status", "request_id"}``, the spec's ``{"error": {"code", "message",
    "metadata"}}`` (and OpenAI's ``{"error": {"message", "type"}}``), or plain text.

    Args:
        response: The response (its body read, unless ``content`` is given).
        content: The (capped) body bytes, when they were read separately.
    """
    body = _decode_body(response.content if content is None else content)
    return status_error_from_payload(
        response.status_code, body, response.headers, reason=response.reason_phrase
    )


def status_error_from_payload(
    status: int, body: Any, headers: Mapping[str, str], *, reason: str = ""
) -> APIStatusError:
    """The typed error for ``status`` from a decoded error body (JSON value or text).

    Reads every envelope the gateway uses (see :func:`status_error_from_response`).
    Also used for an error object that arrives inside a 200, with the status it names.
    """
    envelope = read_error_body(body)
    request_id = envelope.request_id or headers.get("x-request-id") or headers.get("request-id")
    message = envelope.message or reason or f"HTTP {status}"
    overflow = is_context_overflow(status, f"{message} {envelope.details}")
    hint = _STATUS_HINTS.get(status)
    if hint:
        message = f"{message} ({hint})"
    cls = _STATUS_CLASSES.get(status)
    if overflow:
        cls = ContextWindowExceededError
    elif cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    return cls(
        message,
        status_code=status,
        errors=envelope.errors,
        metadata=envelope.metadata,
        body=body,
        request_id=request_id,
        headers=headers,
        code=envelope.code,
    )
