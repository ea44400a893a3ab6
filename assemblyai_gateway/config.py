"""Where the client's settings come from: arguments, then environment, then defaults."""

from __future__ import annotations

import os
from typing import Final, Literal

import httpx

from .errors import ConfigurationError

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "REGION_BASE_URLS",
    "Region",
    "is_eu_base_url",
    "resolve_base_url",
    "resolve_timeout",
]

Region = Literal["us", "eu"]

API_KEY_ENV: Final = "ASSEMBLYAI_API_KEY"
BASE_URL_ENV: Final = "ASSEMBLYAI_GATEWAY_BASE_URL"

REGION_BASE_URLS: Final[dict[str, str]] = {
    "us": "https://llm-gateway.assemblyai.com/v1",
    "eu": "https://llm-gateway.eu.assemblyai.com/v1",
}

# Finite by default: a model may think for minutes, but a dead peer must not hang us.
DEFAULT_TIMEOUT: Final = httpx.Timeout(120.0, connect=10.0)
DEFAULT_MAX_RETRIES: Final = 2


def resolve_base_url(base_url: str | None = None, region: str | None = None) -> str:
    """Explicit ``base_url``, else ``$ASSEMBLYAI_GATEWAY_BASE_URL``, else the region's URL.

    Raises:
        ConfigurationError: for a region other than ``"us"`` or ``"eu"``.
    """
    if region is not None and region not in REGION_BASE_URLS:
        raise ConfigurationError(f"region must be 'us' or 'eu', got {region!r}")
    chosen = base_url or os.environ.get(BASE_URL_ENV) or REGION_BASE_URLS[region or "us"]
    if not chosen.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"base_url must start with http:// or https:// (e.g. {REGION_BASE_URLS['us']}), "
            f"got {chosen!r}"
        )
    return chosen.rstrip("/")


def is_eu_base_url(base_url: str) -> bool:
    """Whether a base URL points at the EU endpoint."""
    host = httpx.URL(base_url).host
    return host == httpx.URL(REGION_BASE_URLS["eu"]).host


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """Seconds or an ``httpx.Timeout``; ``None`` means the finite default, never "forever"."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout <= 0:
        raise ConfigurationError(f"timeout must be positive seconds, got {timeout!r}")
    return httpx.Timeout(float(timeout), connect=min(10.0, float(timeout)))
