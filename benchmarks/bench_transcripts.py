"""Transcripts: summarize 10 hours of synthetic calls through the emulator, three ways,
and the naive way.

The calls (``_transcripts_data``: ten one-hour meetings at 150 words a minute, about
87,000 words) are served by the emulator's transcript API; :func:`summarize` reads them
by id and summarizes them all at once, with ``gpt-oss-120b`` (a 131,072-token window):

* ``transcript_id``: each call in a request of its own, the gateway injecting its text;
* ``inline chunks``: the text sent by us, in chunks of at most 8,000 tokens;
* ``auto``: the default, calls that fit together share one inline request;

each then reduced to one summary. Rows give the wall time, the calls, the tokens the
emulator counted and the kilobytes of request bodies sent. The naive way is one request
with every call's text: as plain text, and with speaker labels and timestamps (what a
summary that says who said what needs); the emulator answers it as the provider would,
accepting it or refusing it (400) when it is beyond the model's window.
"""

from __future__ import annotations

import json
import time
from typing import Any

from benchmarks._common import (
    BENCH_API_KEY,
    BenchConfig,
    BenchResult,
    Measurement,
    Target,
    failure_note,
    ratio_target,
)
from benchmarks._transcripts_data import synthetic_calls

__all__ = ["CHUNK_TOKENS", "MODEL", "run"]

BENCH = "transcripts"
MODEL = "gpt-oss-120b"
CHUNK_TOKENS = 8_000
STRATEGIES = (
    ("transcript_id", "summarize: transcript_id injection", {"transcript_mode": "transcript_id"}),
    ("inline_chunks", "summarize: inline chunks (8k tokens)",
     {"transcript_mode": "inline", "chunk_tokens": CHUNK_TOKENS}),
    ("auto", "summarize: auto (shared inline requests)", {"transcript_mode": "auto"}),
)  # fmt: skip
PROMPT = "Summarize these meeting transcripts: decisions, owners and dates."


def _clock(milliseconds: int) -> str:
    seconds = milliseconds // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _naive_text(calls: list[dict[str, Any]], *, attributed: bool) -> str:
    lines = []
    for call in calls:
        lines.append(f"Transcript {call['id']}:")
        for turn in call["utterances"]:
            prefix = f"[{_clock(turn['start'])}] Speaker {turn['speaker']}: " if attributed else ""
            lines.append(prefix + turn["text"])
    return "\n".join(lines)


def _strategy_row(
    emulator: Any,
    client: Any,
    reader: Any,
    ids: list[str],
    name: str,
    label: str,
    options: dict[str, Any],
) -> Measurement:
    from assemblyai_gateway.transcripts import summarize

    emulator.reset()
    started = time.perf_counter()
    result = summarize(client, ids, model=MODEL, transcript_client=reader, **options)
    seconds = time.perf_counter() - started
    bodies = [r for r in emulator.requests if r.path.endswith("/chat/completions")]
    sent = sum(len(json.dumps(r.json).encode()) for r in bodies if r.json is not None)
    refused = sum(1 for r in bodies if r.status != 200)
    return Measurement(
        BENCH, name, label, "s", seconds, samples=[seconds],
        extra={
            "calls": result.calls,
            "input_tokens": result.usage.input_tokens,
            "output_tokens": result.usage.output_tokens,
            "total_tokens": result.usage.total_tokens,
            "request_kb": round(sent / 1024, 1),
            "refused": refused,
        },
    )  # fmt: skip


