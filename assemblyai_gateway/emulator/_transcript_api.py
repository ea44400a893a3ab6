"""The transcript API (``/v2/...``) and speech understanding (``/v1/understanding``).

Both share the emulator's port and key. The transcript routes answer as the API host
does: ``{"error": "..."}`` bodies, 401 without the key, 404 for an unknown id, 400
for the parts of a transcript that is not completed. The understanding routes answer
as the gateway does, with its error envelope.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from . import _transcript_views as views
from ._render import error_body

if TYPE_CHECKING:
    from ._state import EmulatorState

__all__ = ["Answer", "answer_api", "is_api_path"]

Json = dict[str, Any]

_TRANSCRIPT = re.compile(r"^/v2/transcript/(?P<id>[^/]+)(?:/(?P<part>[a-z-]+))?/?$")
_PARTS = ("sentences", "paragraphs", "srt", "vtt")
_UNDERSTANDING = ("/v1/understanding", "/v1/understanding/validate")
_AUTH_ERROR = "Authentication error, API token missing/invalid"
_NOT_FOUND = "Transcript lookup error, transcript id not found"
_FEATURES = ("speaker_identification", "translation", "custom_formatting", "summarization")


@dataclass(frozen=True)
class Answer:
    """What a route sends back."""

    status: int
    body: bytes
    content_type: str = "application/json"
    allow: str | None = None


def _json(status: int, body: Json) -> Answer:
    return Answer(status, json.dumps(body, ensure_ascii=False).encode())


def _error(status: int, message: str) -> Answer:
    return _json(status, {"error": message})


def is_api_path(path: str) -> bool:
    """Whether ``path`` is one of the transcript API's or the understanding routes."""
    return path.startswith("/v2/") or path in _UNDERSTANDING


def answer_api(
    state: EmulatorState,
    method: str,
    path: str,
    query: str,
    raw: bytes,
    auth: str | None,
    root_url: str,
) -> Answer:
    """Route one request (already read) to its handler."""
    if path in _UNDERSTANDING:
        return _understanding(state, method, path, raw, auth)
    if auth != state.api_key:
        return _error(401, _AUTH_ERROR)
    if path == "/v2/upload":
        if method != "POST":
            return Answer(405, b'{"error": "Method not allowed"}', allow="POST")
        return _json(200, {"upload_url": state.transcript_store.upload(raw, root_url)})
    if path.rstrip("/") == "/v2/transcript":
        if method != "POST":
            return Answer(405, b'{"error": "Method not allowed"}', allow="POST")
        return _create(state, raw)
    match = _TRANSCRIPT.match(path)
    if match is None or (match["part"] is not None and match["part"] not in _PARTS):
        return _error(404, f"Not found: {method} {path}")
    if method not in ("GET", "HEAD"):
        return Answer(405, b'{"error": "Method not allowed"}', allow="GET")
    return _transcript(state, match["id"], match["part"], parse_qs(query))


def _create(state: EmulatorState, raw: bytes) -> Answer:
    try:
        request = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(400, "Invalid JSON body")
    if not isinstance(request, dict) or not isinstance(request.get("audio_url"), str):
        return _error(400, "audio_url is required and must be a string")
    return _json(200, state.transcript_store.create(request))


def _transcript(state: EmulatorState, transcript_id: str, part: str | None, query: Any) -> Answer:
    store = state.transcript_store
    transcript = store.poll(transcript_id) if part is None else store.peek(transcript_id)
    if transcript is None:
        return _error(404, _NOT_FOUND)
    if part is None:
        return _json(200, transcript)
    if transcript["status"] != "completed":
        return _error(400, f"Transcript is not completed (status: {transcript['status']})")
    if part in ("srt", "vtt"):
        values = query.get("chars_per_caption") or [str(views.DEFAULT_CHARS_PER_CAPTION)]
        try:
            chars = int(values[0])
        except ValueError:
            chars = 0
        if chars < 1:
            return _error(400, "chars_per_caption must be a positive integer")
        render: Callable[[Json, int], str] = views.srt if part == "srt" else views.vtt
        return Answer(200, render(transcript, chars).encode(), "text/plain; charset=utf-8")
    units = views.sentences(transcript) if part == "sentences" else views.paragraphs(transcript)
    return _json(
        200,
        {
            "id": transcript_id,
            "confidence": transcript["confidence"],
            "audio_duration": transcript["audio_duration"],
            part: units,
        },
    )


