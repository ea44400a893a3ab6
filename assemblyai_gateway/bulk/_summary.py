"""What a bulk run did: counts, usage by model, failures by error type, where results are."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BulkSummary", "ModelUsage"]


@dataclass
class ModelUsage:
    """Requests and tokens one model (the one that served the answer) used."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


@dataclass
class BulkSummary:
    """The running tally of a bulk run; final once the run returns.

    Attributes:
        output: The results file.
        total: Items in the input.
        skipped: Items that had already finished in an earlier run.
        succeeded: Items answered in this run.
        failed: Items that failed in this run (recorded in the file, retried on rerun).
        usage_by_model: Usage of this run's answers, by serving model.
        failures_by_type: This run's failures, by error class name.
        throttles: 429s and 503s the limiter heard during the run.
        elapsed: Seconds the run took.
        interrupted: Whether the run was stopped early (Ctrl-C, cancellation).
    """

    output: Path
    total: int = 0
    skipped: int = 0
    succeeded: int = 0
    failed: int = 0
    usage_by_model: dict[str, ModelUsage] = field(default_factory=dict)
    failures_by_type: Counter[str] = field(default_factory=Counter)
    throttles: int = 0
    elapsed: float = 0.0
    interrupted: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def pending(self) -> int:
        """Items neither finished before nor finished in this run."""
        return self.total - self.skipped - self.succeeded - self.failed

    @property
    def tokens(self) -> int:
        """Total tokens of this run's answers."""
        return sum(usage.total_tokens for usage in self.usage_by_model.values())

    def add(self, record: Mapping[str, Any]) -> None:
        """Count one written record."""
        with self._lock:
            if not record.get("ok"):
                self.failed += 1
                error = record.get("error") or {}
                self.failures_by_type[str(error.get("type", "Error"))] += 1
                return
            self.succeeded += 1
            model = str(record.get("model") or "unknown")
            usage = self.usage_by_model.setdefault(model, ModelUsage())
            usage.requests += int(record.get("calls") or 1)  # a task's record counts its calls
            counts = record.get("usage") or {}
            usage.input_tokens += int(counts.get("input_tokens") or 0)
            usage.output_tokens += int(counts.get("output_tokens") or 0)
            usage.total_tokens += int(counts.get("total_tokens") or 0)

    def render(self) -> str:
        """A short human-readable report.

        Example:
            >>> from pathlib import Path
            >>> summary = BulkSummary(Path("results.jsonl"), total=3, skipped=1)
            >>> summary.add({"ok": True, "model": "gpt-5", "usage": {"total_tokens": 7}})
            >>> summary.add({"ok": False, "error": {"type": "RateLimitError"}})
            >>> print(summary.render())  # doctest: +NORMALIZE_WHITESPACE
            Bulk run finished: 3 items, 1 answered now, 1 already done, 1 failed (0.0 s, 0
            throttled by the gateway).
            Usage by model:
              gpt-5: 1 requests, 0 input + 0 output = 7 tokens
            Failures by error type:
              RateLimitError: 1
            Results: results.jsonl (rerun the same command to retry failures and resume)
        """
        state = "stopped early" if self.interrupted else "finished"
        lines = [
            f"Bulk run {state}: {self.total} items, {self.succeeded} answered now, "
            f"{self.skipped} already done, {self.failed} failed"
            + (f", {self.pending} not run" if self.pending else "")
            + f" ({self.elapsed:.1f} s, {self.throttles} throttled by the gateway)."
        ]
        if self.usage_by_model:
            lines.append("Usage by model:")
            for model, usage in sorted(self.usage_by_model.items()):
                lines.append(
                    f"  {model}: {usage.requests} requests, {usage.input_tokens:,} input + "
                    f"{usage.output_tokens:,} output = {usage.total_tokens:,} tokens"
                )
        if self.failures_by_type:
            lines.append("Failures by error type:")
            for name, count in self.failures_by_type.most_common():
                lines.append(f"  {name}: {count}")
        lines.append(
            f"Results: {self.output} (rerun the same command to retry failures and resume)"
        )
        return "\n".join(lines)
