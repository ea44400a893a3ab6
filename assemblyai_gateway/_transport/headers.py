"""The headers of a gateway request, built once per key and kind (plain or streamed), and
the request itself.

The key goes in ``Authorization`` as it is (no ``Bearer``), checked here under the one
rule of :func:`~assemblyai_gateway._transport.setting_sources.api_key_problem`; no message names it.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from typing import Any

import httpx

from .._version import __version__
from ..errors import InvalidAPIKeyError, MissingAPIKeyError
from .attempt_limits import capped_timeout
from .content_encoding import ACCEPT_ENCODING
from .setting_sources import API_KEY_ENV, api_key_problem

__all__ = ["USER_AGENT", "build_http_request", "model_list_headers", "request_headers"]

Headers = list[tuple[bytes, bytes]]

USER_AGENT = (
    f"assemblyai-llm-gateway/{__version__} python/{platform.python_version()} "
    f"httpx/{httpx.__version__}"
)


def request_headers(raw_key: str, default_headers: Mapping[str, str], *, stream: bool) -> Headers:
    """The request's headers as raw pairs: ``default_headers``, then ours (ours win,
    whatever the case of the name).

    Args:
        raw_key: The key as given (surrounding whitespace is stripped), or ``""``.
        default_headers: The caller's extra headers (already checked).
        stream: Whether the answer is asked for as server-sent events.

    Raises:
        InvalidAPIKeyError: the key holds a control character.
        MissingAPIKeyError: there is no key, or it is blank.

    Example:
        >>> dict(request_headers(" my-key\\n", {}, stream=True))[b"Authorization"]
        b'my-key'
    """
    if not raw_key:
        raise MissingAPIKeyError(f"no AssemblyAI API key: pass api_key=... or set {API_KEY_ENV}")
    key = raw_key.strip()
    problem = api_key_problem(key)
    if problem is not None:
        del raw_key, key  # a traceback printed with its locals must not show the key
        raise InvalidAPIKeyError(problem)
    if not key:
        raise MissingAPIKeyError(
            f"the AssemblyAI API key is blank: pass api_key=... or set {API_KEY_ENV}"
        )
    ours = {
        "Authorization": key,
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
        # Only what is decoded with a bound (see _decoding).
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    return _merged(ours, default_headers)


def model_list_headers(raw_key: str, default_headers: Mapping[str, str]) -> Headers:
    """The headers of ``GET {base_url}/models``: the key when there is one (the gateway
    does not require it there), and no body's headers.

    Raises:
        InvalidAPIKeyError: the key holds a control character.

    Example:
        >>> sorted(dict(model_list_headers("", {})))
        [b'Accept', b'Accept-Encoding', b'User-Agent']
    """
    ours = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    ours["Accept-Encoding"] = ACCEPT_ENCODING
    key = raw_key.strip()
    if key:
        problem = api_key_problem(key)
        if problem is not None:
            del raw_key, key  # a traceback printed with its locals must not show the key
            raise InvalidAPIKeyError(problem)
        ours["Authorization"] = key
    return _merged(ours, default_headers)


def _merged(ours: dict[str, str], default_headers: Mapping[str, str]) -> Headers:
    taken = {name.lower() for name in ours}
    headers = {name: value for name, value in default_headers.items() if name.lower() not in taken}
    headers.update(ours)
    return [(name.encode(), value.encode()) for name, value in headers.items()]


def build_http_request(
    method: str,
    url: httpx.URL,
    client: httpx.Client | httpx.AsyncClient,
    ours: Headers,
    *,
    content: bytes,
    timeout: Any,
    deadline_seconds: float,
) -> httpx.Request:
    """The request, built once: the client's own default headers plus ours (ours win).

    Building the request here rather than through ``client.post`` skips re-parsing
    the URL and merging header dicts on every call, a measurable share of the cost.
    ``timeout`` is an ``httpx.Timeout``, or anything else for the client's own; no
    phase of it is longer than the attempt's deadline.
    """
    taken = {name.lower() for name, _ in ours}
    headers = [(name, value) for name, value in client.headers.raw if name.lower() not in taken]
    headers.extend(ours)
    chosen = timeout if isinstance(timeout, httpx.Timeout) else client.timeout
    return httpx.Request(
        method,
        url,
        content=content,
        headers=headers,
        extensions={"timeout": capped_timeout(chosen, deadline_seconds)},
    )
