"""``AssemblyAIGatewayProvider``: owns the core client, as pydantic-ai's providers own theirs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import SecretStr
from pydantic_ai.exceptions import UserError
from pydantic_ai.profiles import ModelProfile
from pydantic_ai.providers import Provider

from assemblyai_gateway._adapting.arguments import (
    CLIENT_SETTINGS,
    FRAMEWORK_SETTINGS,
    PEER_SETTING_NAMES,
    ArgumentRule,
)
from assemblyai_gateway._limiter.adaptive import AdaptiveLimiter
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, DEFAULT_MAX_RETRIES, Region
from pydantic_ai_assemblyai_gateway._profile import gateway_model_profile
from pydantic_ai_assemblyai_gateway._settings import ClientOptions

__all__ = ["PROVIDER_NAME", "AssemblyAIGatewayProvider"]

PROVIDER_NAME = "assemblyai-gateway"
"""The provider's name: ``ModelResponse.provider_name``, and the model id's prefix."""

# The provider's constructor parameters, each the core client setting it is.
_PARAMETERS: dict[str, str] = {
    "api_key": "api_key",
    "base_url": "base_url",
    "region": "region",
    "timeout": "timeout",
    "max_retries": "max_retries",
    "http_client": "http_async_client",
    "default_headers": "default_headers",
    "enforce_region": "enforce_region",
    "limiter": "limiter",
    "attempt_deadline": "attempt_deadline",
    "max_response_bytes": "max_response_bytes",
    "max_event_size": "max_event_size",
    "max_stream_bytes": "max_stream_bytes",
}


def _argument_rule() -> ArgumentRule:
    """The core's per-call rule, naming where each client setting goes on the provider."""
    where = {setting: parameter for parameter, setting in _PARAMETERS.items()}
    where["rate_limiter"] = "limiter"
    settings = {name: where.get(name, "") for name in CLIENT_SETTINGS | FRAMEWORK_SETTINGS}
    settings.update((peer, where[ours]) for peer, ours in PEER_SETTING_NAMES.items())
    settings.update((parameter, parameter) for parameter in _PARAMETERS)
    return ArgumentRule("AssemblyAIGatewayProvider", frozenset(_PARAMETERS), settings, "extra_body")


ARGUMENT_RULE = _argument_rule()


def _timeout_key(timeout: float | httpx.Timeout | None) -> Any:
    if isinstance(timeout, httpx.Timeout):
        return tuple(sorted(timeout.as_dict().items()))
    return timeout


