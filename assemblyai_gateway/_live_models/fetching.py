"""``GET {base_url}/models`` through a client's own pools, headers, TLS and limits.

One attempt, sync or async, bounded by its deadline; the callers choose the deadline
and the retries (a lazy read: a short one and none; an explicit one: the client's).
The answer becomes a :class:`~assemblyai_gateway.model_list.ModelList`, or the typed
error any other answer becomes.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx

from .._transport.answers import cause_of, connection_error
from .._transport.attempt_limits import Deadline
from .._transport.deadline_io import bounded_by
from .._transport.headers import build_http_request, model_list_headers
from .._transport.response_reading import aread_capped, read_capped
from ..errors import status_error_from_response
from ..model_list import ModelList

if TYPE_CHECKING:
    from .._transport.client import GatewayClient

__all__ = ["aget_model_list", "get_model_list"]

# A model list is tens of kilobytes; this only stops a broken or hostile server.
_MAX_LIST_BYTES = 8 * 1024 * 1024


def _request(
    client: GatewayClient, http: httpx.Client | httpx.AsyncClient, timeout: Any, seconds: float
) -> httpx.Request:
    headers = model_list_headers(client._resolved_key_or_none() or "", client._default_headers)
    url = httpx.URL(f"{client.base_url}/models")
    return build_http_request(
        "GET", url, http, headers, content=b"", timeout=timeout, deadline_seconds=seconds
    )


def _cap(client: GatewayClient) -> int:
    return min(client.limits.max_response_bytes, _MAX_LIST_BYTES)


def _answer(response: httpx.Response, content: bytes) -> ModelList:
    if not response.is_success:
        raise status_error_from_response(response, content)
    return ModelList.from_json(content)


def get_model_list(client: GatewayClient, *, seconds: float, http_timeout: Any) -> ModelList:
    """One attempt at the list, taking at most ``seconds`` in all (``http_timeout``: an
    ``httpx.Timeout`` for its phases, or anything else for the client's own).

    Raises:
        APIStatusError: a non-2xx answer.
        APIConnectionError: the gateway could not be reached (``APITimeoutError`` when
            the deadline passed).
        ResponseValidationError: the answer is not a model list.
    """
    http = client._sync_client()
    deadline = Deadline(seconds)
    try:
        with bounded_by(deadline):
            response = http.send(_request(client, http, http_timeout, seconds), stream=True)
        try:
            content = read_capped(
                response, _cap(client), deadline, truncate=not response.is_success
            )
        finally:
            response.close()
    except httpx.TransportError as exc:
        failure = exc
    else:
        return _answer(response, content)
    # Raised outside the handler, so no __context__ chains httpx's text to it.
    raise connection_error(failure, deadline) from cause_of(failure)


async def aget_model_list(client: GatewayClient, *, seconds: float, http_timeout: Any) -> ModelList:
    """Async :func:`get_model_list`; waiting for a pooled connection counts too."""
    deadline = Deadline(seconds)
    try:
        async with asyncio.timeout(seconds):
            lease = await client._async_lease(stream=False)
            async with lease as http:
                request = _request(client, http, http_timeout, seconds)
                response = await http.send(request, stream=True)
                try:
                    content = await aread_capped(
                        response, _cap(client), deadline, truncate=not response.is_success
                    )
                finally:
                    await response.aclose()
    except httpx.TransportError as exc:
        failure = exc
    except TimeoutError:
        raise deadline.error() from None
    else:
        return _answer(response, content)
    raise connection_error(failure, deadline) from cause_of(failure)
