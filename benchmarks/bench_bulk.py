"""Bulk jobs: N items against the emulator limited to a fixed rate, three ways.

Each setup gets a fresh emulator in a child process (its own GIL), limited to
``RATE_LIMIT_RPS`` requests per second with one second of burst, and runs every item
through one event loop:

* ours: :class:`~assemblyai_gateway.bulk.BulkRunner` with the default
  :class:`~assemblyai_gateway.AdaptiveLimiter` (64 workers, learned rate);
* LangChain ``abatch(max_concurrency=16)`` on our chat model without a limiter
  (it retries twice, honouring ``Retry-After``);
* LangChain with ``InMemoryRateLimiter`` at a rate guessed 25 % high (the real limit
  is rarely known per account; a low guess simply caps throughput at the guess).

The server counts what it answered and what it refused (429), so the numbers are the
server's, not the clients'. Throughput is items answered per second; "allowed" is
what the bucket let through over the same time (burst + rate x seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._common import (
    BENCH_API_KEY,
    BENCH_MODEL,
    BenchConfig,
    BenchResult,
    Measurement,
    Target,
    failure_note,
    ratio_target,
)
from benchmarks._process import spawn_until_ready

__all__ = ["RATE_LIMIT_RPS", "main", "run"]

BENCH = "bulk"
# Low enough that every client here (LangChain's loop included) could send faster on
# two shared cores, so the server's limit, not the client's CPU, is what binds.
RATE_LIMIT_RPS = 50.0
BATCH_CONCURRENCY = 16
_STARTUP_TIMEOUT_S = 30.0
_READY = "READY"
_STATS = "STATS"

# ----------------------------------------------------------------------------- server


def _serve(rps: float) -> int:
    """Child-process entry: a rate-limited emulator until stdin closes, then its counts."""
    from assemblyai_gateway.emulator import GatewayEmulator, RateLimit

    limit = RateLimit(requests_per_second=rps)
    with GatewayEmulator(api_key=BENCH_API_KEY, accept_any_model=True, rate_limit=limit) as em:
        print(f"{_READY} {em.base_url}", flush=True)
        sys.stdin.read()  # the parent closes our stdin when its setup is done
        answered = sum(1 for r in em.requests if r.status == 200)
        print(f"{_STATS} {answered} {em.rate_limited}", flush=True)
    return 0


@dataclass
class _Server:
    base_url: str
    process: subprocess.Popen[str]

    def stop(self) -> tuple[int, int]:
        """Stop the server; returns (answered, refused with 429)."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        line = self.process.stdout.readline().split()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process.stdout.close()
        if len(line) != 3 or line[0] != _STATS:
            raise RuntimeError("the emulator did not report its counts")
        return int(line[1]), int(line[2])


def _start_server(rps: float) -> _Server:
    process, line = spawn_until_ready(
        ["benchmarks.bench_bulk", "--serve", str(rps)],
        _STARTUP_TIMEOUT_S,
        stderr=subprocess.DEVNULL,
    )
    parts = line.split()
    if len(parts) != 2 or parts[0] != _READY:
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(f"the rate-limited emulator did not start ({line or 'no output'})")
    return _Server(parts[1], process)


# ----------------------------------------------------------------------------- setups

# One setup: (base_url, prompts) -> items answered.
Setup = Callable[[str, list[str]], Coroutine[Any, Any, int]]


def _prompts(count: int) -> list[str]:
    return [f"Summarise transcript {i} in one line." for i in range(count)]


async def _ours(base_url: str, prompts: list[str]) -> int:
    from assemblyai_gateway import AdaptiveLimiter, GatewayClient
    from assemblyai_gateway.bulk import BulkJob, BulkRunner

    client = GatewayClient(
        api_key=BENCH_API_KEY, base_url=base_url, limiter=AdaptiveLimiter(), max_retries=6
    )
    job = BulkJob(model=BENCH_MODEL, prompt="{{ text }}")
    items = [{"id": str(i), "text": text} for i, text in enumerate(prompts)]
    with tempfile.TemporaryDirectory() as folder:
        runner = BulkRunner(job, client=client, progress=False)
        summary = await runner.arun(items, Path(folder) / "results.jsonl")
    await client.aclose()
    return summary.succeeded


async def _langchain(base_url: str, prompts: list[str], rate_limiter: Any = None) -> int:
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway

    llm = ChatAssemblyAIGateway(
        model=BENCH_MODEL, api_key=BENCH_API_KEY, base_url=base_url, rate_limiter=rate_limiter
    )
    answers = await llm.abatch(
        list(prompts), config={"max_concurrency": BATCH_CONCURRENCY}, return_exceptions=True
    )
    await llm.aclose()
    return sum(1 for answer in answers if not isinstance(answer, BaseException))


def _guessed(factor: float) -> Setup:
    async def setup(base_url: str, prompts: list[str]) -> int:
        from langchain_core.rate_limiters import InMemoryRateLimiter

        limiter = InMemoryRateLimiter(
            requests_per_second=RATE_LIMIT_RPS * factor,
            check_every_n_seconds=0.005,
            max_bucket_size=1,
        )
        return await _langchain(base_url, prompts, rate_limiter=limiter)

    return setup


