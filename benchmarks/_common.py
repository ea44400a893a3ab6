"""Shared plumbing: sizes, interleaved timing, medians, result rows and target ratios.

Every benchmark module exposes ``run(config) -> BenchResult``. A result holds
:class:`Measurement` rows (one number each, or an explicit n/a reason) and
:class:`Target` rows (a ratio of measurements from the same run, with PASS/FAIL).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "BENCH_API_KEY",
    "BENCH_MODEL",
    "STREAM_MODEL",
    "AsyncLoop",
    "BenchConfig",
    "BenchResult",
    "Case",
    "Measurement",
    "Runner",
    "Target",
    "canned_completion",
    "canned_completion_bytes",
    "failure_note",
    "interleave",
    "measure_cases",
    "median",
    "openai_like_class",
    "percentile",
    "ratio_target",
    "resolve",
    "sse_events",
    "sync_runner",
]

BENCH_MODEL = "claude-sonnet-4-5-20250929"
STREAM_MODEL = "gpt-5"  # the catalog marks it native SSE, so every client really streams
BENCH_API_KEY = "bench-key"

# A runner does ``n`` calls and returns the seconds they took. One shape for sync and
# async cases lets the interleaving loop treat them alike.
Runner = Callable[[int], float]


@dataclass(frozen=True)
class BenchConfig:
    """How big each benchmark is. ``full`` fits ``make bench`` in well under 5 minutes.

    Attributes:
        rounds: Interleaved rounds for the per-call and streaming benchmarks.
        calls: Calls per case per round (per-call overhead).
        warmup: Untimed calls per case before the first round.
        stream_iterations: Whole streams per case per round.
        stream_chunks: Chunks in the canned SSE body.
        tool_pieces: Pieces the streamed tool-call arguments arrive in.
        tool_pieces_small: The same stream, shorter: per-piece cost must not grow from
            this length to ``tool_pieces``.
        tool_rounds: Interleaved rounds of whole tool-call streams (and first-piece runs).
        first_piece_gap_s: Seconds between pieces in the first-piece benchmark.
        import_runs: Fresh interpreters per module.
        import_warmup: One untimed run per module first (writes ``.pyc`` files).
        concurrency: Concurrent ``ainvoke``/``achat`` calls per burst.
        concurrency_warm_bursts: Bursts on the warm pool after the fresh one, per run.
        concurrency_rounds: Interleaved runs per client (stops early near the budget).
        concurrency_budget_s: Wall-clock cap for the whole concurrency benchmark.
        request_timeout_s: Timeout of every single request in the concurrency benchmark.
        bulk_items: Items per setup in the bulk benchmark (rate-limited emulator).
        transcript_hours: Hours of synthetic calls the transcripts benchmark summarizes.
    """

    rounds: int = 7
    calls: int = 200
    warmup: int = 50
    stream_iterations: int = 3
    stream_chunks: int = 500
    tool_pieces: int = 4000
    tool_pieces_small: int = 500
    tool_rounds: int = 5
    first_piece_gap_s: float = 0.02
    import_runs: int = 4
    import_warmup: bool = True
    concurrency: int = 1000
    concurrency_warm_bursts: int = 1
    concurrency_rounds: int = 1
    concurrency_budget_s: float = 90.0
    request_timeout_s: float = 20.0
    bulk_items: int = 2000
    transcript_hours: float = 10.0

    @classmethod
    def full(cls) -> BenchConfig:
        """The default sizes (``make bench``)."""
        return cls()

    @classmethod
    def quick(cls) -> BenchConfig:
        """A fast smoke run (``--quick``): same shape, fewer samples."""
        return cls(
            rounds=3,
            calls=50,
            warmup=10,
            stream_iterations=1,
            tool_pieces=1000,
            tool_pieces_small=250,
            tool_rounds=2,
            import_runs=1,
            import_warmup=False,
            concurrency=100,
            concurrency_warm_bursts=1,
            concurrency_rounds=1,
            concurrency_budget_s=30.0,
            request_timeout_s=15.0,
            bulk_items=300,
            transcript_hours=10.0,
        )

    @classmethod
    def tiny(cls) -> BenchConfig:
        """The smallest run that still exercises every code path (used by the tests)."""
        return cls(
            rounds=1,
            calls=3,
            warmup=1,
            stream_iterations=1,
            stream_chunks=20,
            tool_pieces=40,
            tool_pieces_small=20,
            tool_rounds=1,
            first_piece_gap_s=0.005,
            import_runs=1,
            import_warmup=False,
            concurrency=50,
            concurrency_warm_bursts=1,
            concurrency_rounds=1,
            concurrency_budget_s=30.0,
            request_timeout_s=15.0,
            bulk_items=60,
            transcript_hours=1.5,
        )


@dataclass
class Measurement:
    """One row: a median value, or ``None`` with the reason in ``note``.

    Attributes:
        bench: The benchmark it belongs to (``overhead``, ``streaming``, ...).
        name: A stable machine name (``ours_langchain_invoke``).
        label: What a reader sees in the table.
        unit: ``µs/call``, ``µs/chunk``, ``ms``, ``calls/s``.
        value: The headline number (a median), or ``None`` when not measured.
        note: Why the value is missing, or context worth a footnote.
        samples: The per-round values the median came from.
        extra: Secondary numbers shown as extra columns (concurrency latencies...).
    """

    bench: str
    name: str
    label: str
    unit: str
    value: float | None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    extra: dict[str, float | int | str | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "bench": self.bench,
            "name": self.name,
            "label": self.label,
            "unit": self.unit,
            "value": self.value,
            "note": self.note,
            "samples": self.samples,
            "extra": self.extra,
        }


Comparison = Literal["max_ratio", "min_ratio", "equals_zero"]


@dataclass
class Target:
    """One goal row: ``ratio = subject / sum(references)`` compared with ``limit``.

    ``equals_zero`` targets have no reference; their ``ratio`` is the subject value.

    Attributes:
        bench: The benchmark it belongs to.
        name: What a reader sees (``per-call: LangChain invoke vs ChatOpenAI``).
        subject: The measurement name of ours.
        references: Measurement names whose values are summed into the denominator.
        limit: The bound the ratio must meet.
        comparison: ``max_ratio`` (ratio <= limit), ``min_ratio`` (>=), ``equals_zero``.
        ratio: The computed ratio, or ``None`` when an input is missing.
        passed: PASS/FAIL, or ``None`` for n/a.
        reason: Why it is n/a, or a short explanation.
        informational: Shown for context; not one of the issue's targets.
    """

    bench: str
    name: str
    subject: str
    references: list[str]
    limit: float
    comparison: Comparison = "max_ratio"
    ratio: float | None = None
    passed: bool | None = None
    reason: str = ""
    informational: bool = False

    @property
    def verdict(self) -> str:
        """``PASS``, ``FAIL``, ``info`` or ``n/a``."""
        if self.passed is None:
            return "n/a"
        if self.informational:
            return "info"
        return "PASS" if self.passed else "FAIL"

    @property
    def rule(self) -> str:
        """The bound as text, e.g. ``<= 0.35x``."""
        if self.comparison == "equals_zero":
            return "== 0"
        op = "<=" if self.comparison == "max_ratio" else ">="
        return f"{op} {self.limit:g}x"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "bench": self.bench,
            "name": self.name,
            "subject": self.subject,
            "references": self.references,
            "limit": self.limit,
            "comparison": self.comparison,
            "ratio": self.ratio,
            "passed": self.passed,
            "verdict": self.verdict,
            "reason": self.reason,
            "informational": self.informational,
        }


@dataclass
class BenchResult:
    """What one benchmark module returns."""

    bench: str
    measurements: list[Measurement] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def by_name(self) -> dict[str, Measurement]:
        """Measurements keyed by name."""
        return {m.name: m for m in self.measurements}


# ------------------------------------------------------------------------ statistics


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return float(statistics.median(values))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return float(ordered[rank - 1])


def resolve(values: Mapping[str, Measurement], ref: str) -> float | None:
    """The number a target refers to: ``name`` (the value) or ``name:key`` (an extra).

    Returns:
        The number, or ``None`` when the row is missing, n/a, or the extra is not numeric.
    """
    name, _, key = ref.partition(":")
    row = values.get(name)
    if row is None or row.value is None:
        return None
    if not key:
        return row.value
    extra = row.extra.get(key)
    return float(extra) if isinstance(extra, (int, float)) else None


def ratio_target(
    bench: str,
    name: str,
    values: Mapping[str, Measurement],
    subject: str,
    references: Sequence[str],
    limit: float,
    *,
    comparison: Comparison = "max_ratio",
    informational: bool = False,
) -> Target:
    """Build a :class:`Target` and compute its ratio from measurements of one run.

    ``subject`` and ``references`` name rows (``name``) or their extras (``name:key``).
    """
    target = Target(
        bench=bench,
        name=name,
        subject=subject,
        references=list(references),
        limit=limit,
        comparison=comparison,
        informational=informational,
    )
    refs = [subject, *references]
    missing = [r for r in refs if resolve(values, r) is None]
    if missing:
        rows = [values.get(r.partition(":")[0]) for r in missing]
        notes = {row.note for row in rows if row is not None and row.note}
        target.reason = "missing: " + ", ".join(missing)
        if notes:
            target.reason += " (" + "; ".join(sorted(notes)) + ")"
        return target
    subject_value = resolve(values, subject)
    assert subject_value is not None
    if comparison == "equals_zero":
        target.ratio = subject_value
        target.passed = subject_value == 0
        return target
    denominator = sum(resolve(values, r) or 0.0 for r in references)
    if denominator <= 0:
        target.reason = "reference is zero"
        return target
    target.ratio = subject_value / denominator
    if comparison == "max_ratio":
        target.passed = target.ratio <= limit
    else:
        target.passed = target.ratio >= limit
    return target


# --------------------------------------------------------------------------- timing


class AsyncLoop:
    """One private event loop for every async case of a benchmark.

    Async httpx clients bind to the loop that first uses them, so all async cases
    share this loop for the whole benchmark; :meth:`close` ends it.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def runner(self, call: Callable[[], Awaitable[object]]) -> Runner:
        """A :data:`Runner` that awaits ``call()`` n times, timed inside the loop."""

        async def batch(n: int) -> float:
            start = time.perf_counter()
            for _ in range(n):
                await call()
            return time.perf_counter() - start

        def run(n: int) -> float:
            return self.loop.run_until_complete(batch(n))

        return run

    def run(self, awaitable: Awaitable[Any]) -> Any:
        """Run one awaitable to completion on the loop (setup and teardown)."""

        async def wrap() -> Any:
            return await awaitable

        return self.loop.run_until_complete(wrap())

    def close(self) -> None:
        """Finish async generators and close the loop."""
        try:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        finally:
            self.loop.close()


