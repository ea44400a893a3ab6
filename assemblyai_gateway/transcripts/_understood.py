"""A speech-understanding answer applied to a transcript's records (no I/O).

The LangChain document transformer maps its documents to records and back; the rules
live here: speakers named, translations and formatted text put where they belong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..understanding import UnderstandingResponse
from ._types import TranscriptRecord

__all__ = ["apply_understanding"]

_WHOLE_FORMATS = ("text", None)


def _by_start(utterances: Sequence[Mapping[str, Any]] | None) -> dict[int, Mapping[str, Any]]:
    found: dict[int, Mapping[str, Any]] = {}
    for utterance in utterances or ():
        start = utterance.get("start")
        if isinstance(start, int) and not isinstance(start, bool):
            found.setdefault(start, utterance)
    return found


def _relabel(text: str, label: str | None, name: str) -> str:
    prefix = f"Speaker {label}: "
    return f"{name}: {text[len(prefix) :]}" if label and text.startswith(prefix) else text


def _with_prefix(record: TranscriptRecord, text: str, speaker: str | None) -> str:
    """``text`` with the record's ``Speaker X:`` (or name) prefix kept."""
    head, sep, _ = record.text.partition(": ")
    if speaker and sep and head in (f"Speaker {speaker}", speaker):
        return f"{head}: {text}"
    return text


def apply_understanding(
    records: Sequence[TranscriptRecord],
    response: UnderstandingResponse,
    *,
    translation_language: str | None = None,
) -> list[TranscriptRecord]:
    """New records with ``response`` applied to those of its transcript.

    * speaker identification: ``speaker`` becomes the name or role found (the label
      kept as ``speaker_label``) and ``Speaker A: ...`` becomes ``Ana: ...``;
    * translation: each target language's text as ``translation_<code>`` metadata
      (the whole text on ``text`` records, the matching utterance's on utterance
      records); with ``translation_language``, it becomes the text itself;
    * custom formatting: the formatted text replaces the text (the whole text, or the
      matching formatted utterance).

    Records are matched to the answer's utterances by their start time. Every record
    gets ``understanding_request_id``. The records given are never changed.

    Examples:
        >>> record = TranscriptRecord(
        ...     "Speaker A: Hi.",
        ...     {"transcript_id": "tr_1", "transcript_format": "utterances", "speaker": "A",
        ...      "start": 0, "end": 500},
        ... )
        >>> answer = UnderstandingResponse.model_validate({"request_id": "r1",
        ...     "speech_understanding": {"speaker_identification": {"mapping": {"A": "Ana"}}}})
        >>> [new] = apply_understanding([record], answer)
        >>> new.text, new.metadata["speaker"], new.metadata["speaker_label"]
        ('Ana: Hi.', 'Ana', 'A')
    """
    mapping = response.speaker_mapping
    utterances = _by_start(response.utterances)
    formatted = _by_start(response.formatted_utterances)
    whole_translations = response.translated_texts or {}
    result = []
    for record in records:
        meta: dict[str, Any] = dict(record.metadata)
        text = record.text
        whole = meta.get("transcript_format") in _WHOLE_FORMATS
        start = meta.get("start")
        match = utterances.get(start) if isinstance(start, int) and not whole else None
        if response.formatted_text is not None and whole:
            text = response.formatted_text
        elif isinstance(start, int) and start in formatted and not whole:
            new_text = formatted[start].get("text")
            if isinstance(new_text, str):
                text = _with_prefix(record, new_text, meta.get("speaker"))
        translations: Mapping[str, Any] = (
            whole_translations if whole else (match or {}).get("translated_texts") or {}
        )
        for language, translated in translations.items():
            if isinstance(translated, str):
                meta[f"translation_{language}"] = translated
                if language == translation_language:
                    text = (
                        translated
                        if whole
                        else _with_prefix(record, translated, meta.get("speaker"))
                    )
        label = meta.get("speaker")
        if isinstance(label, str) and label in mapping:
            meta["speaker_label"] = label
            meta["speaker"] = mapping[label]
            text = _relabel(text, label, mapping[label])
        if response.request_id:
            meta["understanding_request_id"] = response.request_id
        result.append(TranscriptRecord(text, meta))
    return result
