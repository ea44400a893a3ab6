"""The settings both adapters share: defaults, per-call overrides and the owned client.

An adapter (LangChain's chat model, LlamaIndex's LLM) keeps its fields; everything it
would otherwise write for itself lives here:

* the defaults (:data:`DEFAULT_MODEL`, :data:`GATEWAY_DEFAULT_MAX_TOKENS`,
  :data:`DEFAULT_MAX_RETRIES`);
* :func:`merge_overrides`: instance settings overridden by per-call keyword arguments,
  where ``None`` means "not set";
* :class:`ClientSettings` and :class:`GatewayClientOwner`: the
  :class:`~assemblyai_gateway._transport.client.GatewayClient` built lazily from the settings the
  adapter passes explicitly (and again after one of them changed), ``close``/``aclose``,
  the refusal to pickle an object that holds the caller's ``httpx`` clients, and what
  the client's gateway says of a model (:meth:`GatewayClientOwner._model_route`: the
  live model list, read when the table does not know the model).

This module imports neither httpx nor the client until a client is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .._transport.setting_sources import DEFAULT_MAX_RETRIES, resolve_base_url
from ..catalog import RouteCapabilities, is_table_model, route_capabilities, route_model_ids
from ..errors import ConfigurationError
from .request_fields import GATEWAY_REQUEST_FIELDS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._transport.client import GatewayClient

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MODEL",
    "GATEWAY_DEFAULT_MAX_TOKENS",
    "REQUEST_SETTING_FIELDS",
    "ClientCache",
    "ClientSettings",
    "GatewayClientOwner",
    "merge_overrides",
    "request_settings",
]

DEFAULT_MODEL: Final = "claude-sonnet-4-5-20250929"
"""The model both adapters use when none is given."""

GATEWAY_DEFAULT_MAX_TOKENS: Final = 1000
"""What the gateway produces at most when a request has no ``max_tokens``."""


def merge_overrides(*sources: Mapping[str, Any]) -> dict[str, Any]:
    """Request fields from ``sources``, later ones winning, ``None`` meaning "not set".

    A later ``None`` removes what an earlier source set, so a per-call ``temperature=None``
    sends no temperature at all. The sources are never changed.

    Example:
        >>> merge_overrides({"model": "gpt-5", "temperature": 0.2}, {"temperature": None})
        {'model': 'gpt-5'}
    """
    merged: dict[str, Any] = {}
    for source in sources:
        for key, value in source.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
    return merged


REQUEST_SETTING_FIELDS: Final = (
    "model",
    "temperature",
    "max_tokens",
    "fallbacks",
    "fallback_config",
    "post_processing_steps",
    "transcript_id",
    "reasoning",
    "reasoning_effort",
    # The gateway's newer fields, from the mixin both adapters inherit.
    *GATEWAY_REQUEST_FIELDS,
)
"""The request fields both adapters hold as their own fields (``reasoning_effort`` is
sent as ``reasoning``: see :func:`~assemblyai_gateway._adapting.arguments.merge_call_fields`)."""


def request_settings(owner: object, extra: Mapping[str, Any]) -> dict[str, Any]:
    """An adapter's request-field settings, then its extra request fields.

    Example:
        >>> from types import SimpleNamespace
        >>> fields = dict.fromkeys(REQUEST_SETTING_FIELDS)
        >>> owner = SimpleNamespace(**{**fields, "model": "gpt-5"})
        >>> merge_overrides(request_settings(owner, {"seed": 7}))
        {'model': 'gpt-5', 'seed': 7}
    """
    return {**{name: getattr(owner, name) for name in REQUEST_SETTING_FIELDS}, **extra}


@dataclass(frozen=True)
class ClientSettings:
    """Everything a :class:`~assemblyai_gateway._transport.client.GatewayClient` is built from.

    Each adapter builds one from its own fields, naming every argument (its
    ``_client_settings`` method), as pydantic-ai's providers build their clients.
    Two settings are equal when every value is equal and the injected ``httpx`` clients
    and the limiter are the same objects, so an owner rebuilds its client exactly
    when one changed.

    Example:
        >>> ClientSettings(api_key="k", region="eu").build().base_url
        'https://llm-gateway.eu.assemblyai.com/v1'
    """

    api_key: Any = None
    base_url: str | None = None
    region: Any = None
    timeout: Any = None
    max_retries: int = DEFAULT_MAX_RETRIES
    enforce_region: bool = True
    attempt_deadline: float | None = None
    max_response_bytes: int | None = None
    max_event_size: int | None = None
    max_stream_bytes: int | None = None
    http_client: Any = None
    http_async_client: Any = None
    limiter: Any = None

    def key(self) -> tuple[Any, ...]:
        """What two settings must share to be served by one client.

        The injected clients count by identity (an equal-looking pool is another pool),
        and so does the limiter, whose whole point is being one shared object. Written
        out field by field: it runs on every call, and ``dataclasses.fields`` is slow.
        """
        return (
            self.api_key,
            self.base_url,
            self.region,
            self.timeout,
            self.max_retries,
            self.enforce_region,
            self.attempt_deadline,
            self.max_response_bytes,
            self.max_event_size,
            self.max_stream_bytes,
            id(self.http_client),
            id(self.http_async_client),
            id(self.limiter),
        )

    def same_as(self, other: ClientSettings | None) -> bool:
        """Whether a client built from ``other`` serves these settings too."""
        return other is not None and self.key() == other.key()

    def build(self) -> GatewayClient:
        """A new client (the injected ``httpx`` clients are checked and used)."""
        from .._transport.client import GatewayClient

        return GatewayClient(
            api_key=self.api_key,
            base_url=self.base_url,
            region=self.region,
            timeout=self.timeout,
            max_retries=self.max_retries,
            enforce_region=self.enforce_region,
            attempt_deadline=self.attempt_deadline,
            max_response_bytes=self.max_response_bytes,
            max_event_size=self.max_event_size,
            max_stream_bytes=self.max_stream_bytes,
            http_client=self.http_client,
            http_async_client=self.http_async_client,
            limiter=self.limiter,
        )

    @property
    def has_injected_clients(self) -> bool:
        """Whether the caller passed an ``httpx`` client (which cannot be pickled)."""
        return self.http_client is not None or self.http_async_client is not None


class ClientCache:
    """Holds the client built for the last settings; pickles and copies as empty.

    Example:
        >>> cache = ClientCache()
        >>> first = cache.get(ClientSettings(api_key="k"))
        >>> cache.get(ClientSettings(api_key="k")) is first
        True
        >>> cache.get(ClientSettings(api_key="k", region="eu")) is first
        False
    """

    def __init__(self) -> None:
        self.client: GatewayClient | None = None
        self._settings_key: tuple[Any, ...] | None = None
        self._settings: ClientSettings | None = None  # keeps the identities in the key alive

    def get(self, settings: ClientSettings) -> GatewayClient:
        """The cached client, or a new one when the settings changed."""
        client = self.client
        key = settings.key()
        if client is None or key != self._settings_key:
            client = settings.build()
            self.client, self._settings_key, self._settings = client, key, settings
        return client

    def close(self) -> None:
        """Close the sync pool of the cached client (injected clients stay open)."""
        if self.client is not None:
            self.client.close()

    async def aclose(self) -> None:
        """Close the sync and async pools of the cached client."""
        if self.client is not None:
            await self.client.aclose()

    # Connection pools never travel: a copy or an unpickled owner builds its own.
    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]


class GatewayClientOwner:
    """Mixin for an adapter model that sends through a lazily built ``GatewayClient``.

    The adapter writes :meth:`_client_settings`, passing each of its fields to
    :class:`ClientSettings` by name, and may override :meth:`_pickle_state`; this mixin
    gives it the cached client (built on first use, rebuilt after a setting changed),
    ``close``/``aclose`` and the refusal to pickle the caller's ``httpx`` clients.

    Example:
        >>> class Owner(GatewayClientOwner):
        ...     region = "eu"
        ...     def _client_settings(self) -> ClientSettings:
        ...         return ClientSettings(api_key="k", region=self.region)
        >>> owner = Owner()
        >>> owner._gateway_client() is owner._gateway_client()
        True
        >>> owner._gateway_client().base_url
        'https://llm-gateway.eu.assemblyai.com/v1'
        >>> owner.close()
    """

    def _client_settings(self) -> ClientSettings:
        """The adapter's fields the core client is built from, each passed by name.

        Not an ``abc.abstractmethod`` on purpose: LlamaIndex's instrumentation wraps
        every override of an abstract method in a span, which would cost each call a
        span (tens of microseconds) and fill users' traces.
        """
        raise NotImplementedError(f"{type(self).__name__} must define _client_settings")

    def _client_cache(self) -> ClientCache:
        # Looked up defensively: pydantic private attributes are missing on an object
        # restored by a framework's own __setstate__.
        cache = getattr(self, "_clients", None)
        if cache is None:
            cache = ClientCache()
            self._clients = cache
        return cache

    def _gateway_client(self) -> GatewayClient:
        """The core client, built on first use and again after a client setting changed."""
        return self._client_cache().get(self._client_settings())

    def _model_route(
        self, model: str, fallbacks: Iterable[object] | None = None
    ) -> RouteCapabilities:
        """What the model's gateway says of ``model`` and its ``fallbacks``.

        Models the built-in table knows are looked up without building the client (and
        in a list read before for the base URL, if any); an unknown one has the client
        read the live list, once per process. When the settings cannot build a client
        yet, the table answers (the call will say what is wrong).
        """
        try:
            if all(is_table_model(model_id) for model_id in route_model_ids(model, fallbacks)):
                settings = self._client_settings()
                base_url = resolve_base_url(settings.base_url, settings.region)
                return route_capabilities(model, fallbacks, base_url=base_url)
            client = self._gateway_client()
        except ConfigurationError:
            return route_capabilities(model, fallbacks)
        return client.route_capabilities(model, fallbacks)

    def close(self) -> None:
        """Close the connection pool the core client owns (injected clients stay open)."""
        self._client_cache().close()

    async def aclose(self) -> None:
        """Close the sync and async pools the core client owns (injected ones stay open)."""
        await self._client_cache().aclose()

    def __getstate__(self) -> Any:
        settings = self._client_settings()
        if settings.has_injected_clients:
            raise TypeError(
                f"a {type(self).__name__} with an injected http_client or async http "
                "client cannot be pickled; pickle it without them and inject them after "
                "loading"
            )
        return self._pickle_state()

    def _pickle_state(self) -> Any:
        """The state to pickle; by default the next class's ``__getstate__``."""
        return super().__getstate__()
