"""The retry policy: one set of decisions, used by the sync and the async loop alike.

Retried: 408, 409, 429, every 5xx (but a context-window overflow), and connection or
timeout errors. Waits honour
``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date) when between 0 and 60 s;
otherwise (absent, out of range, or unparsable: a date in year 10000, ``nan``, text)
the wait backs off exponentially from 0.5 s to 8 s with jitter. 400, 401,
403, 404 and 422 are never retried; nor is anything once a stream has yielded.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import APIConnectionError, APIStatusError, ContextWindowExceededError, StreamError

if TYPE_CHECKING:
    # tenacity is imported on the first retry only: most calls never need it.
    from tenacity import AsyncRetrying, RetryCallState, Retrying
    from tenacity.wait import wait_base

__all__ = [
    "INITIAL_BACKOFF",
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "RETRYABLE_STATUSES",
    "acall_with_retries",
    "async_retrying",
    "call_with_retries",
    "is_retryable",
    "retry_after_seconds",
    "retry_may_succeed",
    "retry_wait",
    "sync_retrying",
]

logger = logging.getLogger("assemblyai_gateway")

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({408, 409, 429})
MAX_RETRY_AFTER = 60.0
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0


@functools.cache
def _backoff() -> wait_base:
    from tenacity import wait_exponential, wait_random

    # 0.5 s, 1 s, 2 s ... capped at 8 s, plus up to 0.25 s of jitter against thundering herds.
    return wait_exponential(multiplier=INITIAL_BACKOFF, max=MAX_BACKOFF) + wait_random(0, 0.25)


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


def retry_wait(state: RetryCallState) -> float:
    """Retry-After when the server gave a usable one, else jittered exponential backoff."""
    error = state.outcome.exception() if state.outcome is not None else None
    if isinstance(error, APIStatusError):
        requested = retry_after_seconds(error.headers)
        if requested is not None:
            return requested
    return float(_backoff()(state))


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    logger.info(
        "retrying gateway request after %s (attempt %d, waiting %.2fs)",
        type(error).__name__,
        state.attempt_number,
        wait,
    )


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


async def _async_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def _policy(max_retries: int) -> dict[str, Any]:
    from tenacity import retry_if_exception, stop_after_attempt

    return {
        "stop": stop_after_attempt(max_retries + 1),
        "wait": retry_wait,
        "retry": retry_if_exception(is_retryable),
        "before_sleep": _log_retry,
        "reraise": True,
    }


def sync_retrying(max_retries: int) -> Retrying:
    """A tenacity loop for one sync call under this policy."""
    # A lambda looks the sleep up per call, so tests can patch ``retries._sleep``.
    from tenacity import Retrying

    return Retrying(sleep=lambda seconds: _sleep(seconds), **_policy(max_retries))


def async_retrying(max_retries: int) -> AsyncRetrying:
    """A tenacity loop for one async call under this policy."""
    from tenacity import AsyncRetrying

    return AsyncRetrying(sleep=lambda seconds: _async_sleep(seconds), **_policy(max_retries))


def _replay_first(error: BaseException, attempt: Callable[[], T]) -> Callable[[], T]:
    """An attempt function whose first call re-raises ``error`` (the fast path's failure)."""
    pending = [error]

    def replaying() -> T:
        if pending:
            raise pending.pop()
        return attempt()

    return replaying


def _areplay_first(
    error: BaseException, attempt: Callable[[], Awaitable[T]]
) -> Callable[[], Awaitable[T]]:
    pending = [error]

    async def replaying() -> T:
        if pending:
            raise pending.pop()
        return await attempt()

    return replaying


def call_with_retries(attempt: Callable[[], T], max_retries: int) -> T:
    """Run ``attempt`` under the policy; tenacity is entered only after a retryable failure.

    Most calls succeed first time, so they skip building a tenacity loop; a failure is
    replayed as tenacity's first attempt, so waits, logging and counts are unchanged.
    """
    try:
        return attempt()
    except Exception as error:
        if max_retries == 0 or not is_retryable(error):
            raise
        replaying = _replay_first(error, attempt)
    return sync_retrying(max_retries)(replaying)


async def acall_with_retries(attempt: Callable[[], Awaitable[T]], max_retries: int) -> T:
    """Async :func:`call_with_retries`."""
    try:
        return await attempt()
    except Exception as error:
        if max_retries == 0 or not is_retryable(error):
            raise
        replaying = _areplay_first(error, attempt)
    return await async_retrying(max_retries)(replaying)
