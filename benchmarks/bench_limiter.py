"""The adaptive limiter against the rate-limited emulator: a storm, and a run resumed once.

Both parts run against the emulator in a child process (its own GIL), in real time:

* **Storm recovery.** 64 tasks send through one :class:`~assemblyai_gateway.AdaptiveLimiter`
  to an emulator allowing ``STORM_RPS`` requests a second. After a warm-up, the server
  answers every request 429 with ``Retry-After: 1`` for ``STORM_SECONDS`` seconds (its
  rate limit set to one that refuses everything), then goes back to its limit. The
  recovery time is the seconds from the storm's end until one second held 90 % of the
  answers per second before it. Before issue 18 the limiter never recovered: it fell to
  ``min_rate`` and crept back at about 0.03 requests/s per second.
* **The outside check.** The bulk runner sends 300 items to an emulator allowing 20
  requests a second, is interrupted (cancelled) after half of them, and a new runner
  with a fresh limiter resumes on the same output, reading the learned rate kept beside
  it. The server counts every request it answered and refused over both runs. The
  outside check saw 31 of 331 requests answered 429; the goal is under 5 %.

The simulated-time tests (``tests/test_assemblyai_gateway/limiter/test_limiter_recovery.py``)
check the same shapes deterministically; this benchmark shows them on a real server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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

__all__ = ["main", "run"]

BENCH = "limiter"
STORM_RPS = 100.0
STORM_SECONDS = 2.0
RESUME_RPS = 20.0
WORKERS = 64
_STARTUP_TIMEOUT_S = 30.0
_READY = "READY"
_STATS = "STATS"

# ----------------------------------------------------------------------------- server


def _serve(rps: float) -> int:
    """Child-process entry: a rate-limited emulator; ``storm``/``calm`` lines on stdin."""
    from assemblyai_gateway.emulator import GatewayEmulator, RateLimit

    limit = RateLimit(requests_per_second=rps)
    # A bucket that never holds a whole request: every answer is 429, Retry-After: 1.
    storm = RateLimit(requests_per_second=0.0001, burst=0.9999)
    with GatewayEmulator(api_key=BENCH_API_KEY, accept_any_model=True, rate_limit=limit) as em:
        print(f"{_READY} {em.base_url}", flush=True)
        for line in sys.stdin:
            em.rate_limit = storm if line.strip() == "storm" else limit
        answered = sum(1 for r in em.requests if r.status == 200)
        refused = sum(1 for r in em.requests if r.status == 429)
        print(f"{_STATS} {answered} {refused}", flush=True)
    return 0


@dataclass
class _Server:
    base_url: str
    process: subprocess.Popen[str]

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

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
        ["benchmarks.bench_limiter", "--serve", str(rps)],
        _STARTUP_TIMEOUT_S,
        stderr=subprocess.DEVNULL,
    )
    parts = line.split()
    if len(parts) != 2 or parts[0] != _READY:
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(f"the rate-limited emulator did not start ({line or 'no output'})")
    return _Server(parts[1], process)


# ------------------------------------------------------------------------- the storm


@dataclass(frozen=True)
class _Timeline:
    warmup: float  # seconds before the storm (the limiter finds the rate)
    after: float  # seconds watched after it


def _timeline(config: BenchConfig) -> _Timeline:
    # bulk_items says how big a run is: 2,000 (full), 300 (quick), 60 (tiny).
    if config.bulk_items >= 2000:
        return _Timeline(warmup=10.0, after=8.0)
    return _Timeline(6.0, 5.0) if config.bulk_items >= 300 else _Timeline(3.0, 3.0)


async def _send_through_storm(server: _Server, timeline: _Timeline) -> list[float]:
    """Answer times (seconds since the start) of 64 tasks sending through the storm."""
    from assemblyai_gateway import AdaptiveLimiter, GatewayClient
    from assemblyai_gateway.errors import APIError

    client = GatewayClient(
        api_key=BENCH_API_KEY, base_url=server.base_url, limiter=AdaptiveLimiter(), max_retries=6
    )
    request = {"model": BENCH_MODEL, "messages": [{"role": "user", "content": "hi"}]}
    started = time.monotonic()
    end = timeline.warmup + STORM_SECONDS + timeline.after
    answered: list[float] = []

    async def worker() -> None:
        while time.monotonic() - started < end:
            with contextlib.suppress(APIError):  # retries exhausted: the next one goes on
                await client.acreate(request)
                answered.append(time.monotonic() - started)

    async def weather() -> None:
        await asyncio.sleep(timeline.warmup)
        server.send("storm")
        await asyncio.sleep(STORM_SECONDS)
        server.send("calm")

    await asyncio.gather(weather(), *(worker() for _ in range(WORKERS)))
    await client.aclose()
    return answered


def _recovery(answered: list[float], after: float, target: float) -> float | None:
    """Seconds from ``after`` until a whole second held ``target`` answers."""
    times = sorted(t for t in answered if t >= after)
    first = 0
    for index, at in enumerate(times):
        while times[first] <= at - 1.0:
            first += 1
        if at - 1.0 >= after and index - first + 1 >= target:
            return at - after
    return None


def _storm_rows(config: BenchConfig) -> list[Measurement]:
    timeline = _timeline(config)
    server = _start_server(STORM_RPS)
    try:
        answered = asyncio.run(_send_through_storm(server, timeline))
    finally:
        server.stop()
    storm_end = timeline.warmup + STORM_SECONDS
    before = sum(1 for t in answered if timeline.warmup - 2 <= t < timeline.warmup) / 2
    settled = storm_end + 2.0
    after = sum(1 for t in answered if settled <= t < settled + 3) / 3
    # Before the storm the answers may include the bucket's burst: the steady rate is
    # at most what the server allows.
    steady = min(before, STORM_RPS)
    recovery = _recovery(answered, storm_end, 0.9 * steady)
    label = f"{STORM_SECONDS:g} s storm of 429s (Retry-After: 1): seconds until back at 90 %"
    rows = [
        Measurement(BENCH, "storm_allowed", "the server allows", "items/s", STORM_RPS,
                    samples=[STORM_RPS]),
        Measurement(BENCH, "storm_before", "answers/s in the 2 s before the storm", "items/s",
                    before, samples=[before]),
        Measurement(BENCH, "storm_after", "answers/s from 2 to 5 s after it", "items/s",
                    after, samples=[after]),
    ]  # fmt: skip
    if recovery is None:
        note = f"n/a (not back at 90 % of {steady:.0f}/s within {timeline.after:g} s)"
        rows.append(Measurement(BENCH, "storm_recovery", label, "s", None, note))
    else:
        rows.append(
            Measurement(BENCH, "storm_recovery", label, "s", recovery, samples=[recovery],
                        extra={"before_per_s": round(before, 1), "after_per_s": round(after, 1)})
        )  # fmt: skip
    return rows


# ------------------------------------------------------------------ the outside check


async def _bulk(base_url: str, items: list[dict[str, str]], output: Path, stop_after: int) -> int:
    """One bulk run on ``output``; cancelled once ``stop_after`` records were written."""
    from assemblyai_gateway import AdaptiveLimiter, GatewayClient
    from assemblyai_gateway.bulk import BulkJob, BulkRunner

    client = GatewayClient(
        api_key=BENCH_API_KEY, base_url=base_url, limiter=AdaptiveLimiter(), max_retries=6
    )
    job = BulkJob(model=BENCH_MODEL, prompt="{{ text }}")
    run = asyncio.ensure_future(BulkRunner(job, client=client, progress=False).arun(items, output))

    def records() -> int:
        with contextlib.suppress(OSError):
            return output.read_text(encoding="utf-8").count("\n")
        return 0

    while not run.done():
        if records() >= stop_after:
            run.cancel()
        await asyncio.sleep(0.05)
    with contextlib.suppress(asyncio.CancelledError):
        await run
    await client.aclose()
    return records()


def _resume_row(config: BenchConfig) -> Measurement:
    count = min(300, config.bulk_items)
    items = [{"id": str(i), "text": f"Summarise transcript {i}."} for i in range(count)]
    server = _start_server(RESUME_RPS)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "results.jsonl"
            interrupted_at = asyncio.run(_bulk(server.base_url, items, output, count // 2))
            done = asyncio.run(_bulk(server.base_url, items, output, count + 1))
    finally:
        seconds = time.perf_counter() - started
        answered, refused = server.stop()
    requests = answered + refused
    share = 100 * refused / requests if requests else 0.0
    label = f"{count} items at {RESUME_RPS:g}/s, interrupted once and resumed: % answered 429"
    return Measurement(
        BENCH, "resumed_run", label, "%", share, samples=[share],
        extra={"requests": requests, "429s": refused, "interrupted_at": interrupted_at,
               "records": done, "seconds": round(seconds, 1)},
    )  # fmt: skip


# ---------------------------------------------------------------------------- running


def run(config: BenchConfig) -> BenchResult:
    """The storm, then the interrupted and resumed bulk run, each on a fresh emulator."""
    result = BenchResult(BENCH)
    started = time.perf_counter()
    try:
        result.measurements += _storm_rows(config)
    except Exception as exc:  # one broken part must not lose the other's numbers
        for name in ("storm_allowed", "storm_before", "storm_after", "storm_recovery"):
            result.measurements.append(Measurement(BENCH, name, name, "s", None, failure_note(exc)))
    try:
        result.measurements.append(_resume_row(config))
    except Exception as exc:
        result.measurements.append(
            Measurement(BENCH, "resumed_run", "resumed run", "%", None, failure_note(exc))
        )
    result.targets = _targets(result.by_name())
    result.notes.append(
        f"emulator in its own process; storm: {WORKERS} tasks, {STORM_RPS:g}/s allowed, "
        f"{STORM_SECONDS:g} s of 429s; resumed run: {RESUME_RPS:g}/s allowed, 429s "
        "counted by the server over both runs"
    )
    result.seconds = time.perf_counter() - started
    return result


def _targets(values: dict[str, Measurement]) -> list[Target]:
    recovered = ratio_target(
        BENCH, "limiter: answers/s 2 to 5 s after a storm vs what the server allows",
        values, "storm_after", ["storm_allowed"], 0.9, comparison="min_ratio",
    )  # fmt: skip
    recovery = values["storm_recovery"]
    if recovered.ratio is not None:
        back = "never" if recovery.value is None else f"{recovery.value:.1f} s after it ended"
        recovered.reason = (
            f"{recovered.ratio:.0%} of the server's {STORM_RPS:g}/s (>= 90 %); one second "
            f"held 90 % of the steady rate before the storm {back}"
        )
    throttled = ratio_target(
        BENCH, "limiter: 429s of a run interrupted once and resumed", values,
        "resumed_run:429s", ["resumed_run:requests"], 0.05,
    )  # fmt: skip
    if throttled.ratio is not None:
        row = values["resumed_run"].extra
        throttled.reason = (
            f"{row['429s']} of {row['requests']} requests answered 429 "
            f"({throttled.ratio:.1%}, < 5 %; the outside check saw 31 of 331)"
        )
    return [recovered, throttled]


def main(argv: list[str] | None = None) -> int:
    """``--serve RPS``: the child-process server (used by :func:`run`)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_limiter")
    parser.add_argument("--serve", type=float, required=True, metavar="RPS")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return _serve(args.serve)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
