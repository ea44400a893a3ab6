"""Transcripts cut to fit requests: token budgets, units, sections and their sources.

A *section* is what one request carries of one transcript: all of it, or a part of
consecutive units (utterances, paragraphs or sentences) that fits the budget, with its
time range. A unit is never split unless it alone is over the budget; then it is cut
by tokens and each piece says so. Everything here is pure: no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from ..catalog import get_model_info
from ..errors import ConfigurationError
from ..tokens import estimate_tokens
from ._errors import TranscriptTooLongError
from ._records import missing_speakers
from ._types import TranscriptData, TranscriptUnit

__all__ = [
    "CONTEXT_MARGIN",
    "DEFAULT_ANSWER_TOKENS",
    "TRANSCRIPT_TAG",
    "Section",
    "Source",
    "TokenBudget",
    "UnitKind",
    "chunk_transcript",
    "clock",
    "merge_sources",
    "messages_tokens",
    "split_by_tokens",
    "token_budget",
    "whole_section",
]

TRANSCRIPT_TAG: Final = "{{ transcript }}"
"""The one tag the gateway replaces with a ``transcript_id``'s text (spaces included)."""

DEFAULT_ANSWER_TOKENS: Final = 4096
"""The answer budget (``max_tokens``) when none is given, capped at the model's output."""

CONTEXT_MARGIN: Final = 0.1
"""The share of the context window left unplanned, for the estimate's error."""

_MESSAGE_OVERHEAD = 8  # role and separators, per message
_REQUEST_OVERHEAD = 16
UnitKind = Literal["utterances", "paragraphs", "sentences"]
_UNIT_ORDER: tuple[UnitKind, ...] = ("utterances", "paragraphs", "sentences")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORDS = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class TokenBudget:
    """How many tokens a request to ``model`` may hold.

    Attributes:
        model: The model id.
        context_window: Input plus output tokens the model accepts (the catalog's).
        answer_tokens: The ``max_tokens`` sent: the room kept for the answer.

    Examples:
        >>> budget = token_budget("claude-sonnet-4-5-20250929", max_tokens=1000)
        >>> budget.input_tokens  # 90 % of 200,000, less the answer
        179000
    """

    model: str
    context_window: int
    answer_tokens: int

    @property
    def input_tokens(self) -> int:
        """The estimated input tokens a request may have (the margin kept aside)."""
        return math.floor(self.context_window * (1 - CONTEXT_MARGIN)) - self.answer_tokens


def token_budget(model: str, max_tokens: int | None = None) -> TokenBudget:
    """The budget of ``model`` (the catalog's context window; a live list when loaded).

    Raises:
        ConfigurationError: ``max_tokens`` is not a positive int.
        TranscriptTooLongError: the answer alone takes the whole window.
    """
    info = get_model_info(model)
    if max_tokens is None:
        answer = min(DEFAULT_ANSWER_TOKENS, info.max_output_tokens)
    elif isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise ConfigurationError(f"max_tokens must be a positive int, got {max_tokens!r}")
    else:
        answer = max_tokens
    budget = TokenBudget(model, info.context_window, answer)
    if budget.input_tokens < 1:
        raise TranscriptTooLongError(
            f"max_tokens={answer} leaves no room for input in {model}'s context window "
            f"of {info.context_window} tokens; lower max_tokens",
            tokens=answer,
            limit=info.context_window,
        )
    return budget


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"] for part in content if isinstance(part, Mapping) and "text" in part
        )
    return ""


def messages_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """The estimated input tokens of ``messages``, with each message's overhead."""
    total = _REQUEST_OVERHEAD
    for message in messages:
        total += estimate_tokens(_text_of(message.get("content"))) + _MESSAGE_OVERHEAD
    return total


# -- sources --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """Where an answer comes from: a transcript and the stretch of its audio used.

    Attributes:
        transcript_id: The transcript.
        start: Where the stretch starts, in milliseconds (``None``: unknown).
        end: Where it ends, in milliseconds (``None``: unknown).

    Examples:
        >>> Source("tr_1", 61_000, 3_723_000).label
        'tr_1 00:01:01-01:02:03'
    """

    transcript_id: str
    start: int | None = None
    end: int | None = None

    @property
    def label(self) -> str:
        """``<id> HH:MM:SS-HH:MM:SS``, or the id alone without times."""
        if self.start is None or self.end is None:
            return self.transcript_id
        return f"{self.transcript_id} {clock(self.start)}-{clock(self.end)}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: ``transcript_id``, ``start``, ``end``."""
        return {"transcript_id": self.transcript_id, "start": self.start, "end": self.end}


def clock(milliseconds: int) -> str:
    """``HH:MM:SS`` of a time in milliseconds.

    Examples:
        >>> clock(3_723_400)
        '01:02:03'
    """
    seconds = max(0, milliseconds) // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass(frozen=True)
