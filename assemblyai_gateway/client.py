"""The sync and async HTTP client: the only place this package talks HTTP.

Everything that decides (validation, error mapping, retry policy, SSE decoding,
accumulation) lives in pure functions elsewhere; this module holds the thin send loops,
written once for sync and once for async.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import platform
import threading
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr, ValidationError

from ._gating import agated, ametered, gated, metered
from ._http_answers import (
    completion_from_response,
    connection_error,
    is_event_stream,
    parse_completion,
    stream_broke,
)
from ._version import __version__
from .accumulator import completion_to_chunks
from .catalog import get_model_info
from .config import (
    API_KEY_ENV,
    DEFAULT_MAX_RETRIES,
    Region,
    is_eu_base_url,
    resolve_base_url,
    resolve_timeout,
)
from .errors import (
    ConfigurationError,
    InvalidRequestError,
    MissingAPIKeyError,
    ModelNotAvailableInRegionError,
    status_error_from_response,
)
from .limiter import AdaptiveLimiter
from .retries import acall_with_retries, call_with_retries
from .sse import ChunkDecoder
from .streaming import AsyncChatCompletionStream, ChatCompletionStream
from .types import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, StreamOptions

__all__ = ["GatewayClient", "InvalidRequestError", "parse_completion"]

logger = logging.getLogger("assemblyai_gateway")

USER_AGENT = (
    f"assemblyai-llm-gateway/{__version__} python/{platform.python_version()} "
    f"httpx/{httpx.__version__}"
)
_USAGE_OPTIONS = StreamOptions(include_usage=True)


async def _close_when_loop_shuts_down(client: httpx.AsyncClient) -> AsyncIterator[None]:
    # asyncio closes every live async generator in shutdown_asyncgens(), while the loop
    # still runs, so pooled connections close cleanly instead of leaking on a dead loop.
    try:
        yield
    finally:
        # When the owner is dropped just before asyncio.run() ends, this close runs in a
        # task that the runner cancels once; shielding lets the close finish anyway.
        closing = asyncio.ensure_future(client.aclose())
        try:
            await asyncio.shield(closing)
        except asyncio.CancelledError:
            await closing
            raise


@dataclass(frozen=True)
class _LoopPool:
    """The async pool owned for one event loop."""

    client: httpx.AsyncClient
    closer: AsyncIterator[None]
    gate: asyncio.Semaphore


class GatewayClient:
    """A pooled sync and async client for ``POST {base_url}/chat/completions``.

    Args:
        api_key: The raw AssemblyAI key; defaults to ``$ASSEMBLYAI_API_KEY`` (checked
            when a request is made).
        base_url: Overrides ``$ASSEMBLYAI_GATEWAY_BASE_URL`` and ``region``.
        region: ``"us"`` (default) or ``"eu"``.
        timeout: Seconds or an ``httpx.Timeout``; defaults to 120 s (10 s to connect).
        max_retries: Retries after the first attempt (default 2).
        http_client: An ``httpx.Client`` to use; it is never closed by us.
        http_async_client: An ``httpx.AsyncClient`` to use; never closed by us.
        default_headers: Extra headers on every request.
        enforce_region: Refuse models the catalog marks as unavailable in the region.
        limiter: An :class:`~assemblyai_gateway.AdaptiveLimiter` every attempt waits
            for and reports to; share one object between clients to share its limits.

    Examples:
        >>> from assemblyai_gateway import GatewayClient
        >>> client = GatewayClient(api_key="my-key", region="eu")
        >>> client.base_url
        'https://llm-gateway.eu.assemblyai.com/v1'
        >>> "my-key" in repr(client)
        False
    """

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        region: Region | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        enforce_region: bool = True,
        limiter: AdaptiveLimiter | None = None,
    ) -> None:
        if max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0, got {max_retries}")
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(
                f"http_client must be an httpx.Client, got {type(http_client).__name__}"
            )
        if http_async_client is not None and not isinstance(http_async_client, httpx.AsyncClient):
            raise ConfigurationError(
                "http_async_client must be an httpx.AsyncClient, "
                f"got {type(http_async_client).__name__}"
            )
        self._api_key = SecretStr(api_key) if isinstance(api_key, str) else api_key
        self.base_url = resolve_base_url(base_url, region)
        self.url = f"{self.base_url}/chat/completions"
        self._parsed_url = httpx.URL(self.url)
        # An explicit region states the residency intent even when the URL is overridden.
        self.is_eu = region == "eu" if region is not None else is_eu_base_url(self.base_url)
        self.timeout = resolve_timeout(timeout)
        # An injected client keeps its own timeout unless the caller set one for us.
        self._request_timeout: Any = (
            self.timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
        )
        self.max_retries = max_retries
        self.enforce_region = enforce_region
        if limiter is not None and not isinstance(limiter, AdaptiveLimiter):
            raise ConfigurationError(
                f"limiter must be an AdaptiveLimiter, got {type(limiter).__name__}"
            )
        self.limiter = limiter
        self._default_headers = dict(default_headers or {})
        self._injected_client = http_client
        self._injected_async_client = http_async_client
        self._init_runtime_state()

    def _init_runtime_state(self) -> None:
        self._lock = threading.Lock()
        self._header_cache: dict[tuple[str, bool], list[tuple[bytes, bytes]]] = {}
        self._client: httpx.Client | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool] = (
            weakref.WeakKeyDictionary()
        )

    # ----------------------------------------------------------------- plumbing

    def __repr__(self) -> str:
        key = "set" if self._resolved_key_or_none() else "unset"
        return f"GatewayClient(base_url={self.base_url!r}, api_key=<{key}>)"

    def __getstate__(self) -> dict[str, Any]:
        state = {
            key: value
            for key, value in self.__dict__.items()
            if key not in {"_lock", "_header_cache", "_client", "_finalizer", "_async_clients"}
        }
        if state["_injected_client"] is not None or state["_injected_async_client"] is not None:
            raise TypeError(
                "a GatewayClient built on an injected httpx client cannot be pickled; "
                "pickle the settings and inject the client again after loading"
            )
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_runtime_state()

    def _resolved_key_or_none(self) -> str | None:
        if self._api_key is not None and self._api_key.get_secret_value():
            return self._api_key.get_secret_value()
        return os.environ.get(API_KEY_ENV) or None

    def _header_items(self, *, stream: bool) -> list[tuple[bytes, bytes]]:
        key = self._resolved_key_or_none()
        if key is None:
            raise MissingAPIKeyError(
                f"no AssemblyAI API key: pass api_key=... or set {API_KEY_ENV}"
            )
        cached = self._header_cache.get((key, stream))
        if cached is None:
            headers = {
                **self._default_headers,
                "Authorization": key,
                "User-Agent": USER_AGENT,
                "Content-Type": "application/json",
                "Accept": "text/event-stream" if stream else "application/json",
            }
            cached = [(name.encode(), value.encode()) for name, value in headers.items()]
            self._header_cache = {(key, stream): cached}
        return cached

    def _http_request(
        self, client: httpx.Client | httpx.AsyncClient, body: bytes, *, stream: bool
    ) -> httpx.Request:
        """The POST, built once: the client's own default headers plus ours (ours win).

        Building the request here rather than through ``client.post`` skips re-parsing
        the URL and merging header dicts on every call, a measurable share of the cost.
        """
        ours = self._header_items(stream=stream)
        taken = {name.lower() for name, _ in ours}
        headers = [(name, value) for name, value in client.headers.raw if name.lower() not in taken]
        headers.extend(ours)
        timeout = (
            self._request_timeout
            if isinstance(self._request_timeout, httpx.Timeout)
            else client.timeout
        )
        return httpx.Request(
            "POST",
            self._parsed_url,
            content=body,
            headers=headers,
            extensions={"timeout": timeout.as_dict()},
        )

    def _sync_client(self) -> httpx.Client:
        if self._injected_client is not None:
            return self._injected_client
        client = self._client
        if client is None or client.is_closed:
            with self._lock:
                client = self._client
                if client is None or client.is_closed:
                    client = httpx.Client(timeout=self.timeout, limits=_LIMITS)
                    self._client = client
                    # Close the pool when this object goes away without close().
                    self._finalizer = weakref.finalize(self, client.close)
        return client

    async def _async_client(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore | None]:
        """This loop's client, and the gate that keeps waiters out of its pool's queue."""
        if self._injected_async_client is not None:
            return self._injected_async_client, None
        # One pool per event loop: a pool bound to a finished loop fails with
        # "Event loop is closed", the peers' most reported async bug.
        loop = asyncio.get_running_loop()
        entry = self._async_clients.get(loop)
        if entry is not None and not entry.client.is_closed:
            return entry.client, entry.gate
        client = httpx.AsyncClient(timeout=self.timeout, limits=_LIMITS)
        closer = _close_when_loop_shuts_down(client)
        await closer.__anext__()
        # httpcore rescans every queued request whenever a connection frees up, so a
        # thousand waiters cost O(n^2); an asyncio.Semaphore queues them in O(1).
        gate = asyncio.Semaphore(_LIMITS.max_connections or 100)
        self._async_clients[loop] = _LoopPool(client, closer, gate)
        return client, gate

    def close(self) -> None:
        """Close the sync pool this client owns (injected clients are left open)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the pools this client owns, sync and async (injected ones stay open)."""
        self.close()
        entries = list(self._async_clients.values())
        self._async_clients.clear()
        for entry in entries:
            await entry.client.aclose()

    def __enter__(self) -> GatewayClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    async def __aenter__(self) -> GatewayClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # ---------------------------------------------------------------- requests

    def build_request(
        self, request: ChatCompletionRequest | Mapping[str, Any]
    ) -> ChatCompletionRequest:
        """Validate a request and apply the residency guard, before anything is sent.

        Raises:
            InvalidRequestError: a field is missing or out of range (names the fields).
            ModelNotAvailableInRegionError: the EU endpoint does not serve the model.
        """
        if isinstance(request, ChatCompletionRequest):
            validated = request
        else:
            try:
                validated = ChatCompletionRequest.model_validate(request)
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in err['loc']) or 'request'}: {err['msg']}"
                    for err in exc.errors()
                )
                raise InvalidRequestError(f"invalid gateway request: {problems}") from None
        if self.is_eu and self.enforce_region:
            models = [validated.model, *(f.model for f in validated.fallbacks or ())]
            for model in models:
                if not get_model_info(model).eu_available:
                    raise ModelNotAvailableInRegionError(
                        f"{model!r} is served in the US region only; the EU endpoint serves "
                        "Claude and Gemini. Use region='us', another model, or "
                        "enforce_region=False (or catalog.register_model) for a newer model"
                    )
        return validated

    def uses_native_streaming(self, request: ChatCompletionRequest) -> bool:
        """Whether the gateway streams this model with SSE (per the catalog)."""
        return get_model_info(request.model).native_streaming

    # sync ----------------------------------------------------------------------

    def _post_once(self, body: bytes) -> ChatCompletion:
        client = self._sync_client()
        try:
            response = client.send(self._http_request(client, body, stream=False))
        except httpx.TransportError as exc:
            raise connection_error(exc) from exc
        return completion_from_response(response)

    def create(self, request: ChatCompletionRequest | Mapping[str, Any]) -> ChatCompletion:
        """Send one request (never streamed), retrying per the policy."""
        validated = self.build_request(request)
        body = validated.model_copy(update={"stream": None, "stream_options": None}).to_json_bytes()
        logger.debug("POST %s model=%s", self.url, validated.model)
        attempt = gated(self.limiter, functools.partial(self._post_once, body))
        return call_with_retries(attempt, self.max_retries)

    def _open_stream(self, body: bytes) -> httpx.Response:
        client = self._sync_client()
        http_request = self._http_request(client, body, stream=True)
        try:
            response = client.send(http_request, stream=True)
            if not response.is_success:
                try:
                    response.read()
                finally:
                    response.close()
                raise status_error_from_response(response)
        except httpx.TransportError as exc:
            raise connection_error(exc) from exc
        return response

    def stream(
        self, request: ChatCompletionRequest | Mapping[str, Any], *, include_usage: bool = True
    ) -> ChatCompletionStream:
        """Stream chunks: SSE for natively streamed models, else one call split into chunks.

        Validation happens now; the request is sent when iteration starts. Retries
        happen only before the first chunk is yielded. The returned stream keeps the
        accumulated ``snapshot`` and gives ``final_completion()``; close it (or use it
        in a ``with`` block) to release the connection early.
        """
        validated = self.build_request(request)
        if not self.uses_native_streaming(validated):
            return ChatCompletionStream(self._pseudo_stream(validated, include_usage))
        body = validated.model_copy(
            update={"stream": True, "stream_options": _USAGE_OPTIONS if include_usage else None}
        ).to_json_bytes()
        return ChatCompletionStream(metered(self.limiter, self._sse_stream(body, include_usage)))

    def _pseudo_stream(
        self, request: ChatCompletionRequest, include_usage: bool
    ) -> Iterator[ChatCompletionChunk]:
        yield from completion_to_chunks(self.create(request), include_usage=include_usage)

    def _sse_stream(self, body: bytes, include_usage: bool) -> Iterator[ChatCompletionChunk]:
        attempt = gated(self.limiter, functools.partial(self._open_stream, body))
        response = call_with_retries(attempt, self.max_retries)
        decoder = ChunkDecoder(require_choices=True)
        delivered = 0
        try:
            if not is_event_stream(response):
                response.read()
                completion = completion_from_response(response)
                yield from completion_to_chunks(completion, include_usage=include_usage)
                return
            for text in response.iter_text():
                for chunk in decoder.feed(text):
                    delivered += 1
                    yield chunk
            yield from decoder.close()
        except httpx.TransportError as exc:
            raise stream_broke(exc, delivered, decoder.request_id) from exc
        finally:
            response.close()

    # async ---------------------------------------------------------------------

    async def _apost_once(self, body: bytes) -> ChatCompletion:
        client, gate = await self._async_client()
        try:
            async with gate or contextlib.nullcontext():
                response = await client.send(self._http_request(client, body, stream=False))
        except httpx.TransportError as exc:
            raise connection_error(exc) from exc
        return completion_from_response(response)

    async def acreate(self, request: ChatCompletionRequest | Mapping[str, Any]) -> ChatCompletion:
        """Async :meth:`create`."""
        validated = self.build_request(request)
        body = validated.model_copy(update={"stream": None, "stream_options": None}).to_json_bytes()
        logger.debug("POST %s model=%s", self.url, validated.model)
        attempt = agated(self.limiter, functools.partial(self._apost_once, body))
        return await acall_with_retries(attempt, self.max_retries)

    async def _aopen_stream(self, body: bytes) -> httpx.Response:
        # Streams hold their connection for their whole life, so they skip the gate.
        client, _ = await self._async_client()
        http_request = self._http_request(client, body, stream=True)
        try:
            response = await client.send(http_request, stream=True)
            if not response.is_success:
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                raise status_error_from_response(response)
        except httpx.TransportError as exc:
            raise connection_error(exc) from exc
        return response

    def astream(
        self, request: ChatCompletionRequest | Mapping[str, Any], *, include_usage: bool = True
    ) -> AsyncChatCompletionStream:
        """Async :meth:`stream`."""
        validated = self.build_request(request)
        if not self.uses_native_streaming(validated):
            return AsyncChatCompletionStream(self._apseudo_stream(validated, include_usage))
        body = validated.model_copy(
            update={"stream": True, "stream_options": _USAGE_OPTIONS if include_usage else None}
        ).to_json_bytes()
        return AsyncChatCompletionStream(
            ametered(self.limiter, self._asse_stream(body, include_usage))
        )

    async def _apseudo_stream(
        self, request: ChatCompletionRequest, include_usage: bool
    ) -> AsyncIterator[ChatCompletionChunk]:
        for chunk in completion_to_chunks(await self.acreate(request), include_usage=include_usage):
            yield chunk

    async def _asse_stream(
        self, body: bytes, include_usage: bool
    ) -> AsyncIterator[ChatCompletionChunk]:
        attempt = agated(self.limiter, functools.partial(self._aopen_stream, body))
        response = await acall_with_retries(attempt, self.max_retries)
        decoder = ChunkDecoder(require_choices=True)
        delivered = 0
        try:
            if not is_event_stream(response):
                await response.aread()
                completion = completion_from_response(response)
                for chunk in completion_to_chunks(completion, include_usage=include_usage):
                    yield chunk
                return
            async for text in response.aiter_text():
                for chunk in decoder.feed(text):
                    delivered += 1
                    yield chunk
            for chunk in decoder.close():
                yield chunk
        except httpx.TransportError as exc:
            raise stream_broke(exc, delivered, decoder.request_id) from exc
        finally:
            await response.aclose()


_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=30.0)
