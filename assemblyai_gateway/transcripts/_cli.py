"""``assemblyai-gateway transcripts summarize|ask|action-items|task``: LeMUR's tasks from
the shell, one resumable JSONL record per transcript, through the bulk runner.

:func:`add_parser` registers the ``transcripts`` command on the main parser and
:func:`run` runs it; ``assemblyai_gateway.cli`` only wires the two in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._transport.setting_sources import API_KEY_ENV
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from ._tasks import TaskName

__all__ = ["add_parser", "run"]

_TASKS: dict[str, tuple[TaskName, str]] = {
    "summarize": ("summarize", "a summary of each transcript (LeMUR's summary)"),
    "ask": ("answer_questions", "answers to questions about each transcript (LeMUR's question)"),
    "action-items": ("action_items", "the action items of each transcript"),
    "task": ("task", "any instruction over each transcript (LeMUR's task)"),
}
_DESCRIPTION = (
    "Run a LeMUR-style task over each transcript and append one JSON record per "
    "transcript id to --output (the answer, its sources with time ranges, usage and "
    "calls). A transcript longer than the model's context window is cut into parts, "
    "whose notes are combined (map-reduce); no request exceeds the window. A rerun "
    "skips the transcripts already answered; --combine answers once over all of them. "
    "Transcripts are read from the transcript API with ASSEMBLYAI_API_KEY "
    "(ASSEMBLYAI_BASE_URL or --region for its host)."
)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="transcript ids")
    parser.add_argument("--model", required=True, help="gateway model id")
    parser.add_argument(
        "--ids-file", type=Path, help="more transcript ids, one a line ('#' starts a comment)"
    )
    parser.add_argument(
        "--output", type=Path, help="results JSONL, appended and resumed (default: stdout)"
    )
    parser.add_argument(
        "--combine", action="store_true", help="one answer over all the transcripts together"
    )
    parser.add_argument("--context", help="what the model should know about the transcripts")
    parser.add_argument("--max-tokens", type=int, help="answer budget of each call (default 4096)")
    parser.add_argument("--temperature", type=float, help="sampling temperature")
    parser.add_argument(
        "--speaker-labels", action="store_true", help="send 'Speaker A: ...' lines (inline)"
    )
    parser.add_argument(
        "--timestamps", action="store_true", help="send '[HH:MM:SS]' before each line (inline)"
    )
    parser.add_argument(
        "--transcript-mode",
        choices=("auto", "transcript_id", "inline"),
        default="auto",
        help="how transcripts reach the model",
    )
    parser.add_argument("--chunk-tokens", type=int, help="most transcript tokens per inline call")
    parser.add_argument(
        "--max-concurrency", type=int, default=64, help="most requests in flight (default 64)"
    )
    parser.add_argument("--tokens-per-minute", type=float, help="a token budget per minute")
    parser.add_argument("--max-retries", type=int, default=6, help="retries per call (default 6)")
    parser.add_argument("--region", choices=("us", "eu"), help="gateway and transcript region")
    parser.add_argument("--base-url", help="gateway URL (default $ASSEMBLYAI_GATEWAY_BASE_URL)")
    parser.add_argument(
        "--skip-failed", action="store_true", help="on a rerun, do not retry failed transcripts"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def add_parser(commands: Any, epilog: str) -> None:
    """Add ``transcripts`` and its four tasks to the main parser's subcommands."""
    formatter = argparse.RawDescriptionHelpFormatter
    command = commands.add_parser(
        "transcripts",
        help="LeMUR-style tasks over transcripts (summaries, questions, action items)",
        description=textwrap.fill(_DESCRIPTION),
        formatter_class=formatter,
        epilog=epilog,
    )
    tasks = command.add_subparsers(dest="task", required=True, metavar="TASK")
    for name, (_, meaning) in _TASKS.items():
        parser = tasks.add_parser(
            name,
            help=meaning,
            description=textwrap.fill(_DESCRIPTION),
            epilog=epilog,
            formatter_class=formatter,
        )
        _common(parser)
        if name in ("summarize", "action-items"):
            parser.add_argument("--answer-format", help="how to write the answer")
        if name == "ask":
            parser.add_argument(
                "--question", action="append", default=[], help="a question (repeatable)"
            )
            parser.add_argument(
                "--answer-options", help="comma-separated answers allowed for every --question"
            )
            parser.add_argument(
                "--questions-file",
                type=Path,
                help="a JSON list of questions: strings or {question, context, answer_format, "
                "answer_options}",
            )
        if name == "task":
            prompt = parser.add_mutually_exclusive_group(required=True)
            prompt.add_argument("--prompt", help="the instruction")
            prompt.add_argument("--prompt-file", type=Path, help="the instruction, from a file")


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise ConfigurationError(f"cannot read the {what} {path}: {reason}") from None


