"""What a bulk run did: counts, usage by model, failures by error type, where results are."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._wire.types import Usage

__all__ = ["BulkSummary", "ModelUsage"]


@dataclass
class ModelUsage:
    """Requests and tokens one model (the one that served the answer) used.

    The cache and reasoning counts are parts of the input and output counts (as the
    gateway reports them), never added to them: ``total_tokens`` counts each token once.
    """

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    reasoning_tokens: int = 0

    def add(self, usage: Usage, requests: int = 1) -> None:
        """Count one answer's usage (made of ``requests`` calls)."""
        self.requests += requests
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.total_tokens += usage.total_tokens
        self.cache_read_tokens += usage.cache_read_tokens
        self.cache_creation_tokens += usage.cache_creation_tokens
        self.reasoning_tokens += usage.reasoning_tokens

    def describe(self) -> str:
        """``1,200 input (1,000 cache read) + 300 output (120 reasoning) = 1,500 tokens``."""
        cache = [
            f"{count:,} {name}"
            for count, name in (
                (self.cache_read_tokens, "cache read"),
                (self.cache_creation_tokens, "cache write"),
            )
            if count
        ]
        inputs = f"{self.input_tokens:,} input" + (f" ({', '.join(cache)})" if cache else "")
        outputs = f"{self.output_tokens:,} output" + (
            f" ({self.reasoning_tokens:,} reasoning)" if self.reasoning_tokens else ""
        )
        return f"{inputs} + {outputs} = {self.total_tokens:,} tokens"


def _usage(counts: object) -> Usage:
    """A record's usage (the core's ``Usage``, dumped); an unreadable one counts nothing."""
    try:
        return Usage.model_validate(counts if isinstance(counts, Mapping) else {})
    except ValidationError:
        return Usage()


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
            # A task's record counts every call it made; a bulk answer is one request.
            calls = record.get("calls")
            self.usage_by_model.setdefault(model, ModelUsage()).add(
                _usage(record.get("usage")), requests=calls if isinstance(calls, int) else 1
            )

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
                lines.append(f"  {model}: {usage.requests} requests, {usage.describe()}")
        if self.failures_by_type:
            lines.append("Failures by error type:")
            for name, count in self.failures_by_type.most_common():
                lines.append(f"  {name}: {count}")
        lines.append(
            f"Results: {self.output} (rerun the same command to retry failures and resume)"
        )
        return "\n".join(lines)
