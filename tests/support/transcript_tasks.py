"""Stand-ins for the transcript-task tests: synthetic transcripts, a small-window model,
and the one check every map-reduce test makes on what the gateway received."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import httpx
import pytest

from assemblyai_gateway import catalog
from assemblyai_gateway.catalog import ModelInfo, get_model_info
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.emulator._model import input_tokens, substitute_transcript
from assemblyai_gateway.transcripts import TranscriptData, TranscriptUnit

Mode = Literal["sync", "async"]

SMALL_MODEL = "tiny-window-model"
"""A model the tests register with a 4,000-token window, so short fixtures need parts."""
SMALL_WINDOW = 4_000
CLAUDE = "claude-sonnet-4-5-20250929"
_SENTENCES = (
    "We should ship the mobile release on Friday if QA signs off.",
    "The Android crash in the payment screen is fixed on the branch.",
    "Marketing needs the launch notes by Thursday afternoon.",
    "Let's keep the budget review for next week's meeting.",
)


def synthetic_units(
    turns: int, *, speakers: str = "AB", turn_ms: int = 5_000
) -> tuple[TranscriptUnit, ...]:
    """``turns`` speaker turns, numbered so every one is distinct, 5 s each."""
    return tuple(
        TranscriptUnit(
            f"Turn {index}: {_SENTENCES[index % len(_SENTENCES)]}",
            index * turn_ms,
            index * turn_ms + turn_ms - 400,
            speakers[index % len(speakers)],
        )
        for index in range(turns)
    )


def synthetic_transcript(transcript_id: str, turns: int, **kwargs: Any) -> TranscriptData:
    """A diarized transcript of ``turns`` turns, as :class:`TranscriptData`."""
    units = synthetic_units(turns, **kwargs)
    return TranscriptData(
        id=transcript_id,
        text=" ".join(unit.text for unit in units),
        utterances=units,
        start=units[0].start,
        end=units[-1].end,
    )


def synthetic_fixture(
    transcript_id: str, turns: int, *, speaker_labels: bool = True
) -> dict[str, Any]:
    """The same transcript as the emulator's fixture JSON (served by id)."""
    units = synthetic_units(turns)
    fixture: dict[str, Any] = {"id": transcript_id}
    if speaker_labels:
        fixture["utterances"] = [
            {"speaker": u.speaker, "text": u.text, "start": u.start, "end": u.end} for u in units
        ]
    else:
        fixture["text"] = " ".join(u.text for u in units)
    return fixture


def use_small_model(monkeypatch: pytest.MonkeyPatch) -> str:
    """Registers, for the test, a catalog model with a 4,000-token window and 500
    output tokens; returns its id."""
    info = ModelInfo(SMALL_MODEL, "anthropic", SMALL_WINDOW, 500)
    monkeypatch.setitem(catalog._CATALOG, SMALL_MODEL, info)
    return SMALL_MODEL


def chat_requests(emulator: GatewayEmulator) -> list[dict[str, Any]]:
    """The chat-completions bodies the emulator received, in order."""
    return [r.json for r in emulator.requests if r.path.endswith("/chat/completions") and r.json]


def injected_text(emulator: GatewayEmulator, transcript_id: str) -> str:
    """The text the emulator injects for ``transcript_id`` (a plain text, or a fixture's)."""
    if transcript_id in emulator.transcripts:
        return emulator.transcripts[transcript_id]
    url = f"{emulator.transcript_base_url}/v2/transcript/{transcript_id}"
    answer = httpx.get(url, headers={"Authorization": emulator.api_key})
    text: str = answer.json()["text"]
    return text


def assert_no_request_beyond_the_window(emulator: GatewayEmulator) -> list[dict[str, Any]]:
    """Every chat request the emulator saw fits its model's window by the emulator's own
    count (after it injected any transcript), answer included, and was answered 200."""
    requests = [r for r in emulator.requests if r.path.endswith("/chat/completions")]
    assert requests, "no chat request reached the emulator"
    bodies = []
    for recorded in requests:
        body = recorded.json
        assert body is not None
        assert recorded.status == 200, (recorded.status, body.get("model"))
        if "transcript_id" in body:
            body = substitute_transcript(body, injected_text(emulator, body["transcript_id"]))
        window = get_model_info(body["model"]).context_window
        assert input_tokens(body) + body["max_tokens"] <= window
        bodies.append(body)
    return bodies


def run(mode: Mode, sync: Callable[[], Any], asynchronous: Callable[[], Awaitable[Any]]) -> Any:
    """The sync call, or the async one run to completion."""
    if mode == "sync":
        return sync()
    return asyncio.run(asynchronous())  # type: ignore[arg-type]
