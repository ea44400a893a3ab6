"""Offline test helpers: canned gateway bodies and a scripted ``httpx`` transport.

These are hand-made fixtures, not recordings of the live gateway. For a real HTTP
server on loopback, use :mod:`assemblyai_gateway.emulator`.

Examples:
    >>> import httpx
    >>> from assemblyai_gateway import GatewayClient
    >>> from assemblyai_gateway.testing import ScriptedTransport, completion_body
    >>> transport = ScriptedTransport([completion_body("Hi there")])
    >>> client = GatewayClient(api_key="k", http_client=httpx.Client(transport=transport))
    >>> client.create({"model": "gpt-5", "messages": [{"role": "user", "content": "Hi"}]}).choices[
    ...     0
    ... ].message.content
    'Hi there'
    >>> transport.json_bodies[0]["model"]
    'gpt-5'
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import httpx

from ._wire.shapes import wire_tool_call
from .catalog import known_models, model_list_entry

__all__ = [
    "BrokenStream",
    "ErrorEnvelope",
    "ScriptStep",
    "ScriptedTransport",
    "chunk_body",
    "completion_body",
    "error_body",
    "sse_body",
    "text_sse",
    "tool_call",
    "tool_call_delta",
]

UsageStyle = Literal["input_output", "prompt_completion"]


def tool_call(
    name: str, arguments: Mapping[str, Any] | str, call_id: str = "call_1"
) -> dict[str, Any]:
    """One OpenAI-shape tool call object."""
    return wire_tool_call(name, arguments, call_id)


def completion_body(
    content: str | None = "Hello!",
    *,
    tool_calls: Sequence[Mapping[str, Any]] = (),
    tool_calls_in_message: bool = False,
    model: str = "claude-sonnet-4-5-20250929",
    request_id: str = "req-0001",
    finish_reason: str | None = None,
    usage: tuple[int, int] | None = (10, 5),
    usage_style: UsageStyle = "input_output",
    thinking: str | None = None,
    usage_details: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A 200 body in the gateway's documented shape (tool calls on the choice by default).

    ``thinking`` is the model's reasoning (``message.thinking``); ``usage_details`` is
    merged into ``usage``, e.g. ``{"prompt_tokens_details": {"cached_tokens": 8}}``.
    """
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if thinking is not None:
        message["thinking"] = thinking
    choice: dict[str, Any] = {
        "index": 0,
        "message": message,
        "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop"),
    }
    if tool_calls:
        (message if tool_calls_in_message else choice)["tool_calls"] = [dict(c) for c in tool_calls]
    body: dict[str, Any] = {
        "request_id": request_id,
        "choices": [choice],
        "request": {"model": model},
        "http_status_code": 200,
        "response_time": 275510459,
        "llm_status_code": 200,
    }
    if usage is not None:
        names = (
            ("input_tokens", "output_tokens")
            if usage_style == "input_output"
            else (
                "prompt_tokens",
                "completion_tokens",
            )
        )
        body["usage"] = {
            names[0]: usage[0],
            names[1]: usage[1],
            "total_tokens": sum(usage),
            **(usage_details or {}),
        }
    body.update(extra)
    return body


def chunk_body(
    content: str | None = None,
    *,
    role: str | None = None,
    tool_calls: Sequence[Mapping[str, Any]] | None = None,
    finish_reason: str | None = None,
    usage: tuple[int, int] | None = None,
    model: str = "gpt-5",
    request_id: str = "req-0001",
    choices: bool = True,
    thinking: str | None = None,
    usage_details: Mapping[str, Any] | None = None,
    created: int = 1_760_000_000,
) -> dict[str, Any]:
    """One OpenAI-style ``chat.completion.chunk`` object.

    ``thinking`` is a piece of the model's reasoning (``delta.thinking``);
    ``usage_details`` is merged into ``usage``.
    """
    delta: dict[str, Any] = {}
    if role is not None:
        delta["role"] = role
    if thinking is not None:
        delta["thinking"] = thinking
    if content is not None:
        delta["content"] = content
    if tool_calls is not None:
        delta["tool_calls"] = [dict(c) for c in tool_calls]
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "request_id": request_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
        if choices
        else [],
    }
    if usage is not None:
        body["usage"] = {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
            **(usage_details or {}),
        }
    return body


