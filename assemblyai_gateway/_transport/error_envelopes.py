"""Reading the gateway's error bodies: every envelope, the field list, the overflow phrases.

The gateway has answered errors in three shapes, and any may arrive:

* business errors from its route handlers (the vendor's SDK and current docs):
  ``{"message", "code", "request_id", "metadata": {"errors": [...]}}``, where
  ``metadata.errors`` lists each field that failed validation;
* 401s from its auth layer: ``{"error": "<text>", "status": 401, "request_id"}``;
* the published spec's ``{"error": {"code", "message", "metadata": {"errors": [...]}}}``
  (and OpenAI's ``{"error": {"message", "type", "code"}}``).

:func:`read_error_body` reads all three into one :class:`ErrorEnvelope`;
:class:`FieldError` is one entry of the field list, whatever its shape (a string, or an
object naming the field); :func:`describe_field_errors` writes the list for a message,
bounded. Nothing here sees a request, so nothing here can hold the API key.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .untrusted_text import truncate_text

__all__ = [
    "CONTEXT_OVERFLOW_PHRASES",
    "MAX_FIELD_ERRORS",
    "ErrorEnvelope",
    "FieldError",
    "describe_field_errors",
    "field_errors_of",
    "is_context_overflow",
    "read_error_body",
]

# The gateway's own message, as quoted in an exception.
MAX_MESSAGE = 1000
MAX_FIELD_ERRORS = 100
"""At most this many entries of a field list are kept as :class:`FieldError` s."""
# How many of them an exception's message shows, and how long each may be.
_SHOWN_FIELD_ERRORS = 10
_MAX_FIELD_TEXT = 500
_MAX_DESCRIBED = 500

# The keys an entry of the field list names its field and its problem by: the gateway's
# ``field``/``message``, pydantic's ``loc``/``msg``, OpenAI's ``param``, JSON Schema's ``path``.
_FIELD_KEYS = ("field", "param", "path", "loc", "name", "property", "key")
_MESSAGE_KEYS = ("message", "msg", "error", "detail", "reason", "description")
# A text entry that starts with a request field's path: "messages.0.content: required".
_NAMED_TEXT = re.compile(
    r"(?P<field>[a-z_][a-z0-9_]*(?:(?:\.|\[)[a-z0-9_\]]+)*): (?P<message>.+)", re.S
)


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One entry of an error's field list (``metadata.errors``): a field that failed.

    An entry is an object naming the field (``{"field", "message"}``, pydantic's
    ``{"loc", "msg"}``, OpenAI's ``{"param", ...}``), or text; text that starts with a
    field's path and a colon (``"temperature: must be <= 2"``) names that field.

    Attributes:
        field: The request field named (``"temperature"``, ``"messages.0.content"``);
            ``None`` when the entry names none.
        message: What was wrong with it, as the gateway said.
        raw: The entry exactly as the gateway sent it (a string or an object).

    Examples:
        >>> FieldError.from_entry({"field": "temperature", "message": "must be <= 2"})
        FieldError(field='temperature', message='must be <= 2')
        >>> FieldError.from_entry("messages[0].content: is required")
        FieldError(field='messages[0].content', message='is required')
        >>> FieldError.from_entry("Key: 'Request.Model' Error: required")
        FieldError(field=None, message="Key: 'Request.Model' Error: required")
    """

    field: str | None
    message: str
    raw: Any = dataclasses.field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    @classmethod
    def from_entry(cls, entry: Any) -> FieldError:
        """One entry of the list, whatever its shape (text, an object, anything else)."""
        if isinstance(entry, Mapping):
            name = next((entry[key] for key in _FIELD_KEYS if entry.get(key) is not None), None)
            if isinstance(name, Sequence) and not isinstance(name, str):
                name = ".".join(str(part) for part in name)  # pydantic's loc: ["messages", 0]
            text = next((entry[key] for key in _MESSAGE_KEYS if entry.get(key) is not None), None)
            if text is None:
                rest = {k: v for k, v in entry.items() if k not in _FIELD_KEYS}
                text = json.dumps(rest, default=str) if rest else "invalid"
            return cls(
                _bounded(name) if name is not None and str(name) else None,
                _bounded(text),
                entry,
            )
        text = entry if isinstance(entry, str) else json.dumps(entry, default=str)
        named = _NAMED_TEXT.match(text)
        if named:  # "temperature: must be between 0 and 2"
            return cls(_bounded(named["field"]), _bounded(named["message"]), entry)
        return cls(None, _bounded(text), entry)


