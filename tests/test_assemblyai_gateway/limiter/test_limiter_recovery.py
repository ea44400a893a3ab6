"""The limiter against the emulator's rate limit in simulated time: storms, restarts, bulk runs.

Each scenario runs on both paths from the same gateway fixture: the thread path's
decisions (:func:`~tests.support.limiter_sim.drive_threads`) and the asyncio path with the
real client (and, for bulk runs, the real bulk runner and its learned-rate file) on an
event loop whose time is the fake clock. Simulated seconds and counts of 429s are
asserted, never wall-clock time, so the numbers are the same on a loaded machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assemblyai_gateway import AdaptiveLimiter
from assemblyai_gateway.bulk import BulkJob, BulkRunner
from assemblyai_gateway.bulk._learned import LearnedRateFile
from tests.support.bulk_cases import read_jsonl
from tests.support.fake_clock import FakeClock
from tests.support.limiter_sim import (
    BucketGateway,
    Storm,
    drive_threads,
    recovery_seconds,
    run_virtual,
    simulated_client,
)

JOB = BulkJob(model="claude-sonnet-4-5-20250929", prompt="{{ text }}")
WORKERS = 64  # the bulk runner's default: the limiter's max_concurrency
LATENCIES = [0.005, 0.05]  # seconds per request, as the gateway adds them


@dataclass
class Scenario:
    """Send ``items`` through ``limiter`` to ``gateway``; stop at simulated ``until``."""

    limiter: AdaptiveLimiter
    gateway: BucketGateway
    clock: FakeClock
    latency: float
    items: int
    until: float | None = None


Drive = Callable[[Scenario], int]  # a scenario run one way; returns the items done


def _threads(run: Scenario) -> int:
    return drive_threads(
        run.limiter,
        run.gateway,
        run.clock,
        items=run.items,
        workers=WORKERS,
        latency=run.latency,
        until=run.until,
    )


def _tasks(run: Scenario) -> int:
    client = simulated_client(run.gateway, run.limiter, latency=run.latency)
    remaining = [run.items]
    done = [0]
    request = {"model": JOB.model, "messages": [{"role": "user", "content": "hi"}]}

    async def worker() -> None:
        while remaining[0] > 0 and (run.until is None or run.clock() < run.until):
            remaining[0] -= 1
            await client.acreate(request)
            done[0] += 1

    async def main() -> None:
        await asyncio.gather(*(worker() for _ in range(WORKERS)))

    run_virtual(main(), run.clock)
    return done[0]


@pytest.fixture(params=["threads", "asyncio"])
def drive(request: pytest.FixtureRequest) -> Drive:
    """Send items through a limiter to a gateway: the thread path or the asyncio path."""
    return _threads if request.param == "threads" else _tasks


def answered_per_second(gateway: BucketGateway, start: float, end: float) -> float:
    return sum(1 for at in gateway.answered if start <= at < end) / (end - start)


# ------------------------------------------------------------------------- storms


@pytest.mark.parametrize("latency", LATENCIES)
def test_the_rate_recovers_within_seconds_after_a_storm(drive: Drive, latency: float) -> None:
    # Two seconds of 429s with Retry-After: 1 at a gateway that allows 100 a second.
    clock = FakeClock(0.0)
    gateway = BucketGateway(clock, requests_per_second=100, storms=[Storm(15.0, 17.0)])
    limiter = AdaptiveLimiter(clock=clock)
    drive(Scenario(limiter, gateway, clock, latency, items=10**9, until=25.0))
    before = answered_per_second(gateway, 13.0, 15.0)
    assert before >= 85  # it had found the gateway's rate
    recovered = recovery_seconds(gateway.answered, after=17.0, target=0.9 * before)
    assert recovered is not None, "never back at 90 % of the rate before the storm"
    assert recovered <= 3.0  # simulated seconds after the storm ended
    assert answered_per_second(gateway, 20.0, 25.0) >= 0.9 * before


def test_the_reported_storm_at_469_a_second_recovers_in_seconds() -> None:
    # The outside report: 469/s, two seconds of 429s, then stuck at 1.3/s for good.
    clock = FakeClock(0.0)
    gateway = BucketGateway(clock, requests_per_second=469, storms=[Storm(20.0, 22.0)])
    limiter = AdaptiveLimiter(clock=clock)
    drive_threads(limiter, gateway, clock, items=10**9, workers=WORKERS, latency=0.01, until=30)
    before = answered_per_second(gateway, 18.0, 20.0)
    assert before >= 400
    recovered = recovery_seconds(gateway.answered, after=22.0, target=0.9 * before)
    assert recovered is not None
    assert recovered <= 3.0


# ------------------------------------------------------------- the outside check


@pytest.mark.parametrize("latency", LATENCIES)
def test_a_run_interrupted_once_and_resumed_gets_few_429s(
    drive: Drive, latency: float, tmp_path: Path
) -> None:
    # The outside check's shape: 300 items at 20 requests/s, interrupted once, resumed
    # with a fresh limiter that reads the learned rate beside the output. It saw 31
    # of 331 requests answered 429.
    clock = FakeClock(0.0)
    gateway = BucketGateway(clock, requests_per_second=20)
    output = tmp_path / "results.jsonl"
    first = AdaptiveLimiter(clock=clock)
    done = drive(Scenario(first, gateway, clock, latency, items=300, until=7.0))  # killed
    assert 0 < done < 300
    LearnedRateFile(output, first).save()
    clock.advance(2.0)  # the restart
    second = AdaptiveLimiter(clock=clock)
    assert LearnedRateFile(output, second).restore()
    assert drive(Scenario(second, gateway, clock, latency, items=300 - done)) == 300 - done
    assert gateway.refused / gateway.requests < 0.05, f"{gateway.refused} of {gateway.requests}"


@pytest.mark.parametrize("latency", LATENCIES)
def test_the_bulk_runner_resumes_from_its_learned_rate_file(latency: float, tmp_path: Path) -> None:
    # The same check through the real bulk runner: cancelled (Ctrl-C) after 150 answers,
    # then run again on the same output.
    clock = FakeClock(0.0)
    gateway = BucketGateway(clock, requests_per_second=20)
    output = tmp_path / "results.jsonl"
    items = [{"id": str(i), "text": f"transcript {i}"} for i in range(300)]

    async def interrupted() -> None:
        client = simulated_client(gateway, AdaptiveLimiter(clock=clock), latency=latency)
        run = asyncio.ensure_future(
            BulkRunner(JOB, client=client, progress=False).arun(items, output)
        )
        # Simulated time: looking every 10 ms costs nothing and keeps the gateway plain.
        while len(gateway.answered) < 150:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run

    run_virtual(interrupted(), clock)
    first_run_429s = gateway.refused
    assert first_run_429s / gateway.requests < 0.05  # the first seconds probe
    assert (tmp_path / "results.jsonl.limiter.json").is_file()
    clock.advance(2.0)
    limiter = AdaptiveLimiter(clock=clock)

    async def resumed() -> int:
        client = simulated_client(gateway, limiter, latency=latency)
        summary = await BulkRunner(JOB, client=client, progress=False).arun(items, output)
        return summary.succeeded + summary.skipped

    assert run_virtual(resumed(), clock) == 300
    assert gateway.refused / gateway.requests < 0.05, f"{gateway.refused} of {gateway.requests}"
    assert gateway.refused - first_run_429s <= 2  # the rerun started at the learned rate
    assert sorted({r["id"] for r in read_jsonl(output) if r["ok"]}, key=int) == [
        str(i) for i in range(300)
    ]


# ---------------------------------------------------------------- the benchmark


def test_two_thousand_items_at_fifty_a_second_get_under_two_percent_429s(drive: Drive) -> None:
    # bench_bulk's shape: 2,000 items, a gateway allowing 50 a second with 1 s of burst.
    clock = FakeClock(0.0)
    gateway = BucketGateway(clock, requests_per_second=50)
    assert drive(Scenario(AdaptiveLimiter(clock=clock), gateway, clock, 0.01, items=2000)) == 2000
    assert gateway.refused / gateway.requests < 0.02, f"{gateway.refused} of {gateway.requests}"
    allowed = 50 + 50 * clock()  # the burst and the refill over the run
    assert 2000 / allowed >= 0.9  # and it still used what the gateway allowed
