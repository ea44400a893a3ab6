"""LeMUR's tasks in LangChain: the core's transcript tasks, driven by a chat model.

Only translation happens here: the model's settings become the core's
:class:`~assemblyai_gateway.transcripts.TranscriptTasks`, and LangChain documents (from
:class:`AssemblyAITranscriptLoader`) become the transcripts they were loaded from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Unpack

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableLambda

from assemblyai_gateway.transcripts import (
    TaskName,
    TaskOptions,
    TaskResult,
    TranscriptData,
    TranscriptRecord,
    Transcripts,
    TranscriptTasks,
    model_tasks,
    task_spec,
    transcripts_from_records,
)

if TYPE_CHECKING:
    from langchain_assemblyai_gateway.chat_models import ChatAssemblyAIGateway

__all__ = ["transcript_task", "transcript_tasks", "transcripts_from_documents"]


def _record(document: Document) -> TranscriptRecord:
    """The one mapper back: a ``Document`` as the neutral record it was made from."""
    return TranscriptRecord(document.page_content, dict(document.metadata))


def transcripts_from_documents(documents: Iterable[Document]) -> list[TranscriptData]:
    """The transcripts loaded documents come from (one per ``transcript_id``), with their
    speaker turns, paragraphs or sentences and times, ready for a task.

    Raises:
        ConfigurationError: a document without ``transcript_id`` metadata.
    """
    return transcripts_from_records(_record(document) for document in documents)


def transcript_tasks(
    llm: ChatAssemblyAIGateway, **defaults: Unpack[TaskOptions]
) -> TranscriptTasks:
    """``summarize``, ``answer_questions``, ``action_items`` and ``task`` (and their
    ``a``-prefixed async forms) through ``llm``: its client, model, temperature,
    ``max_tokens``, fallbacks and ``model_kwargs``; ``defaults`` are task options.

    Examples:
        ```python
        from langchain_assemblyai_gateway import ChatAssemblyAIGateway, transcript_tasks

        tasks = transcript_tasks(ChatAssemblyAIGateway(model="gpt-4.1"), speaker_labels=True)
        result = tasks.summarize("emulator-meeting", answer_format="three bullet points")
        print(result.answer, result.sources)
        ```
    """
    return model_tasks(llm, llm.client, llm.model_kwargs, **defaults)


def _transcripts(value: Any) -> Transcripts:
    """A runnable's input as transcripts: ids, TranscriptData, or loaded documents."""
    if isinstance(value, Document):
        return transcripts_from_documents([value])
    if isinstance(value, Iterable) and not isinstance(value, (str, TranscriptData)):
        items = list(value)
        documents = [item for item in items if isinstance(item, Document)]
        if documents:
            others = [item for item in items if not isinstance(item, Document)]
            return [*others, *transcripts_from_documents(documents)]
        return items
    return value  # type: ignore[no-any-return]


def transcript_task(
    llm: ChatAssemblyAIGateway,
    task: TaskName,
    *,
    prompt: str | None = None,
    questions: Any = None,
    answer_format: str | None = None,
    context: str | None = None,
    **options: Unpack[TaskOptions],
) -> Runnable[Any, TaskResult]:
    """A task as a LangChain ``Runnable``: transcripts in, a ``TaskResult`` out.

    The input is a transcript id, a ``TranscriptData``, documents from
    :class:`AssemblyAITranscriptLoader` (any format but subtitles), or a list of them.
    ``invoke``/``batch`` run the sync task, ``ainvoke``/``abatch`` the async one.

    Args:
        llm: The chat model whose client and settings the calls use.
        task: ``"summarize"``, ``"answer_questions"``, ``"action_items"`` or ``"task"``.
        prompt: The instruction of ``"task"``.
        questions: The questions of ``"answer_questions"``.
        answer_format: For ``"summarize"`` and ``"action_items"``.
        context: What the model should know about the transcripts.
        **options: Task options (``speaker_labels``, ``max_tokens``...).

    Raises:
        ConfigurationError: now, for a task's missing or misplaced argument.

    Examples:
        ```python
        from langchain_assemblyai_gateway import (
            AssemblyAITranscriptLoader, ChatAssemblyAIGateway, transcript_task,
        )

        loader = AssemblyAITranscriptLoader(
            transcript_ids=["emulator-meeting"], transcript_format="utterances"
        )
        chain = transcript_task(ChatAssemblyAIGateway(), "action_items", speaker_labels=True)
        print(chain.invoke(loader.load()).answer)
        ```
    """
    task_spec(
        task, prompt=prompt, questions=questions, answer_format=answer_format, context=context
    )
    tasks = transcript_tasks(llm, **options)
    arguments: dict[str, Any] = {
        "prompt": prompt,
        "questions": questions,
        "answer_format": answer_format,
        "context": context,
    }

    def run(value: Any) -> TaskResult:
        return tasks.run(task, _transcripts(value), **arguments)

    async def arun(value: Any) -> TaskResult:
        return await tasks.arun(task, _transcripts(value), **arguments)

    return RunnableLambda(run, afunc=arun, name=f"assemblyai_{task}")