def tool_call_delta(
    index: int, arguments: str = "", call_id: str | None = None, name: str | None = None
) -> dict[str, Any]:
    """One streamed tool-call piece; ``call_id`` and ``name`` come with a call's first piece."""
    delta: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
    if call_id is not None:
        delta["id"] = call_id
        delta["type"] = "function"
    if name is not None:
        delta["function"]["name"] = name
    return delta


def text_sse(*pieces: str, usage: tuple[int, int] = (7, 2)) -> bytes:
    """An SSE body: an empty assistant delta, one chunk per piece, ``stop``, then usage."""
    return sse_body(
        [
            chunk_body("", role="assistant"),
            *(chunk_body(piece) for piece in pieces),
            chunk_body(finish_reason="stop"),
            chunk_body(usage=usage, choices=False),
        ]
    )


def sse_body(chunks: Iterable[Mapping[str, Any] | str], *, done: bool = True) -> bytes:
    """Serialise chunks as ``data:`` events, ending with ``data: [DONE]`` unless ``done=False``."""
    events = [f"data: {c if isinstance(c, str) else json.dumps(c)}\n\n" for c in chunks]
    if done:
        events.append("data: [DONE]\n\n")
    return "".join(events).encode()


ErrorEnvelope = Literal["spec", "business", "auth"]


def error_body(
    status: int,
    message: str,
    errors: Sequence[Any] | None = None,
    *,
    envelope: ErrorEnvelope = "spec",
    request_id: str | None = None,
    code: str | int | None = None,
) -> dict[str, Any]:
    """A gateway error body, in one of the three envelopes the gateway has used.

    Args:
        status: The HTTP status the body goes with.
        message: The error's text.
        errors: The field list (``metadata.errors``): strings or objects.
        envelope: ``"spec"`` (the published spec's ``{"error": {"code", "message",
            "metadata"}}``), ``"business"`` (the route handlers' ``{"message", "code",
            "request_id", "metadata": {"errors"}}``) or ``"auth"`` (the auth layer's
            ``{"error": "<text>", "status", "request_id"}``, which has no field list).
        request_id: The body's ``request_id`` (the spec envelope has none by default).
        code: The business envelope's ``code``; default ``status``.

    Examples:
        >>> error_body(400, "Invalid request", ["bad temperature"], envelope="business")
        {'message': 'Invalid request', 'code': 400, 'metadata': {'errors': ['bad temperature']}}
        >>> error_body(401, "Invalid API key", envelope="auth", request_id="r1")
        {'error': 'Invalid API key', 'status': 401, 'request_id': 'r1'}
    """
    metadata: dict[str, Any] = {"errors": list(errors)} if errors is not None else {}
    body: dict[str, Any]
    if envelope == "business":
        body = {"message": message, "code": status if code is None else code, "metadata": metadata}
    elif envelope == "auth":
        body = {"error": message, "status": status}
    else:
        body = {"error": {"code": status, "message": message, "metadata": metadata}}
    if request_id is not None:
        body["request_id"] = request_id
    return body


