"""Smoke test: every benchmark runs in its tiny mode and reports every row.

No wall-clock thresholds: the assertions are about the report's shape (each row has a
number or an explicit n/a reason) and about the ratio arithmetic, never about speed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks import run as bench_run
from benchmarks._common import (
    Measurement,
    Target,
    canned_completion,
    percentile,
    ratio_target,
    resolve,
)

EXPECTED_ROWS = {
    "overhead": {
        "raw_httpx_sync",
        "raw_httpx_async",
        "fake_langchain_sync",
        "fake_langchain_async",
        "mock_llamaindex_sync",
        "mock_llamaindex_async",
        "core_create_sync",
        "core_create_async",
        "chatopenai_sync",
        "chatopenai_async",
        "openailike_sync",
        "openailike_async",
        "ours_langchain_sync",
        "ours_langchain_async",
        "ours_llamaindex_sync",
        "ours_llamaindex_async",
        "function_model_pydantic_ai_sync",
        "function_model_pydantic_ai_async",
        "ours_pydantic_ai_sync",
        "ours_pydantic_ai_async",
    },
    "streaming": {
        "raw_sse_floor",
        "fake_langchain_stream",
        "mock_llamaindex_stream",
        "core_stream",
        "chatopenai_stream",
        "openailike_stream",
        "ours_langchain_stream",
        "ours_llamaindex_stream",
        "ours_langchain_tool_stream",
        "ours_llamaindex_tool_stream",
        "chatopenai_tool_stream",
        "ours_langchain_tool_stream_small",
        "ours_llamaindex_tool_stream_small",
        "chatopenai_tool_stream_small",
        "ours_langchain_first_piece",
        "ours_llamaindex_first_piece",
        "chatopenai_first_piece",
    },
    "import": {
        "ours_langchain",
        "ours_llamaindex",
        "core",
        "langchain_core_bare",
        "langchain_core",
        "llama_index_core",
        "langchain_openai",
    },
    "concurrency": {
        "ours_langchain",
        "chatopenai",
        "ours_llamaindex",
        "openailike",
        "raw_httpx",
        "core",
    },
    "bulk": {"ours", "langchain_batch", "langchain_rate_limiter", "server_allowed"},
    "limiter": {"storm_allowed", "storm_before", "storm_after", "storm_recovery", "resumed_run"},
    "transcripts": {
        "transcript_id",
        "inline_chunks",
        "auto",
        "naive_plain",
        "naive_attributed",
        "oversized",
    },
}
# Rows that measure only third-party code and our core: they must always have a number.
ALWAYS_MEASURED = {
    "overhead": EXPECTED_ROWS["overhead"] - {n for n in EXPECTED_ROWS["overhead"] if "ours" in n},
    "streaming": {
        "raw_sse_floor",
        "fake_langchain_stream",
        "mock_llamaindex_stream",
        "core_stream",
        "chatopenai_stream",
        "openailike_stream",
        "chatopenai_tool_stream",
        "chatopenai_tool_stream_small",
        "chatopenai_first_piece",
    },
    "import": {"core", "langchain_core_bare", "langchain_core", "llama_index_core"},
    "concurrency": {"chatopenai", "openailike", "raw_httpx", "core"},
    "bulk": {"ours", "langchain_batch", "langchain_rate_limiter", "server_allowed"},
    "limiter": set(),  # only ours
    "transcripts": EXPECTED_ROWS["transcripts"],  # the emulator is ours: everything runs
}


def _check_row(row: Measurement) -> None:
    if row.value is None:
        assert row.note.startswith("n/a"), f"{row.bench}/{row.name} has no value and no reason"
    else:
        assert math.isfinite(row.value), f"{row.bench}/{row.name} = {row.value}"
        assert row.value >= 0
        assert row.samples, f"{row.bench}/{row.name} has a value but no samples"


def _check_target(target: Target, values: dict[str, Measurement]) -> None:
    if target.ratio is None:
        assert target.passed is None
        assert target.reason, f"{target.name} is n/a without a reason"
        return
    subject = resolve(values, target.subject)
    assert subject is not None
    if target.comparison == "equals_zero":
        assert target.ratio == subject
        assert target.passed is (subject == 0)
        return
    denominator = sum(resolve(values, r) or 0.0 for r in target.references)
    assert target.ratio == pytest.approx(subject / denominator)
    expected = (
        target.ratio <= target.limit
        if target.comparison == "max_ratio"
        else target.ratio >= target.limit
    )
    assert target.passed is expected
    assert target.verdict == ("info" if target.informational else "PASS" if expected else "FAIL")


def test_every_benchmark_is_smoke_tested() -> None:
    # A run without --only runs every entry of BENCHES: each is covered below.
    assert set(bench_run.BENCHES) == set(EXPECTED_ROWS)


# One test per benchmark, so a parallel run (pytest-xdist) spreads them over the workers.
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED_ROWS))
def test_every_benchmark_reports_every_row(tmp_path: Path, name: str) -> None:
    readme = tmp_path / "benchmarks.md"
    argv = ["--tiny", "--only", name, "--out", str(tmp_path), "--readme", str(readme)]
    assert bench_run.main(argv) == 0

    report = json.loads((tmp_path / "results.json").read_text())
    assert [b["bench"] for b in report["benches"]] == [name]
    for bench in report["benches"]:
        rows = [Measurement(**m) for m in bench["measurements"]]
        assert {r.name for r in rows} == EXPECTED_ROWS[name], bench["notes"]
        values = {r.name: r for r in rows}
        for row in rows:
            _check_row(row)
        for row_name in ALWAYS_MEASURED[name]:
            assert values[row_name].value is not None, values[row_name].note
        if name == "concurrency":
            for row in rows:
                if row.value is not None:  # tiny mode: a fresh and a warm burst of 50 calls
                    assert row.extra["calls"] == 100
                    assert isinstance(row.extra["errors"], int)
                    assert row.extra["p50_ms"] is not None or row.extra["errors"] == 100
                    assert row.extra["cold_burst_s"] is not None
                    assert row.extra["warm_burst_s"] is not None
        if name == "bulk":
            for row in rows:
                if row.name != "server_allowed":  # tiny mode: 60 items per setup
                    answered, lost = row.extra["answered"], row.extra["lost"]
                    assert isinstance(answered, int)
                    assert isinstance(lost, int)
                    assert answered + lost == 60
        targets = bench["targets"]
        assert targets, f"{name} has no target rows"
        for raw in targets:
            target = Target(**{k: v for k, v in raw.items() if k != "verdict"})
            assert raw["verdict"] == target.verdict
            _check_target(target, values)

    markdown = (tmp_path / "results.md").read_text()
    assert "## Targets" in markdown
    assert (tmp_path / bench_run.PLOT_NAME).stat().st_size > 0
    part = readme.read_text()
    assert part.startswith("## Latest results")
    assert f"benchmarks/results/{bench_run.PLOT_NAME}" in part


def test_ratio_arithmetic() -> None:
    values = {
        "ours": Measurement("b", "ours", "ours", "µs", 30.0, samples=[30.0]),
        "peer": Measurement("b", "peer", "peer", "µs", 100.0, samples=[100.0]),
        "floor_a": Measurement("b", "floor_a", "a", "µs", 10.0, samples=[10.0]),
        "floor_b": Measurement("b", "floor_b", "b", "µs", 15.0, samples=[15.0]),
        "missing": Measurement("b", "missing", "m", "µs", None, "n/a (not built yet)"),
        "conc": Measurement("b", "conc", "c", "calls/s", 5.0, extra={"errors": 0}),
    }
    t = ratio_target("b", "vs peer", values, "ours", ["peer"], 0.35)
    assert t.ratio == pytest.approx(0.30)
    assert t.passed is True
    assert t.verdict == "PASS"
    t = ratio_target("b", "vs floors", values, "ours", ["floor_a", "floor_b"], 1.5)
    assert t.ratio == pytest.approx(30.0 / 25.0)
    assert t.passed is True
    t = ratio_target("b", "vs floors tight", values, "ours", ["floor_a", "floor_b"], 1.1)
    assert t.passed is False
    assert t.verdict == "FAIL"
    t = ratio_target("b", "throughput", values, "peer", ["ours"], 2.0, comparison="min_ratio")
    assert t.ratio == pytest.approx(100.0 / 30.0)
    assert t.passed is True
    t = ratio_target("b", "errors", values, "conc:errors", [], 0, comparison="equals_zero")
    assert (t.ratio, t.passed) == (0, True)
    t = ratio_target("b", "n/a", values, "missing", ["peer"], 0.35)
    assert (t.ratio, t.passed, t.verdict) == (None, None, "n/a")
    assert "not built yet" in t.reason
    t = ratio_target("b", "info", values, "ours", ["peer"], 0.1, informational=True)
    assert (t.passed, t.verdict) == (False, "info")


def test_percentile_and_canned_body() -> None:
    data = [float(i) for i in range(1, 101)]
    assert percentile(data, 50) == 50.0
    assert percentile(data, 99) == 99.0
    assert percentile([7.0], 99) == 7.0
    body = canned_completion()
    # valid for the OpenAI SDK and for our gateway parser alike
    from assemblyai_gateway import parse_completion

    completion = parse_completion(json.dumps(body))
    assert completion.request_id == body["request_id"]
    assert {"id", "object", "created", "model", "usage"} <= body.keys()
