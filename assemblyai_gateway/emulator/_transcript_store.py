"""The emulator's transcripts: fixtures in the transcript API's JSON, and new ones.

A fixture is the JSON ``GET /v2/transcript/{id}`` returns, in part: ``id`` is required;
``status`` defaults to ``completed``; ``text`` to the utterances' (or words') text;
``words`` are spread over each utterance (or 400 ms apiece) when absent; ``audio_url``,
``language_code`` (``en_us``), ``confidence`` and ``audio_duration`` get defaults; an
errored transcript has ``"status": "error"`` and an ``error``. One field is the
emulator's own: ``emulator_polls`` (how many polls answer ``processing`` first; -1:
always). New transcripts (``POST /v2/transcript``) copy the fixture with the same
``audio_url``, else a short two-speaker conversation.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["BUILTIN_TRANSCRIPTS_DIR", "TranscriptStore", "TranscriptTexts", "read_transcript_files"]

Json = dict[str, Any]

BUILTIN_TRANSCRIPTS_DIR = Path(__file__).with_name("transcripts")
_WORD_MS, _GAP_MS = 360, 40
_STATUSES = ("queued", "processing", "completed", "error")
_CONVERSATION = (
    ("A", "Thanks for sending the recording over."),
    ("B", "Sure. It covers the budget review and the hiring plan."),
    ("A", "Great, let's go through the budget first."),
    ("B", "The budget is on track, and we hire two engineers next quarter."),
)


def _problem(where: str, message: str) -> ValueError:
    return ValueError(f"transcript fixture {where}: {message}")


def _spread_words(text: str, start: int, end: int, speaker: str | None) -> list[Json]:
    tokens = text.split()
    if not tokens:
        return []
    step = max(1, (end - start) // len(tokens))
    words = []
    for index, token in enumerate(tokens):
        begin = start + index * step
        words.append(
            {
                "text": token,
                "start": begin,
                "end": min(end, begin + max(1, step - _GAP_MS)),
                "confidence": round(0.9 + (len(token) % 10) / 100, 2),
                "speaker": speaker,
            }
        )
    return words


def _default_span(text: str, at: int) -> int:
    return at + max(1, len(text.split())) * (_WORD_MS + _GAP_MS)


def _normalise_utterances(raw: object, where: str) -> list[Json]:
    if not isinstance(raw, list):
        raise _problem(where, "'utterances' must be a list of objects")
    utterances: list[Json] = []
    clock = 0
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise _problem(where, f"utterance {index} needs a 'text' string")
        speaker = str(item.get("speaker") or "A")
        start = int(item.get("start", clock))
        end = int(item.get("end", _default_span(item["text"], start)))
        if end < start:
            raise _problem(where, f"utterance {index} ends before it starts")
        words = item.get("words") or _spread_words(item["text"], start, end, speaker)
        confidence = item.get("confidence")
        if confidence is None:
            confidence = round(sum(w["confidence"] for w in words) / max(1, len(words)), 3)
        utterances.append(
            {
                **item,
                "speaker": speaker,
                "start": start,
                "end": end,
                "words": words,
                "confidence": confidence,
            }
        )
        clock = end + _GAP_MS * 10
    return utterances


def normalise(fixture: Mapping[str, Any], where: str = "") -> Json:
    """A fixture completed into the full transcript JSON the API would send.

    Raises:
        ValueError: naming what is wrong (no id, an unknown status, bad utterances).
    """
    if not isinstance(fixture, Mapping):
        raise _problem(where, f"must be a JSON object, got {type(fixture).__name__}")
    transcript_id = fixture.get("id")
    if not isinstance(transcript_id, str) or not transcript_id.strip():
        raise _problem(where, "needs an 'id' string")
    where = where or repr(transcript_id)
    status = fixture.get("status", "completed")
    if status not in _STATUSES:
        raise _problem(where, f"'status' must be one of {', '.join(_STATUSES)}, got {status!r}")
    result: Json = copy.deepcopy(dict(fixture))
    result["status"] = status
    result.setdefault("audio_url", f"https://example.com/audio/{transcript_id}.mp3")
    if status == "error":
        result.setdefault("error", "Transcoding failed: the file holds no audio.")
        for name in ("text", "words", "utterances", "confidence", "audio_duration"):
            result.setdefault(name, None)
        return result
    utterances = None
    if result.get("utterances") is not None:
        utterances = _normalise_utterances(result["utterances"], where)
    text = result.get("text")
    if text is None:
        text = " ".join(u["text"] for u in utterances or []) or " ".join(
            str(w.get("text", "")) for w in result.get("words") or []
        )
    if not isinstance(text, str):
        raise _problem(where, "'text' must be a string")
    words = result.get("words")
    if words is None:
        words = [w for u in utterances or [] for w in u["words"]] or _spread_words(
            text, 0, _default_span(text, 0), None
        )
    result.update(
        text=text,
        words=words,
        utterances=utterances,
        speaker_labels=utterances is not None,
        language_code=result.get("language_code", "en_us"),
    )
    if result.get("confidence") is None:
        scores = [float(w.get("confidence", 0.9)) for w in words] or [0.9]
        result["confidence"] = round(sum(scores) / len(scores), 3)
    if result.get("audio_duration") is None:
        result["audio_duration"] = -(-int(words[-1]["end"] if words else 0) // 1000)
    result.setdefault("error", None)
    return result


def read_transcript_files(path: str | os.PathLike[str]) -> list[Json]:
    """The fixtures in a JSON file (one object or a list) or a folder of ``*.json`` files.

    Raises:
        OSError: the path cannot be read.
        ValueError: a file is not JSON, or not a transcript or a list of them.
    """
    root = Path(path)
    files = sorted(root.glob("*.json")) if root.is_dir() else [root]
    fixtures: list[Json] = []
    for file in files:
        try:
            loaded = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{file}: not valid JSON: {exc}") from None
        items = loaded if isinstance(loaded, list) else [loaded]
        fixtures.extend(normalise(item, f"{file.name}[{i}]") for i, item in enumerate(items))
    return fixtures


class TranscriptStore:
    """The transcripts the emulator serves, by id; safe to use from handler threads."""

    def __init__(self, transcripts: Iterable[Json] = (), *, transcription_polls: int = 0) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Json] = {}
        self._polls: dict[str, int] = {}
        self._uploads: set[str] = set()
        self.transcription_polls = transcription_polls
        for transcript in transcripts:
            self.add(transcript)

    @classmethod
    def with_builtins(cls) -> TranscriptStore:
        """A store with the shipped fixtures: ``emulator-meeting``, ``-lecture``, ``-failed``."""
        return cls(read_transcript_files(BUILTIN_TRANSCRIPTS_DIR))

    def copy(self) -> TranscriptStore:
        with self._lock:
            twin = TranscriptStore(transcription_polls=self.transcription_polls)
            twin._items = copy.deepcopy(self._items)
            twin._polls = dict(self._polls)
            twin._uploads = set(self._uploads)
        return twin

    def add(self, fixture: Mapping[str, Any]) -> str:
        """Add (or replace) a transcript from its fixture JSON; returns its id."""
        transcript = normalise(fixture)
        polls = int(transcript.pop("emulator_polls", 0) or 0)
        if transcript["status"] in ("queued", "processing"):
            # Served as processing for `polls` polls (-1: for ever), then as completed.
            polls, transcript["status"] = (polls or -1), "completed"
        with self._lock:
            self._items[transcript["id"]] = transcript
            self._polls[transcript["id"]] = polls
        return str(transcript["id"])

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._items)

    def text(self, transcript_id: str) -> str | None:
        """A completed transcript's text, for ``transcript_id`` in chat requests."""
        with self._lock:
            item = self._items.get(transcript_id)
            if item is None or item["status"] != "completed" or self._polls[transcript_id]:
                return None
            return str(item["text"])

    def poll(self, transcript_id: str) -> Json | None:
        """The transcript as a ``GET`` sees it now (counting the poll), or ``None``."""
        with self._lock:
            item = self._items.get(transcript_id)
            if item is None:
                return None
            pending = self._polls.get(transcript_id, 0)
            if pending == 0:
                return copy.deepcopy(item)
            if pending > 0:
                self._polls[transcript_id] = pending - 1
            return _in_progress(item, "processing")

    def peek(self, transcript_id: str) -> Json | None:
        """The transcript as it is now, without counting a poll."""
        with self._lock:
            item = self._items.get(transcript_id)
            if item is None:
                return None
            if self._polls.get(transcript_id, 0) != 0:
                return _in_progress(item, "processing")
            return copy.deepcopy(item)

    def upload(self, data: bytes, root_url: str) -> str:
        """Keep an upload's fingerprint; returns its ``upload_url``."""
        name = uuid.uuid5(uuid.NAMESPACE_OID, data.hex() if len(data) < 4096 else str(hash(data)))
        with self._lock:
            self._uploads.add(str(name))
        return f"{root_url}/v2/upload/{name}"

    def create(self, request: Json) -> Json:
        """A new transcript for ``POST /v2/transcript``; returns it as ``queued``."""
        audio_url = str(request["audio_url"])
        with self._lock:
            template = next(
                (copy.deepcopy(t) for t in self._items.values() if t.get("audio_url") == audio_url),
                None,
            )
        if template is None:
            template = {"utterances": [{"speaker": s, "text": t} for s, t in _CONVERSATION]}
        if template.get("utterances"):
            template.pop("text", None)  # rebuilt from the utterances it keeps
        new_id = str(uuid.uuid4())
        fixture = {**template, "id": new_id, "audio_url": audio_url}
        if request.get("language_code"):
            fixture["language_code"] = request["language_code"]
        transcript = normalise(fixture)
        if transcript["status"] == "completed" and not request.get("speaker_labels"):
            transcript["utterances"] = None
            transcript["speaker_labels"] = False
            for word in transcript["words"]:
                word["speaker"] = None
        for option in ("punctuate", "format_text", "speech_model", "language_detection"):
            if option in request:
                transcript[option] = request[option]  # echoed, as the API does
        with self._lock:
            self._items[new_id] = transcript
            self._polls[new_id] = self.transcription_polls
        return _in_progress(transcript, "queued")


def _in_progress(item: Json, status: str) -> Json:
    return {
        **{
            key: value for key, value in item.items() if key in ("id", "audio_url", "language_code")
        },
        "status": status,
        "text": None,
        "words": None,
        "utterances": None,
        "confidence": None,
        "audio_duration": None,
        "error": None,
    }


class TranscriptTexts(Mapping[str, str]):
    """Texts for ``transcript_id``: the plain ones given, else the store's completed ones."""

    def __init__(self, plain: Mapping[str, str], store: TranscriptStore) -> None:
        self._plain = plain
        self._store = store

    def __getitem__(self, transcript_id: str) -> str:
        if transcript_id in self._plain:
            return self._plain[transcript_id]
        text = self._store.text(transcript_id)
        if text is None:
            raise KeyError(transcript_id)
        return text

    def __iter__(self) -> Iterator[str]:
        ids = dict.fromkeys([*self._plain, *self._store.ids()])
        return iter([key for key in ids if key in self])

    def __len__(self) -> int:
        return sum(1 for _ in self)
