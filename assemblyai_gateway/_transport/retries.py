"""The retry policy: one decision, used by the sync and the async loop alike.

Retried: 408, 409, 429, every 5xx (but a context-window overflow), and connection or
timeout errors. Waits honour
``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date) when between 0 and 60 s;
otherwise (absent, out of range, or unparsable: a date in year 10000, ``nan``, text)
the wait backs off exponentially from 0.5 s to 8 s with up to 0.25 s of jitter. 400,
401, 403, 404 and 422 are never retried; nor is anything once a stream has yielded.

:func:`retry_delay` decides ("retry? after how long?"); :func:`call_with_retries` and
:func:`acall_with_retries` are the same short loop, differing only in how they sleep.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from ..errors import APIConnectionError, APIStatusError, ContextWindowExceededError, StreamError

__all__ = [
    "INITIAL_BACKOFF",
    "JITTER",
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "RETRYABLE_STATUSES",
    "acall_with_retries",
    "backoff_seconds",
    "call_with_retries",
    "is_retryable",
    "retry_after_seconds",
    "retry_delay",
    "retry_may_succeed",
]

logger = logging.getLogger("assemblyai_gateway")

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({408, 409, 429})
MAX_RETRY_AFTER = 60.0
"""The longest ``Retry-After`` honoured, in seconds; a longer one falls back to backoff."""
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
JITTER = 0.25
"""Up to this many seconds are added to each backoff, so clients do not retry in lockstep."""


def _retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def is_retryable(error: BaseException) -> bool:
    """Whether an error from one attempt deserves another attempt."""
    if isinstance(error, ContextWindowExceededError):
        return False  # the same prompt cannot fit next time either
    if isinstance(error, APIStatusError):
        return _retryable_status(error.status_code)
    return isinstance(error, APIConnectionError)


def retry_may_succeed(error: BaseException) -> bool:
    """Whether the caller sending the same request again, as a new call, may succeed.

    What the retry loop retries, plus a stream that broke, or whose error event named a
    retryable status (or none): the loop never retries once a stream has yielded, but a
    new call starts afresh. Every other 4xx, a context-window overflow, an oversized or
    invalid response and errors raised before sending are final. Frameworks read it,
    e.g. as LangChain's ``ModelError.is_retryable``.
    """
    if isinstance(error, StreamError):
        return error.status_code is None or _retryable_status(error.status_code)
    return is_retryable(error)


def _seconds_in_header(value: str, now: float | None) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date); ``None`` when unusable."""
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        current = time.time() if now is None else now
        return email.utils.mktime_tz(parsed) - current
    except (ValueError, OverflowError, TypeError, IndexError):
        return None  # a date Python cannot represent (year 10000, day 99, ...)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The server's requested wait in seconds; ``None`` when absent, unusable or beyond 0..60 s."""
    lowered = {key.lower(): value for key, value in headers.items()}
    seconds: float | None = None
    if "retry-after-ms" in lowered:
        in_ms = _seconds_in_header(lowered["retry-after-ms"], now=0.0)
        seconds = in_ms / 1000.0 if in_ms is not None else None
    if (seconds is None or not math.isfinite(seconds)) and "retry-after" in lowered:
        seconds = _seconds_in_header(lowered["retry-after"], now)
    if seconds is None or not math.isfinite(seconds) or not (0 <= seconds <= MAX_RETRY_AFTER):
        return None
    return seconds


def backoff_seconds(retry: int) -> float:
    """The wait before retry number ``retry`` (1 for the first) when the server named none.

    0.5 s, 1 s, 2 s, 4 s, then 8 s at most, each plus up to :data:`JITTER` seconds.

    Example:
        >>> [0.5 <= backoff_seconds(1) <= 0.75, 8.0 <= backoff_seconds(60) <= 8.25]
        [True, True]
    """
    # The exponent is bounded so that a huge max_retries cannot overflow a float.
    base = min(INITIAL_BACKOFF * 2.0 ** min(retry - 1, 32), MAX_BACKOFF)
    return base + random.uniform(0.0, JITTER)


def retry_delay(error: BaseException, retry: int) -> float | None:
    """Whether to send again after ``error``, and when: the wait in seconds, or ``None``.

    Args:
        error: What the last attempt raised.
        retry: The number of the retry this would be (1 for the first); the loops
            stop asking once ``max_retries`` retries have been made.

    Returns:
        ``None`` when ``error`` is final (:func:`is_retryable`), else the server's
        ``Retry-After`` when usable (:func:`retry_after_seconds`), else the backoff
        (:func:`backoff_seconds`).

    Example:
        >>> from assemblyai_gateway.errors import RateLimitError, AuthenticationError
        >>> retry_delay(RateLimitError("slow", status_code=429, headers={"retry-after": "2"}), 1)
        2.0
        >>> retry_delay(AuthenticationError("no", status_code=401), 1) is None
        True
    """
    if not is_retryable(error):
        return None
    if isinstance(error, APIStatusError):
        requested = retry_after_seconds(error.headers)
        if requested is not None:
            return requested
    return backoff_seconds(retry)


def _log_retry(error: BaseException, attempt: int, wait: float) -> None:
    # The error's type only: its text may quote the server, never needed here.
    logger.info(
        "retrying gateway request after %s (attempt %d, waiting %.2fs)",
        type(error).__name__,
        attempt,
        wait,
    )


# The loops look these up on every retry, so tests can patch ``retries._sleep``.
def _sleep(seconds: float) -> None:
    time.sleep(seconds)


async def _async_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def call_with_retries(attempt: Callable[[], T], max_retries: int) -> T:
    """Run ``attempt`` until it succeeds, raises a final error, or ``max_retries`` retries.

    The error of the last attempt is raised as it is (no wrapper, no chained context).

    Example:
        >>> call_with_retries(lambda: "ok", max_retries=2)
        'ok'
    """
    for retry in range(1, max_retries + 1):
        try:
            return attempt()
        except Exception as error:
            wait = retry_delay(error, retry)
            if wait is None:
                raise
            _log_retry(error, retry, wait)
        # Slept outside the handler, so the next attempt's error chains nothing to this one.
        _sleep(wait)
    return attempt()


async def acall_with_retries(attempt: Callable[[], Awaitable[T]], max_retries: int) -> T:
    """Async :func:`call_with_retries`: the same loop, sleeping with ``asyncio.sleep``."""
    for retry in range(1, max_retries + 1):
        try:
            return await attempt()
        except Exception as error:
            wait = retry_delay(error, retry)
            if wait is None:
                raise
            _log_retry(error, retry, wait)
        await _async_sleep(wait)
    return await attempt()
