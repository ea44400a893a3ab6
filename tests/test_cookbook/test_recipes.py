"""Every cookbook recipe runs against the embedded emulator and prints what it promises.

The recipes are run in-process (their ``main()``), exactly as ``python -m cookbook.X``
would, with ``ASSEMBLYAI_API_KEY`` unset so they pick the emulator.
"""

from __future__ import annotations

import importlib
import os
import socket

import pytest

from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, BASE_URL_ENV
from assemblyai_gateway.errors import AuthenticationError, GatewayError, ResponseValidationError
from cookbook._runtime import run_main

EMULATOR_BANNER = "No ASSEMBLYAI_API_KEY set: using the embedded local emulator"


@pytest.fixture(autouse=True)
def _no_live_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    monkeypatch.delenv(BASE_URL_ENV, raising=False)


def run_recipe(name: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    module = importlib.import_module(f"cookbook.{name}")
    module.main()
    lines = capsys.readouterr().out.splitlines()
    assert lines, f"{name} printed nothing"
    assert lines[0].startswith(EMULATOR_BANNER), lines[0]
    return lines


def test_recipe_session_restores_environment(capsys: pytest.CaptureFixture[str]) -> None:
    run_recipe("langchain_quickstart", capsys)
    assert API_KEY_ENV not in os.environ
    assert BASE_URL_ENV not in os.environ


def test_langchain_quickstart_shows_invoke_stream_batch_usage_and_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = "\n".join(run_recipe("langchain_quickstart", capsys))
    assert "invoke -> Emulated answer" in out
    assert "request_id: " in out
    assert "'input_tokens':" in out
    stream_line = next(line for line in out.splitlines() if line.startswith("stream -> "))
    assert int(stream_line.split()[2]) > 1, "a GPT model must stream in several chunks"
    assert out.count("batch  -> ") == 3


def test_langgraph_agent_calls_both_tools_then_answers(capsys: pytest.CaptureFixture[str]) -> None:
    out = "\n".join(run_recipe("langgraph_agent", capsys))
    assert "get_weather(" in out
    assert "convert_currency(" in out
    assert "tool get_weather -> 18°C and sunny" in out
    assert "tool convert_currency -> " in out
    assert "final answer -> " in out


def test_structured_output_returns_validated_meeting_notes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = "\n".join(run_recipe("structured_output", capsys))
    assert "people -> " in out
    assert "validated as MeetingNotes" in out


def test_llamaindex_function_agent_runs_two_tools(capsys: pytest.CaptureFixture[str]) -> None:
    out = "\n".join(run_recipe("llamaindex_function_agent", capsys))
    assert "model calls tool -> multiply(" in out
    assert "model calls tool -> add(" in out
    assert "tool multiply -> 42.0" in out
    assert "tool add -> 5.0" in out
    assert "final answer -> " in out


def test_llamaindex_rag_retrieves_transcript_passages(capsys: pytest.CaptureFixture[str]) -> None:
    out = "\n".join(run_recipe("llamaindex_rag", capsys))
    assert out.count("question -> ") == 2
    retrieved = [line for line in out.splitlines() if line.strip().startswith("retrieved (")]
    assert len(retrieved) == 6
    # BM25 ranks the passage that assigns the audit-log proposal first for question one.
    assert "Marcus, please write a one-page" in retrieved[0]
    assert "EU data-residency release" in retrieved[3]
    assert out.count("answer -> ") == 2


def test_pydantic_ai_agent_calls_both_tools_and_returns_a_validated_plan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = "\n".join(run_recipe("pydantic_ai_agent", capsys))
    assert "model calls tool -> get_forecast({'city': 'Lisbon'})" in out
    assert "model calls tool -> get_local_time({'city': 'Lisbon'})" in out
    assert "tool get_forecast -> sunny and 24°C in Lisbon" in out
    assert "tool get_local_time -> 14:05" in out
    assert "plan -> TripPlan(city='Lisbon'" in out
    assert "validated as TripPlan" in out
    assert "served by claude-sonnet-4-5-20250929" in out
    assert "streamed plan -> TripPlan(city='Lisbon'" in out


def test_fallbacks_eu_and_transcript_recipe(capsys: pytest.CaptureFixture[str]) -> None:
    out = "\n".join(run_recipe("fallbacks_eu_transcript", capsys))
    assert "served by claude-sonnet-4-5-20250929" in out
    assert "EU guard -> ModelNotAvailableInRegionError" in out
    assert "transcript_id -> " in out
    assert "skipped" not in out


def test_demo_tour_runs_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    out = "\n".join(run_recipe("demo", capsys))
    for section in ("LangChain: invoke", "LangChain: stream", "LangGraph", "LlamaIndex"):
        assert section in out
    assert "request_id: " in out
    assert "against the embedded emulator" in out


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_demo_with_a_key_and_no_network_fails_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], retry_waits: list[float]
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "a-real-looking-key")
    monkeypatch.setenv(BASE_URL_ENV, f"http://127.0.0.1:{_closed_port()}/v1")
    demo = importlib.import_module("cookbook.demo")

    with pytest.raises(SystemExit) as exit_info:
        run_main(demo.main, "demo")

    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("Using the live AssemblyAI LLM Gateway")
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("demo: could not reach the gateway at http://127.0.0.1:")
    assert "(ConnectError: " in captured.err
    assert "unset ASSEMBLYAI_API_KEY to run against the embedded emulator" in captured.err
    assert "a-real-looking-key" not in captured.out + captured.err


@pytest.mark.parametrize(
    ("error", "start"),
    [
        (AuthenticationError("invalid key", status_code=401), "demo: the gateway refused the key"),
        (ResponseValidationError("no choices"), "demo: the gateway call failed: Response"),
    ],
)
def test_gateway_failures_become_one_line_even_when_a_framework_wraps_them(
    capsys: pytest.CaptureFixture[str], error: GatewayError, start: str
) -> None:
    def wrapped() -> None:
        try:
            raise error
        except GatewayError as exc:
            raise RuntimeError("a framework's wrapper") from exc

    with pytest.raises(SystemExit):
        run_main(wrapped, "demo")

    err = capsys.readouterr().err
    assert err.startswith(start)
    assert err.count("\n") == 1


def test_other_failures_keep_their_traceback() -> None:
    def broken() -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        run_main(broken, "demo")


def test_transcripts_rag_cites_calls_speakers_and_times_in_both_frameworks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = "\n".join(run_recipe("transcripts_rag", capsys))
    assert "LangChain: 16 speaker turns from 3 calls" in out
    assert "LlamaIndex: 16 speaker turns from 3 calls" in out
    assert out.count("question -> ") == 4
    assert out.count("answer -> ") == 4
    citations = [line.strip() for line in out.splitlines() if line.strip().startswith("[")]
    assert len(citations) == 12
    # BM25 finds the launch date in the EU call and the crash in the escalation call,
    # each cited with its call, time range and speaker (LangChain's speakers given roles).
    assert citations[0].startswith("[1] call-eu-launch 00:41-00:48, host (Speaker A): So the EU")
    assert any(
        "call-support-escalation" in c and "engineer (Speaker B)" in c for c in citations[3:6]
    )
    assert citations[6].startswith("[1] call-eu-launch 00:41-00:48, Speaker A: So the EU launch")
    assert all("call-support-escalation" in c for c in citations[9:])
    # The model read the numbered, attributed sources (the emulator echoes the request).
    assert 'answer -> Emulated answer to: "Sources: [1] (call-eu-launch 00:41-00:48, host' in out
