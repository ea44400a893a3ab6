"""Resuming a bulk run, sync and async: ids from content, any text, flat memory."""

from __future__ import annotations

import gc
import hashlib
import json
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from assemblyai_gateway import GatewayClient
from assemblyai_gateway.bulk import BulkJob, BulkRunner, load_items
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import ScriptedTransport, completion_body, error_body
from tests.support.bulk_cases import read_jsonl, write_jsonl
from tests.test_assemblyai_gateway.bulk.conftest import Run

MODEL = "claude-sonnet-4-5-20250929"
JOB = BulkJob(model=MODEL, prompt="Title for {{ topic }}")


def chat_requests(emulator: GatewayEmulator) -> int:
    return sum(1 for r in emulator.requests if r.path == "/v1/chat/completions")


def content_id(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


# ------------------------------------------------------------------ items without ids


def test_items_without_ids_get_ids_from_their_content(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(
        '{"id": 7}\n\n{"transcript_id": "tr"}\n{"b": 2, "a": 1}\n{"a":1,"b":2}\n{"a": 3}\n',
        encoding="utf-8",
    )
    first = content_id({"a": 1, "b": 2})
    ids = [item.id for item in load_items(path)]
    # Key order and spacing do not matter; identical items are told apart by occurrence.
    assert ids == ["7", "tr", first, f"{first}#2", content_id({"a": 3})]
    in_memory = load_items([{"x": 1}, {"a": 1, "b": 2}, {"b": 2, "a": 1}])
    assert [item.id for item in in_memory][1:] == [first, f"{first}#2"]


def test_a_line_inserted_at_the_top_is_sent_and_nothing_is_misattributed(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    rows: list[dict[str, Any]] = [{"topic": "apples"}, {"topic": "pears"}, {"topic": "apples"}]
    path, output = tmp_path / "items.jsonl", tmp_path / "r.jsonl"
    run(BulkRunner(JOB, client=client, progress=False), write_jsonl(path, rows), output)
    assert chat_requests(gateway_emulator) == 3  # the two identical items both ran

    gateway_emulator.reset()
    rows = [{"topic": "plums"}, *rows, {"topic": "pears"}]  # one new item, one more duplicate
    summary = run(BulkRunner(JOB, client=client, progress=False), write_jsonl(path, rows), output)
    sent = [r.json["messages"][0]["content"] for r in gateway_emulator.requests if r.json]
    assert sorted(sent) == ["Title for pears", "Title for plums"]
    assert (summary.total, summary.skipped, summary.succeeded) == (5, 3, 2)

    records = read_jsonl(output)
    assert Counter(r["id"] for r in records) == Counter(item.id for item in load_items(path))
    for record in records:  # each answer belongs to the item whose content made the id
        topic = next(row["topic"] for row in rows if record["id"].startswith(content_id(row)))
        assert record["output"] == f'Emulated answer to: "Title for {topic}"'


def test_lines_appended_while_a_run_reads_the_input_wait_for_the_next_run(
    make_client: Any, run: Run, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "items.jsonl", [{"topic": i} for i in range(3)])

    def append_then_answer(request: httpx.Request) -> Any:
        with path.open("a", encoding="utf-8") as items:  # a producer still writing
            items.write(json.dumps({"topic": "late"}) + "\n")
        return completion_body("ok")

    transport = ScriptedTransport([append_then_answer])
    runner = BulkRunner(JOB, client=make_client(transport), workers=1, progress=False)
    summary = run(runner, path, tmp_path / "r.jsonl")
    assert (summary.total, summary.succeeded, len(transport.requests)) == (3, 3, 3)
    summary = run(runner, path, tmp_path / "r.jsonl")
    assert (summary.total, summary.skipped, summary.succeeded) == (6, 3, 3)  # 3 late copies


# ------------------------------------------------------- text that UTF-8 cannot carry


def _surrogate_gateway(request: httpx.Request) -> Any:
    """Odd items get a 400 whose message holds a lone surrogate, even ones an answer
    holding one too (valid JSON, which the client reads as U+FFFD)."""
    prompt = json.loads(request.content)["messages"][0]["content"]
    number = int(prompt.rsplit(" ", 1)[1])
    if number % 2:
        body = json.dumps(error_body(400, f"bad \ud800 item {number}"))  # valid JSON: \ud800
        return httpx.Response(
            400, content=body.encode(), headers={"content-type": "application/json"}
        )
    body = json.dumps(completion_body(f"answer é \ud83d {number}"))  # \ud83d: half an emoji
    return httpx.Response(200, content=body.encode(), headers={"content-type": "application/json"})


def test_lone_surrogates_in_ids_and_server_text_are_written_and_read_back_equal(
    make_client: Any, run: Run, tmp_path: Path
) -> None:
    transport = ScriptedTransport([_surrogate_gateway])
    client = make_client(transport, max_retries=0)
    rows = [{"id": f"doc-\ud800-{i}" if i % 3 == 0 else f"doc-{i}", "topic": i} for i in range(50)]
    path, output = write_jsonl(tmp_path / "items.jsonl", rows), tmp_path / "r.jsonl"
    summary = run(BulkRunner(JOB, client=client, progress=False), path, output)
    assert (summary.succeeded, summary.failed) == (25, 25)

    records = {r["id"]: r for r in read_jsonl(output)}  # strict UTF-8, one line each
    assert set(records) == {row["id"] for row in rows}
    # Server text arrives with U+FFFD for each lone surrogate, as undecodable bytes do,
    # so it can be sent back in history; the ids the user wrote keep theirs.
    assert records["doc-\ud800-3"]["error"]["message"] == "Error code: 400 - bad \ufffd item 3"
    assert records["doc-\ud800-0"]["output"] == "answer é \ufffd 0"
    assert "answer é \ufffd 0" in output.read_text(encoding="utf-8")  # readable text

    runner = BulkRunner(JOB, client=client, progress=False, retry_failed=False)
    again = run(runner, path, output)  # the rerun recognises every id it wrote
    assert (again.skipped, len(transport.requests)) == (50, 50)


# ----------------------------------------------------------------------- flat memory

ITEMS = 4_000
ITEM_BYTES = 8_192


def test_resuming_a_large_input_holds_ids_not_items(
    gateway_emulator: GatewayEmulator, client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    padding = "x" * ITEM_BYTES
    rows = ({"id": f"doc-{i}", "topic": f"{i} {padding}"} for i in range(ITEMS))
    path = write_jsonl(tmp_path / "items.jsonl", rows)
    output = tmp_path / "r.jsonl"
    done = ({"id": f"doc-{i}", "ok": True, "output": padding[:1024]} for i in range(ITEMS - 3))
    write_jsonl(output, done)
    warm_up = [{"id": "w", "topic": "warm up"}]  # imports and pools, before measuring
    run(BulkRunner(JOB, client=client, progress=False), warm_up, tmp_path / "warm.jsonl")

    gc.collect()
    tracemalloc.start()
    try:
        summary = run(BulkRunner(JOB, client=client, progress=False), path, output)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (summary.skipped, summary.succeeded) == (ITEMS - 3, 3)
    # The input is 32 MiB and the results 4 MiB; a resume may keep each item's id, not
    # the item (8 KiB) nor its record (1 KiB).
    assert peak < ITEMS * 512, f"peak {peak / ITEMS:.0f} bytes per item"
