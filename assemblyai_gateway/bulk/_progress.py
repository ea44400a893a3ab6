"""The progress bar: tqdm when installed (the ``bulk`` extra), else nothing."""

from __future__ import annotations

from typing import Any

from .._limiter.adaptive import AdaptiveLimiter
from ._summary import BulkSummary

__all__ = ["Progress"]


class Progress:
    """A bar over the items still to run: rate and ETA (tqdm's), tokens, errors, 429s."""

    def __init__(
        self, summary: BulkSummary, limiter: AdaptiveLimiter | None, *, enabled: bool
    ) -> None:
        self._summary = summary
        self._limiter = limiter
        self._bar: Any = None
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:  # the bar is optional: pip install 'assemblyai-llm-gateway[bulk]'
            return
        self._bar = tqdm(total=summary.pending, unit="item", dynamic_ncols=True, smoothing=0.1)

    def advance(self) -> None:
        """One more item finished."""
        if self._bar is None:
            return
        postfix = {"tokens": f"{self._summary.tokens:,}", "errors": self._summary.failed}
        if self._limiter is not None:
            stats = self._limiter.stats()
            postfix["429s"] = stats.throttles
            postfix["in_flight"] = stats.in_flight
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