def _naive_row(client: Any, calls: list[dict[str, Any]], *, attributed: bool) -> Measurement:
    from assemblyai_gateway import ContextWindowExceededError
    from assemblyai_gateway.catalog import get_model_info
    from assemblyai_gateway.emulator import count_tokens

    text = _naive_text(calls, attributed=attributed)
    name = "naive_attributed" if attributed else "naive_plain"
    label = "naive: one request, " + (
        "speaker labels and timestamps" if attributed else "plain text"
    )
    request = {"model": MODEL, "max_tokens": 4096,
               "messages": [{"role": "user", "content": f"{PROMPT}\n\n{text}"}]}  # fmt: skip
    tokens = count_tokens(request["messages"][0]["content"])  # type: ignore[index]
    window = get_model_info(MODEL).context_window
    try:
        client.create(request)
        outcome, refused = "accepted", 0
    except ContextWindowExceededError as error:
        outcome, refused = f"refused: {error.status_code} {str(error)[:70]}", 1
    return Measurement(
        BENCH, name, label, "tokens", float(tokens), note=outcome, samples=[float(tokens)],
        extra={"window": window, "refused": refused, "request_kb": round(len(text) / 1024, 1)},
    )  # fmt: skip


def run(config: BenchConfig) -> BenchResult:
    """The three strategies and the naive request against one in-process emulator."""
    from assemblyai_gateway import GatewayClient
    from assemblyai_gateway._limiter.adaptive import AdaptiveLimiter
    from assemblyai_gateway.emulator import GatewayEmulator
    from assemblyai_gateway.transcripts import TranscriptClient

    result = BenchResult(BENCH)
    started = time.perf_counter()
    calls = synthetic_calls(config.transcript_hours)
    ids = [call["id"] for call in calls]
    with GatewayEmulator(api_key=BENCH_API_KEY, transcript_fixtures=calls) as emulator:
        client = GatewayClient(
            api_key=BENCH_API_KEY, base_url=emulator.base_url, limiter=AdaptiveLimiter()
        )
        reader = TranscriptClient(BENCH_API_KEY, base_url=emulator.transcript_base_url)
        for name, label, options in STRATEGIES:
            try:
                row = _strategy_row(emulator, client, reader, ids, name, label, options)
            except Exception as exc:  # one broken way must not lose the others' numbers
                row = Measurement(BENCH, name, label, "s", None, failure_note(exc))
            result.measurements.append(row)
        for attributed in (False, True):
            try:
                result.measurements.append(_naive_row(client, calls, attributed=attributed))
            except Exception as exc:
                name = "naive_attributed" if attributed else "naive_plain"
                result.measurements.append(Measurement(BENCH, name, name, "tokens", None,
                                                       failure_note(exc)))  # fmt: skip
        client.close()
    result.measurements.append(_oversized_row(result.by_name()))
    result.targets = _targets(result.by_name())
    words = sum(len(u["text"].split()) for call in calls for u in call["utterances"])
    result.notes.append(
        f"{config.transcript_hours:g} hours: {len(calls)} calls, {words:,} words; model "
        f"{MODEL}; emulator in-process; tokens as the emulator counts them"
    )
    result.seconds = time.perf_counter() - started
    return result


def _oversized_row(values: dict[str, Measurement]) -> Measurement:
    """How many requests of the three ways the emulator refused (as too long or else)."""
    counts = [values[name].extra.get("refused") for name, _, _ in STRATEGIES if name in values]
    if not counts or any(not isinstance(count, int) for count in counts):
        return Measurement(BENCH, "oversized", "our requests refused", "requests", None,
                           "n/a (a way did not run)")  # fmt: skip
    total = float(sum(int(count) for count in counts if isinstance(count, int)))
    return Measurement(BENCH, "oversized", "our requests refused", "requests", total,
                       samples=[total])  # fmt: skip


def _targets(values: dict[str, Measurement]) -> list[Target]:
    return [
        ratio_target(BENCH, "transcripts: our requests refused (all three ways)",
                     values, "oversized", [], 0, comparison="equals_zero"),
        ratio_target(BENCH, "transcripts: request bytes, transcript_id vs inline chunks",
                     values, "transcript_id:request_kb", ["inline_chunks:request_kb"], 0.25),
        ratio_target(BENCH, "transcripts: calls, auto vs inline chunks", values,
                     "auto:calls", ["inline_chunks:calls"], 1.0, informational=True),
        ratio_target(BENCH, "transcripts: naive request (labels, timestamps) vs the window",
                     values, "naive_attributed", ["naive_attributed:window"], 1.0,
                     comparison="min_ratio", informational=True),
    ]  # fmt: skip
