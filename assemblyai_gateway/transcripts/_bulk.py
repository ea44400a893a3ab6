"""Transcript tasks as a bulk job: one resumable record per transcript (or group)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from .._adapting.client_owner import DEFAULT_MODEL
from ..errors import ConfigurationError
from ._results import AnswersResult, TaskResult
from ._specs import TaskSpec
from ._tasks import TaskName, TaskOptions, _arun, _run, task_settings, task_spec

if TYPE_CHECKING:
    from .._transport.client import GatewayClient
    from ..bulk import BulkItem

__all__ = ["TranscriptTaskJob", "task_record"]


def task_record(item_id: str, name: str, result: TaskResult) -> dict[str, Any]:
    """The JSONL record of a task's result (the bulk runner's shape: ``id``, ``ok``,
    ``output``, ``model``, ``usage``, plus ``sources``, ``calls`` and the rest)."""
    output: Any = result.answer
    if isinstance(result, AnswersResult):
        output = [answer.to_dict() for answer in result.answers]
    details = result.to_dict()
    return {
        "id": item_id,
        "ok": True,
        "task": name,
        "output": output,
        "sources": details["sources"],
        "model": result.models[0] if result.models else None,
        "models": details["models"],
        "usage": details["usage"],
        "calls": result.calls,
        "request_ids": details["request_ids"],
        "transcript_ids": details["transcript_ids"],
        "injected": details["injected"],
    }


class TranscriptTaskJob:
    """A transcript task run once per bulk item, resumably (a :class:`BulkWork`).

    Each item names its transcript(s): ``transcript_id``, or ``transcript_ids`` (a
    list: one answer over all of them). Its record holds the answer (``output``; for
    questions, a list of ``{question, answer, sources}``), its ``sources``, ``usage``
    and ``calls``. A failure is recorded and retried by the next run.

    Args:
        task: ``"summarize"``, ``"answer_questions"``, ``"action_items"`` or ``"task"``.
        model: The gateway model.
        prompt: The instruction of ``"task"``.
        questions: The questions of ``"answer_questions"``.
        answer_format: For ``"summarize"`` and ``"action_items"``.
        context: What the model should know about the transcripts.
        **options: :class:`TaskOptions` for every item.

    Examples:
        ```python
        from assemblyai_gateway.bulk import BulkRunner
        from assemblyai_gateway.transcripts import TranscriptTaskJob

        job = TranscriptTaskJob("summarize", model="gpt-4.1", answer_format="two sentences")
        runner = BulkRunner(job)  # a client from the environment, with a limiter
        items = [{"transcript_id": "emulator-meeting"}, {"transcript_id": "emulator-lecture"}]
        print(runner.run(items, "summaries.jsonl").render())
        ```
    """

    def __init__(
        self,
        task: TaskName,
        *,
        model: str = DEFAULT_MODEL,
        prompt: str | None = None,
        questions: Any = None,
        answer_format: str | None = None,
        context: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> None:
        task_settings(model, options)  # a wrong option fails now, not once per item
        self.spec: TaskSpec = task_spec(
            task, prompt=prompt, questions=questions, answer_format=answer_format, context=context
        )
        self.task = task
        self.model = model
        self.options: dict[str, Any] = dict(options)

    @staticmethod
    def transcripts_of(fields: Mapping[str, Any]) -> str | list[str]:
        """The transcript(s) an item names.

        Raises:
            ConfigurationError: neither ``transcript_id`` nor ``transcript_ids``.
        """
        many = fields.get("transcript_ids")
        if isinstance(many, list) and many and all(isinstance(i, str) for i in many):
            return list(many)
        one = fields.get("transcript_id")
        if isinstance(one, str) and one.strip():
            return one
        raise ConfigurationError(
            "the item names no transcript: give it a transcript_id, or transcript_ids (a list)"
        )

    def record(self, client: GatewayClient, item: BulkItem) -> dict[str, Any]:
        """Run the task for ``item`` and make its record (a failure is recorded)."""
        from ..bulk._records import failure_record  # the bulk runner loads only with it

        try:
            transcripts = self.transcripts_of(item.fields)
            result = _run(client, self.spec, transcripts, self.model, self.options)
        except Exception as error:
            return failure_record(item, error)
        return task_record(item.id, self.task, result)

    async def arecord(self, client: GatewayClient, item: BulkItem) -> dict[str, Any]:
        """:meth:`record`, awaited."""
        from ..bulk._records import failure_record

        try:
            transcripts = self.transcripts_of(item.fields)
            result = await _arun(client, self.spec, transcripts, self.model, self.options)
        except Exception as error:
            return failure_record(item, error)
        return task_record(item.id, self.task, result)

    def __repr__(self) -> str:
        return f"TranscriptTaskJob({self.task!r}, model={self.model!r})"
