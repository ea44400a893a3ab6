"""The four tasks bound to a client, a model and default options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from .._adapting.client_owner import DEFAULT_MODEL
from ._results import AnswersResult, TaskResult
from ._tasks import (
    TaskName,
    TaskOptions,
    Transcripts,
    _action_items,
    _arun,
    _questions,
    _run,
    _summary,
    _task,
    task_settings,
    task_spec,
)

if TYPE_CHECKING:
    from .._transport.client import GatewayClient

__all__ = ["TranscriptTasks"]


class TranscriptTasks:
    """The four tasks bound to a client, a model and default options.

    Each method takes the task's own arguments and any :class:`TaskOptions`, which
    override the defaults given here. The LangChain and LlamaIndex forms
    (``transcript_tasks(llm)``) return one of these, built from the model's settings.

    Args:
        client: The gateway client.
        model: The gateway model.
        **defaults: :class:`TaskOptions` every call starts from.

    Examples:
        ```python
        from assemblyai_gateway import GatewayClient
        from assemblyai_gateway.transcripts import TranscriptTasks

        tasks = TranscriptTasks(GatewayClient(), model="gpt-4.1", speaker_labels=True)
        result = tasks.answer_questions("emulator-meeting", ["When is the launch?"])
        print(result.answers[0].answer, result.answers[0].sources)
        ```
    """

    def __init__(
        self, client: GatewayClient, *, model: str = DEFAULT_MODEL, **defaults: Unpack[TaskOptions]
    ) -> None:
        task_settings(model, defaults)  # a wrong default fails now, not at the first call
        self.client = client
        self.model = model
        self.defaults: dict[str, Any] = dict(defaults)

    def _options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.defaults, **options}

    def summarize(
        self,
        transcripts: Transcripts,
        *,
        answer_format: str | None = None,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskResult:
        """:func:`summarize` with this object's client, model and defaults."""
        spec = _summary(answer_format, context)
        return _run(self.client, spec, transcripts, self.model, self._options(options))

    async def asummarize(
        self,
        transcripts: Transcripts,
        *,
        answer_format: str | None = None,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskResult:
        """:func:`asummarize` with this object's client, model and defaults."""
        spec = _summary(answer_format, context)
        return await _arun(self.client, spec, transcripts, self.model, self._options(options))

    def answer_questions(
        self,
        transcripts: Transcripts,
        questions: Any,
        *,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> AnswersResult:
        """:func:`answer_questions` with this object's client, model and defaults."""
        spec = _questions(questions, context)
        result = _run(self.client, spec, transcripts, self.model, self._options(options))
        assert isinstance(result, AnswersResult)
        return result

    async def aanswer_questions(
        self,
        transcripts: Transcripts,
        questions: Any,
        *,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> AnswersResult:
        """:func:`aanswer_questions` with this object's client, model and defaults."""
        spec = _questions(questions, context)
        result = await _arun(self.client, spec, transcripts, self.model, self._options(options))
        assert isinstance(result, AnswersResult)
        return result

    def action_items(
        self,
        transcripts: Transcripts,
        *,
        answer_format: str | None = None,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskResult:
        """:func:`action_items` with this object's client, model and defaults."""
        spec = _action_items(answer_format, context)
        return _run(self.client, spec, transcripts, self.model, self._options(options))

    async def aaction_items(
        self,
        transcripts: Transcripts,
        *,
        answer_format: str | None = None,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskResult:
        """:func:`aaction_items` with this object's client, model and defaults."""
        spec = _action_items(answer_format, context)
        return await _arun(self.client, spec, transcripts, self.model, self._options(options))

    def task(
        self,
        transcripts: Transcripts,
        prompt: str,
        *,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskResult:
        """:func:`task` with this object's client, model and defaults."""
        spec = _task(prompt, context)
        return _run(self.client, spec, transcripts, self.model, self._options(options))

    async def atask(
        self,
        transcripts: Transcripts,
        prompt: str,
        *,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskResult:
        """:func:`atask` with this object's client, model and defaults."""
        spec = _task(prompt, context)
        return await _arun(self.client, spec, transcripts, self.model, self._options(options))

    def run(
        self,
        name: TaskName,
        transcripts: Transcripts,
        *,
        prompt: str | None = None,
        questions: Any = None,
        answer_format: str | None = None,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskResult:
        """The task called ``name`` (``"summarize"``...) with its own arguments."""
        spec = task_spec(
            name, prompt=prompt, questions=questions, answer_format=answer_format, context=context
        )
        return _run(self.client, spec, transcripts, self.model, self._options(options))

    async def arun(
        self,
        name: TaskName,
        transcripts: Transcripts,
        *,
        prompt: str | None = None,
        questions: Any = None,
        answer_format: str | None = None,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> TaskResult:
        """:meth:`run`, awaited."""
        spec = task_spec(
            name, prompt=prompt, questions=questions, answer_format=answer_format, context=context
        )
        return await _arun(self.client, spec, transcripts, self.model, self._options(options))

    def __repr__(self) -> str:
        return f"TranscriptTasks(model={self.model!r}, client={self.client!r})"
