"""The framework-free shapes of a transcript: its units, the whole, and neutral records.

Everything here is plain data, free of I/O and of the ``assemblyai`` SDK, so the
adapters, the chunkers and the tasks built on transcripts share one vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "DEFAULT_POLL_TIMEOUT",
    "TRANSCRIPT_REGION_BASE_URLS",
    "TranscriptData",
    "TranscriptFormat",
    "TranscriptRecord",
    "TranscriptUnit",
]

TRANSCRIPT_REGION_BASE_URLS: Mapping[str, str] = MappingProxyType(
    {"us": "https://api.assemblyai.com", "eu": "https://api.eu.assemblyai.com"}
)
"""The transcript API's host in each region (the SDK's ``base_url``, no path)."""

DEFAULT_POLL_TIMEOUT = 600.0
"""How long, in seconds, a fetch or a transcription waits for a transcript to complete."""


class TranscriptFormat(StrEnum):
    """How a transcript becomes documents; the plain strings work as well.

    The names and values of the community loaders' ``TranscriptFormat`` are kept, so
    code moving from them keeps working, and ``UTTERANCES`` is added.

    Examples:
        >>> TranscriptFormat("utterances") is TranscriptFormat.UTTERANCES
        True
        >>> TranscriptFormat.SUBTITLES_SRT == "subtitles_srt"
        True
    """

    TEXT = "text"
    """One document per transcript: its whole text."""
    SENTENCES = "sentences"
    """One document per sentence (``GET /v2/transcript/{id}/sentences``)."""
    PARAGRAPHS = "paragraphs"
    """One document per paragraph (``GET /v2/transcript/{id}/paragraphs``)."""
    UTTERANCES = "utterances"
    """One document per speaker turn, as ``Speaker A: ...`` (needs speaker labels)."""
    SUBTITLES_SRT = "subtitles_srt"
    """One document per transcript: its SubRip captions (``/srt``)."""
    SUBTITLES_VTT = "subtitles_vtt"
    """One document per transcript: its WebVTT captions (``/vtt``)."""


@dataclass(frozen=True, slots=True)
class TranscriptUnit:
    """One timed stretch of a transcript: an utterance, a paragraph or a sentence.

    Attributes:
        text: What was said.
        start: Where it starts in the audio, in milliseconds.
        end: Where it ends, in milliseconds.
        speaker: The speaker label (``"A"``, ``"B"``, ...) when the transcript has
            speaker labels, else ``None``.
        confidence: The API's confidence in the text (0 to 1), when it gives one.
        channel: The audio channel, for multichannel transcripts.

    Examples:
        >>> unit = TranscriptUnit("Ship it Friday.", 1200, 2900, speaker="A")
        >>> (unit.duration, unit.labelled_text)
        (1700, 'Speaker A: Ship it Friday.')
    """

    text: str
    start: int
    end: int
    speaker: str | None = None
    confidence: float | None = None
    channel: str | None = None

    @property
    def duration(self) -> int:
        """``end - start``, in milliseconds."""
        return self.end - self.start

    @property
    def labelled_text(self) -> str:
        """The text with its speaker named first (``Speaker A: ...``), when known."""
        return f"Speaker {self.speaker}: {self.text}" if self.speaker else self.text


@dataclass(frozen=True, slots=True)
class TranscriptData:
    """A completed transcript: its text and timed units, without the word list.

    Made by :meth:`TranscriptClient.fetch` (or :func:`fetch_transcript`). The words are
    left out on purpose: they are most of a transcript's JSON and no document needs them.

    Attributes:
        id: The transcript id.
        text: The whole text (``""`` for silent audio).
        audio_url: The audio the transcript was made from.
        language_code: The language, e.g. ``"en_us"``, when the API says it.
        confidence: The overall confidence (0 to 1), when given.
        audio_duration: The audio's length in seconds, when given.
        utterances: The speaker turns, or ``None`` when the transcript was made
            without ``speaker_labels`` (or ``multichannel``).
        sentences: The sentences, when they were fetched (``include``), else ``None``.
        paragraphs: The paragraphs, when they were fetched, else ``None``.
        start: The first word's start in milliseconds (``None`` without words).
        end: The last word's end in milliseconds (``None`` without words).

    Examples:
        >>> data = TranscriptData(
        ...     id="tr_1", text="Hi. Bye.", audio_url="https://example.com/a.mp3",
        ...     utterances=(
        ...         TranscriptUnit("Hi.", 0, 500, "A"), TranscriptUnit("Bye.", 600, 900, "B"),
        ...     ),
        ...     start=0, end=900,
        ... )
        >>> (data.has_speaker_labels, data.speakers, data.end)
        (True, ('A', 'B'), 900)
    """

    id: str
    text: str
    audio_url: str | None = None
    language_code: str | None = None
    confidence: float | None = None
    audio_duration: float | None = None
    utterances: tuple[TranscriptUnit, ...] | None = None
    sentences: tuple[TranscriptUnit, ...] | None = None
    paragraphs: tuple[TranscriptUnit, ...] | None = None
    start: int | None = None
    end: int | None = None

    @property
    def has_speaker_labels(self) -> bool:
        """Whether the transcript has speaker turns (``utterances``)."""
        return self.utterances is not None

    @property
    def speakers(self) -> tuple[str, ...]:
        """The speaker labels in order of first appearance (empty without labels)."""
        seen = dict.fromkeys(u.speaker for u in self.utterances or () if u.speaker)
        return tuple(seen)


SubtitleFormat = Literal["srt", "vtt"]


@dataclass(frozen=True, slots=True)
class TranscriptRecord:
    """A neutral document: text plus slim, flat metadata (no ``None`` values).

    The LangChain loader and the LlamaIndex reader each turn these into their own
    document type, unchanged. Metadata keys: ``transcript_id``, ``transcript_format``,
    ``audio_url``, ``language_code``, and, where they apply, ``speaker``, ``start``
    and ``end`` (milliseconds), ``confidence``, ``channel``, ``index`` (the unit's
    position in the transcript) and ``audio_duration`` (seconds). Values are
    strings, ints or floats only, as vector stores require.

    Examples:
        >>> record = TranscriptRecord("Speaker A: Hi.", {"transcript_id": "tr_1", "speaker": "A"})
        >>> (record.metadata["speaker"], record.id)
        ('A', 'tr_1:None')
    """

    text: str
    metadata: Mapping[str, Any]

    @property
    def id(self) -> str:
        """A stable document id: ``<transcript id>:<format>[:<index>]``.

        Loading the same transcript again gives the same ids, so a vector store or
        docstore updates its documents instead of duplicating them.
        """
        parts = [
            str(self.metadata.get("transcript_id")),
            str(self.metadata.get("transcript_format")),
        ]
        if "index" in self.metadata:
            parts.append(str(self.metadata["index"]))
        return ":".join(parts)
