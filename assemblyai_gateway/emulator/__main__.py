"""``assemblyai-gateway-emulator``: run the gateway emulator until Ctrl-C.

Examples:
    $ assemblyai-gateway-emulator --port 8787 --transcript tr_1="Alice: ship it Friday."
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

__all__ = ["main"]

DEFAULT_PORT = 8787
DEFAULT_KEY = "emulator-key"


def _transcript(value: str) -> tuple[str, str]:
    transcript_id, sep, text = value.partition("=")
    if not sep or not transcript_id:
        raise argparse.ArgumentTypeError(f"expected ID=TEXT, got {value!r}")
    return transcript_id, text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assemblyai-gateway-emulator",
        description="A local, deterministic AssemblyAI LLM Gateway for offline tests.",
    )
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
        "--failing-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="a model that always fails, to exercise fallbacks (repeatable)",
    )
    parser.add_argument(
        "--usage-style", choices=("input_output", "prompt_completion"), default="input_output"
    )
    parser.add_argument("--tool-call-placement", choices=("choice", "message"), default="choice")
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
    return parser


def _key_hint(key: str) -> str:
    # The default key is public; a custom one is shown only by its first characters.
    return key if key == DEFAULT_KEY else f"{key[:4]}... (the --api-key you gave)"


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
            accept_any_model=args.accept_any_model,
            transcripts=dict(args.transcript),
            failing_models=args.failing_model,
            usage_style=args.usage_style,
            tool_call_placement=args.tool_call_placement,
            rate_limit=rate_limit,
            host=args.host,
            port=args.port,
        ).start()
    except (ImportError, OSError, ValueError) as exc:
        print(f"assemblyai-gateway-emulator: {exc}", file=sys.stderr)
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
        print(f"  API key: {_key_hint(emulator.api_key)}", flush=True)
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
