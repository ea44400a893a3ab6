"""A pure, I/O-free decoder from SSE text to chat-completion chunks.

It stacks the line and event decoders of :mod:`._sse_lines` and adds the gateway's rules:
``data: [DONE]`` ends the stream, ``:`` comment lines and empty events are skipped,
events named other than ``message`` or ``error`` (``event: ping``) are keep-alives and
skipped, multi-line ``data`` is joined, an error object (``event: error``,
``{"error": ...}`` or the business envelope ``{"message", "code", ...}``) raises
:class:`~assemblyai_gateway.errors.StreamError`, and text that ends without ``[DONE]``
raises it too. One event may hold at most
``max_event_size`` characters (counted while it arrives); beyond that,
:class:`~assemblyai_gateway.errors.ResponseTooLargeError`. The sync and async send
loops only feed it text.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .._wire.types import ChatCompletionChunk
from ..errors import APIError, ResponseTooLargeError, ResponseValidationError, StreamError
from .sse_lines import EventDecoder, LineDecoder, ServerSentEvent
from .untrusted_text import loads_untrusted, truncate_text

__all__ = ["ChunkDecoder", "ServerSentEvent", "parse_event"]

_DONE = "[DONE]"
# Events that carry chunks or errors; any other name is a keep-alive.
_CHUNK_EVENTS = frozenset({"", "message", "error"})
_MAX_QUOTED = 200
_MAX_ERROR_BODY = 64 * 1024


def _is_error_object(payload: Any) -> bool:
    """An ``{"error": ...}`` object, or the gateway's business envelope ``{"message",
    "code", ...}`` (a chunk has no top-level ``message``), in place of a chunk."""
    if not isinstance(payload, dict):
        return False
    return "error" in payload or (
        isinstance(payload.get("message"), str) and not payload.get("choices")
    )


def _error_from_payload(payload: Any, request_id: str | None) -> StreamError:
    error = payload.get("error") if isinstance(payload, dict) else None
    if error is None and isinstance(payload, dict):
        error = payload  # `event: error` with a bare {"message", "code"} object
    message = "the gateway sent an error event mid-stream"
    status: int | None = None
    if isinstance(error, dict):
        if error.get("message"):
            message = f"{message}: {error['message']}"
        code = error.get("code", error.get("status"))
        status = code if isinstance(code, int) else None
    elif isinstance(error, str):
        message = f"{message}: {truncate_text(error, 1000)}"
    return StreamError(message, request_id=request_id, status_code=status, body=payload)


def parse_event(
    event: ServerSentEvent, request_id: str | None = None
) -> ChatCompletionChunk | None:
    """Turn one SSE event into a chunk; ``None`` for events that carry no chunk.

    Raises:
        StreamError: for an error event or data that is not a chunk.
    """
    data = event.data
    if event.event not in _CHUNK_EVENTS or not data.strip():
        return None
    try:
        payload = loads_untrusted(data)
    except ValueError:  # not JSON, or absurdly deep nesting
        if event.event == "error":
            raise StreamError(
                f"the gateway sent an error event mid-stream: {data[:_MAX_QUOTED]}",
                request_id=request_id,
                body=truncate_text(data, _MAX_QUOTED),
            ) from None
        raise StreamError(
            f"the stream sent data that is not JSON: {data[:_MAX_QUOTED]!r}",
            request_id=request_id,
        ) from None
    if event.event == "error" or _is_error_object(payload):
        error = _error_from_payload(payload, request_id)
        if len(data) > _MAX_ERROR_BODY:  # the body kept on an error is capped
            error.body = truncate_text(data, _MAX_ERROR_BODY)
        raise error
    if not isinstance(payload, dict):
        raise StreamError(
            f"the stream sent an event that is not a chunk object: {data[:200]!r}",
            request_id=request_id,
        )
    try:
        return ChatCompletionChunk.model_validate(payload)
    except ValidationError as exc:
        raise StreamError(
            f"the stream sent a malformed chunk: {exc.errors()[0]['msg']}", request_id=request_id
        ) from None


class ChunkDecoder:
    """Feed it SSE text in any split; it returns the chunks completed so far.

    Examples:
        >>> decoder = ChunkDecoder()
        >>> decoder.feed('data: {"choices": [{"delta": {"content": "Hi"}}]}\\n')
        []
        >>> [c.choices[0].delta.content for c in decoder.feed("\\ndata: [DONE]\\n\\n")]
        ['Hi']
        >>> decoder.done
        True
    """

    def __init__(self, *, require_choices: bool = False, max_event_size: int | None = None) -> None:
        self.require_choices = require_choices
        self.max_event_size = max_event_size
        self._lines = LineDecoder()
        self._events = EventDecoder()
        self.done = False
        self.request_id: str | None = None
        self.saw_choice = False
        self._error: APIError | None = None
        # Characters of the event being received: its complete lines, and the line
        # still without an end.
        self._event_size = 0
        self._open_line = 0

    def _check_size(self) -> None:
        limit = self.max_event_size
        if limit is not None and self._event_size + self._open_line > limit:
            raise ResponseTooLargeError(
                f"a stream event exceeded max_event_size ({limit} characters); "
                "raise the cap if such events are expected",
                limit=limit,
                request_id=self.request_id,
            )

    def _decode_lines(self, lines: list[str]) -> list[ChatCompletionChunk]:
        chunks: list[ChatCompletionChunk] = []
        for line in lines:
            if self.done:
                break
            self._event_size = self._event_size + len(line) if line else 0
            try:
                self._check_size()
                event = self._events.decode(line)
                if event is None:
                    continue
                if event.data.strip() == _DONE:
                    self.done = True
                    break
                chunk = parse_event(event, self.request_id)
            except (StreamError, ResponseTooLargeError) as exc:
                if not chunks:
                    raise
                # Deliver the chunks decoded before the error; raise it on the next call.
                self._error = exc
                break
            if chunk is not None:
                self.request_id = chunk.request_id or self.request_id
                self.saw_choice = self.saw_choice or bool(chunk.choices)
                chunks.append(chunk)
        return chunks

    def feed(self, text: str) -> list[ChatCompletionChunk]:
        """Decode more text; returns the chunks it completed."""
        if self._error is not None:
            raise self._error
        if self.done or not text:
            return []
        if self.max_event_size is not None:
            end = max(text.rfind("\n"), text.rfind("\r"))
            self._open_line = self._open_line + len(text) if end < 0 else len(text) - end - 1
            self._check_size()
        return self._decode_lines(self._lines.decode(text))

    def close(self) -> list[ChatCompletionChunk]:
        """The stream's text has ended: flush, then insist on ``[DONE]``.

        Raises:
            StreamError: the stream ended without ``data: [DONE]`` (truncated).
            ResponseValidationError: with ``require_choices``, no chunk carried a choice.
        """
        if self._error is not None:
            raise self._error
        chunks: list[ChatCompletionChunk] = []
        if not self.done:
            tail = self._lines.flush()
            try:
                chunks = self._decode_lines([*tail, ""])
            except StreamError:
                if not tail:
                    raise
                # An unterminated last line is a cut connection, not bad data.
            if self._error is not None:
                raise self._error
        if not self.done:
            raise StreamError(
                "the stream ended before `data: [DONE]`; the response is incomplete",
                request_id=self.request_id,
            )
        if self.require_choices and not self.saw_choice:
            # An empty completion stream is not a successful empty answer.
            raise ResponseValidationError(
                "the gateway streamed a completion with no choices", request_id=self.request_id
            )
        return chunks
