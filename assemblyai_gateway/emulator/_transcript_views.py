"""Sentences, paragraphs and captions cut from a transcript's words, deterministically.

Sentences end at a word ending in ``.``, ``?`` or ``!``, or where the speaker changes;
paragraphs group up to four sentences of one speaker; captions fill up to
``chars_per_caption`` characters (32 by default) of one speaker, never splitting a word.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_CHARS_PER_CAPTION", "paragraphs", "sentences", "srt", "vtt"]

Json = dict[str, Any]

DEFAULT_CHARS_PER_CAPTION = 32
_SENTENCES_PER_PARAGRAPH = 4


def _unit(words: list[Json], **extra: Any) -> Json:
    return {
        "text": " ".join(str(w["text"]) for w in words),
        "start": words[0]["start"],
        "end": words[-1]["end"],
        "confidence": round(sum(float(w["confidence"]) for w in words) / len(words), 3),
        "words": words,
        **extra,
    }


def sentences(transcript: Json) -> list[Json]:
    """The transcript's sentences, as ``GET /v2/transcript/{id}/sentences`` lists them."""
    found: list[Json] = []
    current: list[Json] = []
    for word in transcript.get("words") or []:
        if current and word.get("speaker") != current[-1].get("speaker"):
            found.append(_unit(current, speaker=current[-1].get("speaker")))
            current = []
        current.append(word)
        if str(word["text"]).endswith((".", "?", "!")):
            found.append(_unit(current, speaker=word.get("speaker")))
            current = []
    if current:
        found.append(_unit(current, speaker=current[-1].get("speaker")))
    return found


def paragraphs(transcript: Json) -> list[Json]:
    """The transcript's paragraphs (no speaker field, as the API sends them)."""
    found: list[Json] = []
    group: list[Json] = []
    for sentence in sentences(transcript):
        if group and (
            sentence["speaker"] != group[-1]["speaker"] or len(group) == _SENTENCES_PER_PARAGRAPH
        ):
            found.append(_unit([w for s in group for w in s["words"]]))
            group = []
        group.append(sentence)
    if group:
        found.append(_unit([w for s in group for w in s["words"]]))
    return found


def _captions(transcript: Json, chars_per_caption: int) -> list[tuple[int, int, str]]:
    captions: list[tuple[int, int, str]] = []
    current: list[Json] = []
    for word in transcript.get("words") or []:
        line = " ".join(str(w["text"]) for w in [*current, word])
        new_speaker = current and word.get("speaker") != current[-1].get("speaker")
        if current and (len(line) > chars_per_caption or new_speaker):
            captions.append(
                (current[0]["start"], current[-1]["end"], " ".join(w["text"] for w in current))
            )
            current = []
        current.append(word)
    if current:
        captions.append(
            (current[0]["start"], current[-1]["end"], " ".join(w["text"] for w in current))
        )
    return captions


def _clock(ms: int, separator: str) -> str:
    hours, rest = divmod(int(ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def srt(transcript: Json, chars_per_caption: int = DEFAULT_CHARS_PER_CAPTION) -> str:
    """The transcript as SubRip captions."""
    blocks = [
        f"{index}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{text}\n"
        for index, (start, end, text) in enumerate(_captions(transcript, chars_per_caption), 1)
    ]
    return "\n".join(blocks)


def vtt(transcript: Json, chars_per_caption: int = DEFAULT_CHARS_PER_CAPTION) -> str:
    """The transcript as WebVTT captions."""
    blocks = [
        f"{_clock(start, '.')} --> {_clock(end, '.')}\n{text}\n"
        for start, end, text in _captions(transcript, chars_per_caption)
    ]
    return "\n".join(["WEBVTT\n", *blocks])
