"""What loading a transcript takes, written once as a plan of SDK steps.

A plan is a generator: it yields a :class:`Step` (open a transcript, submit audio, call
one of the SDK transcript's methods) and is sent back the step's result. :func:`drive`
runs a plan on the SDK's blocking ``Client``, :func:`adrive` on its asyncio
``AsyncClient``, where each step is one awaited call: the logic lives here once, and
the two runners differ only in ``await``.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Generator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._records import transcript_records
from ._sdk import completed_data, load_sdk, translate_error, units
from ._types import TranscriptData, TranscriptFormat, TranscriptRecord

if TYPE_CHECKING:
    import assemblyai

__all__ = ["Plan", "Step", "adrive", "drive", "fetch_plan", "records_plan"]

T = TypeVar("T")
Include = Collection[Literal["sentences", "paragraphs"]]
AudioSource = str | os.PathLike[str]


@dataclass(frozen=True)
class Step:
    """One SDK call: ``open`` (no I/O), ``submit`` audio, or ``call`` a transcript method.

    Attributes:
        kind: ``"open"``, ``"submit"`` or ``"call"``.
        action: What the step does, in words, for error messages.
        transcript_id: The transcript concerned, when known.
        target: The audio to submit, or the SDK transcript whose method to call.
        method: The SDK transcript method (``wait_for_completion``, ``get_sentences``, ...).
        kwargs: The method's keyword arguments.
        config: The transcription config of a ``submit``.
    """

    kind: Literal["open", "submit", "call"]
    action: str
    transcript_id: str | None = None
    target: Any = None
    method: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    config: Any = None


Plan = Generator[Step, Any, T]


def _wait(transcript: Any, transcript_id: str, poll_timeout: float) -> Step:
    return Step(
        "call",
        f"waiting for transcript {transcript_id}",
        transcript_id,
        transcript,
        "wait_for_completion",
        {"poll_timeout": poll_timeout},
    )


def _finish(
    transcript: Any, transcript_id: str, include: Include, poll_timeout: float
) -> Plan[TranscriptData]:
    yield _wait(transcript, transcript_id, poll_timeout)
    data = completed_data(transcript, transcript_id)
    parts: dict[str, Any] = {}
    for part in ("sentences", "paragraphs"):
        if part in include:
            action = f"fetching the {part} of transcript {transcript_id}"
            found = yield Step("call", action, transcript_id, transcript, f"get_{part}")
            parts[part] = units(found)
    return replace(data, **parts) if parts else data


def fetch_plan(
    transcript_id: str, *, include: Include = (), poll_timeout: float
) -> Plan[tuple[Any, TranscriptData]]:
    """Open the transcript, wait (bounded) until it is done, fetch its ``include`` parts."""
    transcript = yield Step("open", f"opening transcript {transcript_id}", transcript_id)
    data = yield from _finish(transcript, transcript_id, include, poll_timeout)
    return transcript, data


def transcribe_plan(
    audio: AudioSource, *, config: Any, include: Include = (), poll_timeout: float
) -> Plan[tuple[Any, TranscriptData]]:
    """Submit the audio (a URL, or a file uploaded first), then finish as a fetch does."""
    name = os.fspath(audio)
    transcript = yield Step("submit", f"transcribing {name!r}", None, audio, config=config)
    transcript_id = str(transcript.id)
    data = yield from _finish(transcript, transcript_id, include, poll_timeout)
    return transcript, data


_UNIT_PARTS: dict[TranscriptFormat, Literal["sentences", "paragraphs"]] = {
    TranscriptFormat.SENTENCES: "sentences",
    TranscriptFormat.PARAGRAPHS: "paragraphs",
}
_SUBTITLE_METHODS = {
    TranscriptFormat.SUBTITLES_SRT: "export_subtitles_srt",
    TranscriptFormat.SUBTITLES_VTT: "export_subtitles_vtt",
}


def records_plan(
    source: tuple[Literal["id", "audio"], AudioSource],
    transcript_format: TranscriptFormat,
    *,
    config: Any,
    chars_per_caption: int | None,
    poll_timeout: float,
) -> Plan[list[TranscriptRecord]]:
    """One transcript's records in ``transcript_format``, fetching only what it needs."""
    kind, value = source
    part = _UNIT_PARTS.get(transcript_format)
    include: Include = (part,) if part else ()
    if kind == "id":
        transcript, data = yield from fetch_plan(
            str(value), include=include, poll_timeout=poll_timeout
        )
    else:
        transcript, data = yield from transcribe_plan(
            value, config=config, include=include, poll_timeout=poll_timeout
        )
    subtitles = None
    method = _SUBTITLE_METHODS.get(transcript_format)
    if method is not None:
        action = f"exporting the subtitles of transcript {data.id}"
        kwargs = {"chars_per_caption": chars_per_caption}
        subtitles = yield Step("call", action, data.id, transcript, method, kwargs)
    return transcript_records(data, transcript_format, subtitles=subtitles)


def _failure(error: Exception, step: Step, base_url: str) -> Exception | None:
    waiting = step.method == "wait_for_completion"
    return translate_error(
        error,
        action=step.action,
        transcript_id=step.transcript_id,
        base_url=base_url,
        transcript=step.target if waiting else None,
        waited=step.kwargs.get("poll_timeout") if waiting else None,
    )


def drive(plan: Plan[T], client: assemblyai.Client) -> T:
    """Run ``plan`` with the SDK's blocking ``Transcript`` and ``Transcriber``."""
    aai = load_sdk()
    result: Any = None
    while True:
        try:
            step = plan.send(result)
        except StopIteration as done:
            value: T = done.value
            return value
        try:
            if step.kind == "open":
                result = aai.Transcript(step.transcript_id, client=client)
            elif step.kind == "submit":
                transcriber = aai.Transcriber(client=client, max_workers=1)
                result = transcriber.submit(step.target, config=step.config)
            else:
                result = getattr(step.target, step.method)(**step.kwargs)
        except Exception as error:
            typed = _failure(error, step, client.settings.base_url)
            if typed is None:
                raise
            raise typed from error


async def adrive(plan: Plan[T], client: assemblyai.AsyncClient) -> T:
    """Run ``plan`` with the SDK's asyncio ``AsyncTranscript`` and ``AsyncTranscriber``:
    every request is awaited on the event loop, none runs in a thread."""
    aai = load_sdk()
    result: Any = None
    while True:
        try:
            step = plan.send(result)
        except StopIteration as done:
            value: T = done.value
            return value
        try:
            if step.kind == "open":
                result = aai.AsyncTranscript(step.transcript_id, client=client)
            elif step.kind == "submit":
                transcriber = aai.AsyncTranscriber(client=client)
                result = await transcriber.submit(step.target, config=step.config)
            else:
                result = await getattr(step.target, step.method)(**step.kwargs)
        except Exception as error:
            typed = _failure(error, step, client.settings.base_url)
            if typed is None:
                raise
            raise typed from error
