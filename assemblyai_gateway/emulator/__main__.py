"""``assemblyai-gateway-emulator``: run the gateway emulator until Ctrl-C.

It prints the ``export`` lines that point the adapters and the SDK at it, then one line per
request (``--quiet`` turns those off). ``--script FILE`` scripts its first answers
(exact text, tool calls, a context overflow) from a JSON file; ``--transcripts PATH``
serves transcript fixtures on the transcript API (``ASSEMBLYAI_BASE_URL``).

Examples:
    $ assemblyai-gateway-emulator --port 8787 --transcript tr_1="Alice: ship it Friday."
    $ assemblyai-gateway-emulator --quiet --script replies.json &
    $ assemblyai-gateway-emulator --transcripts tests/fixtures/transcripts/
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from .._version import __version__
from ._printable import printable_field

if TYPE_CHECKING:
    from ._script import Reply
    from ._state import RecordedRequest

__all__ = ["main"]

DEFAULT_PORT = 8787
DEFAULT_KEY = "emulator-key"
PROG = "assemblyai-gateway-emulator"


def _transcript(value: str) -> tuple[str, str]:
    transcript_id, sep, text = value.partition("=")
    if not sep or not transcript_id:
        raise argparse.ArgumentTypeError(f"expected ID=TEXT, got {value!r}")
    return transcript_id, text


def _script_file(path: str) -> list[Reply]:
    from ._script import load_script

    try:
        return load_script(path)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{path}: {exc}") from None


def _transcripts_path(path: str) -> list[dict[str, object]]:
    from ._transcript_store import read_transcript_files

    try:
        return read_transcript_files(path)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A local, deterministic AssemblyAI LLM Gateway for offline tests.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (loopback)")
    parser.add_argument("--api-key", default=DEFAULT_KEY, help="the key clients must send")
    parser.add_argument(
        "--accept-any-model", action="store_true", help="serve ids the catalog does not know"
    )
    parser.add_argument(
        "--transcript",
        action="append",
        type=_transcript,
        default=[],
        metavar="ID=TEXT",
        help="a transcript for transcript_id (repeatable)",
    )
    parser.add_argument(
        "--transcripts",
        action="append",
        type=_transcripts_path,
        default=[],
        metavar="DIR_OR_FILE",
        help="transcript fixtures for the transcript API: a JSON file (one transcript or a "
        "list) or a folder of them (repeatable); the built-in ones are always served",
    )
    parser.add_argument(
        "--transcription-polls",
        type=int,
        default=0,
        metavar="N",
        help="how many polls a new transcription answers 'processing' before 'completed'",
    )
    parser.add_argument(
        "--failing-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="a model that always fails, to exercise fallbacks (repeatable)",
    )
    parser.add_argument(
        "--usage-style",
        choices=("input_output", "prompt_completion"),
        default="input_output",
        help="how usage names its counts (the spec's names beside the OpenAI ones, as the "
        "gateway sends them today, or the earlier revision's only)",
    )
    parser.add_argument(
        "--tool-call-placement",
        choices=("choice", "message"),
        default="choice",
        help="where answers put tool_calls (the gateway's place, or OpenAI's)",
    )
    parser.add_argument(
        "--error-envelope",
        choices=("spec", "gateway"),
        default="spec",
        help="the shape of error answers: the published spec's, or the two the gateway sends today",
    )
    parser.add_argument(
        "--rate-limit-rps",
        type=float,
        default=None,
        metavar="N",
        help="answer 429 with Retry-After above N requests per second",
    )
    parser.add_argument(
        "--rate-limit-tpm",
        type=float,
        default=None,
        metavar="N",
        help="answer 429 with Retry-After above N tokens per minute",
    )
    parser.add_argument(
        "--script",
        type=_script_file,
        default=[],
        metavar="FILE",
        help="a JSON list of replies (text, tool_calls, context_overflow) for the first "
        "requests, in order; the rules answer the rest",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print a line for each request")
    return parser


def _key_hint(key: str) -> str:
    # The default key is public; a custom one is shown only by its first characters.
    return key if key == DEFAULT_KEY else f"{key[:4]}... (the --api-key you gave)"


def _export_key_line(key: str) -> str:
    """The line that sets the key for the adapters; a custom key is not echoed."""
    if key == DEFAULT_KEY:
        return f"  export ASSEMBLYAI_API_KEY={key}"
    return "  export ASSEMBLYAI_API_KEY=<the --api-key you gave>"


def request_line(record: RecordedRequest) -> str:
    r"""One log line for a request: time, method, path, status, model and how it went.

    Every value the request sent is escaped (control characters as ``\n``, ``\x1b``, a
    value holding spaces in quotes), so a model name cannot forge a log line or send
    escape sequences to the terminal.

    Examples:
        >>> from assemblyai_gateway.emulator import RecordedRequest
        >>> record = RecordedRequest(
        ...     "POST", "/v1/chat/completions", {}, {"model": "gpt-4.1", "stream": True},
        ...     200, None, True, True,
        ... )
        >>> request_line(record)[9:]
        'POST /v1/chat/completions 200 model=gpt-4.1 stream'
        >>> forged = RecordedRequest(
        ...     "POST", "/v1/chat/completions", {}, {"model": "x\n12:00:00 GET / 200\x1b[2J"},
        ...     401, None, False, False,
        ... )
        >>> request_line(forged)[9:]
        'POST /v1/chat/completions 401 model="x\\n12:00:00 GET / 200\\x1b[2J" (no key)'
    """
    status = "dropped" if record.status is None else str(record.status)
    parts = [
        time.strftime("%H:%M:%S"),
        printable_field(record.method),
        printable_field(record.path),
        status,
    ]
    body = record.json or {}
    if isinstance(body.get("model"), str):
        parts.append(f"model={printable_field(body['model'])}")
    fallbacks = body.get("fallbacks")
    if isinstance(fallbacks, list) and fallbacks:
        names = [f.get("model") for f in fallbacks if isinstance(f, dict)]
        parts.append("fallbacks=" + printable_field(",".join(str(name) for name in names)))
    if body.get("stream") is True:
        parts.append("stream")
    if record.fault is not None:
        parts.append(f"fault={printable_field(record.fault.kind)}")
    if record.reply is not None:
        parts.append(f"reply={record.reply.kind}")
    if record.auth_present and not record.auth_valid:
        parts.append("(wrong key)")
    elif not record.auth_present:
        parts.append("(no key)")
    return " ".join(parts)


def _print_request(record: RecordedRequest) -> None:
    print(request_line(record), flush=True)


def _start_problem(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (another emulator?); "
            "stop it, or pick another port with --port N (--port 0 picks a free one)"
        )
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator in the foreground; returns the exit code."""
    args = _parser().parse_args(argv)
    from . import GatewayEmulator, RateLimit

    try:
        limited = args.rate_limit_rps is not None or args.rate_limit_tpm is not None
        rate_limit = (
            RateLimit(
                requests_per_second=args.rate_limit_rps, tokens_per_minute=args.rate_limit_tpm
            )
            if limited
            else None
        )
        emulator = GatewayEmulator(
            args.api_key,
            script=args.script,
            accept_any_model=args.accept_any_model,
            transcripts=dict(args.transcript),
            transcript_fixtures=[item for group in args.transcripts for item in group],
            transcription_polls=args.transcription_polls,
            failing_models=args.failing_model,
            usage_style=args.usage_style,
            tool_call_placement=args.tool_call_placement,
            rate_limit=rate_limit,
            error_envelope=args.error_envelope,
            host=args.host,
            port=args.port,
            on_request=None if args.quiet else _print_request,
        ).start()
    except OSError as exc:
        print(f"{PROG}: {_start_problem(exc, args.host, args.port)}", file=sys.stderr)
        return 1
    except (ImportError, ValueError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # SIGTERM (docker stop, CI) stops as cleanly as Ctrl-C. SIGINT gets the handler too:
    # a process started in the background inherits SIGINT ignored, so Python installs no
    # KeyboardInterrupt for it. Only the main thread may set handlers.
    in_main = threading.current_thread() is threading.main_thread()
    stop_signals = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.signal(sig, on_signal) for sig in stop_signals} if in_main else {}
    try:
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"warning: listening on {args.host}, not only loopback", file=sys.stderr)
        print(f"AssemblyAI LLM Gateway emulator at {emulator.base_url}", flush=True)
        print(f"  export ASSEMBLYAI_GATEWAY_BASE_URL={emulator.base_url}", flush=True)
        print(f"  export ASSEMBLYAI_BASE_URL={emulator.transcript_base_url}", flush=True)
        print(_export_key_line(emulator.api_key), flush=True)
        print(f"  API key: {_key_hint(emulator.api_key)}", flush=True)
        if args.script:
            print(f"  scripted replies: {len(args.script)} (then the rules)", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        emulator.stop()
    print("emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
