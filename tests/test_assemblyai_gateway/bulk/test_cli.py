"""``assemblyai-gateway bulk``: in process, and as a real subprocess killed mid-run."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, BASE_URL_ENV
from assemblyai_gateway.cli import EXIT_FAILED_ITEMS, EXIT_INTERRUPTED, EXIT_USAGE, main
from assemblyai_gateway.emulator import Fault, GatewayEmulator
from tests.support.bulk_cases import BAD_SETUPS, BadSetup, read_jsonl, write_jsonl

MODEL = "gpt-4.1"
DEADLINE = 60.0  # a bug fails the test instead of hanging it


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rows = [{"id": f"doc-{i}", "title": f"Doc {i}"} for i in range(40)]
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("One line on {{ title }}.", encoding="utf-8")
    return {
        "input": write_jsonl(tmp_path / "items.jsonl", rows),
        "output": tmp_path / "results.jsonl",
        "prompt": prompt,
    }


def bulk_args(files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "bulk",
        "--input",
        str(files["input"]),
        "--output",
        str(files["output"]),
        "--model",
        MODEL,
        "--prompt-file",
        str(files["prompt"]),
        "--no-progress",
        *extra,
    ]


def test_a_run_answers_every_item_and_prints_the_summary(
    gateway_emulator: GatewayEmulator, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(bulk_args(files)) == 0
    out = capsys.readouterr().out
    assert "40 answered now" in out
    assert f"{MODEL}: 40 requests" in out
    assert str(files["output"]) in out
    assert len(read_jsonl(files["output"])) == 40


def test_failed_items_give_exit_code_1_and_are_listed_by_type(
    gateway_emulator: GatewayEmulator, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    gateway_emulator.inject(Fault.status(403, "forbidden"), times=2)
    assert main(bulk_args(files)) == EXIT_FAILED_ITEMS
    out = capsys.readouterr().out
    assert "PermissionDeniedError: 2" in out


def test_a_schema_file_gives_structured_records(
    gateway_emulator: GatewayEmulator, files: dict[str, Path], tmp_path: Path
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"line": {"type": "string"}}}))
    assert main(bulk_args(files, "--schema", str(schema))) == 0
    assert all(isinstance(r["output"], dict) for r in read_jsonl(files["output"]))


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_key", API_KEY_ENV),
        ("no_input", "cannot read the input"),
        ("bad_schema", "is not JSON"),
    ],
)
def test_unusable_settings_exit_2_with_a_message(
    gateway_emulator: GatewayEmulator,
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setup: str,
    message: str,
) -> None:
    extra: list[str] = []
    if setup == "no_key":
        monkeypatch.delenv(API_KEY_ENV)
    elif setup == "no_input":
        files = {**files, "input": tmp_path / "missing.jsonl"}
    else:
        bad = tmp_path / "schema.json"
        bad.write_text("{not json", encoding="utf-8")
        extra = ["--schema", str(bad)]
    assert main(bulk_args(files, *extra)) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not files["output"].exists()


@pytest.mark.parametrize("setup", [case.param() for case in BAD_SETUPS])
def test_unusable_input_or_output_exits_2_with_the_problem_and_no_traceback(
    gateway_emulator: GatewayEmulator,
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    setup: BadSetup,
) -> None:
    path, output = setup.apply(files["input"], files["output"])
    assert main(bulk_args({**files, "input": path, "output": output})) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("assemblyai-gateway bulk: ")
    assert re.search(setup.message, err)
    assert "Traceback" not in err
    assert not any(r.path == "/v1/chat/completions" for r in gateway_emulator.requests)


def test_a_prompt_file_that_is_not_utf8_exits_2(
    gateway_emulator: GatewayEmulator, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["prompt"].write_bytes(b"Title for {{ title }} \xff")
    assert main(bulk_args(files)) == EXIT_USAGE
    assert f"the prompt {files['prompt']} is not UTF-8" in capsys.readouterr().err


# The command as a terminal runs it: Ctrl-C raises KeyboardInterrupt. A child inherits
# an ignored SIGINT from a runner started in the background (or from an xdist worker),
# and Python then never installs the handler, so the test sets it itself.
_FOREGROUND_CLI = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('assemblyai_gateway.cli', run_name='__main__', alter_sys=True)"
)


def _subprocess(files: dict[str, Path], emulator: GatewayEmulator) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        API_KEY_ENV: emulator.api_key,
        BASE_URL_ENV: emulator.base_url,
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-c", _FOREGROUND_CLI, *bulk_args(files)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def _reaped(process: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """The process, killed on the way out if it still runs (a test that failed), its
    pipes closed however it ends."""
    with process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def _wait_for_lines(path: Path, process: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_text(encoding="utf-8").count("\n") >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"the run never wrote {count} records (exit {process.poll()})")


@pytest.mark.parametrize("stop", ["SIGKILL", "SIGINT"])
def test_a_run_stopped_mid_way_resumes_without_losing_or_repeating_items(
    gateway_emulator: GatewayEmulator, files: dict[str, Path], stop: str
) -> None:
    # The first run talks to a gateway of its own: five answers come at once, every later
    # request waits until the run is stopped (so the stop lands mid-run however slowly a
    # loaded machine runs the two processes), and a request still in flight when it is
    # stopped can never reach the gateway the rerun is counted on.
    with GatewayEmulator() as first_gateway:
        first_gateway.inject(Fault.delay(0), times=5)
        first_gateway.inject(Fault.delay(DEADLINE), times=35)
        with _reaped(_subprocess(files, first_gateway)) as process:
            _wait_for_lines(files["output"], process, 5)
            process.send_signal(getattr(signal, stop))
            _, stderr = process.communicate(timeout=DEADLINE)
    if stop == "SIGINT":
        assert process.returncode == EXIT_INTERRUPTED
        assert "Bulk run stopped early" in stderr
    else:
        assert process.returncode == -signal.SIGKILL
    written = files["output"].read_text(encoding="utf-8")
    first_run = {json.loads(line)["id"] for line in written.splitlines() if line.endswith("}")}
    assert 5 <= len(first_run) < 40, "the run must have been stopped part-way"

    assert main(bulk_args(files)) == 0
    records = read_jsonl(files["output"])
    assert Counter(r["id"] for r in records) == Counter(f"doc-{i}" for i in range(40))
    assert all(r["ok"] for r in records)
    # The rerun sent only what the first run had not finished.
    sent = [r for r in gateway_emulator.requests if r.status == 200]
    assert len(sent) == 40 - len(first_run)


def test_a_second_run_on_the_same_output_exits_2_while_the_first_runs(
    gateway_emulator: GatewayEmulator, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # The first run talks to a gateway of its own that answers once, then holds every
    # later request until the run is stopped: it is certainly still running (and holding
    # the output) when the second run starts, however slowly a loaded machine runs.
    with GatewayEmulator() as first_gateway:
        first_gateway.inject(Fault.delay(0), times=1)
        first_gateway.inject(Fault.delay(DEADLINE), times=39)
        with _reaped(_subprocess(files, first_gateway)) as first:
            _wait_for_lines(files["output"], first, 1)
            assert main(bulk_args(files)) == EXIT_USAGE
            err = capsys.readouterr().err
            assert f"another run is writing to {files['output']}" in err
            assert first.poll() is None, "the first run must still have been running"
            first.send_signal(signal.SIGINT)
            first.communicate(timeout=DEADLINE)
    assert first.returncode == EXIT_INTERRUPTED
    # The refused run wrote nothing; once the first has stopped, a rerun finishes the job.
    assert gateway_emulator.requests == []
    assert main(bulk_args(files)) == 0
    records = read_jsonl(files["output"])
    assert Counter(r["id"] for r in records) == Counter(f"doc-{i}" for i in range(40))


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
def test_output_to_stdout_streams_records_and_prints_the_summary_on_stderr(
    gateway_emulator: GatewayEmulator, files: dict[str, Path]
) -> None:
    with _reaped(
        _subprocess({**files, "output": Path("/dev/stdout")}, gateway_emulator)
    ) as process:
        stdout, stderr = process.communicate(timeout=DEADLINE)
    assert process.returncode == 0, stderr
    records = [json.loads(line) for line in stdout.splitlines()]
    assert Counter(r["id"] for r in records) == Counter(f"doc-{i}" for i in range(40))
    assert "40 answered now" in stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_output_that_fails_mid_run_exits_2_with_the_summary(
    own_gateway: GatewayEmulator, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(bulk_args({**files, "output": Path("/dev/full")})) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Bulk run stopped early" in err
    assert "cannot write to the output /dev/full: No space left on device" in err
