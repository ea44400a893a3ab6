"""The fault script: failures the emulator injects into the next requests.

Faults sit in a FIFO queue. Each ``POST /v1/chat/completions`` takes the fault at
the head of the queue (if any) before anything else happens, so a test can script
"two 429s, then a success" without caring what the request contains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["EDGE_FAULTS", "Fault", "FaultKind"]

FaultKind = Literal[
    "rate_limit",
    "status",
    "delay",
    "drop_connection",
    "truncate_stream",
    "sse_error",
    "malformed_body",
    "invalid_tool_arguments",
    "empty_choices",
    "broken_json_content",
]

# Faults that replace the answer whatever the request was (they act like the network
# or the gateway's edge, before authentication and validation).
EDGE_FAULTS: frozenset[FaultKind] = frozenset({"rate_limit", "status", "drop_connection"})


@dataclass(frozen=True)
class Fault:
    """One scripted failure; build it with the classmethod constructors.

    Pass it to :meth:`GatewayEmulator.inject`. ``rate_limit``, ``status`` and
    ``drop_connection`` replace the answer to any chat-completions request;
    ``delay`` postpones it; the others reshape a successful answer and do nothing
    when the request fails authentication or validation (the fault is still used up).

    Attributes:
        kind: Which failure this is.
        code: HTTP status (``rate_limit``, ``status``) or the error code inside an
            SSE error event (``sse_error``).
        message: The error message sent in the gateway error format.
        headers: Extra response headers, e.g. ``retry-after``.
        seconds: How long ``delay`` waits before answering.
        after_chunks: How many SSE chunks are sent before ``truncate_stream`` or
            ``sse_error`` strikes.
        invalid_json: For ``malformed_body``: send text that is not JSON at all
            instead of a JSON object that is not a completion.

    Examples:
        >>> from assemblyai_gateway.emulator import Fault
        >>> Fault.rate_limit(retry_after=1.0).headers
        (('retry-after', '1'),)
        >>> Fault.status(503, "overloaded").code
        503
    """

    kind: FaultKind
    code: int = 0
    message: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0
    after_chunks: int = 0
    invalid_json: bool = False

    @classmethod
    def rate_limit(
        cls,
        retry_after: float | None = None,
        retry_after_ms: float | None = None,
        message: str = "Rate limit exceeded",
    ) -> Fault:
        """A 429 with ``retry-after`` (seconds) and/or ``retry-after-ms`` headers."""
        headers: list[tuple[str, str]] = []
        if retry_after is not None:
            headers.append(("retry-after", _number(retry_after)))
        if retry_after_ms is not None:
            headers.append(("retry-after-ms", _number(retry_after_ms)))
        return cls("rate_limit", code=429, message=message, headers=tuple(headers))

    @classmethod
    def status(cls, code: int, message: str, headers: dict[str, str] | None = None) -> Fault:
        """Any error status, sent in the gateway error format with optional headers."""
        if not 400 <= code <= 599:
            raise ValueError(f"status faults need a 4xx or 5xx code, got {code}")
        extra = tuple((name.lower(), value) for name, value in (headers or {}).items())
        return cls("status", code=code, message=message, headers=extra)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait ``seconds`` (interrupted by :meth:`GatewayEmulator.stop`), then answer."""
        if seconds < 0:
            raise ValueError("delay needs seconds >= 0")
        return cls("delay", seconds=seconds)

    @classmethod
    def drop_connection(cls) -> Fault:
        """Read the request, then close the socket without sending anything."""
        return cls("drop_connection")

    @classmethod
    def truncate_stream(cls, after_chunks: int = 2) -> Fault:
        """SSE: send ``after_chunks`` chunks and close (no ``[DONE]``).

        A non-streaming answer is cut in half: the full ``Content-Length`` is
        announced but only half the body is sent before the socket closes.
        """
        return cls("truncate_stream", after_chunks=_non_negative(after_chunks))

    @classmethod
    def sse_error(
        cls, after_chunks: int = 1, message: str = "upstream failed", code: int = 500
    ) -> Fault:
        """SSE: an ``{"error": {...}}`` event after ``after_chunks`` chunks, then close.

        A non-streaming request gets the same error as a plain ``code`` response.
        """
        return cls(
            "sse_error", code=code, message=message, after_chunks=_non_negative(after_chunks)
        )

    @classmethod
    def malformed_body(cls, invalid_json: bool = False) -> Fault:
        """A 200 whose body is not a completion: ``{"unexpected": true}`` or broken JSON."""
        return cls("malformed_body", code=200, invalid_json=invalid_json)

    @classmethod
    def invalid_tool_arguments(cls) -> Fault:
        """Tool-call arguments lose their final character, so they no longer parse."""
        return cls("invalid_tool_arguments")

    @classmethod
    def empty_choices(cls) -> Fault:
        """A 200 with ``"choices": []`` (SSE: one chunk with no choices, then ``[DONE]``)."""
        return cls("empty_choices")

    @classmethod
    def broken_json_content(cls) -> Fault:
        """The content becomes truncated JSON (repaired by the json-repair step)."""
        return cls("broken_json_content")


def _number(value: float) -> str:
    if value < 0:
        raise ValueError("retry delays must be >= 0")
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _non_negative(count: int) -> int:
    if count < 0:
        raise ValueError("after_chunks must be >= 0")
    return count
