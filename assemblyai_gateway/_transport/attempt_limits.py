"""Limits on one attempt: its deadline, and how much of a response is read.

The reading itself lives in :mod:`assemblyai_gateway._transport.response_reading`; it
checks the deadline
whenever data arrives, and every wait of a sync attempt ends by it too (see
:mod:`assemblyai_gateway._transport.deadline_io`), so a server that trickles a byte at a time
cannot hold an attempt past it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import APITimeoutError
from .setting_sources import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_STREAM_BYTES,
    resolve_attempt_deadline,
    resolve_size_limit,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["MAX_ERROR_BODY_BYTES", "AttemptLimits", "Deadline", "capped_timeout"]

# An error body is only quoted, never used whole: this much of it is read at most.
MAX_ERROR_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class AttemptLimits:
    """The limits of one client: per-attempt deadline, body, stream and per-event caps."""

    deadline_seconds: float
    max_response_bytes: int
    max_event_size: int
    max_stream_bytes: int

    @classmethod
    def resolve(
        cls,
        attempt_deadline: float | None,
        *,
        max_response_bytes: int | None,
        max_event_size: int | None,
        max_stream_bytes: int | None,
    ) -> AttemptLimits:
        """The limits from a client's settings, ``None`` meaning the default.

        Raises:
            ConfigurationError: naming a setting that is not a positive number.
        """
        return cls(
            deadline_seconds=resolve_attempt_deadline(attempt_deadline),
            max_response_bytes=resolve_size_limit(
                "max_response_bytes", max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES
            ),
            max_event_size=resolve_size_limit(
                "max_event_size", max_event_size, DEFAULT_MAX_EVENT_SIZE
            ),
            max_stream_bytes=resolve_size_limit(
                "max_stream_bytes", max_stream_bytes, DEFAULT_MAX_STREAM_BYTES
            ),
        )

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

    def expire(self) -> None:
        """Mark the deadline as passed: a wait it bounded has just timed out."""
        self._ends = min(self._ends, time.monotonic())

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
