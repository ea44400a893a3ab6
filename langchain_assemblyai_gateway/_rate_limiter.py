"""The core's :class:`~assemblyai_gateway.AdaptiveLimiter` as a LangChain ``BaseRateLimiter``."""

from __future__ import annotations

from typing import Any

from langchain_core.rate_limiters import BaseRateLimiter

from assemblyai_gateway._limiter.adaptive import AdaptiveLimiter, require_limiter
from assemblyai_gateway._limiter.adaptive import adopt_rate_limiter as adopt

__all__ = ["AdaptiveRateLimiter", "adopt_rate_limiter"]


class AdaptiveRateLimiter(BaseRateLimiter):
    """An :class:`~assemblyai_gateway.AdaptiveLimiter` where LangChain wants a rate limiter.

    LangChain asks a ``rate_limiter`` before each call and never tells it how the
    call went, so on its own this can only wait: for the pause after a 429 (heard by
    any gateway model sharing the limiter) and, with ``pace=True``, for a send slot
    at the limiter's learned rate and token budget. Our own models pass the limiter to
    their client as well, which reports every answer; they use ``pace=False`` so a
    request is not counted twice.

    Args:
        limiter: The shared adaptive limiter.
        pace: Also take a send slot (for models that are not ours).

    Example:
        >>> from assemblyai_gateway import AdaptiveLimiter
        >>> from langchain_assemblyai_gateway import ChatAssemblyAIGateway
        >>> limiter = AdaptiveLimiter(max_concurrency=8)
        >>> llm = ChatAssemblyAIGateway(api_key="my-key", rate_limiter=limiter)
        >>> llm.limiter is limiter, type(llm.rate_limiter).__name__
        (True, 'AdaptiveRateLimiter')
        >>> AdaptiveRateLimiter(limiter).acquire()
        True
    """

    def __init__(self, limiter: AdaptiveLimiter, *, pace: bool = True) -> None:
        self.limiter = require_limiter(limiter)
        self.pace = pace

    def __repr__(self) -> str:
        return f"AdaptiveRateLimiter({self.limiter!r}, pace={self.pace})"

    def acquire(self, *, blocking: bool = True) -> bool:
        """Wait for the pause (and a send slot with ``pace``); False if busy and not blocking."""
        return self.limiter.wait_turn(pace=self.pace, blocking=blocking)

    async def aacquire(self, *, blocking: bool = True) -> bool:
        """Async :meth:`acquire`."""
        return await self.limiter.await_turn(pace=self.pace, blocking=blocking)


def adopt_rate_limiter(values: dict[str, Any]) -> dict[str, Any]:
    """``rate_limiter=AdaptiveLimiter(...)``: it becomes the ``limiter``, wrapped for LangChain.

    The rule is the core's (:func:`assemblyai_gateway._limiter.adaptive.adopt_rate_limiter`).
    """
    adopted: dict[str, Any] = adopt(
        values, lambda limiter, pace: AdaptiveRateLimiter(limiter, pace=pace)
    )
    return adopted