# -- speech understanding -------------------------------------------------------------


def _gateway_error(status: int, message: str, errors: list[Json] | None = None) -> Answer:
    return _json(status, error_body(status, message, {"errors": errors} if errors else None))


def _understanding(
    state: EmulatorState, method: str, path: str, raw: bytes, auth: str | None
) -> Answer:
    if method != "POST":
        return Answer(405, b'{"error": "Method not allowed"}', allow="POST")
    if auth is None or auth != state.api_key:
        reason = "Missing API key" if auth is None else "Invalid API key"
        return _json(401, {"error": reason, "status": 401, "request_id": str(uuid.uuid4())})
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _gateway_error(400, "Invalid JSON body")
    validating = path.endswith("/validate")
    errors, request = _check_understanding(body, transcript_required=not validating)
    if errors:
        return _gateway_error(400, "Invalid request", errors)
    transcript_id = body.get("transcript_id") if isinstance(body, dict) else None
    transcript = state.transcript_store.peek(transcript_id) if transcript_id else None
    if transcript_id and (transcript is None or transcript["status"] != "completed"):
        return _gateway_error(404, f"Transcript {transcript_id} was not found or is not completed")
    if validating:
        return _json(200, {"request_id": str(uuid.uuid4()), "valid": True})
    assert transcript is not None
    return _json(200, understand(transcript, request))


def _check_understanding(body: object, *, transcript_required: bool) -> tuple[list[Json], Json]:
    if not isinstance(body, dict):
        return [{"field": "body", "message": "must be a JSON object"}], {}
    errors: list[Json] = []
    if transcript_required and not isinstance(body.get("transcript_id"), str):
        errors.append({"field": "transcript_id", "message": "is required"})
    outer = body.get("speech_understanding")
    request = outer.get("request") if isinstance(outer, dict) else None
    if not isinstance(request, dict) or not request:
        errors.append({"field": "speech_understanding.request", "message": "is required"})
        return errors, {}
    for name, options in request.items():
        where = f"speech_understanding.request.{name}"
        if name not in _FEATURES:
            errors.append(
                {"field": where, "message": f"unknown feature; use {', '.join(_FEATURES)}"}
            )
        elif not isinstance(options, dict):
            errors.append({"field": where, "message": "must be an object"})
        elif name == "translation" and not options.get("target_languages"):
            errors.append({"field": f"{where}.target_languages", "message": "is required"})
        elif name == "speaker_identification" and options.get("speaker_type") not in (
            "name",
            "role",
        ):
            errors.append({"field": f"{where}.speaker_type", "message": "must be name or role"})
    return errors, request


def understand(transcript: Json, request: Json) -> Json:
    """A plausible, deterministic answer to a speech-understanding request."""
    utterances = [dict(u) for u in transcript.get("utterances") or []]
    result: Json = {}
    answer: Json = {"request_id": str(uuid.uuid4()), "speech_understanding": result}
    if "speaker_identification" in request:
        options = request["speaker_identification"]
        known = [str(v) for v in options.get("known_values") or []]
        speakers = list(dict.fromkeys(u["speaker"] for u in utterances))
        mapping = {
            label: known[i] if i < len(known) else f"Speaker {label}"
            for i, label in enumerate(speakers)
        }
        for utterance in utterances:
            utterance["speaker"] = mapping.get(utterance["speaker"], utterance["speaker"])
        result["speaker_identification"] = {"status": "success", "mapping": mapping}
    if "translation" in request:
        languages = [str(lang) for lang in request["translation"]["target_languages"]]
        answer["translated_texts"] = {lang: f"[{lang}] {transcript['text']}" for lang in languages}
        for utterance in utterances:
            utterance["translated_texts"] = {
                lang: f"[{lang}] {utterance['text']}" for lang in languages
            }
        result["translation"] = {"status": "success"}
    if "custom_formatting" in request:
        result["custom_formatting"] = {
            "status": "success",
            "mapping": {},
            "formatted_text": transcript["text"],
        }
    if "summarization" in request:
        result["summarization"] = {"status": "success", "summary": transcript["text"][:200]}
    if utterances:
        answer["utterances"] = [
            {key: value for key, value in u.items() if key != "words"} for u in utterances
        ]
    return answer