class Section:
    """What one request carries of one transcript: all of it or one part.

    Attributes:
        transcript_id: The transcript.
        text: The text sent inline, or ``None`` when the gateway injects the transcript
            from ``transcript_id`` at the ``{{ transcript }}`` tag.
        tokens: The estimated tokens of :meth:`block`.
        start: The first unit's start in ms (``None`` when unknown).
        end: The last unit's end in ms.
        part: This part's number, from 1.
        parts: How many parts the transcript was cut into (1: whole).
        note: Why a part is odd (a unit cut by length), said in the block.

    Examples:
        >>> section = Section("tr_1", "Speaker A: Hi.", 12, 0, 61_000, part=2, parts=3)
        >>> print(section.block())
        <transcript id="tr_1" part="2 of 3" from="00:00:00" to="00:01:01">
        Speaker A: Hi.
        </transcript>
    """

    transcript_id: str
    text: str | None
    tokens: int
    start: int | None
    end: int | None
    part: int = 1
    parts: int = 1
    note: str | None = None

    @property
    def source(self) -> Source:
        """The transcript and time range this section covers."""
        return Source(self.transcript_id, self.start, self.end)

    def block(self) -> str:
        """The section as the model reads it: wrapped, and its part and times named."""
        return _wrap(
            self.transcript_id, self.text, self.start, self.end, self.part, self.parts, self.note
        )


def _wrap(
    transcript_id: str,
    text: str | None,
    start: int | None,
    end: int | None,
    part: int,
    parts: int,
    note: str | None,
) -> str:
    attributes = [f'id="{transcript_id}"']
    if parts > 1:
        attributes.append(f'part="{part} of {parts}"')
    if parts > 1 and start is not None and end is not None:
        attributes += [f'from="{clock(start)}"', f'to="{clock(end)}"']
    if note:
        attributes.append(f'note="{note}"')
    body = TRANSCRIPT_TAG if text is None else text
    return f"<transcript {' '.join(attributes)}>\n{body}\n</transcript>"


# The wrapper of the longest attributes a part can have, estimated once per call.
_WRAPPER_PROBE = 'part="9999 of 9999" from="00:00:00" to="00:00:00" note="{}"'


def _wrapper_tokens(transcript_id: str, note: str = "") -> int:
    probe = f'<transcript id="{transcript_id}" {_WRAPPER_PROBE.format(note)}>\n\n</transcript>'
    return estimate_tokens(probe) + 2


def whole_section(data: TranscriptData, text: str | None) -> Section:
    """All of ``data`` as one section: ``text`` inline, or ``None`` to inject it."""
    section = Section(data.id, text, 0, data.start, data.end)
    sized = estimate_tokens(section.block()) + (estimate_tokens(data.text) if text is None else 0)
    return Section(data.id, text, sized, data.start, data.end)


def merge_sources(sections: Sequence[Section]) -> tuple[Source, ...]:
    """The sources of ``sections``: transcripts in order of first appearance, each
    one's consecutive parts merged into one time range.

    Examples:
        >>> first = Section("tr_1", "...", 9, 0, 500, part=1, parts=3)
        >>> second = Section("tr_1", "...", 9, 600, 900, part=2, parts=3)
        >>> merge_sources([second, first])
        (Source(transcript_id='tr_1', start=0, end=900),)
    """
    by_transcript: dict[str, dict[int, Section]] = {}
    for section in sections:
        by_transcript.setdefault(section.transcript_id, {}).setdefault(section.part, section)
    sources: list[Source] = []
    for transcript_id, parts in by_transcript.items():
        span: list[Any] | None = None
        for part in sorted(parts):
            section = parts[part]
            if span is not None and span[2] == part - 1:
                span[0] = _least(span[0], section.start)
                span[1] = _most(span[1], section.end)
                span[2] = part
                continue
            if span is not None:
                sources.append(Source(transcript_id, span[0], span[1]))
            span = [section.start, section.end, part]
        if span is not None:
            sources.append(Source(transcript_id, span[0], span[1]))
    return tuple(sources)


