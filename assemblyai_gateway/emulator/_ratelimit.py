"""The emulator's rate-limit mode: server-side token buckets for requests and tokens.

A request first needs one request token (refilled at ``requests_per_second``, holding
at most ``burst`` of them); with ``tokens_per_minute`` set it also needs at least one
token left in that budget, and its real usage is charged once it is answered. Refused
requests get a 429 in the gateway error format with ``retry-after`` (whole seconds,
as HTTP wants) and ``retry-after-ms`` (the exact wait).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RateLimit", "RateLimiterState"]


@dataclass(frozen=True)
class RateLimit:
    """How much the emulator lets through, like an account's limits on the gateway.

    Attributes:
        requests_per_second: Sustained requests per second (``None``: unlimited).
        tokens_per_minute: Sustained tokens per minute (``None``: unlimited).
        burst: Requests allowed at once after idling; defaults to one second's worth.
        clock: Monotonic seconds (injectable for tests).

    Example:
        >>> import httpx
        >>> from assemblyai_gateway.emulator import GatewayEmulator, RateLimit
        >>> limit = RateLimit(requests_per_second=1, burst=1)
        >>> with GatewayEmulator(rate_limit=limit) as emulator:
        ...     url = f"{emulator.base_url}/chat/completions"
        ...     body = {"model": "gpt-4.1", "prompt": "Hi"}
        ...     headers = {"Authorization": emulator.api_key}
        ...     first = httpx.post(url, json=body, headers=headers)
        ...     second = httpx.post(url, json=body, headers=headers)
        >>> first.status_code, second.status_code, second.headers["retry-after"]
        (200, 429, '1')
    """

    requests_per_second: float | None = None
    tokens_per_minute: float | None = None
    burst: float | None = None
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("requests_per_second", "tokens_per_minute", "burst"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")

    @property
    def capacity(self) -> float:
        """The request bucket's size."""
        if self.burst is not None:
            return self.burst
        return max(1.0, self.requests_per_second or 1.0)


class RateLimiterState:
    """The live buckets behind a :class:`RateLimit` (thread-safe)."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        now = limit.clock()
        self._requests = limit.capacity
        self._tokens = limit.tokens_per_minute or 0.0
        self._at = now
        self.refused = 0

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._at)
        self._at = now
        limit = self.limit
        if limit.requests_per_second is not None:
            self._requests = min(
                limit.capacity, self._requests + elapsed * limit.requests_per_second
            )
        if limit.tokens_per_minute is not None:
            self._tokens = min(
                limit.tokens_per_minute, self._tokens + elapsed * limit.tokens_per_minute / 60
            )

    def admit(self) -> float | None:
        """Take a request token: ``None`` when admitted, else the seconds to wait."""
        limit = self.limit
        with self._lock:
            self._refill(limit.clock())
            waits = []
            if limit.requests_per_second is not None and self._requests < 1:
                waits.append((1 - self._requests) / limit.requests_per_second)
            if limit.tokens_per_minute is not None and self._tokens < 1:
                waits.append((1 - self._tokens) / (limit.tokens_per_minute / 60))
            if waits:
                self.refused += 1
                return max(waits)
            if limit.requests_per_second is not None:
                self._requests -= 1
            return None

    def charge(self, tokens: int) -> None:
        """Charge an answered request's real usage to the token budget."""
        if self.limit.tokens_per_minute is None:
            return
        with self._lock:
            self._refill(self.limit.clock())
            self._tokens -= tokens


def retry_after_headers(seconds: float) -> dict[str, str]:
    """``retry-after`` in whole seconds (at least 1) and the exact ``retry-after-ms``."""
    return {
        "retry-after": str(max(1, math.ceil(seconds))),
        "retry-after-ms": str(max(1, math.ceil(seconds * 1000))),
    }
