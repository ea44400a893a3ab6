"""Limits on one attempt: its deadline, and how much of a response is read.

The decisions live here once; the sync and async reading loops are the only code
written twice. Every loop checks the deadline whenever data arrives, so a server that
trickles a byte at a time cannot hold an attempt past it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import APITimeoutError, ResponseTooLargeError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "MAX_ERROR_BODY_BYTES",
    "AttemptLimits",
    "Deadline",
    "aread_capped",
    "capped_timeout",
    "read_capped",
]

# An error body is only quoted, never used whole: this much of it is read at most.
MAX_ERROR_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class AttemptLimits:
    """The limits of one client: per-attempt deadline, body cap and per-event cap."""

    deadline_seconds: float
    max_response_bytes: int
    max_event_size: int

    def start(self) -> Deadline:
        """The deadline of an attempt starting now."""
        return Deadline(self.deadline_seconds)


class Deadline:
    """The wall-clock end of one attempt."""

    __slots__ = ("_ends", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (0 when passed)."""
        return max(0.0, self._ends - time.monotonic())

    def passed(self) -> bool:
        """Whether the deadline has passed."""
        return time.monotonic() >= self._ends

    def error(self) -> APITimeoutError:
        """The error for an attempt that ran out of time."""
        return APITimeoutError(
            f"the gateway attempt exceeded its deadline of {self.seconds:g} s "
            "(attempt_deadline); the server answered too slowly or not at all"
        )

    def check(self) -> None:
        """Raise :meth:`error` once the deadline has passed."""
        if time.monotonic() >= self._ends:
            raise self.error()


def capped_timeout(timeout: httpx.Timeout, deadline: float) -> dict[str, Any]:
    """``timeout`` as httpx's request extension, no phase longer than ``deadline``."""
    return {
        phase: deadline if seconds is None else min(seconds, deadline)
        for phase, seconds in timeout.as_dict().items()
    }


def _too_large(limit: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"the gateway's response exceeded max_response_bytes ({limit} bytes, decompressed); "
        "raise the cap if this answer is expected",
        limit=limit,
    )


def _declared_too_large(response: httpx.Response, limit: int) -> bool:
    """A plain body that announces more than ``limit`` bytes is refused before reading."""
    if response.headers.get("content-encoding", "identity") != "identity":
        return False  # the announced length is the compressed one
    declared = response.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


def read_capped(
    response: httpx.Response, limit: int, deadline: Deadline, *, truncate: bool = False
) -> bytes:
    """The decompressed body, read while checking the cap and the deadline.

    Args:
        response: A streamed response (the caller closes it).
        limit: The most bytes to keep.
        deadline: The attempt's deadline.
        truncate: Stop quietly at ``limit`` (for error bodies) instead of raising.

    Raises:
        ResponseTooLargeError: the body exceeds ``limit`` (unless ``truncate``).
        APITimeoutError: the deadline passed while reading.
    """
    if not truncate and _declared_too_large(response, limit):
        raise _too_large(limit)
    body = bytearray()
    for piece in response.iter_bytes():
        body += piece
        if len(body) > limit:
            if truncate:
                return bytes(body[:limit])
            raise _too_large(limit)
        deadline.check()
    return bytes(body)


async def aread_capped(
    response: httpx.Response, limit: int, deadline: Deadline, *, truncate: bool = False
) -> bytes:
    """Async :func:`read_capped`."""
    if not truncate and _declared_too_large(response, limit):
        raise _too_large(limit)
    body = bytearray()
    async for piece in response.aiter_bytes():
        body += piece
        if len(body) > limit:
            if truncate:
                return bytes(body[:limit])
            raise _too_large(limit)
        deadline.check()
    return bytes(body)
