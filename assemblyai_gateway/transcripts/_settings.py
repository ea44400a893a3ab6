"""Where the transcript API is and which key it gets: arguments, then environment.

The key is ``api_key``, else ``$ASSEMBLYAI_API_KEY``. The host is ``base_url``, else
``$ASSEMBLYAI_BASE_URL`` (the variable the ``assemblyai`` SDK reads), else the
region's (``us`` or ``eu``). As for the gateway client, the environment variable wins
over ``region``, with a warning (once) when the two disagree.
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from .. import API_KEY_ENV, ConfigurationError, InvalidAPIKeyError, MissingAPIKeyError
from ._types import TRANSCRIPT_REGION_BASE_URLS

__all__ = ["TRANSCRIPT_BASE_URL_ENV", "ApiKey", "resolve_transcript_base_url", "seconds"]

TRANSCRIPT_BASE_URL_ENV: Final = "ASSEMBLYAI_BASE_URL"

_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """The key, kept out of every repr, message and pickle.

    Examples:
        >>> ApiKey.resolve("  my-key\\n")
        ApiKey('**********')
        >>> ApiKey.resolve("  my-key\\n").value
        'my-key'
    """

    value: str

    @classmethod
    def resolve(cls, explicit: str | None) -> ApiKey:
        """``explicit``, else ``$ASSEMBLYAI_API_KEY``, stripped and checked.

        Raises:
            MissingAPIKeyError: neither is set.
            InvalidAPIKeyError: the key holds a control character (never shown).
        """
        raw = explicit if explicit is not None else os.environ.get(API_KEY_ENV)
        key = (raw or "").strip()
        if not key:
            raise MissingAPIKeyError(
                f"no API key for the transcript API: pass api_key=... or set {API_KEY_ENV}"
            )
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in key):
            del raw, key  # a traceback printed with its locals must not show the key
            raise InvalidAPIKeyError(
                "the API key holds a control character; check how it was read or pasted"
            )
        return cls(key)

    def __repr__(self) -> str:
        return "ApiKey('**********')"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("an API key is never pickled; the unpickled copy reads the environment")


def _warn_once(kind: str, url: str, message: str) -> None:
    with _warned_lock:
        if (kind, url) in _warned:
            return
        _warned.add((kind, url))
    warnings.warn(message, UserWarning, stacklevel=5)


def resolve_transcript_base_url(base_url: str | None = None, region: str | None = None) -> str:
    """Explicit ``base_url``, else ``$ASSEMBLYAI_BASE_URL``, else the region's host.

    Raises:
        ConfigurationError: a region other than ``"us"``/``"eu"``, or a URL that is
            not an absolute ``http(s)`` URL.

    Examples:
        >>> resolve_transcript_base_url("http://127.0.0.1:8787/", region="eu")
        'http://127.0.0.1:8787'
    """
    if region is not None and region not in TRANSCRIPT_REGION_BASE_URLS:
        raise ConfigurationError(f"region must be 'us' or 'eu', got {region!r}")
    from_env = os.environ.get(TRANSCRIPT_BASE_URL_ENV) or None
    chosen = base_url or from_env or TRANSCRIPT_REGION_BASE_URLS[region or "us"]
    parts = urlsplit(chosen) if isinstance(chosen, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            "base_url must be an absolute http(s) URL such as "
            f"{TRANSCRIPT_REGION_BASE_URLS['us']}, got {chosen!r}"
        )
    if base_url is None and from_env is not None:
        _check_environment_url(chosen, region)
    return chosen.rstrip("/")


def _check_environment_url(url: str, region: str | None) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.startswith("127.") or host == "::1":
        return  # an emulator or a local proxy: the usual reason to set the variable
    if urlsplit(url).scheme == "http":
        _warn_once(
            "plain-http",
            url,
            f"{TRANSCRIPT_BASE_URL_ENV} points at {url!r}, plain http on another host: the "
            "API key would be sent unencrypted. Use https, or unset the variable",
        )
    if region is not None and host != urlsplit(TRANSCRIPT_REGION_BASE_URLS[region]).hostname:
        _warn_once(
            f"region-{region}",
            url,
            f"region={region!r} was asked for, but {TRANSCRIPT_BASE_URL_ENV} points at "
            f"{url!r}, and the environment variable wins; unset it, or pass base_url",
        )


def seconds(name: str, value: float | None, *, allow_zero: bool = False) -> float | None:
    """``value`` as finite seconds (``None`` stays ``None``).

    Raises:
        ConfigurationError: naming ``name``, for anything else.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigurationError(f"{name} must be a finite number of seconds, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be positive seconds, got {value!r}")
    return float(value)
