"""LeMUR's tasks over transcripts, as plain functions on a :class:`GatewayClient`.

``summarize``, ``answer_questions``, ``action_items`` and ``task`` (free-form), each
sync and async (``a``-prefixed), over one or many transcripts (ids or
:class:`TranscriptData`), short or long. Each builds its :class:`TaskSpec` and runs the
one plan of :mod:`._mapreduce`; ``TranscriptTasks`` (in ``._bound``) binds a client, a
model and default options to them, which is what the LangChain and LlamaIndex forms give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

from .._adapting.client_owner import DEFAULT_MODEL
from ..catalog import route_capabilities
from ..errors import ConfigurationError, UnexpectedArgumentError
from ._mapreduce import TaskPlan, TaskSettings, TranscriptMode, normalize_transcripts, task_plan
from ._pieces import UnitKind, token_budget
from ._results import AnswersResult, Question, TaskResult, parse_questions
from ._run import adrive_task, drive_task, transcript_client_for
from ._specs import QuestionsSpec, TaskSpec, TextSpec
from ._types import TranscriptData

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._transport.client import GatewayClient
    from ._client import TranscriptClient

__all__ = [
    "ACTION_ITEMS_FORMAT",
    "DEFAULT_CONCURRENCY",
    "TASK_NAMES",
    "TaskName",
    "TaskOptions",
    "Transcripts",
    "aaction_items",
    "aanswer_questions",
    "action_items",
    "answer_questions",
    "asummarize",
    "atask",
    "summarize",
    "task",
    "task_spec",
]

Transcripts = str | TranscriptData | Iterable[str | TranscriptData]
"""One transcript id or :class:`TranscriptData`, or a list of them."""

DEFAULT_CONCURRENCY = 8
"""Requests (and transcript fetches) one task has in flight at most."""

ACTION_ITEMS_FORMAT = "a bulleted list: the owner, the action, and the due date when one is said"
"""The answer format of :func:`action_items` when none is given."""

_SUMMARY_GOAL = "Summarize the transcripts above."
_ACTION_ITEMS_GOAL = (
    "List the action items agreed or assigned in the transcripts above: who is to do "
    "what, and by when when it is said."
)


class TaskOptions(TypedDict, total=False):
    """The options every task takes (all optional).

    Attributes:
        max_tokens: The answer budget of each call (default 4096, capped at the model's
            output limit); it is kept free in every request's context window.
        temperature: Sampling temperature.
        request_fields: Other request fields for every call (``fallbacks``,
            ``reasoning``, ``zero_data_retention``...).
        speaker_labels: Transcripts inline as ``Speaker A: ...`` lines (the gateway's
            injection is plain text, so this sends them inline).
        timestamps: ``[HH:MM:SS]`` before each line (inline too).
        transcript_mode: ``"auto"`` (default), ``"transcript_id"`` or ``"inline"``.
        chunk_tokens: The most transcript tokens one inline request may carry.
        unit: Cut long transcripts at ``"utterances"``, ``"paragraphs"`` or
            ``"sentences"`` (default: utterances, else paragraphs).
        max_concurrency: Requests in flight at once (default 8); the client's
            adaptive limiter, when it has one, paces them too.
        transcript_client: The :class:`TranscriptClient` ids are read with (default:
            one with the gateway client's key and region).
    """

    max_tokens: int
    temperature: float
    request_fields: Mapping[str, Any]
    speaker_labels: bool
    timestamps: bool
    transcript_mode: TranscriptMode
    chunk_tokens: int
    unit: UnitKind
    max_concurrency: int
    transcript_client: TranscriptClient


_OPTION_NAMES = frozenset(TaskOptions.__annotations__)


def task_settings(model: str, options: Mapping[str, Any]) -> tuple[TaskSettings, int]:
    """The settings and concurrency ``options`` make for ``model``, checked.

    Raises:
        UnexpectedArgumentError: an option that does not exist.
        ConfigurationError: an option's value is wrong.
        TranscriptTooLongError: ``max_tokens`` leaves no room in the context window.
    """
    unknown = sorted(set(options) - _OPTION_NAMES)
    if unknown:
        raise UnexpectedArgumentError(
            f"unknown task option(s) {unknown}; the options are {sorted(_OPTION_NAMES)}"
        )
    fields = dict(options.get("request_fields") or {})
    if options.get("temperature") is not None:
        fields["temperature"] = options["temperature"]
    limit = options.get("max_concurrency", DEFAULT_CONCURRENCY)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigurationError(f"max_concurrency must be an int >= 1, got {limit!r}")
    settings = TaskSettings(
        model=model,
        max_tokens=options.get("max_tokens"),
        request_fields=fields,
        speaker_labels=bool(options.get("speaker_labels", False)),
        timestamps=bool(options.get("timestamps", False)),
        transcript_mode=options.get("transcript_mode", "auto"),
        chunk_tokens=options.get("chunk_tokens"),
        unit=options.get("unit"),
        structured=route_capabilities(model, fields.get("fallbacks")).supports_json_schema,
    )
    token_budget(model, settings.max_tokens)
    return settings, limit


def _prepare(
    client: GatewayClient,
    spec: TaskSpec,
    transcripts: Transcripts,
    model: str,
    options: Mapping[str, Any],
) -> tuple[TaskPlan, Callable[[], TranscriptClient], int]:
    from .._transport.client import GatewayClient

    if not isinstance(client, GatewayClient):
        raise ConfigurationError(
            f"a task runs on a GatewayClient, got {type(client).__name__}; the LangChain "
            "and LlamaIndex models give one through transcript_tasks(llm)"
        )
    settings, limit = task_settings(model, options)
    plan = task_plan(spec, normalize_transcripts(transcripts), settings)
    return plan, transcript_client_for(client, options.get("transcript_client")), limit


def _run(
    client: GatewayClient, spec: TaskSpec, transcripts: Transcripts, model: str, options: Any
) -> TaskResult:
    plan, reader, limit = _prepare(client, spec, transcripts, model, options)
    return drive_task(plan, client, reader, limit)


async def _arun(
    client: GatewayClient, spec: TaskSpec, transcripts: Transcripts, model: str, options: Any
) -> TaskResult:
    plan, reader, limit = _prepare(client, spec, transcripts, model, options)
    return await adrive_task(plan, client, reader, limit)


def _summary(answer_format: str | None, context: str | None) -> TextSpec:
    return TextSpec("summarize", _SUMMARY_GOAL, answer_format, context)


def _action_items(answer_format: str | None, context: str | None) -> TextSpec:
    return TextSpec(
        "action_items", _ACTION_ITEMS_GOAL, answer_format or ACTION_ITEMS_FORMAT, context
    )


def _task(prompt: str, context: str | None) -> TextSpec:
    if not isinstance(prompt, str) or not prompt.strip():
        raise ConfigurationError(f"a task needs a non-empty prompt, got {prompt!r}")
    return TextSpec("task", prompt, None, context)


def _questions(questions: object, context: str | None) -> QuestionsSpec:
    return QuestionsSpec(parse_questions(questions), context)


TaskName = Literal["summarize", "answer_questions", "action_items", "task"]
TASK_NAMES: tuple[TaskName, ...] = ("summarize", "answer_questions", "action_items", "task")


def task_spec(
    name: TaskName,
    *,
    prompt: str | None = None,
    questions: Any = None,
    answer_format: str | None = None,
    context: str | None = None,
) -> TaskSpec:
    """The spec of the task called ``name``, its own arguments checked.

    Raises:
        ConfigurationError: an unknown task, or an argument it does not take or lacks.
    """
    if name not in TASK_NAMES:
        raise ConfigurationError(f"task must be one of {', '.join(TASK_NAMES)}; got {name!r}")
    if (prompt is not None) != (name == "task"):
        raise ConfigurationError("prompt=... goes with the task 'task', and only with it")
    if (questions is not None) != (name == "answer_questions"):
        raise ConfigurationError("questions=... goes with 'answer_questions', and only with it")
    if answer_format is not None and name not in ("summarize", "action_items"):
        raise ConfigurationError("answer_format goes with 'summarize' and 'action_items'")
    if name == "summarize":
        return _summary(answer_format, context)
    if name == "action_items":
        return _action_items(answer_format, context)
    if name == "task":
        return _task(str(prompt), context)
    return _questions(questions, context)


def summarize(
    client: GatewayClient,
    transcripts: Transcripts,
    *,
    model: str = DEFAULT_MODEL,
    answer_format: str | None = None,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> TaskResult:
    """A summary of one or many transcripts (LeMUR's ``lemur.summarize``).

    Args:
        client: The gateway client every call goes through (its retries, its limiter).
        transcripts: Ids (read with the transcript API) or :class:`TranscriptData`.
        model: The gateway model (LeMUR's ``final_model``).
        answer_format: How to write it, e.g. ``"TLDR"`` or ``"three bullet points"``.
        context: What the model should know about the transcripts.
        **options: :class:`TaskOptions`.

    Raises:
        TranscriptNotFoundError, TranscriptFailedError: reading an id failed.
        TranscriptTooLongError: the prompt leaves no room in the context window.
        APIError: a call failed (after the client's retries).

    Examples:
        ```python
        from assemblyai_gateway import GatewayClient
        from assemblyai_gateway.transcripts import summarize

        with GatewayClient() as client:
            result = summarize(client, ["emulator-meeting"], answer_format="two sentences")
        print(result.answer, result.sources, result.usage.total_tokens)
        ```
    """
    return _run(client, _summary(answer_format, context), transcripts, model, options)


async def asummarize(
    client: GatewayClient,
    transcripts: Transcripts,
    *,
    model: str = DEFAULT_MODEL,
    answer_format: str | None = None,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> TaskResult:
    """:func:`summarize`, awaited (requests as tasks on the event loop)."""
    return await _arun(client, _summary(answer_format, context), transcripts, model, options)


def answer_questions(
    client: GatewayClient,
    transcripts: Transcripts,
    questions: str | Question | Mapping[str, Any] | Iterable[str | Question | Mapping[str, Any]],
    *,
    model: str = DEFAULT_MODEL,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> AnswersResult:
    """One typed answer per question (LeMUR's ``lemur.question``).

    Answers come as JSON (``response_format`` json_schema where every model of the
    route supports it) and are checked: each question answered, an answer with
    options exactly one of them (matched ignoring case), else :class:`TaskAnswerError`.

    Args:
        questions: :class:`Question` objects, strings, or mappings with ``question``,
            ``context``, ``answer_format`` and ``answer_options``.
        transcripts, model, context, options: As for :func:`summarize`.
    """
    spec = _questions(questions, context)
    result = _run(client, spec, transcripts, model, options)
    assert isinstance(result, AnswersResult)
    return result


async def aanswer_questions(
    client: GatewayClient,
    transcripts: Transcripts,
    questions: str | Question | Mapping[str, Any] | Iterable[str | Question | Mapping[str, Any]],
    *,
    model: str = DEFAULT_MODEL,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> AnswersResult:
    """:func:`answer_questions`, awaited."""
    result = await _arun(client, _questions(questions, context), transcripts, model, options)
    assert isinstance(result, AnswersResult)
    return result


def action_items(
    client: GatewayClient,
    transcripts: Transcripts,
    *,
    model: str = DEFAULT_MODEL,
    answer_format: str | None = None,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> TaskResult:
    """The action items of one or many transcripts (LeMUR's ``lemur.action_items``);
    ``answer_format`` defaults to :data:`ACTION_ITEMS_FORMAT`. As :func:`summarize`."""
    return _run(client, _action_items(answer_format, context), transcripts, model, options)


async def aaction_items(
    client: GatewayClient,
    transcripts: Transcripts,
    *,
    model: str = DEFAULT_MODEL,
    answer_format: str | None = None,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> TaskResult:
    """:func:`action_items`, awaited."""
    return await _arun(client, _action_items(answer_format, context), transcripts, model, options)


def task(
    client: GatewayClient,
    transcripts: Transcripts,
    prompt: str,
    *,
    model: str = DEFAULT_MODEL,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> TaskResult:
    """Any instruction over one or many transcripts (LeMUR's ``lemur.task``). As
    :func:`summarize`; ``prompt`` is what to do."""
    return _run(client, _task(prompt, context), transcripts, model, options)


async def atask(
    client: GatewayClient,
    transcripts: Transcripts,
    prompt: str,
    *,
    model: str = DEFAULT_MODEL,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> TaskResult:
    """:func:`task`, awaited."""
    return await _arun(client, _task(prompt, context), transcripts, model, options)
