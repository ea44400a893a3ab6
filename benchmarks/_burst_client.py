"""One client in its own process: a burst on a fresh model, then bursts on the warm pool.

``python -m benchmarks._burst_client --client NAME --url URL --calls N`` imports one
client (ours, a peer or raw httpx), makes one untimed call on a throw-away instance (so
lazy imports are paid before timing), builds a fresh instance and starts ``N`` calls at
once (``--cold-calls`` overrides N): the cold burst, which also opens the pool. Then
``--warm`` more bursts of ``N`` on the same instance. It prints one JSON line: wall and
CPU seconds of each burst, errors, warm latencies, the resident memory before and at the
peak of the cold burst, and the sockets still open after the calls and after the loop.

A fresh process per client keeps each one's CPU time and peak memory its own: nothing
another client imported or left behind is counted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks._clients import Builder, Call, builder_for

__all__ = ["BurstStats", "count_established", "main", "memory_kib", "run_bursts"]

BurstStats = dict[str, Any]


def count_established(port: int) -> int | None:
    """Client-side ESTABLISHED TCP sockets to ``port`` (from /proc/net/tcp{,6}).

    Returns:
        The count, or ``None`` when /proc is not available.
    """
    total = 0
    found = False
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(path).read_text().splitlines()[1:]
        except OSError:
            continue
        found = True
        for line in lines:
            fields = line.split()
            # fields: sl, local "ADDR:PORT", remote "ADDR:PORT", state ("01" = ESTABLISHED)
            if (
                len(fields) > 3
                and fields[3] == "01"
                and int(fields[2].rsplit(":", 1)[1], 16) == port
            ):
                total += 1
    return total if found else None


def memory_kib() -> tuple[int | None, int | None]:
    """``(resident, peak resident)`` of this process in KiB, from /proc (Linux only)."""
    rss = hwm = None
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    except OSError:
        return None, None
    return rss, hwm


def _reset_peak_memory() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0), so the next peak is this phase's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _answer_ok(result: Any) -> bool:
    if isinstance(result, str):
        return bool(result)
    message = getattr(result, "message", result)
    content = getattr(message, "content", None)
    return isinstance(content, str) and bool(content)


async def _burst(call: Call, calls: int, budget: float) -> dict[str, Any]:
    errors: dict[str, int] = {}
    latencies: list[float] = []
    clock = time.perf_counter

    async def one() -> None:
        start = clock()
        try:
            if not _answer_ok(await call()):
                raise ValueError("answer without text")
            latencies.append(clock() - start)
        except Exception as exc:  # every failure is counted, none ends the burst
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

    cpu = time.process_time()
    wall = time.perf_counter()
    tasks = [asyncio.ensure_future(one()) for _ in range(calls)]
    _, pending = await asyncio.wait(tasks, timeout=budget)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if pending:
        errors["BudgetExceeded"] = len(pending)
    return {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "calls": calls,
        "ok": len(latencies),
        "errors": errors,
        "latencies_s": latencies,
    }


async def run_bursts(
    build: Builder,
    url: str,
    *,
    calls: int,
    cold_calls: int,
    warm: int,
    call_timeout: float,
    budget: float,
) -> BurstStats:
    """The cold burst on a fresh instance, then ``warm`` bursts on its warm pool."""
    throwaway, close = build(url, call_timeout)
    if not _answer_ok(await asyncio.wait_for(throwaway(), call_timeout)):
        raise RuntimeError("the first answer had no text")
    await close()
    del throwaway, close
    port = httpx.URL(url).port or 80
    gc.collect()
    baseline = count_established(port)
    call, close = build(url, call_timeout)
    rss_before, _ = memory_kib()
    peak_reset = _reset_peak_memory()
    try:
        cold = await _burst(call, cold_calls, budget)
        _, peak = memory_kib()
        warm_bursts = [await _burst(call, calls, budget) for _ in range(warm)]
        open_after_calls = count_established(port)
    finally:
        await close()
    return {
        "cold": cold,
        "warm": warm_bursts,
        "rss_before_kib": rss_before,
        "peak_kib": peak if peak_reset else None,
        "baseline_sockets": baseline,
        "open_after_calls": open_after_calls,
    }


def main(argv: list[str] | None = None) -> int:
    """Child-process entry; prints one JSON line (``{"error": ...}`` when it cannot run)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--client", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--cold-calls", type=int, default=None)
    parser.add_argument("--warm", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--budget", type=float, default=40.0)
    args = parser.parse_args(argv)
    try:
        build = builder_for(args.client)
        stats = asyncio.run(
            run_bursts(
                build,
                args.url,
                calls=args.calls,
                cold_calls=args.cold_calls or args.calls,
                warm=args.warm,
                call_timeout=args.timeout,
                budget=args.budget,
            )
        )
        # Sockets our pools left open once their loop closed: leaked until a GC finds them.
        stats["open_after_loop"] = count_established(httpx.URL(args.url).port or 80)
    except Exception as exc:  # reported to the parent as an n/a reason
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}), flush=True)
        return 0
    print(json.dumps(stats), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
