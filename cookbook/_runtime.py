"""Where the cookbook's calls go: the live gateway with a key, else the local emulator.

Every recipe calls :func:`gateway_session` first. With ``ASSEMBLYAI_API_KEY`` set it
talks to the live AssemblyAI LLM Gateway. Without it, it starts the package's embedded
emulator on 127.0.0.1, points ``ASSEMBLYAI_API_KEY``/``ASSEMBLYAI_GATEWAY_BASE_URL``
at it, and says so on the first line of output. Emulator answers are deterministic
stand-ins, not model output.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assemblyai_gateway._transport.setting_sources import (
    API_KEY_ENV,
    BASE_URL_ENV,
    resolve_base_url,
)
from assemblyai_gateway.errors import (
    APIConnectionError,
    AuthenticationError,
    GatewayError,
    PermissionDeniedError,
)

if TYPE_CHECKING:
    from assemblyai_gateway.emulator import RateLimit

__all__ = [
    "DATA_DIR",
    "EMULATOR_FAILING_MODEL",
    "EMULATOR_TRANSCRIPT_ID",
    "TRANSCRIPT_IDS_ENV",
    "GatewaySession",
    "failure_line",
    "gateway_session",
    "meeting_transcript",
    "run_main",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
# The emulator fails this model on purpose so the fallback recipe shows a fallback.
EMULATOR_FAILING_MODEL = "claude-opus-4-6"
EMULATOR_TRANSCRIPT_ID = "emulated-meeting-transcript"
TRANSCRIPT_IDS_ENV = "ASSEMBLYAI_TRANSCRIPT_IDS"
TRANSCRIPT_BASE_URL_ENV = "ASSEMBLYAI_BASE_URL"  # the transcript API's, read by the SDK


def meeting_transcript() -> str:
    """The sample meeting transcript shipped with the cookbook."""
    return (DATA_DIR / "meeting_transcript.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class GatewaySession:
    """What a recipe needs to know about where its calls go.

    Attributes:
        live: True when calls go to the live gateway.
        transcript_id: A transcript id usable for ``transcript_id`` injection, if any.
        transcript_ids: Transcripts the transcript API serves: the folder's (emulator),
            or ``$ASSEMBLYAI_TRANSCRIPT_IDS`` (comma-separated) with a live key.
    """

    live: bool
    transcript_id: str | None
    transcript_ids: tuple[str, ...] = ()


@contextmanager
def gateway_session(
    transcripts: Mapping[str, str] | None = None,
    rate_limit: RateLimit | None = None,
    transcript_folder: Path | None = None,
) -> Iterator[GatewaySession]:
    """Use the live gateway when a key is set, else start the emulator for the block.

    Args:
        transcripts: More transcripts for the emulator to serve by id.
        rate_limit: Limits the emulator enforces, like an account's.
        transcript_folder: Transcript JSON files (as the transcript API returns them)
            the emulator serves on its transcript API, which ``ASSEMBLYAI_BASE_URL``
            points at for the block.
    """
    if os.environ.get(API_KEY_ENV):
        print("Using the live AssemblyAI LLM Gateway (ASSEMBLYAI_API_KEY is set).")
        listed = os.environ.get(TRANSCRIPT_IDS_ENV, "")
        yield GatewaySession(
            live=True,
            transcript_id=os.environ.get("ASSEMBLYAI_TRANSCRIPT_ID"),
            transcript_ids=tuple(i.strip() for i in listed.split(",") if i.strip()),
        )
        return
    from assemblyai_gateway.emulator import GatewayEmulator

    emulator = GatewayEmulator(
        api_key="emulator-key",
        transcripts={EMULATOR_TRANSCRIPT_ID: meeting_transcript(), **(transcripts or {})},
        failing_models=(EMULATOR_FAILING_MODEL,),
        rate_limit=rate_limit,
        transcript_fixtures=[transcript_folder] if transcript_folder else (),
    )
    with emulator:
        print(
            "No ASSEMBLYAI_API_KEY set: using the embedded local emulator at "
            f"{emulator.base_url} (deterministic stand-in answers, not a live model)."
        )
        names = (API_KEY_ENV, BASE_URL_ENV, TRANSCRIPT_BASE_URL_ENV)
        saved = {name: os.environ.get(name) for name in names}
        os.environ[API_KEY_ENV] = emulator.api_key
        os.environ[BASE_URL_ENV] = emulator.base_url
        os.environ[TRANSCRIPT_BASE_URL_ENV] = emulator.transcript_base_url
        folder_ids = (
            tuple(sorted(json.loads(p.read_text())["id"] for p in transcript_folder.glob("*.json")))
            if transcript_folder
            else ()
        )
        try:
            yield GatewaySession(
                live=False, transcript_id=EMULATOR_TRANSCRIPT_ID, transcript_ids=folder_ids
            )
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _gateway_error(error: BaseException) -> GatewayError | None:
    """The GatewayError behind ``error``, also when a framework wrapped it."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, GatewayError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def failure_line(program: str, error: GatewayError) -> str:
    """One line that says what went wrong talking to the gateway, and what to do."""
    if isinstance(error, APIConnectionError):
        cause = error.__cause__
        detail = f"{type(cause).__name__}: {cause}" if cause is not None else str(error)
        return (
            f"{program}: could not reach the gateway at {resolve_base_url(None, None)} "
            f"({detail}). Check the network, or unset {API_KEY_ENV} to run against the "
            "embedded emulator."
        )
    if isinstance(error, (AuthenticationError, PermissionDeniedError)):
        return (
            f"{program}: the gateway refused the key in {API_KEY_ENV} ({error}). Set a valid "
            f"AssemblyAI key, or unset {API_KEY_ENV} to run against the embedded emulator."
        )
    return f"{program}: the gateway call failed: {type(error).__name__}: {error}"


def run_main(main: Callable[[], object], program: str) -> None:
    """Run a recipe's ``main()``; a gateway failure ends it with one clear line, exit 1."""
    try:
        main()
    except Exception as exc:
        error = _gateway_error(exc)
        if error is None:
            raise
        print(failure_line(program, error), file=sys.stderr)
        raise SystemExit(1) from None
