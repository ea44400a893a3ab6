"""The bridge to the vendor's ``assemblyai`` SDK: loading it, its settings, its errors
and its response models turned into ours. No I/O of its own."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    TranscriptError,
    TranscriptFailedError,
    TranscriptNotFoundError,
    TranscriptNotReadyError,
)
from ._types import TranscriptData, TranscriptUnit

if TYPE_CHECKING:
    from types import ModuleType

    import assemblyai

__all__ = [
    "INSTALL_HINT",
    "completed_data",
    "load_sdk",
    "sdk_settings",
    "transcription_config",
    "translate_error",
    "units",
]

INSTALL_HINT = "pip install 'assemblyai-llm-gateway[transcripts]'"
_MAX_API_MESSAGE = 500
_PENDING = ("queued", "processing")


def load_sdk() -> ModuleType:
    """The ``assemblyai`` module, or an ImportError that says how to install it."""
    try:
        return importlib.import_module("assemblyai")
    except ImportError as exc:
        raise ImportError(
            f"transcripts are read through the 'assemblyai' SDK: {INSTALL_HINT}"
        ) from exc


def sdk_settings(
    *, api_key: str, base_url: str, poll_interval: float | None, http_timeout: float | None
) -> assemblyai.types.Settings:
    """A private :class:`assemblyai.types.Settings` (the SDK's global one is never touched)."""
    aai = load_sdk()
    values: dict[str, Any] = {"api_key": api_key, "base_url": base_url}
    if poll_interval is not None:
        values["polling_interval"] = poll_interval
    if http_timeout is not None:
        values["http_timeout"] = http_timeout
    settings: assemblyai.types.Settings = aai.types.Settings(**values)
    return settings


def transcription_config(
    config: object, *, speaker_labels: bool
) -> assemblyai.TranscriptionConfig | None:
    """The caller's config (a ``TranscriptionConfig`` or a mapping of its options) as a
    private copy; with ``speaker_labels`` on unless the caller turned it off.

    Raises:
        ConfigurationError: ``config`` is something else.
    """
    aai = load_sdk()
    if config is None and not speaker_labels:
        return None
    if config is None:
        result = aai.TranscriptionConfig()
    elif isinstance(config, aai.TranscriptionConfig):
        result = copy.deepcopy(config)  # never mutate what the caller passed in
    elif isinstance(config, Mapping):
        try:
            result = aai.TranscriptionConfig(**config)
        except TypeError as exc:
            raise ConfigurationError(f"config: {exc}") from None
    else:
        raise ConfigurationError(
            "config takes an assemblyai.TranscriptionConfig or a dict of its options, "
            f"got {type(config).__name__}"
        )
    if speaker_labels and result.speaker_labels is None and not result.multichannel:
        result.raw.speaker_labels = True
    typed: assemblyai.TranscriptionConfig = result
    return typed


def _text(value: Any) -> str:
    return value.value if hasattr(value, "value") else str(value)


def units(items: Any) -> tuple[TranscriptUnit, ...]:
    """SDK utterances, sentences or paragraphs as :class:`TranscriptUnit` s (words dropped)."""
    return tuple(
        TranscriptUnit(
            text=item.text,
            start=item.start,
            end=item.end,
            speaker=getattr(item, "speaker", None),
            confidence=getattr(item, "confidence", None),
            channel=getattr(item, "channel", None),
        )
        for item in items or ()
    )


def completed_data(transcript: Any, transcript_id: str) -> TranscriptData:
    """A finished SDK ``Transcript``/``AsyncTranscript`` as :class:`TranscriptData`.

    Raises:
        TranscriptFailedError: its status is ``error``.
        TranscriptNotReadyError: it is still queued or processing.
    """
    status = _text(transcript.status)
    if status == "error":
        reason = str(transcript.error or "no reason given")[:_MAX_API_MESSAGE]
        raise TranscriptFailedError(
            f"transcript {transcript_id} failed: {reason} (its audio could not be "
            "transcribed; fix the audio or the config and transcribe it again)",
            transcript_id=transcript_id,
            error=reason,
        )
    if status in _PENDING:
        raise _not_ready(transcript_id, status, None)
    words = transcript.words or []
    utterances = transcript.utterances
    language = transcript.language_code
    return TranscriptData(
        id=transcript_id,
        text=transcript.text or "",
        audio_url=transcript.audio_url,
        language_code=_text(language) if language is not None else None,
        confidence=transcript.confidence,
        audio_duration=transcript.audio_duration,
        utterances=units(utterances) if utterances is not None else None,
        start=words[0].start if words else None,
        end=words[-1].end if words else None,
    )


def _not_ready(transcript_id: str, status: str, waited: float | None) -> TranscriptNotReadyError:
    after = f" after {waited:g} s" if waited is not None else ""
    return TranscriptNotReadyError(
        f"transcript {transcript_id} is still {status}{after}; wait longer "
        "(poll_timeout=...) or load it again later",
        transcript_id=transcript_id,
        status=status,
    )


def translate_error(
    error: BaseException,
    *,
    action: str,
    transcript_id: str | None,
    base_url: str,
    transcript: Any = None,
    waited: float | None = None,
) -> Exception | None:
    """Our typed error for one the SDK (or httpx under it) raised, else ``None``.

    Args:
        error: What was raised.
        action: What we were doing, e.g. ``"fetching transcript tr_1"``.
        transcript_id: The transcript concerned, when known.
        base_url: The transcript API's host, to name in the message.
        transcript: The SDK transcript being waited for (its last status).
        waited: The poll timeout of a wait, when the action was one.
    """
    import httpx

    aai = load_sdk()
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"the transcript API at {base_url} timed out while {action}")
    if isinstance(error, httpx.TransportError):
        return APIConnectionError(
            f"could not reach the transcript API at {base_url} while {action}: "
            f"{type(error).__name__}"
        )
    if not isinstance(error, aai.types.AssemblyAIError):
        return None
    status_code = error.status_code
    if status_code is None and transcript is not None and waited is not None:
        # The SDK's poll ran out of time (the only error it raises without a status).
        assert transcript_id is not None
        return _not_ready(transcript_id, _text(transcript.status), waited)
    message = str(error)[:_MAX_API_MESSAGE]
    if status_code in (400, 404) and transcript_id is not None:
        return TranscriptNotFoundError(
            f"transcript {transcript_id} was not found at {base_url} ({status_code}: "
            f"{message}); check the id, and the region: a transcript made in the EU is "
            "only found with region='eu'",
            transcript_id=transcript_id,
            status_code=status_code,
        )
    hint = ""
    if status_code in (401, 403):
        hint = " (check ASSEMBLYAI_API_KEY; a key works only in its own region)"
    return TranscriptError(
        f"the transcript API answered {status_code} while {action}: {message}{hint}",
        transcript_id=transcript_id,
        status_code=status_code,
    )
