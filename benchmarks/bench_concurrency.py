"""Concurrency: client CPU, fresh-pool bursts and memory at 1,000 concurrent calls.

A fast stand-in server (:mod:`benchmarks._fast_server`, asyncio protocols, canned answer)
runs in its own process, so it is not the bottleneck and its CPU is not ours. Every
client then runs in a fresh process of its own (:mod:`benchmarks._burst_client`): one
untimed call, then a burst of N calls started at once on a fresh instance (its pool opens
during the burst), then warm bursts of N on the same instance. Clients take turns, round
after round, within a time budget.

Reported per client: CPU time of the client process per call in the warm bursts (the
headline), the wall time of the fresh and the warm bursts, warm throughput and latency,
errors, the memory the fresh burst added to the process (peak RSS during the burst minus
RSS before it) and the sockets left open.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks._clients import CLIENTS, ClientSpec
from benchmarks._common import (
    BenchConfig,
    BenchResult,
    Measurement,
    Target,
    failure_note,
    median,
    percentile,
    ratio_target,
)
from benchmarks._process import REPO_ROOT, spawn_until_ready

__all__ = ["run", "start_server"]

BENCH = "concurrency"
_STARTUP_TIMEOUT_S = 20.0
_CHILD_SLACK_S = 60.0  # imports and the throw-away call, beyond the bursts' own budget


@dataclass
class _Server:
    base_url: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        """Close stdin (a clean stop); kill it by its pid if it lingers."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def start_server() -> _Server:
    """Start the stand-in server in its own process; stop it with ``.stop()``."""
    process, line = spawn_until_ready(["benchmarks._fast_server"], _STARTUP_TIMEOUT_S)
    parts = line.split()
    server = _Server(parts[2] if len(parts) == 3 else "", process)
    if len(parts) != 3 or parts[0] != "READY":
        server.stop()
        raise RuntimeError(f"the stand-in server did not start: {line or 'no READY line'}")
    return server


@dataclass
class _Client:
    spec: ClientSpec
    runs: list[dict[str, Any]] = field(default_factory=list)
    failure: str = ""