def _ids(args: argparse.Namespace) -> list[str]:
    ids = [i.strip() for i in args.ids if i.strip()]
    if args.ids_file is not None:
        for line in _read(args.ids_file, "ids file").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                ids.append(line)
    if not ids:
        raise ConfigurationError("give transcript ids (ID ... or --ids-file FILE)")
    unique = list(dict.fromkeys(ids))
    if len(unique) < len(ids):
        print("assemblyai-gateway transcripts: repeated ids are run once", file=sys.stderr)
    return unique


def _questions(args: argparse.Namespace) -> list[Any]:
    options = [o.strip() for o in args.answer_options.split(",")] if args.answer_options else None
    questions: list[Any] = [
        {"question": q, "answer_options": options} if options else q for q in args.question
    ]
    if args.questions_file is not None:
        try:
            loaded = json.loads(_read(args.questions_file, "questions file"))
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"the questions file is not JSON ({exc.msg})") from None
        questions += loaded if isinstance(loaded, list) else [loaded]
    if not questions:
        raise ConfigurationError("ask needs --question or --questions-file")
    return questions


def _job(args: argparse.Namespace) -> Any:
    from ._bulk import TranscriptTaskJob

    task = _TASKS[args.task][0]
    options: dict[str, Any] = {
        "speaker_labels": args.speaker_labels,
        "timestamps": args.timestamps,
        "transcript_mode": args.transcript_mode,
        "max_concurrency": min(8, args.max_concurrency),
    }
    for name in ("max_tokens", "temperature", "chunk_tokens"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    if args.region is not None:
        from ._client import TranscriptClient

        options["transcript_client"] = TranscriptClient(region=args.region)
    specific: dict[str, Any] = {}
    if task in ("summarize", "action_items"):
        specific["answer_format"] = args.answer_format
    elif task == "answer_questions":
        specific["questions"] = _questions(args)
    else:
        text = args.prompt if args.prompt is not None else _read(args.prompt_file, "prompt")
        specific["prompt"] = text
    return TranscriptTaskJob(task, model=args.model, context=args.context, **specific, **options)


def _runner(args: argparse.Namespace) -> tuple[Any, list[dict[str, Any]], Path]:
    """The bulk runner, its items and the output for ``args`` (nothing sent yet).

    Raises:
        ConfigurationError: a bad argument, file or id list, or no API key.
    """
    from .._limiter.adaptive import AdaptiveLimiter
    from .._transport.client import GatewayClient
    from ..bulk import BulkRunner

    if not os.environ.get(API_KEY_ENV):
        raise ConfigurationError(f"set {API_KEY_ENV} to your AssemblyAI API key")
    ids = _ids(args)
    job = _job(args)
    output = args.output
    if output is None:
        if os.name == "nt":
            raise ConfigurationError("give --output FILE (there is no /dev/stdout here)")
        output = Path("/dev/stdout")
    items = (
        [{"id": "+".join(ids), "transcript_ids": ids}]
        if args.combine
        else [{"id": i, "transcript_id": i} for i in ids]
    )
    limiter = AdaptiveLimiter(
        max_concurrency=args.max_concurrency,
        initial_concurrency=min(8, args.max_concurrency),
        tokens_per_minute=args.tokens_per_minute,
    )
    client = GatewayClient(
        base_url=args.base_url, region=args.region, limiter=limiter, max_retries=args.max_retries
    )
    # Each transcript's task has up to 8 calls in flight; the limiter bounds them all.
    runner = BulkRunner(
        job,
        client=client,
        workers=max(1, args.max_concurrency // 8),
        progress=not args.no_progress,
        retry_failed=not args.skip_failed,
    )
    return runner, items, output


def run(args: argparse.Namespace) -> int:
    """Run ``assemblyai-gateway transcripts <task>``; returns the exit code.

    Raises:
        ConfigurationError: bad arguments, input or output (nothing was sent), or the
            output failed mid-run; the command line reports it.
    """
    from ..bulk._records import is_stream
    from ..cli import EXIT_FAILED_ITEMS, EXIT_INTERRUPTED, _say

    runner, items, output = _runner(args)
    # Records streamed to stdout (the default) keep it pure JSONL: the report goes to stderr.
    report = sys.stderr if args.output is None or is_stream(output) else sys.stdout
    try:
        summary = asyncio.run(runner.arun(items, output))
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
