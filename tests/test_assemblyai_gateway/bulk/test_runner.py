"""The bulk runner against the emulator, sync and async: results, errors, resume, faults."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest

from assemblyai_gateway import AdaptiveLimiter, ConfigurationError, GatewayClient
from assemblyai_gateway.bulk import BulkInputError, BulkJob, BulkRunner, load_items
from assemblyai_gateway.emulator import Fault, GatewayEmulator, RateLimit
from tests.support.bulk_cases import read_jsonl, write_jsonl
from tests.test_assemblyai_gateway.bulk.conftest import Run

MODEL = "claude-sonnet-4-5-20250929"
JOB = BulkJob(model=MODEL, prompt="Title for {{ topic }}")


def items(count: int) -> list[dict[str, object]]:
    return [{"id": f"doc-{i}", "topic": f"topic {i}"} for i in range(count)]


def chat_requests(emulator: GatewayEmulator) -> int:
    return sum(1 for r in emulator.requests if r.path == "/v1/chat/completions")


def test_every_item_gets_one_record_with_its_answer_and_usage(
    client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "out" / "results.jsonl"  # the folder is created
    summary = run(BulkRunner(JOB, client=client, progress=False), items(12), output)
    records = read_jsonl(output)
    assert sorted(r["id"] for r in records) == sorted(f"doc-{i}" for i in range(12))
    first = next(r for r in records if r["id"] == "doc-3")
    assert first["ok"] is True
    assert first["output"] == 'Emulated answer to: "Title for topic 3"'
    assert first["model"] == MODEL
    assert first["usage"]["total_tokens"] > 0
    assert first["request_id"]
    assert (summary.total, summary.succeeded, summary.failed, summary.skipped) == (12, 12, 0, 0)
    usage = summary.usage_by_model[MODEL]
    assert usage.requests == 12
    assert usage.total_tokens == sum(r["usage"]["total_tokens"] for r in records)
    assert str(output) in summary.render()


def test_failed_items_are_recorded_and_the_run_goes_on(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    gateway_emulator.inject(Fault.status(400, "bad item"), times=2)
    rows = [*items(6), {"id": "no-topic"}]
    summary = run(BulkRunner(JOB, client=client, progress=False), rows, tmp_path / "r.jsonl")
    records = read_jsonl(tmp_path / "r.jsonl")
    failures = Counter(r["error"]["type"] for r in records if not r["ok"])
    assert failures == {"BadRequestError": 2, "TemplateError": 1}
    assert sum(r["ok"] for r in records) == 4
    bad = next(r for r in records if not r["ok"] and r["error"]["type"] == "BadRequestError")
    assert bad["error"]["status_code"] == 400
    assert summary.failures_by_type == failures
    assert chat_requests(gateway_emulator) == 6  # the template error sent nothing


def test_a_rerun_skips_finished_items_and_retries_the_failed(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "r.jsonl"
    gateway_emulator.inject(Fault.status(400, "bad item"), times=3)
    run(BulkRunner(JOB, client=client, progress=False), items(10), output)
    gateway_emulator.reset()
    summary = run(BulkRunner(JOB, client=client, progress=False), items(10), output)
    assert chat_requests(gateway_emulator) == 3
    assert (summary.skipped, summary.succeeded, summary.failed) == (7, 3, 0)
    last = {r["id"]: r["ok"] for r in read_jsonl(output)}  # the last line per id wins
    assert all(last.values())
    assert len(last) == 10


def test_skip_failed_leaves_failed_items_alone(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "r.jsonl"
    gateway_emulator.inject(Fault.status(400, "bad item"), times=2)
    run(BulkRunner(JOB, client=client, progress=False), items(5), output)
    gateway_emulator.reset()
    runner = BulkRunner(JOB, client=client, progress=False, retry_failed=False)
    summary = run(runner, items(5), output)
    assert chat_requests(gateway_emulator) == 0
    assert summary.skipped == 5


def test_a_line_cut_short_by_a_kill_is_dropped_and_its_item_rerun(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "r.jsonl"
    run(BulkRunner(JOB, client=client, progress=False), items(3), output)
    records = read_jsonl(output)
    kept, cut = records[:2], records[2]
    text = "".join(json.dumps(r) + "\n" for r in kept)
    output.write_text(text + '{"id": "' + cut["id"] + '", "ok": tr', encoding="utf-8")
    gateway_emulator.reset()
    summary = run(BulkRunner(JOB, client=client, progress=False), items(3), output)
    assert (summary.skipped, summary.succeeded) == (2, 1)
    assert sorted(r["id"] for r in read_jsonl(output)) == sorted(r["id"] for r in records)


@pytest.mark.slow
def test_throttles_and_dropped_connections_are_retried_without_losing_items(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    gateway_emulator.inject(Fault.rate_limit(retry_after_ms=20), times=3)
    gateway_emulator.inject(Fault.drop_connection())
    gateway_emulator.inject(Fault.status(503, "overloaded"))
    summary = run(BulkRunner(JOB, client=client, progress=False), items(8), tmp_path / "r.jsonl")
    assert (summary.succeeded, summary.failed) == (8, 0)
    assert summary.throttles == 4  # three 429s and a 503
    assert client.limiter is not None
    assert client.limiter.stats().in_flight == 0


def test_nothing_is_lost_against_a_rate_limited_gateway(
    gateway_emulator: GatewayEmulator, run: Run, tmp_path: Path
) -> None:
    gateway_emulator.rate_limit = RateLimit(requests_per_second=40, burst=5)
    client = GatewayClient(
        api_key=gateway_emulator.api_key,
        base_url=gateway_emulator.base_url,
        limiter=AdaptiveLimiter(max_concurrency=16),
        max_retries=8,
    )
    summary = run(BulkRunner(JOB, client=client, progress=False), items(60), tmp_path / "r.jsonl")
    assert (summary.succeeded, summary.failed) == (60, 0)
    assert summary.throttles == gateway_emulator.rate_limited
    assert len(read_jsonl(tmp_path / "r.jsonl")) == 60


def test_each_item_sends_its_transcript_id_for_the_gateway_to_fill(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    gateway_emulator.transcripts.update({"tr_1": "Ana: ship Friday.", "tr_2": "Bo: hold."})
    job = BulkJob(model=MODEL, prompt="Summarise: {{ transcript }}")
    rows = [{"transcript_id": "tr_1"}, {"transcript_id": "tr_2"}]
    run(BulkRunner(job, client=client, progress=False), rows, tmp_path / "r.jsonl")
    outputs = {r["id"]: r["output"] for r in read_jsonl(tmp_path / "r.jsonl")}
    assert outputs == {
        "tr_1": 'Emulated answer to: "Summarise: Ana: ship Friday."',
        "tr_2": 'Emulated answer to: "Summarise: Bo: hold."',
    }
    sent = [r.json for r in gateway_emulator.requests]
    assert sorted(body["transcript_id"] for body in sent if body) == ["tr_1", "tr_2"]


def test_a_schema_asks_for_structured_output_and_stores_it_parsed(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    schema = {
        "title": "Summary",
        "type": "object",
        "properties": {"title": {"type": "string"}, "count": {"type": "integer"}},
        "required": ["title", "count"],
        "additionalProperties": False,
    }
    job = BulkJob(model=MODEL, prompt="Summarise {{ topic }}", schema=schema, max_tokens=200)
    run(BulkRunner(job, client=client, progress=False), items(2), tmp_path / "r.jsonl")
    for record in read_jsonl(tmp_path / "r.jsonl"):
        assert set(record["output"]) == {"title", "count"}
        assert isinstance(record["output"]["count"], int)
    body = gateway_emulator.requests[0].json
    assert body is not None
    assert body["response_format"]["json_schema"]["name"] == "Summary"
    assert body["max_tokens"] == 200


def test_an_answer_that_is_not_json_fails_its_item(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    gateway_emulator.inject(Fault.broken_json_content())
    job = BulkJob(model=MODEL, prompt="{{ topic }}", schema={"type": "object"})
    summary = run(BulkRunner(job, client=client, progress=False), items(1), tmp_path / "r.jsonl")
    assert summary.failures_by_type == {"ResponseValidationError": 1}


def test_the_progress_bar_counts_items_tokens_and_errors(
    gateway_emulator: GatewayEmulator,
    client: GatewayClient,
    run: Run,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gateway_emulator.inject(Fault.status(400, "bad"))
    run(BulkRunner(JOB, client=client, progress=True), items(4), tmp_path / "r.jsonl")
    bar = capsys.readouterr().err
    assert "4/4" in bar
    assert "errors=1" in bar
    assert "tokens=" in bar


def test_bad_input_is_refused_before_anything_is_sent(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    dupes = write_jsonl(tmp_path / "dupes.jsonl", [{"id": 1}, {"id": "1"}])
    with pytest.raises(BulkInputError, match="share the id '1'"):
        run(BulkRunner(JOB, client=client, progress=False), dupes, tmp_path / "r.jsonl")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": 1}\n\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(BulkInputError, match=r"broken.jsonl:3: an item must be a JSON object"):
        load_items(broken)
    assert chat_requests(gateway_emulator) == 0


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"model": "", "prompt": "p"}, "model"),
        ({"model": MODEL, "prompt": "  "}, "prompt"),
        ({"model": MODEL, "prompt": "p", "request_fields": {"messages": []}}, "messages"),
    ],
)
def test_impossible_jobs_are_refused(settings: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        BulkJob(**settings)  # type: ignore[arg-type]


def test_the_caller_items_are_not_mutated(client: GatewayClient, run: Run, tmp_path: Path) -> None:
    rows = items(2)
    snapshot = [dict(row) for row in rows]
    run(BulkRunner(JOB, client=client, progress=False), rows, tmp_path / "r.jsonl")
    assert rows == snapshot


class _InterruptingClient:
    """A stand-in client: answers through the real one, then Ctrl-C on the third call."""

    def __init__(self, client: GatewayClient) -> None:
        self._client = client
        self.limiter = client.limiter
        self.calls = 0

    def create(self, request: dict[str, object]) -> object:
        self.calls += 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return self._client.create(request)


def test_ctrl_c_in_a_sync_run_keeps_what_was_written(client: GatewayClient, tmp_path: Path) -> None:
    output = tmp_path / "r.jsonl"
    interrupting = _InterruptingClient(client)
    runner = BulkRunner(JOB, client=interrupting, workers=1, progress=False)  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        runner.run(items(6), output)
    assert runner.summary is not None
    assert runner.summary.interrupted
    assert [r["id"] for r in read_jsonl(output)] == ["doc-0", "doc-1"]
    assert "stopped early" in runner.summary.render()
    summary = BulkRunner(JOB, client=client, progress=False).run(items(6), output)
    assert (summary.skipped, summary.succeeded) == (2, 4)


async def test_cancelling_an_async_run_keeps_what_was_written(tmp_path: Path) -> None:
    output = tmp_path / "r.jsonl"
    # A gateway of the test's own that answers the first request only when it stops, after
    # the test: the run cannot end before it is cancelled, however slow the machine.
    with GatewayEmulator() as held:
        held.inject(Fault.delay(3600), times=1)
        client = GatewayClient(api_key=held.api_key, base_url=held.base_url)
        runner = BulkRunner(JOB, client=client, workers=2, progress=False)
        task = asyncio.create_task(runner.arun(items(6), output))

        async def three_records() -> None:
            # The file is written by the run's tasks; polling it is the simplest check.
            while not output.exists() or output.read_text(encoding="utf-8").count("\n") < 3:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

        await asyncio.wait_for(three_records(), 60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()
    assert runner.summary is not None
    assert runner.summary.interrupted
    written = read_jsonl(output)
    assert len(written) >= 3
    assert all(r["ok"] for r in written)
