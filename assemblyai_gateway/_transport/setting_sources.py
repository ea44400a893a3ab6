"""Where the client's settings come from: arguments, then environment, then defaults.

The base URL is, in order: an explicit ``base_url``, else ``$ASSEMBLYAI_GATEWAY_BASE_URL``,
else the region's endpoint. The environment variable wins over ``region``; when the two
disagree (a non-loopback URL that is not the region's), a warning says so, once. A
plain-``http`` URL on a non-loopback host taken from the environment is warned about
too, once: the key would travel in clear text.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import os
import threading
import warnings
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import urlsplit

from ..errors import ConfigurationError, InvalidAPIKeyError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_ATTEMPT_DEADLINE_SECONDS",
    "DEFAULT_CONNECT_TIMEOUT_SECONDS",
    "DEFAULT_MAX_EVENT_SIZE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_STREAM_BYTES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TIMEOUT_SECONDS",
    "REGION_BASE_URLS",
    "Region",
    "api_key_problem",
    "clean_api_key",
    "is_eu_base_url",
    "is_loopback_url",
    "resolve_attempt_deadline",
    "resolve_base_url",
    "resolve_size_limit",
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

# Generous but finite: one attempt (connect, send, every byte of the answer) may take
# this long, so a trickling server cannot hold a call forever.
DEFAULT_ATTEMPT_DEADLINE_SECONDS: Final = 900.0
# A completion is kilobytes; these caps only stop a hostile or broken peer.
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
DEFAULT_MAX_EVENT_SIZE: Final = 8 * 1024 * 1024
# A stream is much larger than its text (each token comes wrapped in a chunk of JSON):
# 128k output tokens at ~300 bytes an event is ~38 MiB, so this leaves room threefold.
DEFAULT_MAX_STREAM_BYTES: Final = 128 * 1024 * 1024


def api_key_problem(key: str) -> str | None:
    """Why ``key`` (already stripped) cannot be sent, or ``None``; never quotes the key.

    Example:
        >>> api_key_problem("my-key") is None
        True
        >>> api_key_problem("my\\x00key")[:59]
        'the API key holds a control character (U+0000 at position 3'
    """
    for position, char in enumerate(key):
        if ord(char) < 0x20 or ord(char) == 0x7F:
            return (
                f"the API key holds a control character (U+{ord(char):04X} at position "
                f"{position + 1} of {len(key)}); check how it was read or pasted"
            )
    return None


def clean_api_key(raw: str) -> str:
    """The key as sent: surrounding whitespace stripped, control characters refused.

    A key read from a file often ends in a newline; spaces, tabs, CR and LF around
    the key are never part of it, so they are stripped. A control character left
    inside the key (CR, LF, NUL, DEL, ...) cannot go into an HTTP header: it raises,
    and neither the message nor the traceback's locals show the key.

    Raises:
        InvalidAPIKeyError: the key holds a control character.

    Example:
        >>> clean_api_key("  my-key\\n")
        'my-key'
    """
    key = raw.strip()
    problem = api_key_problem(key)
    if problem is not None:
        del raw, key  # a traceback printed with its locals must not show the key
        raise InvalidAPIKeyError(problem)
    return key


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine (``localhost``, 127.0.0.0/8 or ``::1``)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


def _warn_once(kind: str, url: str, message: str) -> None:
    with _warned_lock:
        if (kind, url) in _warned:
            return
        _warned.add((kind, url))
    warnings.warn(message, UserWarning, stacklevel=4)


def _check_environment_url(url: str, region: str | None) -> None:
    """Warn (once per URL) when the environment sends the key somewhere surprising."""
    if is_loopback_url(url):
        return  # an emulator or a local proxy: the usual reason to set the variable
    if urlsplit(url).scheme == "http":
        _warn_once(
            "plain-http",
            url,
            f"{BASE_URL_ENV} points at {url!r}, plain http on another host: the API key "
            "would be sent unencrypted. Use https, or unset the variable",
        )
    if region is not None and urlsplit(url).hostname != urlsplit(REGION_BASE_URLS[region]).hostname:
        _warn_once(
            f"region-{region}",
            url,
            f"region={region!r} was asked for, but {BASE_URL_ENV} points at {url!r}, and "
            "the environment variable wins; unset it, or pass base_url explicitly",
        )


def resolve_base_url(base_url: str | None = None, region: str | None = None) -> str:
    """Explicit ``base_url``, else ``$ASSEMBLYAI_GATEWAY_BASE_URL``, else the region's URL.

    A ``base_url`` equal to the environment variable (adapters read it as their
    default) is treated as coming from the environment.

    Raises:
        ConfigurationError: for a region other than ``"us"`` or ``"eu"``, or a URL
            that is not an absolute ``http(s)`` URL.
    """
    if region is not None and region not in REGION_BASE_URLS:
        raise ConfigurationError(f"region must be 'us' or 'eu', got {region!r}")
    from_env = os.environ.get(BASE_URL_ENV) or None
    chosen = base_url or from_env or REGION_BASE_URLS[region or "us"]
    if not isinstance(chosen, str) or not chosen.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"base_url must start with http:// or https:// (e.g. {REGION_BASE_URLS['us']}), "
            f"got {chosen!r}"
        )
    _check_url_parses(chosen)
    if from_env is not None and chosen == from_env:
        _check_environment_url(chosen, region)
    return chosen.rstrip("/")


def _check_url_parses(url: str) -> None:
    if not _url_parses(url):
        raise ConfigurationError(f"base_url is not a valid URL: {url!r}")


@functools.lru_cache(maxsize=256)
def _url_parses(url: str) -> bool:
    """Whether httpx reads ``url`` with a host; remembered, as adapters resolve their base
    URL on every call (a model's route, its metadata) and the URL rarely changes."""
    import httpx

    try:
        return bool(httpx.URL(url).host)
    except (httpx.InvalidURL, ValueError, TypeError):
        return False


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
        for name, value in timeout.as_dict().items():
            if value is not None:
                _positive_seconds(f"timeout.{name}", value)
        return timeout
    seconds = _positive_seconds("timeout", timeout)
    return httpx.Timeout(seconds, connect=min(DEFAULT_CONNECT_TIMEOUT_SECONDS, seconds))


def _positive_seconds(name: str, value: Any) -> float:
    """``value`` as finite, positive seconds.

    Raises:
        ConfigurationError: naming ``name``, for anything else (a string, ``inf``, 0).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(
            f"{name} must be a number of seconds (or an httpx.Timeout), got {value!r}"
        )
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be finite, positive seconds, got {value!r}")
    return float(value)


def resolve_attempt_deadline(deadline: float | None) -> float:
    """Seconds one attempt may take in all; ``None`` means the finite default."""
    if deadline is None:
        return DEFAULT_ATTEMPT_DEADLINE_SECONDS
    return _positive_seconds("attempt_deadline", deadline)


def resolve_size_limit(name: str, value: int | None, default: int) -> int:
    """A positive size cap; ``None`` means ``default``.

    Raises:
        ConfigurationError: naming ``name``, for a value that is not a positive int.
    """
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(f"{name} must be a positive number of bytes, got {value!r}")
    return value
