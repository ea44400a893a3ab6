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
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from .._limiter.adaptive import AdaptiveLimiter
from .._live_models.lists import aensure_models, afetch, ensure_models, fetch, warn_retiring
from .._wire.request_checks import (
    check_default_headers,
    check_eu_models,
    check_json_schema_route,
    request_body,
    validate_request,
)
from .._wire.types import ChatCompletion, ChatCompletionRequest, StreamOptions
from ..catalog import ModelInfo, RouteCapabilities, route_capabilities, route_model_ids
from ..errors import (
    ConfigurationError,
    InvalidAPIKeyError,
    InvalidRequestError,
    status_error_from_response,
)
from ..model_list import ModelList
from .answers import (
    cause_of,
    completion_from_response,
    connection_error,
    parse_completion,
)
from .async_stream import AsyncStream
from .attempt_limits import MAX_ERROR_BODY_BYTES, AttemptLimits, Deadline
from .deadline_io import bounded_by
from .headers import build_http_request, request_headers
from .limiter_gate import agated, gated, limiter_or_none
from .pool_registry import Pools
from .response_reading import aread_capped, read_capped
from .retries import acall_with_retries, call_with_retries
from .setting_sources import (
    API_KEY_ENV,
    DEFAULT_MAX_RETRIES,
    Region,
    api_key_problem,
    is_eu_base_url,
    resolve_base_url,
    resolve_timeout,
)
from .stream_choice import astream_chunks, stream_chunks, streams_natively
from .streams import AsyncChatCompletionStream, ChatCompletionStream
from .understanding_calls import UnderstandingMethods

__all__ = ["GatewayClient", "InvalidRequestError", "parse_completion"]

logger = logging.getLogger("assemblyai_gateway")

_USAGE_OPTIONS = StreamOptions(include_usage=True)
# httpx's connection-pool sizes; not _limits.py's attempt caps, nor limiter.py's rates.
_HTTPX_POOL_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=100, keepalive_expiry=30.0
)


