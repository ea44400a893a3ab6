"""LeMUR's tasks in LlamaIndex: the core's transcript tasks, driven by the LLM.

Only translation happens here: the LLM's settings become the core's
:class:`~assemblyai_gateway.transcripts.TranscriptTasks`, and LlamaIndex documents
(from :class:`AssemblyAITranscriptReader`) become the transcripts they were read from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Unpack

from llama_index.core.schema import BaseNode, MetadataMode

from assemblyai_gateway.transcripts import (
    TaskOptions,
    TranscriptData,
    TranscriptRecord,
    TranscriptTasks,
    model_tasks,
    transcripts_from_records,
)

if TYPE_CHECKING:
    from llama_index_assemblyai_gateway.base import AssemblyAIGateway

__all__ = ["transcript_tasks", "transcripts_from_documents"]


def _record(node: BaseNode) -> TranscriptRecord:
    """The one mapper back: a document or node as the neutral record it was made from."""
    return TranscriptRecord(node.get_content(metadata_mode=MetadataMode.NONE), dict(node.metadata))


def transcripts_from_documents(documents: Iterable[BaseNode]) -> list[TranscriptData]:
    """The transcripts read documents come from (one per ``transcript_id``), with their
    speaker turns, paragraphs or sentences and times, ready for a task.

    Raises:
        ConfigurationError: a document without ``transcript_id`` metadata.
    """
    return transcripts_from_records(_record(document) for document in documents)


def transcript_tasks(llm: AssemblyAIGateway, **defaults: Unpack[TaskOptions]) -> TranscriptTasks:
    """``summarize``, ``answer_questions``, ``action_items`` and ``task`` (and their
    ``a``-prefixed async forms) through ``llm``: its client, model, temperature,
    ``max_tokens``, fallbacks and ``additional_kwargs``; ``defaults`` are task options.

    Examples:
        ```python
        from llama_index_assemblyai_gateway import (
            AssemblyAIGateway, AssemblyAITranscriptReader, transcript_tasks,
            transcripts_from_documents,
        )

        documents = AssemblyAITranscriptReader(
            transcript_ids=["emulator-meeting"], transcript_format="utterances"
        ).load_data()
        tasks = transcript_tasks(AssemblyAIGateway(model="gpt-4.1"), speaker_labels=True)
        result = tasks.answer_questions(
            transcripts_from_documents(documents),
            [{"question": "Was a launch date agreed?", "answer_options": ["yes", "no"]}],
        )
        print(result.answers[0].answer, result.answers[0].sources)
        ```
    """
    return model_tasks(llm, llm._gateway_client(), llm.additional_kwargs, **defaults)
