"""``transcript_id`` done right: the ``{{ transcript }}`` tag where the gateway replaces it.

The gateway replaces only the first exact ``{{ transcript }}`` (spaces included) in the
first message that holds one, and only with the transcript's plain text. Any other tag
reaches the model as it is, which then answers about a tag instead of a transcript. So
:func:`check_transcript_tag` refuses every tag the gateway would not replace, and
:func:`transcript_prompts` builds messages that carry one tag in the right place, or
the text itself (inline, cut to fit) when the gateway's injection cannot serve: speaker
labels or timestamps asked for, or a transcript beyond the model's context window.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import ConfigurationError
from ._errors import TranscriptTagError, TranscriptTooLongError
from ._pieces import (
    TRANSCRIPT_TAG,
    Section,
    Source,
    UnitKind,
    chunk_transcript,
    messages_tokens,
    render_units,
    token_budget,
    transcript_units,
    whole_section,
)
from ._types import TranscriptData

__all__ = [
    "TagLocation",
    "TranscriptPrompt",
    "check_transcript_tag",
    "fill_transcript",
    "inline_sections",
    "inline_text",
    "transcript_prompts",
]

# Every spelling a person might mean as the tag; only TRANSCRIPT_TAG is the gateway's.
_TAG_LIKE = re.compile(r"\{\{\s*transcript\s*\}\}", re.IGNORECASE)
_RULE = (
    "the gateway replaces only the first exact '{{ transcript }}' (one space inside each "
    "pair of braces), in the first message holding one"
)


@dataclass(frozen=True)
class TagLocation:
    """Where the gateway will put the transcript.

    Attributes:
        message_index: The message holding the tag, or ``None`` for ``prompt``.

    Examples:
        >>> check_transcript_tag([{"role": "user", "content": "Notes: {{ transcript }}"}])
        TagLocation(message_index=0)
    """

    message_index: int | None


def _where(index: int | None) -> str:
    return "the prompt" if index is None else f"message {index}"


def _texts(
    messages: Sequence[Mapping[str, Any]], prompt: str | None
) -> list[tuple[int | None, str, bool]]:
    """Each text the gateway reads, in its order: (message index, text, is a content part)."""
    found: list[tuple[int | None, str, bool]] = []
    for index, message in enumerate(messages):
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, str):
            found.append((index, content, False))
        elif isinstance(content, list):
            for part in content:
                text = part.get("text") if isinstance(part, Mapping) else None
                if isinstance(text, str):
                    found.append((index, text, True))
    if prompt is not None:
        found.append((None, prompt, False))
    return found


def check_transcript_tag(
    messages: Sequence[Mapping[str, Any]] = (), prompt: str | None = None
) -> TagLocation | None:
    """Where the one ``{{ transcript }}`` tag is, refusing every tag the gateway would not
    replace; ``None`` when there is none.

    ``prompt`` counts after the messages, as the gateway appends it as a last user turn.

    Raises:
        TranscriptTagError: a misspelt tag (``{{transcript}}``, ``{{ Transcript }}``), a
            second tag (in the same message or a later one), or a tag inside a list of
            content parts; the message names where and why.

    Examples:
        >>> check_transcript_tag([{"role": "user", "content": "Sum up: {{ transcript }}"}])
        TagLocation(message_index=0)
        >>> check_transcript_tag([{"role": "user", "content": "Sum up: {{transcript}}"}])
        Traceback (most recent call last):
        ...
        assemblyai_gateway.transcripts._errors.TranscriptTagError: message 0 has \