SETUPS: list[tuple[str, str, Setup]] = [
    ("ours", "ours: bulk runner + AdaptiveLimiter", _ours),
    ("langchain_batch", f"LangChain abatch(max_concurrency={BATCH_CONCURRENCY})", _langchain),
    (
        "langchain_rate_limiter",
        f"LangChain InMemoryRateLimiter, guessed {RATE_LIMIT_RPS * 1.25:g}/s (25 % high)",
        _guessed(1.25),
    ),
]


def _measure(name: str, label: str, setup: Setup, items: int) -> Measurement:
    server = _start_server(RATE_LIMIT_RPS)
    answered_by_client = 0
    started = time.perf_counter()
    try:
        answered_by_client = asyncio.run(setup(server.base_url, _prompts(items)))
    finally:
        seconds = time.perf_counter() - started
        answered, refused = server.stop()
    allowed = (RATE_LIMIT_RPS + RATE_LIMIT_RPS * seconds) / seconds  # 1 s burst + the rate
    requests = answered + refused
    return Measurement(
        BENCH,
        name,
        label,
        "items/s",
        answered_by_client / seconds,
        samples=[answered_by_client / seconds],
        extra={
            "allowed_pct": round(100 * answered_by_client / (allowed * seconds), 1),
            "requests": requests,
            "429s": refused,
            "429_pct": round(100 * refused / requests, 2) if requests else 0.0,
            "answered": answered_by_client,
            "lost": items - answered_by_client,
            "seconds": round(seconds, 1),
            "allowed_per_s": round(allowed, 1),
        },
    )


def run(config: BenchConfig) -> BenchResult:
    """Every setup on ``config.bulk_items`` items, each against a fresh limited emulator."""
    result = BenchResult(BENCH)
    started = time.perf_counter()
    for name, label, setup in SETUPS:
        try:
            result.measurements.append(_measure(name, label, setup, config.bulk_items))
        except Exception as exc:  # one broken setup must not lose the others' numbers
            result.measurements.append(
                Measurement(BENCH, name, label, "items/s", None, failure_note(exc))
            )
    ours = result.by_name()["ours"]
    label = f"server allows (1 s burst + {RATE_LIMIT_RPS:g}/s over ours' run)"
    if ours.value is not None:
        allowed = float(ours.extra["allowed_per_s"] or 0.0)
        ceiling = Measurement(BENCH, "server_allowed", label, "items/s", allowed, samples=[allowed])
    else:
        ceiling = Measurement(BENCH, "server_allowed", label, "items/s", None, ours.note)
    result.measurements.append(ceiling)
    values = result.by_name()
    result.targets = _targets(values)
    result.notes.append(
        f"{config.bulk_items} items per setup; emulator limited to {RATE_LIMIT_RPS:g} "
        "requests/s with 1 s of burst, in its own process; 429s and answers counted "
        "by the server"
    )
    result.seconds = time.perf_counter() - started
    return result


def _targets(values: dict[str, Measurement]) -> list[Target]:
    ours = values["ours"]
    throughput = ratio_target(
        BENCH, "bulk: ours vs the server's allowed throughput", values, "ours",
        ["server_allowed"], 0.9, comparison="min_ratio",
    )  # fmt: skip
    throttled = ratio_target(
        BENCH, "bulk: ours' requests answered 429", values, "ours:429s", ["ours:requests"], 0.02
    )
    lost = ratio_target(
        BENCH, "bulk: ours' items lost", values, "ours:lost", [], 0, comparison="equals_zero"
    )
    if throughput.ratio is not None:
        throughput.reason = (
            f"{throughput.ratio:.0%} of what the server allowed (>= 90 %): "
            f"{ours.value:.1f} items/s of {values['server_allowed'].value:.1f}"
        )
    if throttled.ratio is not None:
        throttled.reason = (
            f"{ours.extra['429s']} of {ours.extra['requests']} requests answered 429 "
            f"({throttled.ratio:.2%}, <= 2 %); {_peers(values)}"
        )
    if lost.ratio is not None:
        lost.reason = f"{lost.ratio:g} of the items lost"
    return [throughput, throttled, lost]


def _peers(values: dict[str, Measurement]) -> str:
    parts = []
    for name in ("langchain_batch", "langchain_rate_limiter"):
        row = values.get(name)
        if row is not None and row.value is not None:
            parts.append(
                f"{row.label}: {row.value:.1f} items/s, {row.extra['429s']} 429s, "
                f"{row.extra['lost']} lost"
            )
    return "; ".join(parts) or "peers not measured"


def main(argv: list[str] | None = None) -> int:
    """``--serve RPS``: the child-process server (used by :func:`run`)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_bulk")
    parser.add_argument("--serve", type=float, required=True, metavar="RPS")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return _serve(args.serve)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
