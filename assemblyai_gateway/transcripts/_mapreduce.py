"""A task over transcripts as map-reduce, written once as a plan of steps.

The plan is a generator: it yields :class:`Fetch` (transcripts to read) and
:class:`Calls` (chat requests to send, as a batch) and is sent back their results in
order. The sync runner sends a batch with worker threads, the async one with tasks;
the decisions (what fits, what goes inline, how notes are combined) are made here once.

Every request is sized before it is yielded: its estimated input plus ``max_tokens``
stays within the model's context window less a margin, and a request that would not
raises instead of being sent. Transcripts given as ids that fit whole go by
``transcript_id`` (the gateway injects them) unless inline text is needed; small ones
share a request inline; long ones are cut into parts whose notes are combined, in as
many rounds as the notes need.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .._wire.types import ChatCompletion
from ..errors import ConfigurationError
from ..tokens import estimate_tokens
from ._errors import TranscriptTooLongError
from ._pieces import (
    Section,
    TokenBudget,
    UnitKind,
    chunk_transcript,
    merge_sources,
    messages_tokens,
    split_by_tokens,
    token_budget,
    whole_section,
)
from ._prompt import check_transcript_tag, inline_text
from ._results import AnswersResult, TaskResult, sum_usage
from ._specs import Notes, Stage, TaskSpec
from ._types import TranscriptData

__all__ = [
    "Calls",
    "Fetch",
    "Step",
    "TaskPlan",
    "TaskSettings",
    "TranscriptMode",
    "normalize_transcripts",
    "task_plan",
]

TranscriptMode = Literal["auto", "transcript_id", "inline"]
_MODES = ("auto", "transcript_id", "inline")
_OWNED = frozenset(
    {"model", "messages", "prompt", "transcript_id", "max_tokens", "response_format", "stream"}
)
_MAX_ROUNDS = 32


@dataclass(frozen=True)
class Fetch:
    """Read these transcripts (with ``include`` parts); the plan gets TranscriptData back."""

    transcript_ids: tuple[str, ...]
    include: tuple[Literal["paragraphs", "sentences"], ...] = ()


@dataclass(frozen=True)
class Calls:
    """Send these chat requests; the plan gets their completions back, in order."""

    requests: tuple[dict[str, Any], ...]


Step = Fetch | Calls
TaskPlan = Generator[Step, Any, TaskResult]


@dataclass(frozen=True)
class TaskSettings:
    """How a task sends its requests (checked when made).

    Attributes:
        model: The gateway model; its context window sizes every request.
        max_tokens: The answer budget of every call (default 4096, capped at the
            model's output limit).
        request_fields: Other request fields for every call (``temperature``,
            ``fallbacks``, ``reasoning``...).
        speaker_labels: Transcripts inline as ``Speaker A: ...`` lines.
        timestamps: ``[HH:MM:SS]`` before each inline line.
        transcript_mode: ``"auto"`` (ids that fit whole go by ``transcript_id``, small
            transcripts share a request inline), ``"transcript_id"`` (each transcript
            in requests of its own, injected whenever it fits) or ``"inline"``.
        chunk_tokens: The most transcript tokens one inline request may carry.
        unit: Cut at ``"utterances"``, ``"paragraphs"`` or ``"sentences"``.
        structured: Whether ``response_format`` json_schema may be sent.
    """

    model: str
    max_tokens: int | None = None
    request_fields: Mapping[str, Any] = field(default_factory=dict)
    speaker_labels: bool = False
    timestamps: bool = False
    transcript_mode: TranscriptMode = "auto"
    chunk_tokens: int | None = None
    unit: UnitKind | None = None
    structured: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise ConfigurationError(f"model must be a model id, got {self.model!r}")
        if self.transcript_mode not in _MODES:
            raise ConfigurationError(
                f"transcript_mode must be one of {', '.join(_MODES)}; got {self.transcript_mode!r}"
            )
        chunk = self.chunk_tokens
        if chunk is not None and (
            isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1
        ):
            raise ConfigurationError(f"chunk_tokens must be a positive int, got {chunk!r}")
        owned = sorted(_OWNED & set(self.request_fields))
        if owned:
            raise ConfigurationError(
                f"request_fields must not set {owned}: the task sets them (max_tokens=... "
                "is an argument of its own)"
            )
        if self.transcript_mode == "transcript_id" and (self.speaker_labels or self.timestamps):
            raise ConfigurationError(
                "transcript_mode='transcript_id' sends the gateway's plain text, without "
                "speaker labels or timestamps; use 'auto' or 'inline' for them"
            )


def normalize_transcripts(transcripts: object) -> tuple[str | TranscriptData, ...]:
    """One or many transcript ids and :class:`TranscriptData`, checked.

    Raises:
        ConfigurationError: none, an empty id, something else, or a transcript twice.
    """
    if isinstance(transcripts, (str, TranscriptData)):
        transcripts = [transcripts]
    if not isinstance(transcripts, Iterable):
        raise ConfigurationError(
            f"transcripts must be ids or TranscriptData (one or a list), got {transcripts!r}"
        )
    items: list[str | TranscriptData] = []
    seen: set[str] = set()
    for item in transcripts:
        if isinstance(item, str) and item.strip():
            item = item.strip()
            key = item
        elif isinstance(item, TranscriptData):
            key = item.id
        else:
            raise ConfigurationError(f"a transcript is an id or a TranscriptData, got {item!r}")
        if key in seen:
            raise ConfigurationError(f"transcript {key} is given twice")
        seen.add(key)
        items.append(item)
    if not items:
        raise ConfigurationError("a task needs at least one transcript")
    return tuple(items)


class _Planner:
    """The shared state of one plan: settings, budget and system prompt."""

    def __init__(self, spec: TaskSpec, settings: TaskSettings, many: bool) -> None:
        self.spec = spec
        self.settings = settings
        self.many = many
        self.budget: TokenBudget = token_budget(settings.model, settings.max_tokens)
        self.system = spec.system()

    def overhead(self, stage: Stage) -> int:
        user = self.spec.instructions(stage, self.many)
        return messages_tokens([{"content": self.system}, {"content": user}])

    def room(self, *stages: Stage) -> int:
        """Estimated tokens left for transcripts or notes in a request of ``stages``."""
        room = self.budget.input_tokens - max(self.overhead(stage) for stage in stages)
        if room < 1:
            raise TranscriptTooLongError(
                f"the task's prompt alone is more than {self.settings.model}'s context "
                f"window leaves for input ({self.budget.input_tokens} tokens); shorten the "
                "context or questions, or lower max_tokens",
                tokens=self.budget.input_tokens - room,
                limit=self.budget.input_tokens,
            )
        return room

    def body(
        self, stage: Stage, blocks: Sequence[str], sizes: Sequence[int], injected: str | None = None
    ) -> dict[str, Any]:
        """One request, checked against the window before it exists."""
        used = self.overhead(stage) + sum(size + 1 for size in sizes)
        if used > self.budget.input_tokens:  # the plan sized it: this never happens
            raise TranscriptTooLongError(
                f"a {stage} request of about {used} tokens would exceed "
                f"{self.settings.model}'s context window",
                tokens=used,
                limit=self.budget.input_tokens,
            )
        user = "\n\n".join([*blocks, self.spec.instructions(stage, self.many)])
        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": user}]
        body: dict[str, Any] = {**self.settings.request_fields, "model": self.settings.model}
        body["max_tokens"] = self.budget.answer_tokens
        body["messages"] = messages
        response_format = self.spec.response_format(stage, self.settings.structured)
        if response_format is not None:
            body["response_format"] = response_format
        if injected is not None:
            check_transcript_tag(messages)  # our own messages obey the gateway's rule
            body["transcript_id"] = injected
        return body

    def sections_body(self, stage: Stage, sections: Sequence[Section]) -> dict[str, Any]:
        injected = next((s.transcript_id for s in sections if s.text is None), None)
        blocks = [section.block() for section in sections]
        return self.body(stage, blocks, [s.tokens for s in sections], injected)

    def notes_body(self, stage: Stage, notes: Sequence[Notes]) -> dict[str, Any]:
        blocks = [note.render() for note in notes]
        return self.body(stage, blocks, [estimate_tokens(block) for block in blocks])


def _injectable(
    data: TranscriptData, from_id: bool, settings: TaskSettings, room: int
) -> Section | None:
    """``data`` as an injected section, when the gateway may inject it and it fits."""
    mode = settings.transcript_mode
    if mode == "inline" or settings.speaker_labels or settings.timestamps:
        return None
    if not from_id and mode != "transcript_id":
        return None  # a TranscriptData of the caller's may not exist on the gateway's side
    injected = whole_section(data, None)
    return injected if injected.tokens <= room else None


def _pack(
    items: Sequence[tuple[TranscriptData, bool]], settings: TaskSettings, room: int, capacity: int
) -> list[list[Section]]:
    """The sections of every request, in transcript order."""
    requests: list[list[Section]] = []
    open_request: list[Section] | None = None
    used = 0
    injectable: dict[str, Section] = {}
    for data, from_id in items:
        injected = _injectable(data, from_id, settings, room)
        if injected is not None:
            injectable[data.id] = injected
        if settings.transcript_mode == "transcript_id" and injected is not None:
            requests.append([injected])
            continue
        text = inline_text(data, settings.unit, settings.speaker_labels, settings.timestamps)
        whole = whole_section(data, text)
        if whole.tokens > capacity:
            if injected is not None:  # over the chunk size, within the window
                requests.append([injected])
                continue
            parts = chunk_transcript(
                data,
                capacity,
                unit=settings.unit,
                speaker_labels=settings.speaker_labels,
                timestamps=settings.timestamps,
            )
            requests.extend([part] for part in parts)
            open_request = None
            continue
        if settings.transcript_mode == "transcript_id":
            requests.append([whole])
        elif open_request is not None and used + whole.tokens + 1 <= capacity:
            open_request.append(whole)
            used += whole.tokens + 1
        else:
            open_request = [whole]
            used = whole.tokens + 1
            requests.append(open_request)
    # A transcript alone in its request goes by transcript_id when the gateway may inject it.
    return [
        [injectable[request[0].transcript_id]]
        if len(request) == 1 and request[0].parts == 1 and request[0].transcript_id in injectable
        else request
        for request in requests
    ]


def _needs_units(data: TranscriptData, settings: TaskSettings, room: int, capacity: int) -> bool:
    """Whether ``data`` will be cut (as :func:`_pack` decides) but has no timed units."""
    if data.utterances or data.paragraphs or data.sentences:
        return False
    if settings.transcript_mode != "inline" and _injectable(data, True, settings, room):
        return False  # it goes whole, by transcript_id
    return whole_section(data, data.text).tokens > capacity


def task_plan(
    spec: TaskSpec, transcripts: Sequence[str | TranscriptData], settings: TaskSettings
) -> TaskPlan:
    """The plan of ``spec`` over ``transcripts``: fetch, map, combine, reduce.

    Raises (from the generator):
        TranscriptTooLongError: the prompt, or the notes, cannot fit any request.
        TaskAnswerError: an answer is not what the task asked for.
    """
    planner = _Planner(spec, settings, len(transcripts) > 1)
    room = planner.room("final", "map")
    capacity = min(room, settings.chunk_tokens) if settings.chunk_tokens else room
    ids = [item for item in transcripts if isinstance(item, str)]
    fetched: dict[str, TranscriptData] = {}
    if ids:
        include: tuple[Literal["paragraphs", "sentences"], ...] = ()
        if settings.unit == "paragraphs" or settings.unit == "sentences":
            include = (settings.unit,)
        fetched = dict(zip(ids, (yield Fetch(tuple(ids), include)), strict=True))
        refetch = tuple(i for i in ids if _needs_units(fetched[i], settings, room, capacity))
        if refetch and settings.unit is None:
            fetched.update(zip(refetch, (yield Fetch(refetch, ("paragraphs",))), strict=True))
    items = [(fetched[t], True) if isinstance(t, str) else (t, False) for t in transcripts]
    requests = _pack(items, settings, room, capacity)
    completions: list[ChatCompletion] = []
    sections = tuple(s for request in requests for s in request)
    if len(requests) == 1:
        [completion] = yield Calls((planner.sections_body("final", requests[0]),))
        completions.append(completion)
        answer = spec.answer(completion, sections, ())
        return _result(answer, completions, items, sections)
    answered = yield Calls(tuple(planner.sections_body("map", request) for request in requests))
    completions += answered
    notes = [spec.notes(c, tuple(r), ()) for c, r in zip(answered, requests, strict=True)]
    for _ in range(_MAX_ROUNDS):
        sizes = [estimate_tokens(note.render()) + 1 for note in notes]
        if sum(sizes) <= planner.room("reduce"):
            [completion] = yield Calls((planner.notes_body("reduce", notes),))
            completions.append(completion)
            return _result(spec.answer(completion, sections, notes), completions, items, sections)
        notes, groups = _groups(notes, planner.room("combine"))
        merged = yield Calls(tuple(planner.notes_body("combine", g) for g in groups if len(g) > 1))
        completions += merged
        combined = iter(merged)
        notes = [
            group[0]
            if len(group) == 1
            else spec.notes(
                next(combined), tuple(s for note in group for s in note.sections), group
            )
            for group in groups
        ]
    raise TranscriptTooLongError(
        f"the notes did not shrink to fit one request in {_MAX_ROUNDS} rounds; lower "
        "max_tokens or choose a model with a larger context window",
        tokens=sum(estimate_tokens(note.render()) for note in notes),
        limit=planner.budget.input_tokens,
    )


def _groups(notes: list[Notes], room: int) -> tuple[list[Notes], list[list[Notes]]]:
    """Notes packed in order into groups that fit ``room``; a note alone over half of it
    is cut first, so every group but the last holds two notes or more.

    Raises:
        TranscriptTooLongError: the notes cannot shrink (one group per note).
    """
    half = max(1, room // 2)
    pieces: list[Notes] = []
    for note in notes:
        if estimate_tokens(note.render()) <= half:
            pieces.append(note)
            continue
        wrapper = estimate_tokens(Notes("", note.sections).render())
        for text in split_by_tokens(note.text, max(1, half - wrapper - 2)):
            pieces.append(Notes(text, note.sections, note.found))
    groups: list[list[Notes]] = []
    used = room + 1
    for piece in pieces:
        size = estimate_tokens(piece.render()) + 1
        if used + size > room:
            groups.append([])
            used = 0
        groups[-1].append(piece)
        used += size
    if len(groups) >= len(notes) and len(notes) > 1 and all(len(g) == 1 for g in groups):
        raise TranscriptTooLongError(
            "the notes are too long to combine within the model's context window; lower "
            "max_tokens or choose a model with a larger window",
            tokens=sum(estimate_tokens(note.render()) for note in notes),
            limit=room,
        )
    return pieces, groups


def _result(
    answer: tuple[str, tuple[Any, ...]],
    completions: Sequence[ChatCompletion],
    items: Sequence[tuple[TranscriptData, bool]],
    sections: Sequence[Section],
) -> TaskResult:
    text, answers = answer
    fields: dict[str, Any] = {
        "answer": text,
        "sources": merge_sources(sections),
        "usage": sum_usage(completions),
        "calls": len(completions),
        "request_ids": tuple(c.request_id for c in completions if c.request_id),
        "models": tuple(dict.fromkeys(m for c in completions if (m := c.served_model))),
        "transcript_ids": tuple(data.id for data, _ in items),
        "injected": tuple(dict.fromkeys(s.transcript_id for s in sections if s.text is None)),
    }
    return AnswersResult(**fields, answers=answers) if answers else TaskResult(**fields)
