"""Where the client's settings come from: arguments, then environment, then defaults."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import urlsplit

from .errors import ConfigurationError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_CONNECT_TIMEOUT_SECONDS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TIMEOUT_SECONDS",
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
DEFAULT_TIMEOUT_SECONDS: Final = 120.0
DEFAULT_CONNECT_TIMEOUT_SECONDS: Final = 10.0

if TYPE_CHECKING:
    DEFAULT_TIMEOUT: httpx.Timeout


def __getattr__(name: str) -> Any:
    # httpx is imported on first use, so importing an adapter stays cheap.
    if name == "DEFAULT_TIMEOUT":
        if "DEFAULT_TIMEOUT" in globals():  # reached by a direct call from resolve_timeout
            return globals()["DEFAULT_TIMEOUT"]
        import httpx

        timeout = httpx.Timeout(DEFAULT_TIMEOUT_SECONDS, connect=DEFAULT_CONNECT_TIMEOUT_SECONDS)
        globals()["DEFAULT_TIMEOUT"] = timeout
        return timeout
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    return urlsplit(base_url).hostname == urlsplit(REGION_BASE_URLS["eu"]).hostname


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """Seconds or an ``httpx.Timeout``; ``None`` means the finite default, never "forever"."""
    import httpx

    if timeout is None:
        default: httpx.Timeout = __getattr__("DEFAULT_TIMEOUT")
        return default
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout <= 0:
        raise ConfigurationError(f"timeout must be positive seconds, got {timeout!r}")
    seconds = float(timeout)
    return httpx.Timeout(seconds, connect=min(DEFAULT_CONNECT_TIMEOUT_SECONDS, seconds))
