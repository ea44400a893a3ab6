"""Every cookbook recipe runs against the embedded emulator and prints what it promises.

The recipes are run in-process (their ``main()``), exactly as ``python -m cookbook.X``
would, with ``ASSEMBLYAI_API_KEY`` unset so they pick the emulator.
"""

from __future__ import annotations

import importlib
import os

import pytest

from assemblyai_gateway.config import API_KEY_ENV, BASE_URL_ENV

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
