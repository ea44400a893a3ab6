"""``assemblyai-gateway``: command-line tools for AssemblyAI's LLM Gateway.

Example:
    $ assemblyai-gateway bulk --input items.jsonl --output results.jsonl \\
        --model claude-sonnet-4-5-20250929 --prompt-file prompt.txt
    $ assemblyai-gateway models

Exit codes are :data:`EXIT_CODES`: 0 every item answered, 1 some items failed (see
the results file), 2 bad arguments, input or output (another run writing the same
output among them), 130 stopped by Ctrl-C (rerun to resume).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ._live_models.cli import add_models_command
from ._transport.setting_sources import API_KEY_ENV
from .errors import ConfigurationError
from .transcripts import _cli as transcripts_cli

__all__ = ["EXIT_CODES", "main"]

EXIT_FAILED_ITEMS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EXIT_CODES = {
    0: "every item is answered",
    EXIT_FAILED_ITEMS: "some items failed: they are recorded in the output; rerun to retry them",
    EXIT_USAGE: (
        "bad arguments, input or output, and nothing was sent: a file missing, unreadable "
        "or not UTF-8, a line that is not a JSON object, a repeated id, an output that is "
        "a directory, not writable, the input itself, or held by another run. Also when "
        "the output fails mid-run (disk full, a closed pipe): the run stops"
    ),
    EXIT_INTERRUPTED: "stopped by Ctrl-C: what was written stays; rerun to resume",
}


def _exit_codes_help() -> str:
    lines = ["exit codes:"]
    for code, meaning in EXIT_CODES.items():
        lines += textwrap.wrap(
            meaning, 78, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7
        )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assemblyai-gateway", description="Tools for AssemblyAI's LLM Gateway."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    bulk = commands.add_parser(
        "bulk",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_exit_codes_help(),
        help="run one prompt over every item of a JSONL file, resumably",
        description=textwrap.fill(
            "Run a prompt template over every JSON object in --input and append one "
            "result per item to --output. A rerun skips the items already answered "
            "(an item without id or transcript_id is known by a hash of its content); "
            "one run at a time holds the output. {{ field }} in the prompt takes the "
            "item's field; an item's transcript_id is sent so the gateway fills "
            "{{ transcript }}. --output /dev/stdout streams the records (no resume; "
            "the summary goes to stderr)."
        ),
    )
    bulk.add_argument("--input", required=True, type=Path, help="items, one JSON object a line")
    bulk.add_argument("--output", required=True, type=Path, help="results JSONL (appended)")
    bulk.add_argument("--model", required=True, help="gateway model id")
    prompt = bulk.add_mutually_exclusive_group(required=True)
    prompt.add_argument("--prompt-file", type=Path, help="the prompt template")
    prompt.add_argument("--prompt", help="the prompt template, inline")
    bulk.add_argument("--system-file", type=Path, help="a system message template")
    bulk.add_argument("--schema", type=Path, help="a JSON schema: structured output per item")
    bulk.add_argument("--max-tokens", type=int, help="output limit per item")
    bulk.add_argument("--temperature", type=float, help="sampling temperature")
    bulk.add_argument(
        "--max-concurrency", type=int, default=64, help="most requests in flight (default 64)"
    )
    bulk.add_argument(
        "--requests-per-second", type=float, help="a starting send rate (learned otherwise)"
    )
    bulk.add_argument("--tokens-per-minute", type=float, help="a token budget per minute")
    bulk.add_argument("--max-retries", type=int, default=6, help="retries per item (default 6)")
    bulk.add_argument("--region", choices=("us", "eu"), help="gateway region (default us)")
    bulk.add_argument("--base-url", help="gateway URL (default $ASSEMBLYAI_GATEWAY_BASE_URL)")
    bulk.add_argument(
        "--skip-failed", action="store_true", help="on a rerun, do not retry failed items"
    )
    bulk.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_models_command(commands)
    transcripts_cli.add_parser(commands, _exit_codes_help())
    return parser


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read the {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"the {what} {path} is not UTF-8 (byte 0x{exc.object[exc.start]:02x} at "
            f"offset {exc.start}); save it as UTF-8"
        ) from None


def _say(text: str, stream: TextIO) -> None:
    """Print ``text``, escaping what the terminal's encoding cannot show (a file name's
    undecodable bytes) instead of failing after the run."""
    encoding = stream.encoding or "utf-8"
    print(text.encode(encoding, "backslashreplace").decode(encoding), file=stream)


def _schema(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        schema = json.loads(_read(path, "schema"))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"the schema {path} is not JSON ({exc.msg})") from None
    if not isinstance(schema, dict):
        raise ConfigurationError(f"the schema {path} must be a JSON object")
    return schema


def _bulk(args: argparse.Namespace) -> int:
    from ._limiter.adaptive import AdaptiveLimiter
    from ._transport.client import GatewayClient
    from .bulk import BulkJob, BulkRunner
    from .bulk._records import is_stream

    if not os.environ.get(API_KEY_ENV):
        raise ConfigurationError(f"set {API_KEY_ENV} to your AssemblyAI API key")
    job = BulkJob(
        model=args.model,
        prompt=args.prompt if args.prompt is not None else _read(args.prompt_file, "prompt"),
        system=_read(args.system_file, "system prompt") if args.system_file else None,
        schema=_schema(args.schema),
        max_tokens=args.max_tokens,
        temperature=args.temperature,
    )
    limiter = AdaptiveLimiter(
        max_concurrency=args.max_concurrency,
        initial_concurrency=min(8, args.max_concurrency),
        requests_per_second=args.requests_per_second,
        tokens_per_minute=args.tokens_per_minute,
    )
    client = GatewayClient(
        base_url=args.base_url, region=args.region, limiter=limiter, max_retries=args.max_retries
    )
    runner = BulkRunner(
        job, client=client, progress=not args.no_progress, retry_failed=not args.skip_failed
    )
    # Records streamed to stdout (or any pipe) keep it pure JSONL: the report goes to stderr.
    report = sys.stderr if is_stream(args.output) else sys.stdout
    try:
        summary = asyncio.run(runner.arun(args.input, args.output))
    except KeyboardInterrupt:
        if runner.summary is not None:
            _say(runner.summary.render(), sys.stderr)
        return EXIT_INTERRUPTED
    except ConfigurationError:
        if runner.summary is not None:  # the output failed mid-run
            _say(runner.summary.render(), sys.stderr)
        raise
    _say(summary.render(), report)
    return EXIT_FAILED_ITEMS if summary.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "transcripts":
            return transcripts_cli.run(args)
        run = getattr(args, "run", _bulk)  # a subcommand's own, else the bulk runner
        return int(run(args))
    except ConfigurationError as exc:
        _say(f"assemblyai-gateway {args.command}: {exc}", sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
