"""What the emulator's request handlers share: settings, the fault queue and the log."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assemblyai_gateway.catalog import ModelInfo, table_model_info

from ._details import PromptCache
from ._faults import Fault
from ._queue import ScriptQueue
from ._ratelimit import RateLimit, RateLimiterState
from ._render import ErrorEnvelope, ToolCallPlacement, UsageStyle
from ._script import Reply
from ._transcript_store import TranscriptStore, TranscriptTexts
from ._validation import FieldError, validate_request

__all__ = [
    "EmulatedModel",
    "EmulatorSettings",
    "EmulatorState",
    "RecordedRequest",
    "check_error_envelope",
]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator received, as :attr:`GatewayEmulator.requests` lists it.

    The API key itself is never stored: only whether an ``Authorization`` header
    was present and whether it matched.

    Attributes:
        method: The HTTP method.
        path: The request path without the query string.
        headers: Request headers with lower-cased names, ``authorization`` removed.
        json: The parsed body when it was a JSON object, else None.
        status: The status sent back; None when a fault dropped the connection.
        fault: The fault that this request used up, if any.
        auth_present: Whether an ``Authorization`` header was sent.
        auth_valid: Whether it was exactly the emulator's key.
        reply: The scripted :class:`Reply` that answered it, if any.

    Examples:
        >>> import httpx
        >>> from assemblyai_gateway.emulator import GatewayEmulator
        >>> with GatewayEmulator() as emulator:
        ...     _ = httpx.post(f"{emulator.base_url}/chat/completions", json={})
        ...     (emulator.requests[0].status, emulator.requests[0].auth_present)
        (401, False)
    """

    method: str
    path: str
    headers: dict[str, str]
    json: dict[str, Any] | None
    status: int | None
    fault: Fault | None
    auth_present: bool
    auth_valid: bool
    reply: Reply | None = None


@dataclass(frozen=True)
class EmulatedModel:
    """A model a test added to the emulator: its profile, and its ``pricing`` object."""

    info: ModelInfo
    pricing: Mapping[str, Any] | None = None


def check_error_envelope(value: object) -> None:
    """Refuse an ``error_envelope`` that is neither ``"spec"`` nor ``"gateway"``."""
    if value not in ("spec", "gateway"):
        raise ValueError("error_envelope must be 'spec' or 'gateway'")


@dataclass
class EmulatorSettings:
    """The knobs :class:`GatewayEmulator` takes; tests may change them while it runs."""

    api_key: str = "emulator-key"
    accept_any_model: bool = False
    transcripts: dict[str, str] = field(default_factory=dict)
    failing_models: set[str] = field(default_factory=set)
    usage_style: UsageStyle = "input_output"
    tool_call_placement: ToolCallPlacement = "choice"
    rate_limit: RateLimit | None = None
    transcript_store: TranscriptStore = field(default_factory=TranscriptStore.with_builtins)
    models: dict[str, EmulatedModel] = field(default_factory=dict)
    error_envelope: ErrorEnvelope = "spec"

    def __post_init__(self) -> None:
        if self.usage_style not in ("input_output", "prompt_completion"):
            raise ValueError("usage_style must be 'input_output' or 'prompt_completion'")
        if self.tool_call_placement not in ("choice", "message"):
            raise ValueError("tool_call_placement must be 'choice' or 'message'")
        check_error_envelope(self.error_envelope)

    def copy(self) -> EmulatorSettings:
        return EmulatorSettings(
            self.api_key,
            self.accept_any_model,
            dict(self.transcripts),
            set(self.failing_models),
            self.usage_style,
            self.tool_call_placement,
            self.rate_limit,
            self.transcript_store.copy(),
            dict(self.models),
            self.error_envelope,
        )


class EmulatorState:
    """Settings, scripted faults and the request log, shared by all handler threads."""

    def __init__(
        self,
        settings: EmulatorSettings,
        on_request: Callable[[RecordedRequest], None] | None = None,
    ) -> None:
        self.settings = settings
        self.faults: ScriptQueue[Fault] = ScriptQueue()
        self.replies: ScriptQueue[Reply] = ScriptQueue()
        self.stopping = threading.Event()
        self.on_request = on_request
        self._log_lock = threading.Lock()
        self._log: list[RecordedRequest] = []
        # Bumped by every reset: a request that arrived before one is not logged after it.
        self._generation = 0
        self._buckets: RateLimiterState | None = None
        self.prompt_cache = PromptCache()
        # Chat-completions requests that have arrived (answered or not yet), so tests
        # can wait for "the emulator has it" on an event instead of polling a clock.
        self._arrivals = threading.Condition()
        self._arrived = 0

    # Handlers read settings through these so a test can swap them at any time.
    @property
    def api_key(self) -> str:
        return self.settings.api_key

    @property
    def transcripts(self) -> Mapping[str, str]:
        """Texts for ``transcript_id``: the plain ones, then the transcript API's."""
        return TranscriptTexts(self.settings.transcripts, self.settings.transcript_store)

    @property
    def transcript_store(self) -> TranscriptStore:
        return self.settings.transcript_store

    @property
    def failing_models(self) -> set[str]:
        return self.settings.failing_models

    @property
    def usage_style(self) -> UsageStyle:
        return self.settings.usage_style

    @property
    def tool_call_placement(self) -> ToolCallPlacement:
        return self.settings.tool_call_placement

    @property
    def error_envelope(self) -> ErrorEnvelope:
        return self.settings.error_envelope

    @property
    def rate_limiter(self) -> RateLimiterState | None:
        """The live buckets for the current :class:`RateLimit` (fresh when it changes)."""
        limit = self.settings.rate_limit
        if limit is None:
            return None
        buckets = self._buckets
        if buckets is None or buckets.limit is not limit:
            buckets = self._buckets = RateLimiterState(limit)
        return buckets

    def model_info(self, model: str) -> ModelInfo:
        """A model a test added, else the catalog's (its table, never a live list)."""
        added = self.settings.models.get(model)
        return added.info if added is not None else table_model_info(model)

    def validate(self, body: object) -> list[FieldError]:
        return validate_request(
            body,
            accept_any_model=self.settings.accept_any_model,
            transcripts=self.transcripts,
            lookup=self.model_info,
        )

    @property
    def generation(self) -> int:
        """How many resets there have been; a request notes it when it arrives."""
        return self._generation

    def append(self, record: RecordedRequest, generation: int) -> None:
        """Log ``record``, unless a reset came after its request arrived."""
        with self._log_lock:
            if generation != self._generation:
                return
            self._log.append(record)
        if self.on_request is not None:
            self.on_request(record)

    def note_arrival(self) -> None:
        with self._arrivals:
            self._arrived += 1
            self._arrivals.notify_all()

    def wait_for_arrivals(self, count: int, timeout: float) -> bool:
        with self._arrivals:
            return self._arrivals.wait_for(lambda: self._arrived >= count, timeout)

    def snapshot(self) -> list[RecordedRequest]:
        with self._log_lock:
            return list(self._log)

    def clear(self) -> None:
        with self._log_lock:
            self._log.clear()
            self._generation += 1
        with self._arrivals:
            self._arrived = 0
        self.faults.clear()
        self.replies.clear()
        self._buckets = None
        self.prompt_cache.clear()


def normalise_models(models: Iterable[str]) -> set[str]:
    """A set from any iterable of ids, rejecting a bare string (a common slip)."""
    if isinstance(models, str):
        raise TypeError("failing_models takes a collection of model ids, not one string")
    return set(models)