def _run_child(spec: ClientSpec, url: str, config: BenchConfig, budget: float) -> dict[str, Any]:
    """One fresh process for one client; its JSON report (``{"error": ...}`` on failure)."""
    bursts = 1 + config.concurrency_warm_bursts
    command = [
        sys.executable, "-m", "benchmarks._burst_client",
        "--client", spec.name, "--url", url,
        "--calls", str(config.concurrency),
        "--cold-calls", str(min(spec.cold_calls or config.concurrency, config.concurrency)),
        "--warm", str(config.concurrency_warm_bursts),
        "--timeout", str(config.request_timeout_s),
        "--budget", str(max(1.0, budget / bursts)),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=budget + _CHILD_SLACK_S,
            cwd=REPO_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"the client process took over {budget + _CHILD_SLACK_S:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return {"error": f"the client process failed: {last}"}
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def _run_rounds(config: BenchConfig, url: str, clients: list[_Client], result: BenchResult) -> None:
    deadline = time.perf_counter() + config.concurrency_budget_s
    last_round = 0.0
    for round_no in range(config.concurrency_rounds):
        # Whole rounds only, so every client gets the same number of runs.
        if round_no > 0 and deadline - time.perf_counter() < 1.1 * last_round:
            result.notes.append(f"ran {round_no} round(s): the next would exceed the budget")
            return
        started = time.perf_counter()
        for client in clients:
            if client.failure:
                continue
            report = _run_child(client.spec, url, config, config.request_timeout_s * 3)
            if "error" in report:
                client.failure = f"n/a ({report['error']})"
            else:
                client.runs.append(report)
        last_round = time.perf_counter() - started


def _sockets(run: dict[str, Any], key: str) -> int | None:
    value, baseline = run.get(key), run.get("baseline_sockets")
    return None if value is None or baseline is None else int(value) - int(baseline)


def _worst(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _measure(client: _Client) -> Measurement:
    spec = client.spec
    unit = "µs CPU/call"
    if not client.runs:
        return Measurement(BENCH, spec.name, spec.label, unit, None, client.failure or "n/a")
    warm = [burst for run in client.runs for burst in run["warm"]]
    colds = [run["cold"] for run in client.runs]
    cpu_per_call = [b["cpu_s"] / b["calls"] * 1e6 for b in warm]
    latencies = [lat * 1000.0 for b in warm for lat in b["latencies_s"]]
    errors: dict[str, int] = {}
    for burst in [*warm, *colds]:
        for kind, count in burst["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
    burst_rss = [
        (run["peak_kib"] - run["rss_before_kib"]) / 1024.0
        for run in client.runs
        if run.get("peak_kib") is not None and run.get("rss_before_kib") is not None
    ]
    peak_rss = [run["peak_kib"] / 1024.0 for run in client.runs if run.get("peak_kib")]
    return Measurement(
        BENCH,
        spec.name,
        spec.label,
        unit,
        median(cpu_per_call),
        client.failure,
        samples=cpu_per_call,
        extra={
            "calls": sum(b["calls"] for b in [*warm, *colds]),
            "cold_calls": colds[0]["calls"],
            "cold_burst_s": median([b["wall_s"] for b in colds]),
            "warm_burst_s": median([b["wall_s"] for b in warm]),
            "cold_cpu_us": median([b["cpu_s"] / b["calls"] * 1e6 for b in colds]),
            "calls_per_s": median([b["ok"] / b["wall_s"] for b in warm if b["wall_s"] > 0]),
            "p50_ms": percentile(latencies, 50) if latencies else None,
            "p99_ms": percentile(latencies, 99) if latencies else None,
            "errors": sum(errors.values()),
            "error_kinds": ", ".join(f"{k}={v}" for k, v in sorted(errors.items())) or "-",
            "burst_rss_mib": median(burst_rss) if burst_rss else None,
            "peak_rss_mib": median(peak_rss) if peak_rss else None,
            "open_after_calls": _worst([_sockets(r, "open_after_calls") for r in client.runs]),
            "open_after_loop": _worst([_sockets(r, "open_after_loop") for r in client.runs]),
        },
    )


def _targets(values: dict[str, Measurement]) -> list[Target]:
    def target(name: str, subject: str, refs: list[str], limit: float, **kw: Any) -> Target:
        return ratio_target(BENCH, name, values, subject, refs, limit, **kw)

    targets: list[Target] = []
    for ours, peer, label in [
        ("ours_langchain", "chatopenai", "LangChain"),
        ("ours_llamaindex", "openailike", "LlamaIndex"),
    ]:
        targets += [
            target(f"concurrency: ours ({label}) errors", f"{ours}:errors", [], 0,
                   comparison="equals_zero"),
            target(f"client CPU per call ({label}): ours / ChatOpenAI", ours, ["chatopenai"],
                   0.35),
            target(f"client CPU per call ({label}): ours / raw httpx", ours, ["raw_httpx"], 1.3),
            target(f"fresh burst ({label}): ours fresh / ours warm pool, client CPU",
                   f"{ours}:cold_cpu_us", [ours], 1.5),
            target(f"fresh burst ({label}): ours fresh / ours warm pool, wall time",
                   f"{ours}:cold_burst_s", [f"{ours}:warm_burst_s"], 1.5, informational=True),
            target(f"memory for the burst ({label}): ours / ChatOpenAI",
                   f"{ours}:burst_rss_mib", ["chatopenai:burst_rss_mib"], 0.5),
        ]  # fmt: skip
        if peer != "chatopenai":
            targets.append(
                target(f"client CPU per call ({label}): ours / OpenAILike", ours, [peer], 0.35,
                       informational=True)
            )  # fmt: skip
    targets += [
        target("concurrency: ours (LangChain) / ChatOpenAI warm throughput",
               "ours_langchain:calls_per_s", ["chatopenai:calls_per_s"], 2.0,
               comparison="min_ratio", informational=True),
        target("client CPU per call: core / raw httpx", "core", ["raw_httpx"], 1.0,
               informational=True),
        target("peak RSS of the whole process (LangChain): ours / ChatOpenAI",
               "ours_langchain:peak_rss_mib", ["chatopenai:peak_rss_mib"], 0.5,
               informational=True),
    ]  # fmt: skip
    return targets


def run(config: BenchConfig) -> BenchResult:
    """Client CPU per call, fresh vs warm bursts and burst memory, each client on its own.

    Args:
        config: ``concurrency`` calls per burst, ``concurrency_warm_bursts`` warm bursts
            after the fresh one, up to ``concurrency_rounds`` interleaved rounds within
            ``concurrency_budget_s``; ``request_timeout_s`` per call.
    """
    started = time.perf_counter()
    result = BenchResult(BENCH)
    clients = [_Client(spec) for spec in CLIENTS]
    server = start_server()
    try:
        _run_rounds(config, server.base_url, clients, result)
    except Exception as exc:  # keep what was measured; say what broke
        result.notes.append(failure_note(exc))
    finally:
        server.stop()
    result.measurements = [_measure(client) for client in clients]
    result.targets = _targets(result.by_name())
    result.notes.append(
        f"server: asyncio stand-in in its own process at {server.base_url}; every client in a "
        f"fresh process per run: one untimed call, a burst of {config.concurrency} calls "
        f"started at once on a fresh instance (the pool opens during it), then "
        f"{config.concurrency_warm_bursts} warm burst(s) of {config.concurrency}; up to "
        f"{config.concurrency_rounds} interleaved rounds within "
        f"{config.concurrency_budget_s:g} s. Value: the client process's CPU time "
        "(user + system) per call over the warm bursts, median over bursts. cold/warm_burst_s: "
        "wall time of the fresh and the warm bursts; burst_rss_mib: peak RSS during the "
        "fresh burst minus RSS before it (the memory of the calls in flight); peak_rss_mib: "
        "the whole process (interpreter and framework included). Open sockets: client-side "
        "ESTABLISHED to the server beyond those open before, after the calls and after the "
        "event loop closed. Peers: default_headers={'Authorization': key}, an "
        "httpx.AsyncClient with openai.DEFAULT_CONNECTION_LIMITS (1000 connections)."
    )
    raw = next((c for c in CLIENTS if c.name == "raw_httpx"), None)
    if raw is not None and raw.cold_calls:
        result.notes.append(
            f"raw httpx opens its pool with a {raw.cold_calls}-call burst: on one "
            "100-connection httpx pool a fresh 1,000-call burst takes ~15 s of CPU, which "
            "the budget cannot afford (see assemblyai_gateway/_transport/sharded_async_pool.py)."
        )
    result.seconds = time.perf_counter() - started
    return result
