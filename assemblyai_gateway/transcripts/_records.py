"""Turning a transcript into neutral records, one rule per format (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import ConfigurationError, SpeakerLabelsMissingError
from ._types import TranscriptData, TranscriptFormat, TranscriptRecord, TranscriptUnit

__all__ = [
    "missing_speakers",
    "parse_transcript_format",
    "transcript_records",
    "transcripts_from_records",
]

_SUBTITLES = (TranscriptFormat.SUBTITLES_SRT, TranscriptFormat.SUBTITLES_VTT)


def parse_transcript_format(value: object) -> TranscriptFormat:
    """``value`` as a :class:`TranscriptFormat`.

    Raises:
        ConfigurationError: naming the formats, for anything else.

    Examples:
        >>> parse_transcript_format("paragraphs")
        <TranscriptFormat.PARAGRAPHS: 'paragraphs'>
    """
    try:
        return TranscriptFormat(value)  # type: ignore[arg-type]  # anything else raises
    except ValueError:
        choices = ", ".join(repr(str(member)) for member in TranscriptFormat)
        raise ConfigurationError(
            f"transcript_format must be one of {choices}; got {value!r}"
        ) from None


def _slim(metadata: Mapping[str, Any]) -> dict[str, Any]:
    # Vector stores (Chroma, ...) refuse None values, so unknown fields are left out.
    return {key: value for key, value in metadata.items() if value is not None}


def _transcript_metadata(data: TranscriptData, fmt: TranscriptFormat) -> dict[str, Any]:
    return {
        "transcript_id": data.id,
        "transcript_format": fmt.value,
        "audio_url": data.audio_url,
        "language_code": data.language_code,
    }


def _unit_record(
    unit: TranscriptUnit, index: int, base: Mapping[str, Any], *, labelled: bool
) -> TranscriptRecord:
    metadata = {
        **base,
        "index": index,
        "speaker": unit.speaker,
        "channel": unit.channel,
        "start": unit.start,
        "end": unit.end,
        "confidence": unit.confidence,
    }
    return TranscriptRecord(unit.labelled_text if labelled else unit.text, _slim(metadata))


def missing_speakers(data: TranscriptData) -> SpeakerLabelsMissingError:
    return SpeakerLabelsMissingError(
        f"transcript {data.id} has no speaker labels, so it has no utterances: "
        "transcribe the audio again with TranscriptionConfig(speaker_labels=True), "
        "or load it as 'paragraphs' or 'sentences'",
        transcript_id=data.id,
    )


def transcript_records(
    data: TranscriptData,
    transcript_format: TranscriptFormat | str = TranscriptFormat.TEXT,
    *,
    subtitles: str | None = None,
) -> list[TranscriptRecord]:
    """The records ``transcript_format`` makes of one transcript.

    Args:
        data: The transcript; for ``sentences`` or ``paragraphs`` fetched with them
            (``include=["sentences"]``), which :class:`TranscriptClient` does for you.
        transcript_format: One of :class:`TranscriptFormat`.
        subtitles: The SRT or VTT text, for the two subtitle formats.

    Raises:
        SpeakerLabelsMissingError: ``utterances`` of a transcript without speaker labels.
        ConfigurationError: an unknown format, or units or subtitles not supplied.

    Examples:
        >>> data = TranscriptData(
        ...     id="tr_1", text="Hi. Bye.", language_code="en_us",
        ...     utterances=(
        ...         TranscriptUnit("Hi.", 0, 500, "A"), TranscriptUnit("Bye.", 600, 900, "B"),
        ...     ),
        ... )
        >>> [r.text for r in transcript_records(data, "utterances")]
        ['Speaker A: Hi.', 'Speaker B: Bye.']
        >>> metadata = transcript_records(data, "utterances")[1].metadata
        >>> {key: metadata[key] for key in ("transcript_id", "speaker", "start", "end")}
        {'transcript_id': 'tr_1', 'speaker': 'B', 'start': 600, 'end': 900}
    """
    fmt = parse_transcript_format(transcript_format)
    base = _transcript_metadata(data, fmt)
    if fmt is TranscriptFormat.TEXT:
        whole = {
            **base,
            "start": data.start,
            "end": data.end,
            "confidence": data.confidence,
            "audio_duration": data.audio_duration,
        }
        return [TranscriptRecord(data.text, _slim(whole))]
    if fmt in _SUBTITLES:
        if subtitles is None:
            raise ConfigurationError(f"{fmt.value} needs the subtitles text (subtitles=...)")
        return [TranscriptRecord(subtitles, _slim(base))]
    if fmt is TranscriptFormat.UTTERANCES:
        if data.utterances is None:
            raise missing_speakers(data)
        units, labelled = data.utterances, True
    else:
        fetched = data.sentences if fmt is TranscriptFormat.SENTENCES else data.paragraphs
        if fetched is None:
            raise ConfigurationError(
                f"transcript {data.id} was fetched without its {fmt.value}; "
                f"fetch it with include=[{fmt.value!r}]"
            )
        units, labelled = fetched, False
    return [_unit_record(unit, i, base, labelled=labelled) for i, unit in enumerate(units)]


_UNIT_FIELDS = {
    TranscriptFormat.UTTERANCES.value: "utterances",
    TranscriptFormat.PARAGRAPHS.value: "paragraphs",
    TranscriptFormat.SENTENCES.value: "sentences",
}


def _unit_of(record: TranscriptRecord) -> TranscriptUnit:
    meta = record.metadata
    speaker = meta.get("speaker")
    text = record.text
    label = f"Speaker {speaker}: "
    if isinstance(speaker, str) and text.startswith(label):
        text = text[len(label) :]
    return TranscriptUnit(
        text=text,
        start=int(meta.get("start") or 0),
        end=int(meta.get("end") or meta.get("start") or 0),
        speaker=speaker if isinstance(speaker, str) else None,
        confidence=meta.get("confidence"),
        channel=meta.get("channel"),
    )


def transcripts_from_records(records: Iterable[TranscriptRecord]) -> list[TranscriptData]:
    """The transcripts that records (documents of the loaders) were made from, so tasks
    can run over loaded documents: one :class:`TranscriptData` per ``transcript_id``, in
    order of first appearance.

    Utterance, paragraph and sentence records become the transcript's timed units (in
    ``index`` order, the ``Speaker A:`` prefix removed); a ``text`` record its text.

    Raises:
        ConfigurationError: a record without ``transcript_id`` metadata.

    Examples:
        >>> records = transcript_records(
        ...     TranscriptData(id="tr_1", text="Hi. Bye.", utterances=(
        ...         TranscriptUnit("Hi.", 0, 500, "A"), TranscriptUnit("Bye.", 600, 900, "B"),
        ...     )),
        ...     "utterances",
        ... )
        >>> [data] = transcripts_from_records(records)
        >>> data.text, data.utterances[1].speaker, (data.start, data.end)
        ('Hi. Bye.', 'B', (0, 900))
    """
    groups: dict[str, list[TranscriptRecord]] = {}
    for record in records:
        transcript_id = record.metadata.get("transcript_id")
        if not isinstance(transcript_id, str) or not transcript_id:
            raise ConfigurationError(
                "a document without 'transcript_id' metadata is not a transcript's; load "
                "transcripts with AssemblyAITranscriptLoader (or Reader), or pass ids"
            )
        groups.setdefault(transcript_id, []).append(record)
    found = []
    for transcript_id, group in groups.items():
        first = group[0].metadata
        parts: dict[str, list[TranscriptRecord]] = {}
        for record in group:
            kind = _UNIT_FIELDS.get(str(record.metadata.get("transcript_format")), "text")
            parts.setdefault(kind, []).append(record)
        units = {
            kind: tuple(
                _unit_of(r) for r in sorted(found_, key=lambda r: int(r.metadata.get("index", 0)))
            )
            for kind, found_ in parts.items()
            if kind != "text"
        }
        if "text" in parts:
            text = "\n".join(record.text for record in parts["text"])
        else:
            text = " ".join(unit.text for unit in next(iter(units.values())))
        starts = [r.metadata["start"] for r in group if isinstance(r.metadata.get("start"), int)]
        ends = [r.metadata["end"] for r in group if isinstance(r.metadata.get("end"), int)]
        found.append(
            TranscriptData(
                id=transcript_id,
                text=text,
                audio_url=first.get("audio_url"),
                language_code=first.get("language_code"),
                audio_duration=first.get("audio_duration"),
                utterances=units.get("utterances"),
                sentences=units.get("sentences"),
                paragraphs=units.get("paragraphs"),
                start=min(starts) if starts else None,
                end=max(ends) if ends else None,
            )
        )
    return found
