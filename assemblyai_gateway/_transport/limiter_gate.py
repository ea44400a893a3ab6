"""Where the client meets the limiter: each attempt under a permit, its outcome reported.

Kept apart from :mod:`assemblyai_gateway._transport.client` so the send loops change by one call
each: ``gated(limiter, attempt)`` is ``attempt`` itself when there is no limiter.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TypeVar

from .._limiter.adaptive import AdaptiveLimiter, Permit
from ..errors import APIStatusError, ConfigurationError

__all__ = [
    "THROTTLE_STATUSES",
    "agated",
    "gated",
    "limiter_or_none",
    "metered",
    "throttle_wait",
]

T = TypeVar("T")

THROTTLE_STATUSES = frozenset({429, 503})


def limiter_or_none(limiter: object) -> AdaptiveLimiter | None:
    """The client's optional ``limiter=``: an :class:`AdaptiveLimiter`, or ``None`` for none.

    Raises:
        ConfigurationError: it is anything else.
    """
    if limiter is None or isinstance(limiter, AdaptiveLimiter):
        return limiter
    raise ConfigurationError(f"limiter must be an AdaptiveLimiter, got {type(limiter).__name__}")


def throttle_wait(error: BaseException) -> tuple[bool, float | None]:
    """Whether ``error`` is the gateway pushing back, and the wait it asked for."""
    if not isinstance(error, APIStatusError):
        return False, None
    from .retries import retry_after_seconds

    wait = retry_after_seconds(error.headers)
    return (error.status_code in THROTTLE_STATUSES or wait is not None), wait


def _usage_tokens(result: object) -> int:
    # What the budget is charged: every token the usage reports, once. Cache reads and
    # writes are parts of the input and reasoning of the output (Usage), never added on
    # top; total_tokens also covers tokens a provider reports outside both.
    usage = getattr(result, "usage", None)
    total = getattr(usage, "total_tokens", 0)
    return total if isinstance(total, int) else 0


def _report(permit: Permit, error: BaseException | None, result: object = None) -> None:
    if error is None:
        permit.succeeded(_usage_tokens(result))
        return
    throttled, wait = throttle_wait(error)
    if throttled:
        permit.throttled(wait)
    else:
        permit.release()


def gated(limiter: AdaptiveLimiter | None, attempt: Callable[[], T]) -> Callable[[], T]:
    """``attempt`` run under a permit, its outcome reported (unchanged without a limiter)."""
    if limiter is None:
        return attempt

    @functools.wraps(attempt)
    def run() -> T:
        permit = limiter.acquire()
        assert permit is not None
        try:
            result = attempt()
        except BaseException as error:
            _report(permit, error)
            raise
        _report(permit, None, result)
        return result

    return run


def agated(
    limiter: AdaptiveLimiter | None, attempt: Callable[[], Awaitable[T]]
) -> Callable[[], Awaitable[T]]:
    """Async :func:`gated`."""
    if limiter is None:
        return attempt

    async def run() -> T:
        permit = await limiter.aacquire()
        try:
            result = await attempt()
        except BaseException as error:
            _report(permit, error)
            raise
        _report(permit, None, result)
        return result

    return run


def _charge(limiter: AdaptiveLimiter, chunk: object) -> None:
    tokens = _usage_tokens(chunk)
    if tokens:
        limiter.charge(tokens)


def metered(limiter: AdaptiveLimiter | None, chunks: Iterable[T]) -> Iterable[T]:
    """Pass ``chunks`` through, charging the usage a streamed chunk reports.

    The send loops wrap the plain iterables they yield from (a decoder's chunks), so
    no extra async generator exists for asyncio to track and close.
    """
    if limiter is None:
        return chunks
    return _metered(limiter, chunks)


def _metered(limiter: AdaptiveLimiter, chunks: Iterable[T]) -> Iterator[T]:
    for chunk in chunks:
        _charge(limiter, chunk)
        yield chunk
