"""``assemblyai-gateway transcripts ...`` and TranscriptTaskJob: one resumable JSONL record
per transcript, through the bulk runner (sync and async)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from assemblyai_gateway import GatewayClient
from assemblyai_gateway.bulk import BulkRunner
from assemblyai_gateway.cli import EXIT_FAILED_ITEMS, EXIT_USAGE, main
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.transcripts import TranscriptTaskJob
from tests.support.transcript_cases import LECTURE, MEETING
from tests.support.transcript_tasks import CLAUDE, chat_requests, synthetic_fixture


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def tasks_cli(task: str, *arguments: str) -> list[str]:
    return ["transcripts", task, "--model", CLAUDE, "--no-progress", *arguments]


def test_the_summary_of_two_transcripts_is_one_record_each(
    gateway_emulator: GatewayEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "summaries.jsonl"
    code = main(
        tasks_cli(
            "summarize", "--output", str(output), "--answer-format", "one line", MEETING, LECTURE
        )
    )
    assert code == 0
    found = {record["id"]: record for record in records(output)}
    assert set(found) == {MEETING, LECTURE}
    meeting = found[MEETING]
    assert meeting["ok"] is True
    assert meeting["task"] == "summarize"
    assert meeting["output"].startswith("Emulated answer to:")
    assert meeting["sources"] == [{"transcript_id": MEETING, "start": 240, "end": 51742}]
    assert meeting["calls"] == 1
    assert meeting["usage"]["total_tokens"] > 0
    assert meeting["model"] == CLAUDE
    assert "Answer format: one line" in chat_requests(gateway_emulator)[0]["messages"][1]["content"]
    report = capsys.readouterr().out
    assert "2 items, 2 answered now" in report


def test_without_output_the_records_stream_to_stdout_and_the_report_to_stderr(
    gateway_emulator: GatewayEmulator, capfd: pytest.CaptureFixture[str]
) -> None:
    assert main(tasks_cli("action-items", MEETING)) == 0
    out, err = capfd.readouterr()
    [record] = [json.loads(line) for line in out.splitlines()]
    assert (record["id"], record["task"]) == (MEETING, "action_items")
    assert "1 items, 1 answered now" in err


def test_a_rerun_runs_only_what_failed(gateway_emulator: GatewayEmulator, tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    arguments = tasks_cli("summarize", "--output", str(output), MEETING, "call-late")
    assert main(arguments) == EXIT_FAILED_ITEMS
    first = {r["id"]: r for r in records(output)}
    assert first["call-late"]["error"]["type"] == "TranscriptNotFoundError"
    assert first[MEETING]["ok"] is True
    gateway_emulator.add_transcript(synthetic_fixture("call-late", 12))
    gateway_emulator.reset()  # the request log only; the transcript stays
    assert main(arguments) == 0
    [rerun] = chat_requests(gateway_emulator)
    assert "call-late" in json.dumps(rerun) or rerun.get("transcript_id") == "call-late"
    last = {r["id"]: r for r in records(output)}  # the last record of an id wins
    assert last["call-late"]["ok"] is True
    assert len(records(output)) == 3


def test_ask_takes_questions_inline_and_from_a_file(
    gateway_emulator: GatewayEmulator, tmp_path: Path
) -> None:
    questions = tmp_path / "questions.json"
    questions.write_text(json.dumps([{"question": "Who owns QA?", "answer_format": "a name"}]))
    output = tmp_path / "answers.jsonl"
    code = main(
        tasks_cli(
            "ask",
            "--question",
            "Was a date agreed?",
            "--answer-options",
            "yes,no",
            "--questions-file",
            str(questions),
            "--output",
            str(output),
            MEETING,
        )
    )
    assert code == 0
    [record] = records(output)
    agreed, owner = record["output"]
    assert agreed["question"] == "Was a date agreed?"
    assert agreed["answer"] in ("yes", "no")
    assert owner["question"] == "Who owns QA?"
    assert owner["sources"][0]["transcript_id"] == MEETING
    [body] = chat_requests(gateway_emulator)
    enum = body["response_format"]["json_schema"]["schema"]["properties"]["answer_1"]["enum"]
    assert enum == ["yes", "no"]


def test_task_combine_and_an_ids_file(gateway_emulator: GatewayEmulator, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(f"# weekly calls\n{MEETING}\n\n{LECTURE}  # the lecture\n")
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("List every date mentioned.")
    output = tmp_path / "out.jsonl"
    code = main(
        tasks_cli(
            "task",
            "--prompt-file",
            str(prompt),
            "--ids-file",
            str(ids),
            "--combine",
            "--speaker-labels",
            "--output",
            str(output),
        )
    )
    assert code == EXIT_FAILED_ITEMS  # the lecture has no speaker labels
    [record] = records(output)
    assert record["id"] == f"{MEETING}+{LECTURE}"
    assert record["error"]["type"] == "SpeakerLabelsMissingError"
    code = main(
        tasks_cli(
            "task",
            "--prompt",
            "List every date mentioned.",
            "--ids-file",
            str(ids),
            "--combine",
            "--output",
            str(output),
        )
    )
    assert code == 0
    combined = records(output)[-1]
    assert combined["ok"] is True
    assert combined["transcript_ids"] == [MEETING, LECTURE]
    assert [s["transcript_id"] for s in combined["sources"]] == [MEETING, LECTURE]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (tasks_cli("summarize"), "give transcript ids"),
        (tasks_cli("ask", MEETING), "ask needs --question"),
        (tasks_cli("summarize", "--chunk-tokens", "0", MEETING), "chunk_tokens"),
        (tasks_cli("summarize", "--ids-file", "/no/such/file"), "cannot read the ids file"),
    ],
)
def test_bad_arguments_exit_2_and_send_nothing(
    gateway_emulator: GatewayEmulator,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    assert main(arguments) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert gateway_emulator.requests == []


def test_no_key_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ASSEMBLYAI_API_KEY", raising=False)
    assert main(tasks_cli("summarize", MEETING)) == EXIT_USAGE
    assert "ASSEMBLYAI_API_KEY" in capsys.readouterr().err


@pytest.mark.parametrize("loop", ["threads", "tasks"])
def test_a_task_job_runs_in_the_bulk_runner(
    gateway_emulator: GatewayEmulator, tmp_path: Path, loop: str
) -> None:
    job = TranscriptTaskJob("answer_questions", model="gpt-4.1", questions=["Who spoke first?"])
    runner = BulkRunner(job, client=GatewayClient(), progress=False)
    items: list[dict[str, Any]] = [
        {"transcript_id": MEETING},
        {"id": "both", "transcript_ids": [MEETING, LECTURE]},
        {"id": "nothing"},
    ]
    output = tmp_path / "out.jsonl"
    if loop == "threads":
        summary = runner.run(items, output)
    else:
        summary = asyncio.run(runner.arun(items, output))
    assert (summary.succeeded, summary.failed) == (2, 1)
    found = {r["id"]: r for r in records(output)}
    assert found[MEETING]["output"][0]["question"] == "Who spoke first?"
    assert found["both"]["transcript_ids"] == [MEETING, LECTURE]
    assert "names no transcript" in found["nothing"]["error"]["message"]
    assert summary.usage_by_model["gpt-4.1"].requests == 2


def test_a_task_job_refuses_arguments_its_task_does_not_take() -> None:
    from assemblyai_gateway import ConfigurationError, UnexpectedArgumentError

    with pytest.raises(ConfigurationError, match="questions"):
        TranscriptTaskJob("summarize", questions=["Why?"])
    with pytest.raises(ConfigurationError, match="prompt"):
        TranscriptTaskJob("task")
    with pytest.raises(ConfigurationError, match="task must be one of"):
        TranscriptTaskJob("translate")  # type: ignore[arg-type]
    with pytest.raises(UnexpectedArgumentError):
        TranscriptTaskJob("summarize", speaker_label=True)  # type: ignore[call-arg]
