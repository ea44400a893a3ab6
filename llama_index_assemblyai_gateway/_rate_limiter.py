"""The core's :class:`~assemblyai_gateway.AdaptiveLimiter` as a LlamaIndex ``BaseRateLimiter``."""

from __future__ import annotations

from typing import Any

from llama_index.core.rate_limiter import BaseRateLimiter

from assemblyai_gateway._limiter.adaptive import AdaptiveLimiter, require_limiter
from assemblyai_gateway._limiter.adaptive import adopt_rate_limiter as adopt

__all__ = ["AdaptiveRateLimiter", "adopt_rate_limiter"]


class AdaptiveRateLimiter(BaseRateLimiter):
    """An :class:`~assemblyai_gateway.AdaptiveLimiter` in LlamaIndex's ``rate_limiter`` hook.

    LlamaIndex calls ``acquire`` before each LLM call and never reports the outcome,
    so this waits for the pause after a 429 (heard by any gateway model sharing the
    limiter) and, with ``pace=True``, for a send slot at the learned rate and token
    budget. Our own LLM also hands the limiter to its client, which reports every
    answer, and uses ``pace=False`` so no request is counted twice.

    Args:
        limiter: The shared adaptive limiter.
        pace: Also take a send slot (for LLMs that are not ours).

    Example:
        >>> from assemblyai_gateway import AdaptiveLimiter
        >>> from llama_index_assemblyai_gateway import AssemblyAIGateway
        >>> limiter = AdaptiveLimiter(max_concurrency=8)
        >>> llm = AssemblyAIGateway(api_key="my-key", rate_limiter=limiter)
        >>> llm.limiter is limiter, type(llm.rate_limiter).__name__
        (True, 'AdaptiveRateLimiter')
    """

    def __init__(self, limiter: AdaptiveLimiter, *, pace: bool = True) -> None:
        self.limiter = require_limiter(limiter)
        self.pace = pace

    def __repr__(self) -> str:
        return f"AdaptiveRateLimiter({self.limiter!r}, pace={self.pace})"

    def acquire(self, num_tokens: int = 0) -> None:
        """Wait for the pause to end (and for a send slot with ``pace``)."""
        self.limiter.wait_turn(pace=self.pace)

    async def async_acquire(self, num_tokens: int = 0) -> None:
        """Async :meth:`acquire`."""
        await self.limiter.await_turn(pace=self.pace)


def adopt_rate_limiter(values: Any) -> Any:
    """``rate_limiter=AdaptiveLimiter(...)``: it becomes the ``limiter``, wrapped for LlamaIndex.

    The rule is the core's (:func:`assemblyai_gateway._limiter.adaptive.adopt_rate_limiter`).
    """
    return adopt(values, lambda limiter, pace: AdaptiveRateLimiter(limiter, pace=pace))
