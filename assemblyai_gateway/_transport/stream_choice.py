"""How a stream is served: the gateway's own SSE, or one ordinary request replayed as
chunks. The one rule, for both adapters, sync and async:

* **Native** when every model the request can reach streams (the live model list names
  ``stream`` among its supported parameters, or the built-in table says so for a model
  the list does not describe) and no stream of this route failed on this base URL
  before (:func:`streams_natively`). A fallback inherits ``stream``, so one model that
  cannot makes the whole route replay.
* **Replayed** otherwise: one ordinary request, its completion split into chunks
  (:func:`~assemblyai_gateway._wire.accumulator.completion_to_chunks`).
* **Found out**: when the gateway refuses a streamed request (a 400 or 422 that names
  ``stream``), or answers it with events of which not one chunk parses (another
  framing, data that is not JSON, no ``[DONE]``), the same request is sent once without
  ``stream`` and replayed, and the route is remembered for the base URL, for the
  process: the next stream of it is replayed at once. Finding out costs one extra request at most. A
  stream that fails after chunks were delivered raises, as before: they cannot be taken
  back.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx

from .._live_models import memory as memory
from .._wire.accumulator import completion_to_chunks
from ..catalog import RouteCapabilities, route_capabilities
from ..errors import (
    APIError,
    APIStatusError,
    ContextWindowExceededError,
    ResponseValidationError,
    StreamError,
)
from .limiter_gate import agated, gated, metered
from .response_reading import StreamReader, araw_pieces, raw_pieces
from .retries import acall_with_retries, call_with_retries

if TYPE_CHECKING:
    from .._wire.types import ChatCompletionChunk, ChatCompletionRequest
    from .client import GatewayClient

__all__ = [
    "astream_chunks",
    "refuses_streaming",
    "replay_reason",
    "stream_chunks",
    "streams_natively",
    "unreadable_stream",
]

logger = logging.getLogger("assemblyai_gateway")

_REFUSAL_STATUSES = frozenset({400, 422})
# "stream", "streaming", "stream_options", "streamed" as a word of its own.
_NAMES_STREAM = re.compile(r"(?<![a-z])stream", re.IGNORECASE)


def streams_natively(base_url: str, route: RouteCapabilities) -> bool:
    """Whether a stream of ``route`` on ``base_url`` asks the gateway for SSE.

    Example:
        >>> from assemblyai_gateway.catalog import route_capabilities
        >>> streams_natively("https://example.test/v1", route_capabilities("gpt-5"))
        True
        >>> streams_natively("https://example.test/v1", route_capabilities("gemini-2.5-pro"))
        False
    """
    return route.native_streaming and memory.replay_reason(base_url, route.model_ids) is None


def refuses_streaming(error: BaseException) -> bool:
    """Whether ``error`` is the gateway refusing ``stream``: a 400 or 422 naming it.

    Example:
        >>> from assemblyai_gateway.errors import BadRequestError
        >>> refuses_streaming(BadRequestError("Invalid request", status_code=400,
        ...     errors=[{"field": "stream", "message": "not supported for this model"}]))
        True
        >>> refuses_streaming(BadRequestError("Invalid request", status_code=400,
        ...     body={"message": "max_tokens too large", "request": {"stream": True}}))
        False
    """
    if not isinstance(error, APIStatusError) or isinstance(error, ContextWindowExceededError):
        return False
    if error.status_code not in _REFUSAL_STATUSES:
        return False
    # What the gateway said, in either envelope; never an echo of the request, which
    # names "stream" whenever one was asked for.
    body = error.body if isinstance(error.body, dict) else {}
    said: list[object] = [error.message, error.errors, error.metadata]
    said += [body.get(key) for key in ("message", "error", "metadata")]
    return _NAMES_STREAM.search(json.dumps(said, default=str)) is not None


def unreadable_stream(error: BaseException) -> bool:
    """Whether ``error`` says the stream was not in a shape we read (as opposed to an
    error the gateway sent mid-stream, or a connection that broke)."""
    if isinstance(error, ResponseValidationError):
        return True
    return (
        isinstance(error, StreamError)
        and error.body is None
        and error.status_code is None
        and not isinstance(error.__cause__, httpx.TransportError)
    )


def replay_reason(error: BaseException, readers: list[StreamReader]) -> str | None:
    """Why a failed native stream should be replayed instead, or ``None`` to raise.

    Args:
        error: What the native stream raised.
        readers: The stream's reader, once its answer arrived: an answer in events of
            which no chunk could be read is one we cannot read (a plain body that is
            not a completion is an error answer, raised as it is).
    """
    if refuses_streaming(error):
        return "the gateway refused a streamed request"
    reader = readers[0] if readers else None
    if (
        reader is not None
        and reader.reads_events
        and reader.delivered == 0
        and unreadable_stream(error)
    ):
        return "the gateway's stream could not be read"
    return None


def _remember(base_url: str, route: RouteCapabilities, reason: str, error: APIError) -> None:
    memory.remember_replay(base_url, route.model_ids, reason)
    logger.info(
        "%s for %s (%s); its streams are replayed from one request from now on",
        reason,
        " -> ".join(route.model_ids),
        error,
    )


def _route(client: GatewayClient, request: ChatCompletionRequest) -> RouteCapabilities:
    return route_capabilities(request.model, request.fallbacks, base_url=client.base_url)


# sync ---------------------------------------------------------------------------------


def _sse(
    client: GatewayClient, body: bytes, include_usage: bool, readers: list[StreamReader]
) -> Iterator[ChatCompletionChunk]:
    attempt = gated(client.limiter, functools.partial(client._open_stream, body))
    response, deadline = call_with_retries(attempt, client.max_retries)
    try:
        reader = StreamReader(response, deadline, client.limits, include_usage=include_usage)
        readers.append(reader)
        for raw in raw_pieces(response, deadline):
            yield from metered(client.limiter, reader.feed(raw))
            if reader.done:
                break  # [DONE] ends the stream, whatever the connection does next
        yield from metered(client.limiter, reader.close())
    except httpx.TransportError as exc:
        raise reader.broke(exc) from exc
    finally:
        response.close()


def stream_chunks(
    client: GatewayClient, request: ChatCompletionRequest, include_usage: bool
) -> Iterator[ChatCompletionChunk]:
    """The chunks of a stream, served natively or replayed (see the module)."""
    route = _route(client, request)
    if streams_natively(client.base_url, route):
        body = client._body(request, stream=True, include_usage=include_usage)
        readers: list[StreamReader] = []
        try:
            yield from _sse(client, body, include_usage, readers)
            return
        except APIError as exc:
            reason = replay_reason(exc, readers)
            if reason is None:
                raise
            _remember(client.base_url, route, reason, exc)
    yield from completion_to_chunks(client.create(request), include_usage=include_usage)


# async --------------------------------------------------------------------------------


async def astream_chunks(
    client: GatewayClient, request: ChatCompletionRequest, include_usage: bool
) -> AsyncIterator[ChatCompletionChunk]:
    """Async :func:`stream_chunks`; reads the model list first when the route needs it.

    One async generator, with no other inside: asyncio's shutdown closes every live
    async generator at once, and a nested one closed first would break its parent.
    """
    await client._aprepare(request)
    route = _route(client, request)
    if streams_natively(client.base_url, route):
        body = client._body(request, stream=True, include_usage=include_usage)
        readers: list[StreamReader] = []
        try:
            async with await client._async_lease(stream=True) as http:
                opening = functools.partial(client._aopen_stream, http, body)
                response, deadline = await acall_with_retries(
                    agated(client.limiter, opening), client.max_retries
                )
                try:
                    reader = StreamReader(
                        response, deadline, client.limits, include_usage=include_usage
                    )
                    readers.append(reader)
                    async for raw in araw_pieces(response, deadline):
                        for chunk in metered(client.limiter, reader.feed(raw)):
                            yield chunk
                        if reader.done:
                            break  # [DONE] ends the stream, whatever the connection does next
                    for chunk in metered(client.limiter, reader.close()):
                        yield chunk
                except httpx.TransportError as exc:
                    raise reader.broke(exc) from exc
                finally:
                    await response.aclose()
            return
        except APIError as exc:
            reason = replay_reason(exc, readers)
            if reason is None:
                raise
            _remember(client.base_url, route, reason, exc)
    completion = await client.acreate(request)
    for chunk in completion_to_chunks(completion, include_usage=include_usage):
        yield chunk