class GatewayClient(UnderstandingMethods):
    """A pooled sync and async client for ``POST {base_url}/chat/completions`` (and
    ``/understanding``: ``understand``, ``validate_understanding`` and their async forms).

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
        attempt_deadline: Seconds one attempt may take in all, from connecting to the
            last byte (default 900); a trickling server cannot hold a call past it.
        max_response_bytes: The most bytes a (decompressed) response body may have
            (default 32 MiB); more raises ``ResponseTooLargeError`` while reading.
        max_event_size: The most characters one streamed event may have (default
            8 Mi); more raises ``ResponseTooLargeError`` while reading.
        max_stream_bytes: The most bytes a (decompressed) stream may have in all,
            keep-alives included (default 128 MiB); more raises ``ResponseTooLargeError``.

    The key is resolved when a request is made: surrounding whitespace is stripped,
    and a control character inside it raises ``InvalidAPIKeyError`` (see
    :func:`assemblyai_gateway._transport.setting_sources.clean_api_key`).

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
        attempt_deadline: float | None = None,
        max_response_bytes: int | None = None,
        max_event_size: int | None = None,
        max_stream_bytes: int | None = None,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
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
        del api_key  # no frame of a traceback may hold the plain key
        if self._api_key is not None:
            problem = api_key_problem(self._api_key.get_secret_value().strip())
            if problem is not None:
                raise InvalidAPIKeyError(problem)  # now, rather than mid-call
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
        self.limiter = limiter_or_none(limiter)
        self.limits = AttemptLimits.resolve(
            attempt_deadline,
            max_response_bytes=max_response_bytes,
            max_event_size=max_event_size,
            max_stream_bytes=max_stream_bytes,
        )
        self.attempt_deadline = self.limits.deadline_seconds
        self._default_headers = check_default_headers(default_headers or {})
        self._injected_client = http_client
        self._injected_async_client = http_async_client
        self._init_runtime_state()

    def _init_runtime_state(self) -> None:
        self._header_cache: dict[tuple[str, bool], list[tuple[bytes, bytes]]] = {}
        self._pools = Pools(self.timeout, _HTTPX_POOL_LIMITS)

    # ----------------------------------------------------------------- plumbing

    def __repr__(self) -> str:
        if "base_url" not in self.__dict__:  # failed in __init__; tracebacks repr it
            return "GatewayClient(<not configured>)"
        key = "set" if self._resolved_key_or_none() else "unset"
        return f"GatewayClient(base_url={self.base_url!r}, api_key=<{key}>)"

    def __getstate__(self) -> dict[str, Any]:
        state = {
            key: value
            for key, value in self.__dict__.items()
            if key not in {"_header_cache", "_pools"}
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
        raw = self._resolved_key_or_none() or ""
        cached = self._header_cache.get((raw, stream))
        if cached is None:
            try:
                cached = request_headers(raw, self._default_headers, stream=stream)
            except ConfigurationError:
                del raw  # a traceback printed with its locals must not show the key
                raise
            self._header_cache = {(raw, stream): cached}
        return cached

    def _http_request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        body: bytes,
        *,
        stream: bool,
        url: httpx.URL | None = None,
    ) -> httpx.Request:
        """The POST of one attempt.

        See :func:`~assemblyai_gateway._transport.headers.build_http_request`.
        """
        ours = self._header_items(stream=stream)
        return build_http_request(
            "POST",
            url or self._parsed_url,
            client,
            ours,
            content=body,
            timeout=self._request_timeout,
            deadline_seconds=self.attempt_deadline,
        )

    def _sync_client(self) -> httpx.Client:
        if self._injected_client is not None:
            return self._injected_client
        return self._pools.sync_client()

    async def _async_lease(
        self, *, stream: bool
    ) -> contextlib.AbstractAsyncContextManager[httpx.AsyncClient]:
        """The client for one call or stream, held while ``async with`` lasts (see _pool:
        a call waits in the gate for a slot; a stream holds a shard, ungated)."""
        if self._injected_async_client is not None:
            return contextlib.nullcontext(self._injected_async_client)
        pool = await self._pools.async_pool()
        return pool.stream_slot() if stream else pool.slot()

    def close(self) -> None:
        """Close the sync pool this client owns (injected clients are left open)."""
        self._pools.close()

    async def aclose(self) -> None:
        """Close the pools this client owns, sync and async (injected ones stay open).

        Pools whose event loop is already closed are forgotten rather than closed, so
        this never raises "Event loop is closed".
        """
        await self._pools.aclose()

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
        """Validate a request and apply the route's checks, before anything is sent.

        The checks use what is known of the models now (no model list is read here).

        Raises:
            InvalidRequestError: a field is missing or out of range (names the fields).
            ModelNotAvailableInRegionError: the EU endpoint does not serve the model.
        """
        validated = validate_request(request)
        self._check_route(validated)
        return validated

    def _check_route(self, request: ChatCompletionRequest) -> None:
        route = route_capabilities(request.model, request.fallbacks, base_url=self.base_url)
        warn_retiring(route.models)
        if self.is_eu and self.enforce_region:
            check_eu_models(route)
        check_json_schema_route(request, route)

    def _prepared(
        self, request: ChatCompletionRequest | Mapping[str, Any]
    ) -> ChatCompletionRequest:
        """:meth:`build_request`, the model list read first when the route needs it."""
        validated = validate_request(request)
        ensure_models(self, route_model_ids(validated.model, validated.fallbacks))
        self._check_route(validated)
        return validated

    async def _aprepare(self, request: ChatCompletionRequest) -> None:
        """Read the model list when a validated request's route needs it, then check again."""
        if await aensure_models(self, route_model_ids(request.model, request.fallbacks)):
            self._check_route(request)

    def uses_native_streaming(self, request: ChatCompletionRequest) -> bool:
        """Whether a stream of ``request`` asks for SSE now (see ``_stream_choice``)."""
        route = self.route_capabilities(request.model, request.fallbacks)
        return streams_natively(self.base_url, route)

    # ------------------------------------------------------------- the model list

    def model_info(self, model: str) -> ModelInfo:
        """What this client's gateway says of ``model``: the live list when the built-in
        table does not know it (read once per process, at most the short timeout)."""
        return self.route_capabilities(model).models[0]

    def route_capabilities(
        self, model: str, fallbacks: Iterable[object] | None = None
    ) -> RouteCapabilities:
        """:func:`~assemblyai_gateway.catalog.route_capabilities` for this client's gateway,
        the model list read first when a model on the route is unknown."""
        ensure_models(self, route_model_ids(model, fallbacks))
        return route_capabilities(model, fallbacks, base_url=self.base_url)

    def fetch_model_list(self) -> ModelList:
        """Ask the gateway for its model list now (``GET {base_url}/models``), with this
        client's timeout and retries; later requests use it, and it is cached on disk.

        Raises:
            APIError: as any request; ``ResponseValidationError`` for a body that is not
                a model list.
        """
        return fetch(self)

    async def afetch_model_list(self) -> ModelList:
        """Async :meth:`fetch_model_list`."""
        return await afetch(self)

    def _body(self, request: ChatCompletionRequest, *, stream: bool, include_usage: bool) -> bytes:
        options = _USAGE_OPTIONS if stream and include_usage else None
        update = {"stream": True if stream else None, "stream_options": options}
        return request_body(request.model_copy(update=update))

    # sync ----------------------------------------------------------------------

    def create(self, request: ChatCompletionRequest | Mapping[str, Any]) -> ChatCompletion:
        """Send one request (never streamed), retrying per the policy."""
        validated = self._prepared(request)
        body = self._body(validated, stream=False, include_usage=False)
        logger.debug("POST %s model=%s", self.url, validated.model)
        send = functools.partial(self._post_once, body, completion_from_response, self._parsed_url)
        attempt = gated(self.limiter, send)
        return call_with_retries(attempt, self.max_retries)

    def _open_stream(self, body: bytes) -> tuple[httpx.Response, Deadline]:
        client = self._sync_client()
        deadline = self.limits.start()
        try:
            with bounded_by(deadline):
                response = client.send(self._http_request(client, body, stream=True), stream=True)
            if not response.is_success:
                try:
                    content = read_capped(response, MAX_ERROR_BODY_BYTES, deadline, truncate=True)
                finally:
                    response.close()
                raise status_error_from_response(response, content)
        except httpx.TransportError as exc:
            failure = exc
        else:
            return response, deadline
        raise connection_error(failure, deadline) from cause_of(failure)

    def stream(
        self, request: ChatCompletionRequest | Mapping[str, Any], *, include_usage: bool = True
    ) -> ChatCompletionStream:
        """Stream chunks: the gateway's SSE where every model of the route streams, else
        one call split into chunks (the rule of ``_stream_choice``).

        Validation happens now; the request is sent when iteration starts. Retries
        happen only before the first chunk is yielded. The returned stream keeps the
        accumulated ``snapshot`` and gives ``final_completion()``; close it (or use it
        in a ``with`` block) to release the connection early.
        """
        validated = self._prepared(request)
        return ChatCompletionStream(stream_chunks(self, validated, include_usage))

    # async ---------------------------------------------------------------------

    async def acreate(self, request: ChatCompletionRequest | Mapping[str, Any]) -> ChatCompletion:
        """Async :meth:`create`."""
        validated = validate_request(request)
        await aensure_models(self, route_model_ids(validated.model, validated.fallbacks))
        self._check_route(validated)
        body = self._body(validated, stream=False, include_usage=False)
        logger.debug("POST %s model=%s", self.url, validated.model)
        send = functools.partial(self._apost_once, body, completion_from_response, self._parsed_url)
        attempt = agated(self.limiter, send)
        return await acall_with_retries(attempt, self.max_retries)

    async def _aopen_stream(
        self, client: httpx.AsyncClient, body: bytes
    ) -> tuple[httpx.Response, Deadline]:
        deadline = self.limits.start()
        try:
            async with asyncio.timeout(deadline.remaining()):
                response = await client.send(
                    self._http_request(client, body, stream=True), stream=True
                )
            if not response.is_success:
                try:
                    content = await aread_capped(
                        response, MAX_ERROR_BODY_BYTES, deadline, truncate=True
                    )
                finally:
                    await response.aclose()
                raise status_error_from_response(response, content)
        except httpx.TransportError as exc:
            failure = exc
        except TimeoutError:
            raise deadline.error() from None
        else:
            return response, deadline
        raise connection_error(failure, deadline) from cause_of(failure)

    def astream(
        self, request: ChatCompletionRequest | Mapping[str, Any], *, include_usage: bool = True
    ) -> AsyncChatCompletionStream:
        """Async :meth:`stream`; closing it early (``aclose()``) is safe from anywhere.

        The generator doing the work is closed exactly once (see ``_aio.AsyncStream``),
        even when a framework's wrapper and asyncio's shutdown both close it.
        """
        validated = self.build_request(request)
        chunks = AsyncStream(functools.partial(astream_chunks, self, validated, include_usage))
        return AsyncChatCompletionStream(chunks)
