"""The learned rate kept beside a bulk run's output: written as the run goes, read on rerun."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assemblyai_gateway import AdaptiveLimiter, GatewayClient
from assemblyai_gateway.bulk import BulkJob, BulkRunner
from assemblyai_gateway.bulk._learned import SAVE_EVERY, LearnedRateFile
from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.fake_clock import FakeClock
from tests.test_assemblyai_gateway.bulk.conftest import Run

JOB = BulkJob(model="claude-sonnet-4-5-20250929", prompt="Title for {{ topic }}")
ITEMS = [{"id": f"doc-{i}", "topic": f"topic {i}"} for i in range(6)]
FAST = 1000.0  # a learned rate that never holds the tests up


def client_with(emulator: GatewayEmulator, limiter: AdaptiveLimiter) -> GatewayClient:
    return GatewayClient(
        api_key=emulator.api_key, base_url=emulator.base_url, limiter=limiter, max_retries=4
    )


def state_file(output: Path) -> Path:
    return output.with_name(output.name + ".limiter.json")


def test_a_rerun_starts_from_the_rate_the_last_run_learned(
    gateway_emulator: GatewayEmulator, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "results.jsonl"
    learned = AdaptiveLimiter(requests_per_second=FAST, initial_concurrency=5)
    run(
        BulkRunner(JOB, client=client_with(gateway_emulator, learned), progress=False),
        ITEMS,
        output,
    )
    saved = json.loads(state_file(output).read_text(encoding="utf-8"))
    assert saved["version"] == 1
    assert saved["learned_rate"] >= FAST  # it grew while the run went well
    assert saved["concurrency"] == learned.stats().concurrency

    fresh = AdaptiveLimiter()
    assert fresh.stats().learned_rate is None
    summary = run(
        BulkRunner(JOB, client=client_with(gateway_emulator, fresh), progress=False), ITEMS, output
    )
    assert summary.skipped == len(ITEMS)
    stats = fresh.stats()
    assert stats.learned_rate == pytest.approx(saved["learned_rate"])
    assert stats.concurrency == saved["concurrency"]


def test_a_run_that_learned_nothing_writes_no_state(
    gateway_emulator: GatewayEmulator, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "results.jsonl"
    limiter = AdaptiveLimiter(min_rate=FAST)  # probing; never throttled
    run(
        BulkRunner(JOB, client=client_with(gateway_emulator, limiter), progress=False),
        ITEMS,
        output,
    )
    assert output.is_file()
    assert not state_file(output).exists()


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"version": 99, "learned_rate": 5}',
        '{"version": 1, "learned_rate": "fast"}',
        '{"version": 1, "learned_rate": -1}',
        '{"version": 1, "learned_rate": 1e999}',
        '{"version": 1, "learned_rate": true}',
        '{"version": 1, "learned_rate": 5, "concurrency": 1.5}' + " " * 5000,
    ],
)
def test_an_unusable_state_file_is_ignored(
    gateway_emulator: GatewayEmulator, run: Run, tmp_path: Path, content: str
) -> None:
    output = tmp_path / "results.jsonl"
    state_file(output).write_text(content, encoding="utf-8")
    limiter = AdaptiveLimiter(min_rate=FAST)
    summary = run(
        BulkRunner(JOB, client=client_with(gateway_emulator, limiter), progress=False),
        ITEMS,
        output,
    )
    assert summary.succeeded == len(ITEMS)
    assert limiter.stats().learned_rate is None


def test_a_bad_concurrency_in_the_state_keeps_the_rate_only(tmp_path: Path) -> None:
    output = tmp_path / "results.jsonl"
    state_file(output).write_text('{"version": 1, "learned_rate": 7.5, "concurrency": 0}')
    limiter = AdaptiveLimiter(initial_concurrency=3)
    assert LearnedRateFile(output, limiter).restore()
    stats = limiter.stats()
    assert (stats.learned_rate, stats.concurrency) == (7.5, 3)


def test_a_limiter_already_throttled_keeps_what_it_learned(tmp_path: Path) -> None:
    output = tmp_path / "results.jsonl"
    state_file(output).write_text('{"version": 1, "learned_rate": 500, "concurrency": 9}')
    limiter = AdaptiveLimiter(clock=FakeClock())
    permit = limiter.acquire()
    assert permit is not None
    permit.throttled(retry_after=0)
    assert not LearnedRateFile(output, limiter).restore()
    assert limiter.stats().learned_rate != 500


def test_output_that_is_not_a_regular_file_gets_no_state_file(
    gateway_emulator: GatewayEmulator, run: Run, tmp_path: Path
) -> None:
    learned = AdaptiveLimiter(requests_per_second=FAST, initial_concurrency=5)
    run(
        BulkRunner(JOB, client=client_with(gateway_emulator, learned), progress=False),
        ITEMS,
        Path(os.devnull),
    )
    assert learned.stats().learned_rate is not None  # there was something to save
    assert not state_file(Path(os.devnull)).exists()
    off = LearnedRateFile(None, learned)
    assert off.path is None
    off.save()
    assert not off.restore()


def test_the_state_is_saved_every_few_seconds_while_the_run_goes(tmp_path: Path) -> None:
    clock = FakeClock()
    limiter = AdaptiveLimiter(requests_per_second=5, clock=clock)
    learned = LearnedRateFile(tmp_path / "results.jsonl", limiter, clock=clock)
    assert learned.path is not None
    learned.tick()  # the first tick saves
    assert json.loads(learned.path.read_text())["learned_rate"] == 5
    limiter.resume_from(8)
    clock.advance(SAVE_EVERY / 2)
    learned.tick()
    assert json.loads(learned.path.read_text())["learned_rate"] == 5  # not yet
    clock.advance(SAVE_EVERY / 2)
    learned.tick()
    assert json.loads(learned.path.read_text())["learned_rate"] == 8
    assert [p.name for p in tmp_path.iterdir()] == ["results.jsonl.limiter.json"]


def test_a_state_file_that_cannot_be_written_never_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "replace", refuse)
    learned = LearnedRateFile(tmp_path / "r.jsonl", AdaptiveLimiter(requests_per_second=5))
    learned.save()
    assert "could not save the learned rate" in caplog.text
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind
