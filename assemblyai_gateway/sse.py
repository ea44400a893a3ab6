"""A pure, I/O-free decoder from SSE text to chat-completion chunks.

It stacks httpx-sse's line and event decoders and adds the gateway's rules:
``data: [DONE]`` ends the stream, ``:`` comment lines and empty events are skipped,
multi-line ``data`` is joined, an error object (``event: error`` or ``{"error": ...}``)
raises :class:`~assemblyai_gateway.errors.StreamError`, and text that ends without
``[DONE]`` raises it too. The sync and async send loops only feed it text.
"""

from __future__ import annotations

import json
from typing import Any

from httpx_sse import ServerSentEvent
from pydantic import ValidationError

from ._sse_lines import EventDecoder, LineDecoder
from .errors import ResponseValidationError, StreamError
from .types import ChatCompletionChunk

__all__ = ["ChunkDecoder", "parse_event"]

_DONE = "[DONE]"


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
        message = f"{message}: {error}"
    return StreamError(message, request_id=request_id, status_code=status, body=payload)


def parse_event(
    event: ServerSentEvent, request_id: str | None = None
) -> ChatCompletionChunk | None:
    """Turn one SSE event into a chunk; ``None`` for events that carry no chunk.

    Raises:
        StreamError: for an error event or data that is not a chunk.
    """
    data = event.data
    if not data.strip():
        return None
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        if event.event == "error":
            raise StreamError(
                f"the gateway sent an error event mid-stream: {data[:200]}",
                request_id=request_id,
                body=data,
            ) from None
        raise StreamError(
            f"the stream sent data that is not JSON: {data[:200]!r}", request_id=request_id
        ) from None
    if event.event == "error" or (isinstance(payload, dict) and "error" in payload):
        raise _error_from_payload(payload, request_id)
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

    def __init__(self, *, require_choices: bool = False) -> None:
        self.require_choices = require_choices
        self._lines = LineDecoder()
        self._events = EventDecoder()
        self.done = False
        self.request_id: str | None = None
        self.saw_choice = False
        self._error: StreamError | None = None

    def _decode_lines(self, lines: list[str]) -> list[ChatCompletionChunk]:
        chunks: list[ChatCompletionChunk] = []
        for line in lines:
            if self.done:
                break
            event = self._events.decode(line)
            if event is None:
                continue
            if event.data.strip() == _DONE:
                self.done = True
                break
            try:
                chunk = parse_event(event, self.request_id)
            except StreamError as exc:
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
