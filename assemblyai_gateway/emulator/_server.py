"""The HTTP side of the emulator: a threaded stdlib server speaking the gateway contract."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from ._details import with_thinking
from ._faults import EDGE_FAULTS, Fault
from ._model import (
    apply_content_fault,
    complete,
    fallback_attempts,
    post_process,
    substitute_transcript,
)
from ._model_list import MODELS_PATH, model_list_body
from ._printable import printable
from ._ratelimit import retry_after_headers
from ._render import error_body, render_chunks, render_response
from ._script import context_overflow_error, context_window_error, scripted_completion
from ._state import EmulatorState, RecordedRequest
from ._transcript_api import answer_api, is_api_path

__all__ = ["CHAT_PATH", "EmulatorHTTPServer"]

Json = dict[str, Any]

CHAT_PATH = "/v1/chat/completions"
_MAX_BODY = 32 * 1024 * 1024
_MALFORMED_JSON = b'{"unexpected": true}'
_MALFORMED_TEXT = b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": "'
_AUTH_HINT = "send the raw API key in the Authorization header"


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that tracks its connections so :meth:`close_all` can end them."""

    daemon_threads = True
    # A benchmark opens ~1000 connections at once; the default backlog of 5 drops them.
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: EmulatorState) -> None:
        self.state = state
        self._live_lock = threading.Lock()
        self._live: dict[socket.socket, threading.Thread] = {}
        self._closing = False
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"gateway-emulator-{self.server_address[1]}-connection",
            daemon=True,
        )
        with self._live_lock:
            if self._closing:
                self.shutdown_request(request)
                return
            self._live[request] = thread
        thread.start()

    def _serve_connection(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._live_lock:
                self._live.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up (or stop() closing idle keep-alive sockets) is normal.
        error = sys.exc_info()[1]
        if error is None or isinstance(error, OSError):
            return
        # The stack is our own code; the error's text may quote the request, so it is
        # escaped onto one line and cannot forge lines or drive the terminal.
        stack = [
            printable(line)
            for frame in traceback.format_tb(error.__traceback__)
            for line in frame.rstrip("\n").split("\n")
        ]
        print(
            f"emulator error while serving {printable(client_address)}:",
            "Traceback (most recent call last):",
            *stack,
            printable(f"{type(error).__name__}: {error}"),
            sep="\n",
            file=sys.stderr,
            flush=True,
        )

    def close_all(self, timeout: float) -> None:
        """Close every open connection and wait (bounded) for its thread to finish."""
        with self._live_lock:
            self._closing = True
            live = dict(self._live)
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in live.values():
            thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AssemblyAIGatewayEmulator"
    # Small writes (headers, then body, then SSE events) must not wait for delayed ACKs.
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections are reaped
    server: EmulatorHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and benchmarks read the request log instead."""

    def do_POST(self) -> None:
        self._dispatch()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_POST

    # -- plumbing --------------------------------------------------------------------

    def _dispatch(self) -> None:
        started = time.perf_counter_ns()
        self._begin_record()
        raw, framing_problem = self._read_body()
        auth = self.headers.get("Authorization")
        if framing_problem is not None:
            # The connection's framing is unknown now: answer, then close it.
            self.close_connection = True
            status = 413 if framing_problem == "too large" else 400
            self._send_error(status, f"Request body {framing_problem}")
        elif is_api_path(self._record["path"]):
            self._api(raw, auth)
        elif self._record["path"] == MODELS_PATH:
            self._models(auth)
        elif self._record["path"] != CHAT_PATH:
            self._send_error(404, f"Not found: {self.command} {self._record['path']}")
        elif self.command != "POST":
            self._send_error(405, "Method not allowed; use POST", headers={"Allow": "POST"})
        else:
            try:
                self._chat(raw, auth, started)
            except Exception as exc:
                if self._record["logged"]:
                    raise  # mid-answer: nothing sane left to send
                # A bug in the emulator must not look like a network failure.
                self._send_error(500, f"Emulator error: {type(exc).__name__}: {exc}")

    def _begin_record(self) -> None:
        self._generation = self.server.state.generation
        headers = getattr(self, "headers", None)
        auth = headers.get("Authorization") if headers is not None else None
        self._record: Json = {
            # After a malformed request line the stdlib has not set these.
            "method": getattr(self, "command", None) or "",
            "path": urlsplit(getattr(self, "path", None) or "").path,
            "headers": {
                k.lower(): v
                for k, v in (headers.items() if headers is not None else [])
                if k.lower() != "authorization"
            },
            "json": None,
            "auth_present": auth is not None,
            "auth_valid": auth == self.server.state.api_key,
            "fault": None,
            "reply": None,
            "logged": False,
        }

    def _read_body(self) -> tuple[bytes, str | None]:
        """The request body, or the framing problem that stops us reading it."""
        try:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return self._read_chunked()
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return b"", "is badly framed"
        if length < 0:
            return b"", "is badly framed"
        if length > _MAX_BODY:
            return b"", "too large"
        return (self.rfile.read(length) if length else b""), None

    def _read_chunked(self) -> tuple[bytes, str | None]:
        parts: list[bytes] = []
        size = 0
        while True:
            length = int(self.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
            if length == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts), None
            size += length
            if size > _MAX_BODY:
                return b"", "too large"
            parts.append(self.rfile.read(length))
            self.rfile.readline(3)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the stdlib raises itself (malformed HTTP) in the gateway format too."""
        self.close_connection = True
        self._begin_record()
        if code == HTTPStatus.NOT_IMPLEMENTED:  # an HTTP method we have no do_X for
            self._send_error(405, "Method not allowed; use POST", headers={"Allow": "POST"})
            return
        self._send_error(int(code), message or HTTPStatus(code).phrase)

    def version_string(self) -> str:
        return self.server_version

    def _log(self, status: int | None) -> None:
        # Logged before the first byte goes out, so a client that has its answer
        # always finds the request in the log.
        self._record["logged"] = True
        fields = {k: v for k, v in self._record.items() if k != "logged"}
        self.server.state.append(RecordedRequest(status=status, **fields), self._generation)

    def _send_bytes(
        self,
        status: int,
        data: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        cut_half: bool = False,
        content_type: str = "application/json",
    ) -> None:
        self._log(status)
        if cut_half:
            self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._end_headers()
        if self.command == "HEAD":
            return
        self.wfile.write(data[: len(data) // 2] if cut_half else data)

    def _send_json(self, status: int, body: Json, **kwargs: Any) -> None:
        self._send_bytes(status, json.dumps(body, ensure_ascii=False).encode(), **kwargs)

    def _send_error(
        self,
        code: int,
        message: str,
        metadata: Json | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        envelope = self.server.state.error_envelope
        body = error_body(code, message, metadata, envelope=envelope, request_id=str(uuid.uuid4()))
        self._send_json(code, body, headers=headers)

    def _write_event(self, payload: bytes) -> None:
        data = b"data: " + payload + b"\n\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _end_headers(self) -> None:
        # A connection we are about to close says so: a client that pools it would
        # otherwise send its next request on a socket that is closing (a flaky failure).
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _start_stream(self, *, closes: bool = False) -> None:
        self._log(200)
        if closes:
            self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self._end_headers()

    # -- the endpoints ---------------------------------------------------------------

    def _api(self, raw: bytes, auth: str | None) -> None:
        """The transcript API and speech understanding (see ``_transcript_api``)."""
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        query = urlsplit(self.path).query
        with contextlib.suppress(UnicodeDecodeError, json.JSONDecodeError):
            body = json.loads(raw.decode("utf-8")) if raw else None
            self._record["json"] = body if isinstance(body, dict) else None
        try:
            state, path = self.server.state, self._record["path"]
            answer = answer_api(state, self.command, path, query, raw, auth, f"http://{host}")
        except Exception as exc:  # a bug in the emulator must not look like a network failure
            self._send_json(500, {"error": f"Emulator error: {type(exc).__name__}: {exc}"})
            return
        headers = {"Allow": answer.allow} if answer.allow else None
        self._send_bytes(
            answer.status, answer.body, headers=headers, content_type=answer.content_type
        )

    def _models(self, auth: str | None) -> None:
        """``GET /v1/models``: the catalog and the models a test added. No key needed, as
        the gateway documents; a wrong one is refused like on the other routes."""
        if self.command not in ("GET", "HEAD"):
            self._send_error(405, "Method not allowed; use GET", headers={"Allow": "GET"})
        elif auth is not None and auth != self.server.state.api_key:
            self._send_error(401, f"Invalid API key: {_AUTH_HINT}")
        else:
            self._send_json(200, model_list_body(self.server.state.settings.models))

    def _chat(self, raw: bytes, auth: str | None, started: int) -> None:
        state = self.server.state
        fault = state.faults.pop()
        state.note_arrival()
        self._record["fault"] = fault
        body: object = None
        body_problem: str | None = None
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            body_problem = f"is not valid JSON: {exc}"
        if isinstance(body, dict):
            self._record["json"] = body

        if fault is not None and fault.kind == "delay":
            state.stopping.wait(fault.seconds)
        if fault is not None and fault.kind in EDGE_FAULTS:
            if fault.kind == "drop_connection":
                self._log(None)
                self.close_connection = True
                return
            self._send_error(fault.code, fault.message, headers=dict(fault.headers))
            return

        if auth is None:
            self._send_error(401, f"Missing API key: {_AUTH_HINT}")
            return
        if auth != state.api_key:
            hint = " without the 'Bearer ' prefix" if auth.lower().startswith("bearer ") else ""
            self._send_error(401, f"Invalid API key: {_AUTH_HINT}{hint}")
            return
        buckets = state.rate_limiter
        wait = buckets.admit() if buckets is not None else None
        if wait is not None:
            message = "Rate limit exceeded: too many requests or tokens for this account"
            self._send_error(429, message, headers=retry_after_headers(wait))
            return
        if body_problem is not None:
            errors = [{"field": "body", "message": body_problem}]
            self._send_error(400, "Invalid JSON body", {"errors": errors})
            return
        if errors_ := state.validate(body):
            self._send_error(400, "Invalid request", {"errors": errors_})
            return
        assert isinstance(body, dict)
        self._answer(body, fault, started)

    def _answer(self, body: Json, fault: Fault | None, started: int) -> None:
        state = self.server.state
        tried: list[str] = []
        served: Json | None = None
        for attempt in fallback_attempts(body):
            tried.append(attempt["model"])
            if attempt["model"] not in state.failing_models:
                served = attempt
                break
        if served is None:
            message = f"All models failed: {', '.join(tried)}"
            self._send_error(500, message, {"llm_status_code": 500, "models_tried": tried})
            return

        prepared = served
        if "transcript_id" in served:
            prepared = substitute_transcript(served, state.transcripts[served["transcript_id"]])
        info = state.model_info(prepared["model"])
        if (oversized := context_window_error(prepared, info)) is not None:
            self._send_error(400, *oversized)
            return
        reply = self._record["reply"] = state.replies.pop()
        if reply is None:
            completion = complete(prepared)
        elif reply.kind == "context_overflow":
            message, metadata = context_overflow_error(reply, prepared, info)
            self._send_error(400, message, metadata)
            return
        else:
            completion = scripted_completion(reply, prepared)
        completion = replace(
            with_thinking(completion, prepared), cache=state.prompt_cache.use(prepared)
        )
        if (buckets := state.rate_limiter) is not None:
            buckets.charge(completion.input_tokens + completion.output_tokens)
        kind = fault.kind if fault is not None else None
        if kind is not None:
            completion = apply_content_fault(completion, kind)
        completion = post_process(completion, served)
        request_id = str(uuid.uuid4())
        stream = served.get("stream") is True

        if fault is not None and kind == "sse_error" and not stream:
            self._send_error(fault.code, fault.message)
            return
        if kind == "malformed_body":
            assert fault is not None
            payload = _MALFORMED_TEXT if fault.invalid_json else _MALFORMED_JSON
            if stream:
                self._start_stream()
                self._write_event(payload)
                self._write_event(b"[DONE]")
                self.wfile.write(b"0\r\n\r\n")
            else:
                self._send_bytes(200, payload)
            return
        if not stream:
            response = render_response(
                completion,
                served,
                request_id=request_id,
                response_time_ns=time.perf_counter_ns() - started,
                usage_style=state.usage_style,
                tool_call_placement=state.tool_call_placement,
                empty_choices=kind == "empty_choices",
            )
            self._send_json(200, response, cut_half=kind == "truncate_stream")
            return
        options = served.get("stream_options")
        chunks = render_chunks(
            completion,
            request_id=request_id,
            model=served["model"],
            created=int(time.time()),
            include_usage=isinstance(options, dict) and options.get("include_usage") is True,
            empty_choices=kind == "empty_choices",
        )
        self._stream(chunks, fault)

    def _stream(self, chunks: list[Json], fault: Fault | None) -> None:
        stop_at = -1
        if fault is not None and fault.kind in ("truncate_stream", "sse_error"):
            stop_at = min(fault.after_chunks, len(chunks))
        self._start_stream(closes=stop_at >= 0)
        for index, chunk in enumerate([*chunks, None]):
            if index == stop_at:
                assert fault is not None
                if fault.kind == "sse_error":
                    error = error_body(fault.code, fault.message)
                    self._write_event(json.dumps(error).encode())
                    self.wfile.write(b"0\r\n\r\n")
                # A truncated stream just stops: no terminating chunk, no [DONE].
                return
            if chunk is not None:
                self._write_event(json.dumps(chunk, ensure_ascii=False).encode())
        self._write_event(b"[DONE]")
        self.wfile.write(b"0\r\n\r\n")