def _least(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _most(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


# -- units and chunks -----------------------------------------------------------------


def _text_units(data: TranscriptData) -> tuple[TranscriptUnit, ...]:
    """Sentences cut from the text alone, for a transcript given without timed units;
    each spans the whole transcript's time, as nothing finer is known."""
    start = data.start if data.start is not None else 0
    end = data.end if data.end is not None else start
    pieces = [piece for piece in _SENTENCE_END.split(data.text) if piece.strip()]
    return tuple(TranscriptUnit(piece.strip(), start, end) for piece in pieces)


def transcript_units(
    data: TranscriptData, unit: UnitKind | None, *, speaker_labels: bool
) -> tuple[tuple[TranscriptUnit, ...], bool]:
    """The units to cut ``data`` at, and whether they carry their own times.

    ``unit`` picks one kind; ``None`` takes utterances, else paragraphs, else sentences,
    else sentences cut from the text.

    Raises:
        SpeakerLabelsMissingError: ``speaker_labels`` for a transcript without them.
        ConfigurationError: ``unit`` names units ``data`` was not fetched with.
    """
    if (speaker_labels or unit == "utterances") and data.utterances is None:
        raise missing_speakers(data)
    if unit is not None and unit not in _UNIT_ORDER:
        raise ConfigurationError(f"unit must be one of {', '.join(_UNIT_ORDER)}; got {unit!r}")
    for kind in (unit,) if unit is not None else _UNIT_ORDER:
        found: tuple[TranscriptUnit, ...] | None = getattr(data, kind)
        if found is not None:
            return found, True
    if unit is not None:
        raise ConfigurationError(
            f"transcript {data.id} was fetched without its {unit}; fetch it with include=[{unit!r}]"
        )
    return _text_units(data), False


def render_units(
    units: Iterable[TranscriptUnit], *, speaker_labels: bool, timestamps: bool
) -> list[str]:
    """One line per unit: ``[HH:MM:SS] Speaker A: text``, each prefix when asked for."""
    lines = []
    for unit in units:
        prefix = f"[{clock(unit.start)}] " if timestamps else ""
        lines.append(prefix + (unit.labelled_text if speaker_labels else unit.text))
    return lines


def split_by_tokens(text: str, limit: int) -> list[str]:
    """``text`` cut at spaces into pieces of at most ``limit`` estimated tokens (a word
    longer than that is cut by characters).

    Examples:
        >>> split_by_tokens("one two three four", 2)
        ['one two ', 'three ', 'four']
    """
    if limit < 1:
        raise ValueError("limit must be >= 1")
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for word in _WORDS.findall(text):
        cost = estimate_tokens(word)
        if cost > limit:  # one word beyond the limit: no character is over one token
            pieces += ["".join(current)] if current else []
            current, used = [], 0
            pieces += [word[i : i + limit] for i in range(0, len(word), limit)]
            continue
        if used + cost > limit and current:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(word)
        used += cost
    if current:
        pieces.append("".join(current))
    return pieces


def chunk_transcript(
    data: TranscriptData,
    budget: int,
    *,
    unit: UnitKind | None = None,
    speaker_labels: bool = False,
    timestamps: bool = False,
) -> list[Section]:
    """``data`` cut into sections of at most ``budget`` estimated tokens each.

    Units stay whole and in order; a unit alone over the budget is cut by tokens into
    sections of its own, each saying so in its ``note``.

    Raises:
        TranscriptTooLongError: ``budget`` cannot hold even the section's wrapper.
        SpeakerLabelsMissingError, ConfigurationError: as :func:`transcript_units`.
    """
    units, timed = transcript_units(data, unit, speaker_labels=speaker_labels)
    lines = render_units(units, speaker_labels=speaker_labels, timestamps=timestamps and timed)
    room = budget - _wrapper_tokens(data.id, "one long unit cut by length: piece 9999 of 9999")
    if room < 1:
        raise TranscriptTooLongError(
            f"a request has room for {budget} transcript tokens, too few for any of "
            f"transcript {data.id}; lower max_tokens or shorten the prompt",
            tokens=budget - room,
            limit=budget,
        )
    drafts: list[tuple[list[str], int | None, int | None, str | None]] = []
    current: list[str] = []
    first: TranscriptUnit | None = None
    last: TranscriptUnit | None = None
    used = 0
    for unit_, line in zip(units, lines, strict=True):
        cost = estimate_tokens(line) + 1  # the line break
        if cost > room:
            if current:
                drafts.append((current, _start(first, timed), _end(last, timed), None))
                current, first, used = [], None, 0
            pieces = split_by_tokens(line, room - 1)
            for index, piece in enumerate(pieces, start=1):
                cut = f"one long unit cut by length: piece {index} of {len(pieces)}"
                drafts.append(([piece], _start(unit_, timed), _end(unit_, timed), cut))
            continue
        if used + cost > room and current:
            drafts.append((current, _start(first, timed), _end(last, timed), None))
            current, first, used = [], None, 0
        current.append(line)
        first = first or unit_
        last = unit_
        used += cost
    if current or not drafts:
        drafts.append((current, _start(first, timed), _end(last, timed), None))
    if not timed:  # sentences cut from the text: only the whole transcript's time is known
        drafts = [(lines_, data.start, data.end, note) for lines_, _, _, note in drafts]
    total = len(drafts)
    sections = []
    for part, (chunk_lines, start, end, note) in enumerate(drafts, start=1):
        joined = "\n".join(chunk_lines)
        block = _wrap(data.id, joined, start, end, part, total, note)
        sections.append(
            Section(data.id, joined, estimate_tokens(block), start, end, part, total, note)
        )
    return sections


def _start(unit: TranscriptUnit | None, timed: bool) -> int | None:
    return unit.start if unit is not None and timed else None


def _end(unit: TranscriptUnit | None, timed: bool) -> int | None:
    return unit.end if unit is not None and timed else None