class _TrackedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Response bytes that report when they are closed, optionally breaking mid-way."""

    def __init__(self, parts: list[bytes], owner: ScriptedTransport, broken: bool) -> None:
        self._parts = parts
        self._owner = owner
        self._broken = broken
        self._closed = False

    def _iterate(self) -> Iterator[bytes]:
        yield from self._parts
        if self._broken:
            raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    def __iter__(self) -> Iterator[bytes]:
        yield from self._iterate()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self._iterate():
            yield part

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._owner._closed_one()

    async def aclose(self) -> None:
        self.close()


@dataclass(frozen=True)
class BrokenStream:
    """A 200 SSE response whose connection drops after ``keep_bytes`` bytes of ``body``."""

    body: bytes
    keep_bytes: int


ScriptStep: TypeAlias = (
    "httpx.Response | Mapping[str, Any] | bytes | BrokenStream | BaseException"
    " | Callable[[httpx.Request], ScriptStep]"
)


class ScriptedTransport(httpx.MockTransport):
    """Answers requests from a script, records them, and counts responses left open.

    Each step is a dict (a 200 JSON body), ``bytes`` (a 200 SSE body), an
    ``httpx.Response`` (any status and headers), a :class:`BrokenStream`, an exception
    to raise (e.g. ``httpx.ConnectError``), or a callable taking the request and
    returning a step. When the script runs out the last
    step repeats, unless ``repeat_last=False``.

    The gateway's model list (``GET .../models``, which a client reads when a request
    names a model the built-in table does not know) is answered apart, without using a
    step: with ``model_list`` (a body, or an ``httpx.Response`` such as a 503), by
    default the catalog's models in the gateway's shape.

    Attributes:
        requests: Every chat request received, in order.
        model_list_requests: Every model-list request received, in order.
        open_responses: Responses handed out and not yet closed.
    """

    def __init__(
        self,
        steps: Iterable[ScriptStep],
        *,
        repeat_last: bool = True,
        split_sse_every: int | None = None,
        model_list: Mapping[str, Any] | httpx.Response | None = None,
    ) -> None:
        super().__init__(self._handle)
        self._steps = list(steps)
        self._model_list = model_list
        self.model_list_requests: list[httpx.Request] = []
        self._repeat_last = repeat_last
        self._split = split_sse_every
        self._lock = threading.Lock()
        self.requests: list[httpx.Request] = []
        self.opened = 0
        self.closed = 0

    @property
    def open_responses(self) -> int:
        """Responses handed out and not yet closed."""
        return self.opened - self.closed

    @property
    def json_bodies(self) -> list[dict[str, Any]]:
        """The JSON body of every request, in order."""
        return [json.loads(r.content) for r in self.requests]

    def _closed_one(self) -> None:
        with self._lock:
            self.closed += 1

    def _next_step(self) -> ScriptStep:
        with self._lock:
            if not self._steps:
                raise AssertionError("ScriptedTransport: the script has no step left")
            if len(self._steps) == 1 and self._repeat_last:
                return self._steps[0]
            return self._steps.pop(0)

    def _wrap(
        self, status: int, body: bytes, headers: Mapping[str, str], broken: bool = False
    ) -> httpx.Response:
        parts = [body]
        if self._split and headers.get("content-type", "").startswith("text/event-stream"):
            parts = [body[i : i + self._split] for i in range(0, len(body), self._split)] or [b""]
        with self._lock:
            self.opened += 1
        return httpx.Response(status, headers=headers, stream=_TrackedStream(parts, self, broken))

    def _list_models(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.model_list_requests.append(request)
        answer = self._model_list
        if isinstance(answer, httpx.Response):
            return self._wrap(answer.status_code, answer.content, answer.headers)
        if answer is None:
            answer = {"data": [model_list_entry(info) for info in known_models()]}
        return self._wrap(200, json.dumps(answer).encode(), {"content-type": "application/json"})

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/models"):
            return self._list_models(request)
        with self._lock:
            self.requests.append(request)
        step = self._next_step()
        while callable(step) and not isinstance(step, httpx.Response):
            step = step(request)
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, BrokenStream):
            body = step.body[: step.keep_bytes]
            return self._wrap(200, body, {"content-type": "text/event-stream"}, broken=True)
        if isinstance(step, httpx.Response):
            return self._wrap(step.status_code, step.content, step.headers)
        if isinstance(step, bytes):
            return self._wrap(200, step, {"content-type": "text/event-stream"})
        return self._wrap(200, json.dumps(step).encode(), {"content-type": "application/json"})