class AssemblyAIGatewayProvider(Provider[GatewayClient]):
    """The AssemblyAI LLM Gateway for pydantic-ai: the key, region, limits and the client.

    It owns one :class:`~assemblyai_gateway.GatewayClient` (HTTP, retries, errors,
    streaming, the limiter) built from explicit arguments; share one provider between
    models to share its connection pools and limiter. A request whose settings change
    ``timeout``, ``max_retries`` or ``extra_headers`` uses a client built once for those
    values, with the same pools' limits and the same limiter.

    Args:
        api_key: The raw AssemblyAI key; defaults to ``$ASSEMBLYAI_API_KEY``. Never
            shown in a repr, an error or a log.
        base_url: Overrides ``$ASSEMBLYAI_GATEWAY_BASE_URL`` and ``region``.
        region: ``"us"`` (default) or ``"eu"`` (Claude and Gemini only).
        timeout: Seconds or an ``httpx.Timeout`` per attempt (default 120 s).
        max_retries: Retries of 408/409/429/5xx and connection errors (default 2).
        http_client: An ``httpx.AsyncClient`` to send with (never closed by us).
        default_headers: Extra headers on every request.
        enforce_region: With ``region="eu"``, refuse US-only models before sending.
        limiter: An :class:`~assemblyai_gateway.AdaptiveLimiter` every request waits for
            and reports to; share one between providers to share the account's limits.
        attempt_deadline: Seconds one attempt may take in all (default 900).
        max_response_bytes: Cap on a decompressed response body (default 32 MiB).
        max_event_size: Cap on one streamed event, in characters (default 8 Mi).
        max_stream_bytes: Cap on a decompressed stream in all (default 128 MiB).

    Raises:
        UserError: no key was given and ``ASSEMBLYAI_API_KEY`` is not set.

    Examples:
        >>> from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayProvider
        >>> provider = AssemblyAIGatewayProvider(api_key="my-key", region="eu")
        >>> provider.name, provider.base_url
        ('assemblyai-gateway', 'https://llm-gateway.eu.assemblyai.com/v1')
        >>> "my-key" in repr(provider)
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
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        enforce_region: bool = True,
        limiter: AdaptiveLimiter | None = None,
        attempt_deadline: float | None = None,
        max_response_bytes: int | None = None,
        max_event_size: int | None = None,
        max_stream_bytes: int | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        del api_key  # no frame of a traceback may hold the plain key
        if not key:
            raise UserError(
                f"Set the `{API_KEY_ENV}` environment variable or pass it via "
                "`AssemblyAIGatewayProvider(api_key=...)` to use the AssemblyAI LLM Gateway."
            )
        self._client_settings: dict[str, Any] = {
            "api_key": key if isinstance(key, SecretStr) else SecretStr(key),
            "base_url": base_url,
            "region": region,
            "timeout": timeout,
            "max_retries": max_retries,
            "http_async_client": http_client,
            "default_headers": dict(default_headers or {}),
            "enforce_region": enforce_region,
            "limiter": limiter,
            "attempt_deadline": attempt_deadline,
            "max_response_bytes": max_response_bytes,
            "max_event_size": max_event_size,
            "max_stream_bytes": max_stream_bytes,
        }
        del key
        self._client = GatewayClient(**self._client_settings)
        self._variants: dict[Any, GatewayClient] = {}

    @property
    def name(self) -> str:
        """``"assemblyai-gateway"``."""
        return PROVIDER_NAME

    @property
    def base_url(self) -> str:
        """The gateway's base URL (ends in ``/v1``)."""
        return self._client.base_url

    @property
    def client(self) -> GatewayClient:
        """The core client this provider owns."""
        return self._client

    @property
    def argument_rule(self) -> ArgumentRule:
        """The core's per-call argument rule, naming this provider's parameters."""
        return ARGUMENT_RULE

    @staticmethod
    def model_profile(model_name: str) -> ModelProfile | None:
        """The model's profile: the catalog's facts and the family's schema transformer."""
        return gateway_model_profile(model_name)

    def client_for(self, options: ClientOptions) -> GatewayClient:
        """The client for one call: this provider's, or one built once for ``options``.

        Examples:
            >>> provider = AssemblyAIGatewayProvider(api_key="my-key")
            >>> provider.client_for(ClientOptions()) is provider.client
            True
            >>> fast = provider.client_for(ClientOptions(timeout=5, max_retries=0))
            >>> fast.timeout.read, fast.max_retries
            (5.0, 0)
            >>> fast is provider.client_for(ClientOptions(timeout=5, max_retries=0))
            True
        """
        if options.is_default:
            return self._client
        key = (_timeout_key(options.timeout), options.max_retries, options.headers)
        client = self._variants.get(key)
        if client is None:
            headers = {**self._client_settings["default_headers"], **dict(options.headers)}
            overrides: dict[str, Any] = {"default_headers": headers}
            if options.timeout is not None:
                overrides["timeout"] = options.timeout
            if options.max_retries is not None:
                overrides["max_retries"] = options.max_retries
            client = self._variants[key] = GatewayClient(**{**self._client_settings, **overrides})
        return client

    async def aclose(self) -> None:
        """Close the connection pools this provider's clients own (an injected
        ``http_client`` stays open); a later request opens new ones.

        Without it, each event loop's pool closes when that loop shuts down
        (``asyncio.run`` does so), so runs on one loop share connections.
        """
        for client in (self._client, *self._variants.values()):
            await client.aclose()

    def __repr__(self) -> str:
        return f"AssemblyAIGatewayProvider(base_url={self.base_url!r})"