def sync_runner(call: Callable[[], object]) -> Runner:
    """A :data:`Runner` that calls ``call()`` n times."""

    def run(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            call()
        return time.perf_counter() - start

    return run


def interleave(
    cases: Mapping[str, Runner], *, rounds: int, iterations: int, warmup: int
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Time every case in interleaved rounds (A, B, C, A, B, C, ...).

    Interleaving spreads machine noise (other tenants, CPU frequency) over all cases
    instead of letting it land on whichever case ran during the noisy second. A case
    that raises is dropped from later rounds and reported, not allowed to end the run.

    Returns:
        Seconds per iteration (one value per round) for each case that kept working,
        and an n/a reason for each case that raised.
    """
    failures: dict[str, str] = {}
    live = dict(cases)
    # Everything built so far (models, framework modules) is long-lived: freezing it
    # keeps the per-batch gc.collect() below cheap and the same for every case.
    gc.collect()
    gc.freeze()
    try:
        return _interleave(live, failures, rounds=rounds, iterations=iterations, warmup=warmup)
    finally:
        gc.unfreeze()


def _interleave(
    live: dict[str, Runner],
    failures: dict[str, str],
    *,
    rounds: int,
    iterations: int,
    warmup: int,
) -> tuple[dict[str, list[float]], dict[str, str]]:
    for name, run in list(live.items()):
        try:
            if warmup:
                run(warmup)
        except Exception as exc:  # a broken adapter must not stop the other rows
            failures[name] = failure_note(exc)
            del live[name]
    samples: dict[str, list[float]] = {name: [] for name in live}
    for _ in range(rounds):
        for name, run in list(live.items()):
            gc.collect()  # don't bill one case for the garbage of the previous one
            try:
                samples[name].append(run(iterations) / iterations)
            except Exception as exc:
                failures[name] = failure_note(exc)
                del live[name]
                del samples[name]
    return samples, failures


@dataclass
class Case:
    """One timed case: a runner, or ``None`` with the n/a reason in ``note``."""

    name: str
    label: str
    runner: Runner | None = None
    note: str = ""


def measure_cases(
    bench: str,
    cases: Sequence[Case],
    *,
    unit: str,
    scale: float,
    rounds: int,
    iterations: int,
    warmup: int,
) -> list[Measurement]:
    """Interleave the runnable cases and turn per-iteration seconds into rows.

    Args:
        bench: The benchmark name for the rows.
        cases: Every row to report, runnable or not (n/a rows keep their reason).
        unit: The unit of the reported value.
        scale: Multiplies seconds per iteration into ``unit`` (1e6 for µs/call).
        rounds: Interleaved rounds.
        iterations: Iterations per case per round.
        warmup: Untimed iterations per case first.
    """
    runnable = {c.name: c.runner for c in cases if c.runner is not None}
    samples, failures = interleave(runnable, rounds=rounds, iterations=iterations, warmup=warmup)
    rows: list[Measurement] = []
    for case in cases:
        if case.name in samples:
            values = [v * scale for v in samples[case.name]]
            rows.append(
                Measurement(bench, case.name, case.label, unit, median(values), case.note, values)
            )
        else:
            reason = failures.get(case.name) or case.note or "n/a (not measured)"
            rows.append(Measurement(bench, case.name, case.label, unit, None, reason))
    return rows


# ---------------------------------------------------------------------- canned bodies


def canned_completion(model: str = BENCH_MODEL) -> dict[str, Any]:
    """One completion valid for both the OpenAI SDK and our gateway parser."""
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello! How can I help you today?"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 9, "total_tokens": 18},
        "request_id": "9f2c6f1e-1d7a-4d8e-9a51-6b0f2a4c8e11",
        "http_status_code": 200,
        "response_time": 275_510_459,
        "llm_status_code": 200,
    }


def canned_completion_bytes(model: str = BENCH_MODEL) -> bytes:
    """:func:`canned_completion` serialised once, so the transport does no JSON work."""
    return json.dumps(canned_completion(model)).encode()


def sse_events(chunks: int, model: str = STREAM_MODEL) -> list[bytes]:
    """``chunks`` OpenAI ``chat.completion.chunk`` events, then ``data: [DONE]``.

    One ``bytes`` per event, as a server flushing each token would deliver them.
    """
    events: list[bytes] = []
    for i in range(chunks):
        delta: dict[str, Any] = {"content": f"tok{i} "}
        if i == 0:
            delta["role"] = "assistant"
        last = i == chunks - 1
        body = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "request_id": "9f2c6f1e-1d7a-4d8e-9a51-6b0f2a4c8e11",
            "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if last else None}],
        }
        events.append(b"data: " + json.dumps(body).encode() + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return events


# --------------------------------------------------------------------------- adapters


def openai_like_class() -> Any:
    """``llama_index.llms.openai_like.OpenAILike`` (the package ships no type hints)."""
    return importlib.import_module("llama_index.llms.openai_like").OpenAILike


def failure_note(exc: BaseException) -> str:
    """An n/a reason for a case that raised while being measured."""
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"n/a (failed: {type(exc).__name__}: {text})"
