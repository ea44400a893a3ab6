"""The bulk summary counts cache and reasoning tokens as parts of input and output."""

from __future__ import annotations

from pathlib import Path

from assemblyai_gateway import GatewayClient
from assemblyai_gateway.bulk import BulkJob, BulkRunner, BulkSummary
from tests.support.bulk_cases import read_jsonl
from tests.support.reasoning_cases import (
    CACHE_CREATION,
    CACHE_READ,
    DETAILS,
    REASONING_TOKENS,
    USAGE,
)
from tests.test_assemblyai_gateway.bulk.conftest import Run

MODEL = "claude-sonnet-4-5-20250929"


def test_details_are_summed_per_model_and_never_added_to_the_totals() -> None:
    summary = BulkSummary(Path("out.jsonl"), total=3)
    usage = {"input_tokens": USAGE[0], "output_tokens": USAGE[1], **DETAILS}
    summary.add({"ok": True, "model": MODEL, "usage": usage})
    summary.add({"ok": True, "model": MODEL, "usage": usage})
    summary.add(
        {"ok": True, "model": "gpt-5", "usage": {"prompt_tokens": 7, "completion_tokens": 3}}
    )

    claude = summary.usage_by_model[MODEL]
    assert (claude.cache_read_tokens, claude.cache_creation_tokens, claude.reasoning_tokens) == (
        2 * CACHE_READ,
        2 * CACHE_CREATION,
        2 * REASONING_TOKENS,
    )
    assert claude.total_tokens == 2 * sum(USAGE)
    assert summary.tokens == 2 * sum(USAGE) + 10
    report = summary.render()
    assert (
        f"{MODEL}: 2 requests, 3,000 input (2,048 cache read, 400 cache write) + "
        "80 output (24 reasoning) = 3,080 tokens"
    ) in report
    assert "gpt-5: 1 requests, 7 input + 3 output = 10 tokens" in report


def test_a_record_without_readable_usage_counts_the_request_only() -> None:
    summary = BulkSummary(Path("out.jsonl"))
    summary.add({"ok": True, "model": MODEL, "usage": None})
    summary.add({"ok": True, "model": MODEL, "usage": {"prompt_tokens": "many"}})

    usage = summary.usage_by_model[MODEL]
    assert (usage.requests, usage.total_tokens) == (2, 0)


def test_a_reasoning_run_records_and_counts_its_reasoning_tokens(
    client: GatewayClient, run: Run, tmp_path: Path
) -> None:
    job = BulkJob(
        model=MODEL, prompt="Title for {{ topic }}", request_fields={"reasoning": {"effort": "low"}}
    )
    output = tmp_path / "results.jsonl"
    summary = run(BulkRunner(job, client=client, progress=False), _items(4), output)

    records = read_jsonl(output)
    reasoning = [r["usage"]["completion_tokens_details"]["reasoning_tokens"] for r in records]
    assert all(tokens > 0 for tokens in reasoning)
    usage = summary.usage_by_model[MODEL]
    assert usage.reasoning_tokens == sum(reasoning)
    assert usage.total_tokens == sum(r["usage"]["total_tokens"] for r in records)
    assert "reasoning)" in summary.render()


def _items(count: int) -> list[dict[str, object]]:
    return [{"id": f"doc-{i}", "topic": f"topic {i}"} for i in range(count)]