def _bounded(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return truncate_text(text, _MAX_FIELD_TEXT)


def field_errors_of(entries: Sequence[Any] | None) -> tuple[FieldError, ...]:
    """The first :data:`MAX_FIELD_ERRORS` entries of a field list, as :class:`FieldError` s."""
    return tuple(FieldError.from_entry(entry) for entry in (entries or ())[:MAX_FIELD_ERRORS])


def describe_field_errors(errors: Sequence[FieldError], total: int | None = None) -> str:
    """The field list as one line for a message: the first few, then how many more.

    At most ten entries, and no more than about 500 characters, are shown; ``total``
    is the length of the list the entries came from, when it was longer.

    Examples:
        >>> describe_field_errors(field_errors_of(["a is bad", {"field": "b", "msg": "no"}]))
        'a is bad; b: no'
    """
    total = len(errors) if total is None else total
    shown: list[str] = []
    length = 0
    for error in errors[:_SHOWN_FIELD_ERRORS]:
        text = str(error)
        if shown and length + len(text) > _MAX_DESCRIBED:
            break
        shown.append(text)
        length += len(text) + 2
    hidden = total - len(shown)
    return "; ".join(shown) + (f"; and {hidden} more" if hidden > 0 else "")


class ErrorEnvelope(NamedTuple):
    """What an error body says, whichever envelope it came in."""

    message: str
    """The gateway's message (bounded); ``""`` when it sent none."""
    code: str | int | None
    """The envelope's ``code`` (a status number, or a word such as ``invalid_request``)."""
    request_id: str | None
    """The body's ``request_id``."""
    metadata: Mapping[str, Any]
    """The ``metadata`` object (the business envelope's, or the spec's ``error.metadata``)."""
    errors: list[Any] | None
    """``metadata.errors``, the raw field list, when it is a list."""
    details: str
    """The error object's code, type and metadata as text, where a relayed provider error
    may name a context overflow (OpenAI's ``code: context_length_exceeded``)."""


def read_error_body(body: Any) -> ErrorEnvelope:
    """Read a decoded error body (a JSON value, or text) in any of the three envelopes.

    Examples:
        >>> business = {"message": "Invalid request", "code": "invalid_request",
        ...     "request_id": "r1", "metadata": {"errors": ["temperature: must be <= 2"]}}
        >>> envelope = read_error_body(business)
        >>> envelope.message, envelope.code, envelope.request_id, envelope.errors
        ('Invalid request', 'invalid_request', 'r1', ['temperature: must be <= 2'])
        >>> read_error_body({"error": "Invalid API key", "status": 401}).message
        'Invalid API key'
        >>> read_error_body({"error": {"code": 400, "message": "bad"}}).code
        400
    """
    if isinstance(body, str):
        return ErrorEnvelope(truncate_text(body.strip(), MAX_MESSAGE), None, None, {}, None, "")
    if not isinstance(body, Mapping):
        return ErrorEnvelope("", None, None, {}, None, "")
    error = body.get("error")
    message: Any = None
    code: Any = body.get("code", body.get("status"))
    metadata: Any = body.get("metadata")
    details = ""
    if isinstance(error, Mapping):  # the spec's (and OpenAI's) envelope
        message = error.get("message")
        code = error.get("code", code)
        if isinstance(error.get("metadata"), Mapping):
            metadata = error["metadata"]
        extra = [error.get("code"), error.get("type"), error.get("metadata")]
        details = json.dumps([part for part in extra if part is not None], default=str)
    elif isinstance(error, str):  # the auth layer's
        message = error
    if not (isinstance(message, str) and message) and isinstance(body.get("message"), str):
        message = body["message"]  # the business envelope's
    metadata = metadata if isinstance(metadata, Mapping) else {}
    if not details and (metadata or isinstance(code, str)):
        details = json.dumps([part for part in (code, dict(metadata)) if part], default=str)
    raw_errors = metadata.get("errors")
    request_id = body.get("request_id")
    return ErrorEnvelope(
        truncate_text(message, MAX_MESSAGE) if isinstance(message, str) else "",
        code if isinstance(code, (str, int)) and not isinstance(code, bool) else None,
        request_id if isinstance(request_id, str) else None,
        metadata,
        raw_errors if isinstance(raw_errors, list) else None,
        details[:MAX_MESSAGE],
    )


CONTEXT_OVERFLOW_PHRASES = (
    "prompt is too long",
    "exceed context limit",
    "context_length_exceeded",
    "maximum context length",
    "exceeds the context window",
    "input tokens exceed the configured limit",
    "exceeds the maximum number of tokens allowed",
    "input is too long for requested model",
    "contextwindowexceedederror",
)
"""How each provider words "the prompt is longer than the context window", lowercased:
Anthropic, OpenAI (chat and responses), Gemini, Bedrock, and LiteLLM-style proxies."""
# Statuses an overflow may come back with: the provider's 400 (or 422) as relayed, a
# 5xx when the gateway wraps it. 413 (the request is too large) always is one.
_CONTEXT_OVERFLOW_STATUSES = frozenset({400, 413, 422})


def is_context_overflow(status: int, text: str) -> bool:
    """Whether an error answer says the input does not fit the model's context window.

    The one rule both adapters rely on: a 413, or a 400, 422 or 5xx whose text (the
    error message, code and metadata) carries a phrase Claude, GPT or Gemini use for it.

    Examples:
        >>> is_context_overflow(400, "prompt is too long: 212345 tokens > 200000 maximum")
        True
        >>> is_context_overflow(400, "This model's maximum context length is 128000 tokens.")
        True
        >>> is_context_overflow(401, "prompt is too long"), is_context_overflow(400, "bad")
        (False, False)
    """
    if status == 413:
        return True
    if status not in _CONTEXT_OVERFLOW_STATUSES and status < 500:
        return False
    lowered = text.lower()
    return any(phrase in lowered for phrase in CONTEXT_OVERFLOW_PHRASES)