'{{transcript}}', which the gateway leaves as it is: the gateway replaces only the \
first exact '{{ transcript }}' (one space inside each pair of braces), in the first \
message holding one. Write the tag exactly so, once
    """
    location: TagLocation | None = None
    for index, text, in_part in _texts(messages, prompt):
        for match in _TAG_LIKE.finditer(text):
            tag = match.group()
            where = _where(index)
            if tag != TRANSCRIPT_TAG:
                raise TranscriptTagError(
                    f"{where} has {tag!r}, which the gateway leaves as it is: {_RULE}. "
                    "Write the tag exactly so, once",
                    message_index=index,
                    tag=tag,
                )
            if location is not None:
                raise TranscriptTagError(
                    f"{where} has a second {TRANSCRIPT_TAG!r} (the first is in "
                    f"{_where(location.message_index)}), which the gateway leaves as it is: "
                    f"{_RULE}. Keep one tag",
                    message_index=index,
                    tag=tag,
                )
            if in_part:
                raise TranscriptTagError(
                    f"{where} has {TRANSCRIPT_TAG!r} inside a list of content parts; put "
                    "it in a message whose content is a string, where the gateway replaces it",
                    message_index=index,
                    tag=tag,
                )
            location = TagLocation(index)
    return location


def _join_parts(content: object) -> object:
    """Text parts as one string (the gateway takes text parts only), else unchanged."""
    if isinstance(content, list) and all(
        isinstance(part, Mapping) and part.get("type", "text") == "text" for part in content
    ):
        return "\n".join(str(part.get("text", "")) for part in content)
    return content


def fill_transcript(
    messages: Sequence[Mapping[str, Any]], location: TagLocation | None, filling: str
) -> list[dict[str, Any]]:
    """A copy of ``messages`` with ``filling`` at the tag, or, without one, before the
    first user message's text. The caller's messages are never changed.

    Raises:
        ConfigurationError: there is no tag and no user message with text to put it in.
    """
    result = [copy.deepcopy(dict(message)) for message in messages]
    if location is not None and location.message_index is not None:
        target = result[location.message_index]
        target["content"] = str(target["content"]).replace(TRANSCRIPT_TAG, filling, 1)
        return result
    for message in result:
        if message.get("role") == "user":
            content = _join_parts(message.get("content"))
            if isinstance(content, str):
                message["content"] = f"{filling}\n\n{content}" if content else filling
                return result
    raise ConfigurationError(
        "the messages have no user message with text to put the transcript in; add one, "
        f"or write {TRANSCRIPT_TAG!r} where it belongs"
    )


@dataclass(frozen=True)
class TranscriptPrompt:
    """The messages of one request about a transcript (or one part of it).

    Attributes:
        model: The model the prompt was sized for.
        messages: The messages to send (copied again by :meth:`request`).
        section: What of the transcript the request carries.
        injected: Whether the gateway injects the transcript (``transcript_id`` is sent
            and the messages hold the tag) rather than the text being inline.
        reason: Why the text is inline, when it is.
        max_tokens: The answer budget the prompt was sized with.

    Examples:
        >>> [prompt] = transcript_prompts("tr_1", "Summarise it.", model="gpt-4.1")
        >>> prompt.request()["transcript_id"], prompt.messages[0]["content"].splitlines()[1]
        ('tr_1', '{{ transcript }}')
    """

    model: str
    messages: tuple[dict[str, Any], ...]
    section: Section
    injected: bool
    reason: str | None
    max_tokens: int

    @property
    def transcript_id(self) -> str:
        """The transcript."""
        return self.section.transcript_id

    @property
    def mode(self) -> Literal["transcript_id", "inline"]:
        """``"transcript_id"`` (the gateway injects the text) or ``"inline"``."""
        return "transcript_id" if self.injected else "inline"

    @property
    def source(self) -> Source:
        """The transcript and time range the request covers."""
        return self.section.source

    def request(self, **fields: Any) -> dict[str, Any]:
        """The request body: ``model``, ``messages``, ``max_tokens``, ``transcript_id``
        when injected, and ``fields`` (``temperature``, ``fallbacks``...) under them."""
        body: dict[str, Any] = {**fields, "model": self.model, "max_tokens": self.max_tokens}
        body["messages"] = copy.deepcopy(list(self.messages))
        if self.injected:
            body["transcript_id"] = self.transcript_id
        else:
            body.pop("transcript_id", None)
        return body


def _base_messages(
    prompt: str | Sequence[Mapping[str, Any]], system: str | None
) -> list[Mapping[str, Any]]:
    if isinstance(prompt, str):
        messages: list[Mapping[str, Any]] = [{"role": "user", "content": prompt}]
    elif isinstance(prompt, Sequence) and all(isinstance(m, Mapping) for m in prompt):
        messages = [m for m in prompt if isinstance(m, Mapping)]
    else:
        raise ConfigurationError(
            f"prompt must be a string or a list of message dicts, got {type(prompt).__name__}"
        )
    if not messages:
        raise ConfigurationError("prompt must hold at least one message")
    return [{"role": "system", "content": system}, *messages] if system else messages


def transcript_prompts(
    transcript: str | TranscriptData,
    prompt: str | Sequence[Mapping[str, Any]],
    *,
    model: str,
    system: str | None = None,
    max_tokens: int | None = None,
    speaker_labels: bool = False,
    timestamps: bool = False,
    inline: bool = False,
    unit: UnitKind | None = None,
    chunk_tokens: int | None = None,
) -> list[TranscriptPrompt]:
    """The request(s) that put ``transcript`` before the model with ``prompt``.

    One request with ``transcript_id`` and the exact tag when the gateway can inject the
    transcript; else the text inline: one request when it fits, or one per part (cut at
    utterances, paragraphs or sentences, with their times) so that no request is beyond
    the model's context window. Combining the parts' answers is the caller's; the
    transcript tasks (:func:`summarize`...) do it for you.

    Args:
        transcript: A transcript id (the gateway fetches the text) or a
            :class:`TranscriptData` (then its size is checked against the window).
        prompt: The instruction, or messages. Write ``{{ transcript }}`` where the
            transcript goes; without it, it goes first in the first user message.
        model: The model, whose context window (the catalog's) sizes the requests.
        system: A system message put first.
        max_tokens: The answer budget (default: 4096, at most the model's output).
        speaker_labels: ``Speaker A: ...`` lines (inline: the gateway injects plain text).
        timestamps: ``[HH:MM:SS]`` before each line (inline too).
        inline: Send the text inline even when the gateway could inject it.
        unit: Cut at ``"utterances"``, ``"paragraphs"`` or ``"sentences"`` (default: the
            first the transcript has).
        chunk_tokens: The most transcript tokens one inline request may carry.

    Raises:
        TranscriptTagError: the prompt has a tag the gateway would not replace.
        TranscriptTooLongError: the prompt leaves no room for any transcript.
        SpeakerLabelsMissingError: speaker labels of a transcript without them.
        ConfigurationError: inline text is needed but only an id was given.
    """
    data = transcript if isinstance(transcript, TranscriptData) else None
    transcript_id = data.id if data is not None else transcript
    if not isinstance(transcript_id, str) or not transcript_id.strip():
        raise ConfigurationError(
            f"transcript must be an id or a TranscriptData, got {transcript!r}"
        )
    messages = _base_messages(prompt, system)
    location = check_transcript_tag(messages)
    budget = token_budget(model, max_tokens)
    room = budget.input_tokens - messages_tokens(messages)
    if chunk_tokens is not None and (isinstance(chunk_tokens, bool) or chunk_tokens < 1):
        raise ConfigurationError(f"chunk_tokens must be a positive int, got {chunk_tokens!r}")
    if room < 1:
        raise TranscriptTooLongError(
            f"the prompt alone is about {budget.input_tokens - room} tokens, more than "
            f"{model}'s context window leaves for input ({budget.input_tokens})",
            tokens=budget.input_tokens - room,
            limit=budget.input_tokens,
        )

    def build(section: Section, injected: bool, reason: str | None) -> TranscriptPrompt:
        own = location is not None
        filling = TRANSCRIPT_TAG if injected and own else section.block()
        filled = fill_transcript(messages, location, filling)
        return TranscriptPrompt(
            model, tuple(filled), section, injected, reason, budget.answer_tokens
        )

    reasons = [
        why
        for asked, why in (
            (speaker_labels, "speaker labels were asked for"),
            (timestamps, "timestamps were asked for"),
            (inline, "inline text was asked for"),
        )
        if asked
    ]
    if not reasons:
        if data is None:
            return [build(Section(transcript_id, None, 0, None, None), True, None)]
        whole = whole_section(data, None)
        if whole.tokens <= room:
            return [build(whole, True, None)]
        reasons.append(
            f"the transcript (about {whole.tokens} tokens) is longer than {model}'s context "
            f"window leaves ({room})"
        )
    if data is None:
        raise ConfigurationError(
            f"{reasons[0]}, so the text goes inline, which needs the transcript itself: pass "
            f"fetch_transcript({transcript_id!r}) instead of its id"
        )
    limit = min(room, chunk_tokens) if chunk_tokens is not None else room
    sections = inline_sections(data, limit, unit, speaker_labels, timestamps)
    return [build(section, False, "; ".join(reasons)) for section in sections]


def inline_text(
    data: TranscriptData, unit: UnitKind | None, speaker_labels: bool, timestamps: bool
) -> str:
    """The text of ``data`` as it goes inline: the plain text, or one line per unit when
    speaker labels, timestamps or a unit are asked for."""
    if not (speaker_labels or timestamps or unit is not None):
        return data.text
    units, timed = transcript_units(data, unit, speaker_labels=speaker_labels)
    lines = render_units(units, speaker_labels=speaker_labels, timestamps=timestamps and timed)
    return "\n".join(lines)


def inline_sections(
    data: TranscriptData,
    limit: int,
    unit: UnitKind | None,
    speaker_labels: bool,
    timestamps: bool,
) -> list[Section]:
    """``data`` inline: whole when it fits ``limit``, else cut into parts that do."""
    whole = whole_section(data, inline_text(data, unit, speaker_labels, timestamps))
    if whole.tokens <= limit:
        return [whole]
    return chunk_transcript(
        data, limit, unit=unit, speaker_labels=speaker_labels, timestamps=timestamps
    )
