"""The output file, sync and async: bad inputs and outputs, one run at a time, pipes."""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from assemblyai_gateway import GatewayClient, bulk
from assemblyai_gateway.bulk import BulkJob, BulkRunner, BulkSummary
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from tests.support.bulk_cases import BAD_SETUPS, BadSetup, read_jsonl, write_jsonl
from tests.test_assemblyai_gateway.bulk.conftest import Run, client_on

JOB = BulkJob(model="gpt-4.1", prompt="Title for {{ topic }}")
DEADLINE = 60.0  # a bug fails the test instead of hanging it
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev are POSIX")


def items(count: int) -> list[dict[str, object]]:
    return [{"id": f"doc-{i}", "topic": f"topic {i}"} for i in range(count)]


def chat_requests(emulator: GatewayEmulator) -> int:
    return sum(1 for r in emulator.requests if r.path == "/v1/chat/completions")


def finish_within_deadline(call: Callable[[], Any]) -> Any:
    """``call()`` in a thread; fails the test if it has not returned by the deadline."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    assert not thread.is_alive(), "the run hung"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# ------------------------------------------------------------- unusable input/output


@pytest.mark.parametrize("setup", [case.param() for case in BAD_SETUPS])
def test_unusable_input_or_output_is_a_typed_error_before_anything_is_sent(
    gateway_emulator: GatewayEmulator,
    client: GatewayClient,
    run: Run,
    tmp_path: Path,
    setup: BadSetup,
) -> None:
    path, output = setup.apply(
        write_jsonl(tmp_path / "items.jsonl", items(3)), tmp_path / "r.jsonl"
    )
    existed = output.exists()
    error: type[Exception] = getattr(bulk, setup.error)
    with pytest.raises(error, match=setup.message):
        run(BulkRunner(JOB, client=client, progress=False), path, output)
    assert chat_requests(gateway_emulator) == 0
    assert output.exists() == existed


def test_a_record_cut_in_its_first_bytes_is_still_repaired(
    client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "r.jsonl"
    output.write_text('{"id": "doc-0", "ok": true}\n{"i', encoding="utf-8")  # disk full
    summary = run(BulkRunner(JOB, client=client, progress=False), items(2), output)
    assert (summary.skipped, summary.succeeded) == (1, 1)
    assert [r["id"] for r in read_jsonl(output)] == ["doc-0", "doc-1"]


def test_a_last_line_that_is_not_a_cut_record_is_never_truncated(
    client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "notes.txt"
    output.write_text('{"id": "a", "ok": true}\nmy own notes, no newline', encoding="utf-8")
    before = output.read_bytes()
    with pytest.raises(bulk.BulkOutputError, match=r"notes\.txt:2 is not a result record"):
        run(BulkRunner(JOB, client=client, progress=False), items(1), output)
    assert output.read_bytes() == before


# ------------------------------------------------------------------ one run at a time


def test_a_second_run_on_the_same_output_is_refused_while_the_first_holds_it(
    make_client: Any, run: Run, tmp_path: Path
) -> None:
    started, release = threading.Event(), threading.Event()

    def held(request: httpx.Request) -> Any:
        started.set()
        release.wait(DEADLINE)
        return completion_body("first")

    first_transport, second_transport = ScriptedTransport([held]), ScriptedTransport([{}])
    first = BulkRunner(JOB, client=make_client(first_transport), workers=1, progress=False)
    output = tmp_path / "r.jsonl"
    summaries: list[BulkSummary] = []
    thread = threading.Thread(target=lambda: summaries.append(first.run(items(3), output)))
    thread.start()
    try:
        assert started.wait(DEADLINE)
        second = BulkRunner(JOB, client=make_client(second_transport), progress=False)
        with pytest.raises(bulk.BulkOutputLockedError, match=f"another run is writing to {output}"):
            run(second, items(3), output)
    finally:
        release.set()
        thread.join(DEADLINE)
    assert second_transport.requests == []
    assert summaries[0].succeeded == 3
    assert Counter(r["id"] for r in read_jsonl(output)) == Counter(f"doc-{i}" for i in range(3))
    # The lock goes with the run: the next run resumes.
    assert run(second, items(3), output).skipped == 3


# --------------------------------------------------------------- pipes and devices


@posix_only
def test_output_to_a_pipe_runs_every_item_without_reading_the_pipe(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the reader is there first
    try:
        runner = BulkRunner(JOB, client=client, progress=False)
        summary = finish_within_deadline(lambda: run(runner, items(5), fifo))
        written = os.read(reader, 1 << 20).decode("utf-8")
    finally:
        os.close(reader)
    assert summary.succeeded == 5
    assert sorted(line[:14] for line in written.splitlines()) == [
        f'{{"id": "doc-{i}"' for i in range(5)
    ]
    assert fifo.exists()  # still a pipe: nothing truncated or replaced it


@posix_only
def test_input_from_a_pipe_is_read_once(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    fifo = tmp_path / "items.fifo"
    os.mkfifo(fifo)
    feeder = threading.Thread(target=write_jsonl, args=(fifo, items(4)), daemon=True)
    feeder.start()  # blocks until the run opens the pipe
    runner = BulkRunner(JOB, client=client, progress=False)
    summary = finish_within_deadline(lambda: run(runner, fifo, tmp_path / "r.jsonl"))
    feeder.join(DEADLINE)
    assert (summary.total, summary.succeeded) == (4, 4)
    assert chat_requests(gateway_emulator) == 4


@posix_only
def test_a_pipe_nobody_reads_is_a_clear_error_not_a_hang(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    runner = BulkRunner(JOB, client=client, progress=False)
    with pytest.raises(bulk.BulkOutputError, match="nothing is reading"):
        finish_within_deadline(lambda: run(runner, items(3), fifo))
    assert chat_requests(gateway_emulator) == 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_output_that_fails_mid_run_stops_the_run_with_a_typed_error(
    own_gateway: GatewayEmulator, run: Run
) -> None:
    runner = BulkRunner(JOB, client=client_on(own_gateway), workers=2, progress=False)
    with pytest.raises(bulk.BulkOutputError, match="No space left on device"):
        finish_within_deadline(lambda: run(runner, items(40), Path("/dev/full")))
    assert runner.summary is not None
    assert runner.summary.interrupted
    assert chat_requests(own_gateway) <= 2  # the items in flight, and no more
