"""The public :class:`GatewayEmulator`: configuration and the server's lifecycle."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from assemblyai_gateway._live_models import memory as _model_list_memory
from assemblyai_gateway.catalog import ModelInfo

from ._extras import require_extras
from ._faults import Fault
from ._ratelimit import RateLimit
from ._render import ErrorEnvelope, ToolCallPlacement, UsageStyle
from ._script import Reply
from ._server import EmulatorHTTPServer
from ._state import (
    EmulatedModel,
    EmulatorSettings,
    EmulatorState,
    RecordedRequest,
    check_error_envelope,
    normalise_models,
)
from ._transcript_store import TranscriptStore, read_transcript_files

__all__ = ["GatewayEmulator"]

_STOP_TIMEOUT = 5.0


class GatewayEmulator:
    """A local, deterministic AssemblyAI LLM Gateway on ``127.0.0.1``.

    It is a real threaded HTTP server (keep-alive, SSE) that speaks the gateway's
    contract: raw-key auth, validation errors, the deterministic model rules on the
    emulator docs page, fallbacks, transcripts, json-repair, streaming for the models that
    list ``stream`` (OpenAI's, and any a test adds so), the model list
    (``GET /v1/models``), a FIFO script of :class:`Reply` s (exact answers: text, tool
    calls, a context overflow) for testing agents, and one of :class:`Fault` s for testing
    retries and error handling.

    Args:
        api_key: The key clients must send as the raw ``Authorization`` header.
        script: Scripted replies for the first requests a model answers, in order
            (see :meth:`script`); the deterministic rules answer the rest.
        accept_any_model: Serve ids the catalog does not know (``gpt-*`` ones stream).
        models: Models to serve and list beside the catalog's (see :meth:`add_model`).
        transcripts: Transcript texts by id, for ``transcript_id``.
        transcript_fixtures: Transcripts for the transcript API (``/v2/transcript``):
            fixture objects (the API's transcript JSON, see the emulator docs page), or
            paths of JSON files or folders of them. The built-in ``emulator-meeting``,
            ``emulator-lecture`` and ``emulator-failed`` are always there. Completed
            ones also serve ``transcript_id`` in chat requests.
        transcription_polls: How many polls a new transcription (``POST
            /v2/transcript``) answers ``processing`` before it is ``completed``.
        failing_models: Models that always fail, so ``fallbacks`` take over.
        usage_style: ``"input_output"`` (the gateway today: the spec's ``input_tokens``/
            ``output_tokens`` beside ``prompt_tokens``/``completion_tokens``) or
            ``"prompt_completion"`` (the earlier revision's names only).
        tool_call_placement: Put ``tool_calls`` on the ``"choice"`` (the gateway's
            shape) or inside the ``"message"`` (OpenAI's).
        rate_limit: A :class:`RateLimit` (requests per second, tokens per minute):
            requests over it get 429 with ``Retry-After``, as an account's limits do.
        error_envelope: ``"spec"`` (the published spec's ``{"error": {"code",
            "message", "metadata"}}``) or ``"gateway"`` (what the gateway sends today:
            ``{"message", "code", "request_id", "metadata": {"errors": [...]}}``, and
            ``{"error": "<text>", "status", "request_id"}`` for a 401).
        host: Interface to bind; keep the loopback default unless you mean it.
        port: Port to bind; 0 picks a free one.
        on_request: Called with each :class:`RecordedRequest` as it is logged, from
            the connection's thread (the command line prints one line per request).

    Examples:
        >>> import httpx
        >>> from assemblyai_gateway.emulator import Fault, GatewayEmulator
        >>> with GatewayEmulator(api_key="emulator-key") as emulator:
        ...     emulator.inject(Fault.status(503, "overloaded"))
        ...     url = f"{emulator.base_url}/chat/completions"
        ...     body = {"model": "gpt-4.1", "prompt": "Say hi"}
        ...     headers = {"Authorization": emulator.api_key}
        ...     first = httpx.post(url, json=body, headers=headers)
        ...     second = httpx.post(url, json=body, headers=headers).json()
        >>> first.status_code
        503
        >>> second["choices"][0]["message"]["content"]
        'Emulated answer to: "Say hi"'
    """

    def __init__(
        self,
        api_key: str = "emulator-key",
        *,
        script: Iterable[Reply] = (),
        accept_any_model: bool = False,
        models: Iterable[ModelInfo] = (),
        transcripts: Mapping[str, str] | None = None,
        transcript_fixtures: Iterable[Mapping[str, Any] | str | os.PathLike[str]] = (),
        transcription_polls: int = 0,
        failing_models: Iterable[str] = (),
        usage_style: UsageStyle = "input_output",
        tool_call_placement: ToolCallPlacement = "choice",
        rate_limit: RateLimit | None = None,
        error_envelope: ErrorEnvelope = "spec",
        host: str = "127.0.0.1",
        port: int = 0,
        on_request: Callable[[RecordedRequest], None] | None = None,
    ) -> None:
        require_extras()
        if not api_key:
            raise ValueError("api_key must be a non-empty string")
        self._initial = EmulatorSettings(
            api_key=api_key,
            accept_any_model=accept_any_model,
            transcripts=dict(transcripts or {}),
            failing_models=normalise_models(failing_models),
            usage_style=usage_style,
            tool_call_placement=tool_call_placement,
            rate_limit=rate_limit,
            transcript_store=_store(transcript_fixtures, transcription_polls),
            models={info.id: EmulatedModel(info) for info in map(_checked_model, models)},
            error_envelope=error_envelope,
        )
        self._initial_script = tuple(script)
        _check_replies(self._initial_script)
        self._state = EmulatorState(self._initial.copy(), on_request)
        self.script(*self._initial_script)
        self._host = host
        self._port = port
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()

    # -- settings (mutable while running) --------------------------------------------

    @property
    def api_key(self) -> str:
        """The key clients must send."""
        return self._state.settings.api_key

    @property
    def transcripts(self) -> dict[str, str]:
        """The transcript store; add entries at any time."""
        return self._state.settings.transcripts

    @property
    def transcript_base_url(self) -> str:
        """``http://<host>:<port>``: the transcript API's base URL (``ASSEMBLYAI_BASE_URL``)."""
        return self.base_url.removesuffix("/v1")

    def add_transcript(self, transcript: Mapping[str, Any]) -> str:
        """Serve a transcript (fixture JSON, see the docs page) until the next settings reset.

        Returns its id. Raises ValueError, naming the problem, for a bad fixture.

        Examples:
            >>> import httpx
            >>> from assemblyai_gateway.emulator import GatewayEmulator
            >>> with GatewayEmulator() as emulator:
            ...     emulator.add_transcript({"id": "tr_1", "text": "Ship it on Friday."})
            ...     url = f"{emulator.transcript_base_url}/v2/transcript/tr_1"
            ...     body = httpx.get(url, headers={"Authorization": emulator.api_key}).json()
            'tr_1'
            >>> (body["status"], [word["text"] for word in body["words"]])
            ('completed', ['Ship', 'it', 'on', 'Friday.'])
        """
        return self._state.settings.transcript_store.add(transcript)

    def load_transcripts(self, path: str | os.PathLike[str]) -> list[str]:
        """Serve the transcripts in a JSON file (an object or a list) or a folder of them.

        Returns their ids. Raises OSError or ValueError naming the file and problem.
        """
        return [self.add_transcript(item) for item in read_transcript_files(path)]

    @property
    def transcription_polls(self) -> int:
        """How many polls a new transcription answers ``processing`` first."""
        return self._state.settings.transcript_store.transcription_polls

    @transcription_polls.setter
    def transcription_polls(self, value: int) -> None:
        self._state.settings.transcript_store.transcription_polls = _polls(value)

    def add_model(self, info: ModelInfo, *, pricing: Mapping[str, Any] | None = None) -> None:
        """Serve ``info``'s model, and list it on ``GET /v1/models``, until the next
        settings reset; an id the catalog knows is replaced.

        It streams over SSE when ``info.native_streaming`` (it lists ``stream``), takes
        ``response_format`` when ``info.supports_json_schema``, and so on, as the
        catalog's models do. Clients in this process forget the list they read from this
        emulator, so their next request reads it again.

        Args:
            info: The model, e.g. ``ModelInfo("claude-sonnet-5", "anthropic", 500_000,
                64_000, native_streaming=True)``.
            pricing: Its ``pricing`` object, e.g. ``{"global": {"prompt": 3.0,
                "completions": 15.0}}`` (default: zero prices).

        Examples:
            >>> import httpx
            >>> from assemblyai_gateway.catalog import ModelInfo
            >>> from assemblyai_gateway.emulator import GatewayEmulator
            >>> new_model = ModelInfo(
            ...     "claude-sonnet-5", "anthropic", 500_000, 64_000, native_streaming=True
            ... )
            >>> with GatewayEmulator() as emulator:
            ...     emulator.add_model(new_model)
            ...     listing = httpx.get(f"{emulator.base_url}/models").json()
            >>> entry = listing["data"][-1]
            >>> entry["id"], entry["context_length"], "stream" in entry["supported_parameters"]
            ('claude-sonnet-5', 500000, True)
        """
        model = EmulatedModel(_checked_model(info), dict(pricing) if pricing else None)
        self._state.settings.models[info.id] = model
        self._forget_client_lists()

    @property
    def models(self) -> dict[str, ModelInfo]:
        """The models added with :meth:`add_model` (or the constructor), by id."""
        return {model_id: model.info for model_id, model in self._state.settings.models.items()}

    def _forget_client_lists(self) -> None:
        if self._server is not None:
            _model_list_memory.forget(self.base_url)

    @property
    def failing_models(self) -> set[str]:
        """Models that fail every request; add or remove ids at any time."""
        return self._state.settings.failing_models

    @property
    def accept_any_model(self) -> bool:
        """Whether ids outside the catalog are served."""
        return self._state.settings.accept_any_model

    @accept_any_model.setter
    def accept_any_model(self, value: bool) -> None:
        self._state.settings.accept_any_model = value

    @property
    def usage_style(self) -> UsageStyle:
        """How ``usage`` names its fields in non-streaming answers."""
        return self._state.settings.usage_style

    @usage_style.setter
    def usage_style(self, value: UsageStyle) -> None:
        if value not in ("input_output", "prompt_completion"):
            raise ValueError("usage_style must be 'input_output' or 'prompt_completion'")
        self._state.settings.usage_style = value

    @property
    def tool_call_placement(self) -> ToolCallPlacement:
        """Where non-streaming answers put ``tool_calls``."""
        return self._state.settings.tool_call_placement

    @tool_call_placement.setter
    def tool_call_placement(self, value: ToolCallPlacement) -> None:
        if value not in ("choice", "message"):
            raise ValueError("tool_call_placement must be 'choice' or 'message'")
        self._state.settings.tool_call_placement = value

    @property
    def error_envelope(self) -> ErrorEnvelope:
        """The shape of error answers: ``"spec"`` or ``"gateway"`` (see the class)."""
        return self._state.settings.error_envelope

    @error_envelope.setter
    def error_envelope(self, value: ErrorEnvelope) -> None:
        check_error_envelope(value)
        self._state.settings.error_envelope = value

    @property
    def rate_limit(self) -> RateLimit | None:
        """The limits enforced now (``None``: unlimited); setting one starts full buckets."""
        return self._state.settings.rate_limit

    @rate_limit.setter
    def rate_limit(self, value: RateLimit | None) -> None:
        if value is not None and not isinstance(value, RateLimit):
            raise TypeError("rate_limit takes a RateLimit or None")
        self._state.settings.rate_limit = value

    @property
    def rate_limited(self) -> int:
        """How many requests the rate limit refused (429) since it was set or reset."""
        buckets = self._state.rate_limiter
        return buckets.refused if buckets is not None else 0

    # -- address ---------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The interface the server binds."""
        return self._host

    @property
    def port(self) -> int:
        """The bound port once started (the requested one before)."""
        server = self._server
        return int(server.server_address[1]) if server is not None else self._port

    @property
    def base_url(self) -> str:
        """``http://<host>:<port>/v1``; clients POST to ``{base_url}/chat/completions``."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() or use `with`")
        return f"http://{self._host}:{self.port}/v1"

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._server is not None

    # -- faults and the request log --------------------------------------------------

    def inject(self, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` chat-completions requests (FIFO)."""
        if not isinstance(fault, Fault):
            raise TypeError("inject() takes a Fault, e.g. Fault.rate_limit(retry_after=1)")
        self._state.faults.push(fault, times)

    def script(self, *replies: Reply) -> None:
        """Queue ``replies`` for the next requests a model answers, in order (FIFO).

        A request takes the next reply once it has passed authentication, validation
        and the fallbacks; one that fails before keeps the reply queued. When the
        queue is empty, the deterministic rules answer again. Faults still apply: an
        edge fault strikes before, a content fault reshapes the scripted answer.

        Examples:
            >>> import httpx
            >>> from assemblyai_gateway.emulator import GatewayEmulator, Reply
            >>> with GatewayEmulator() as emulator:
            ...     emulator.script(Reply.tool_call("get_weather", {"city": "Paris"}))
            ...     url = f"{emulator.base_url}/chat/completions"
            ...     body = {"model": "gpt-4.1", "prompt": "Weather in Paris?"}
            ...     answer = httpx.post(url, json=body, headers={"Authorization": emulator.api_key})
            >>> answer.json()["choices"][0]["tool_calls"][0]["function"]
            {'name': 'get_weather', 'arguments': '{"city": "Paris"}'}
        """
        _check_replies(replies)
        for reply in replies:
            self._state.replies.push(reply)

    @property
    def pending_replies(self) -> int:
        """How many scripted replies are still queued."""
        return len(self._state.replies)

    @property
    def pending_faults(self) -> int:
        """How many requests the queued faults will still affect."""
        return len(self._state.faults)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the request log, oldest first (failed requests included)."""
        return self._state.snapshot()

    def wait_for_requests(self, count: int, timeout: float = 60.0) -> None:
        """Block until ``count`` chat-completions requests have arrived since the last reset.

        A request counts as soon as it is read, before any ``delay`` fault or answer,
        so a test can act while a request is in progress. ``timeout`` only guards
        against a test hanging forever.

        Raises:
            TimeoutError: fewer requests arrived within ``timeout`` seconds.
        """
        if not self._state.wait_for_arrivals(count, timeout):
            raise TimeoutError(f"{count} request(s) did not arrive within {timeout} s")

    def reset(self, *, settings: bool = False) -> None:
        """Clear the fault and reply queues, the request log, the count of arrivals and
        the prompt cache.

        A request still being answered (one sleeping in a ``delay`` fault) is not
        logged when it ends, so it never shows in the next test's log.

        Args:
            settings: Also restore the constructor's settings (transcripts,
                failing models, added models, usage style, ...) and queue its
                ``script`` again, as the pytest fixture does; clients in this process
                forget the model list they read from it.
        """
        self._state.clear()
        if settings:
            self._state.settings = self._initial.copy()
            self.script(*self._initial_script)
            self._forget_client_lists()

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> GatewayEmulator:
        """Bind and serve in a daemon thread; a no-op when already running."""
        with self._lifecycle:
            if self._server is not None:
                return self
            self._state.stopping.clear()
            server = EmulatorHTTPServer((self._host, self._port), self._state)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"gateway-emulator-{server.server_address[1]}",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread
        return self

    def stop(self, timeout: float = _STOP_TIMEOUT) -> None:
        """Stop serving, close every connection and join the threads (bounded)."""
        with self._lifecycle:
            server, thread = self._server, self._thread
            if server is None:
                return
            self._state.stopping.set()  # wakes requests sleeping in a delay fault
            server.shutdown()
            server.server_close()
            server.close_all(timeout)
            if thread is not None:
                thread.join(timeout)
            self._server = self._thread = None

    def __enter__(self) -> GatewayEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self.running else "stopped"
        return f"GatewayEmulator({where})"


def _polls(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"transcription_polls must be a whole number >= 0, got {value!r}")
    return value


def _store(
    fixtures: Iterable[Mapping[str, Any] | str | os.PathLike[str]], polls: int
) -> TranscriptStore:
    store = TranscriptStore.with_builtins()
    store.transcription_polls = _polls(polls)
    for fixture in [fixtures] if isinstance(fixtures, (str, os.PathLike)) else fixtures:
        if isinstance(fixture, Mapping):
            store.add(fixture)
        else:
            for item in read_transcript_files(fixture):
                store.add(item)
    return store


def _checked_model(info: object) -> ModelInfo:
    if not isinstance(info, ModelInfo):
        raise TypeError(
            "models are ModelInfo objects, e.g. ModelInfo('claude-sonnet-5', 'anthropic', "
            f"500_000, 64_000, native_streaming=True); got {type(info).__name__}"
        )
    return info


def _check_replies(replies: Iterable[object]) -> None:
    for reply in replies:
        if not isinstance(reply, Reply):
            raise TypeError(
                f"a script holds Reply objects, e.g. Reply.text('...'); got {type(reply).__name__}"
            )
