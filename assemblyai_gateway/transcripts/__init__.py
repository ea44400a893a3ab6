"""Transcripts from AssemblyAI's transcript API, as framework-free data and records.

The LangChain loader (:class:`langchain_assemblyai_gateway.AssemblyAITranscriptLoader`)
and the LlamaIndex reader (:class:`llama_index_assemblyai_gateway.AssemblyAITranscriptReader`)
are thin maps from :class:`TranscriptRecord` to their document types; everything else
(the SDK, regions, polling, formats, errors) is here, once, for sync and async alike.

Reading needs the ``transcripts`` extra (the vendor's ``assemblyai`` SDK); importing
this package and using its data types does not.

Examples:
    >>> from assemblyai_gateway.transcripts import (
    ...     TranscriptData, TranscriptUnit, transcript_records,
    ... )
    >>> data = TranscriptData(
    ...     id="tr_1", text="Hi. Bye.",
    ...     utterances=(
    ...         TranscriptUnit("Hi.", 0, 500, "A"), TranscriptUnit("Bye.", 600, 900, "B"),
    ...     ),
    ... )
    >>> [record.text for record in transcript_records(data, "utterances")]
    ['Speaker A: Hi.', 'Speaker B: Bye.']
"""

from ._adapters import model_tasks
from ._bound import TranscriptTasks
from ._bulk import TranscriptTaskJob
from ._client import TranscriptClient, TranscriptSources, afetch_transcript, fetch_transcript
from ._errors import TaskAnswerError, TranscriptTagError, TranscriptTooLongError
from ._load import TranscriptLoad
from ._mapreduce import TranscriptMode
from ._pieces import (
    CONTEXT_MARGIN,
    DEFAULT_ANSWER_TOKENS,
    TRANSCRIPT_TAG,
    Section,
    Source,
    TokenBudget,
    UnitKind,
    chunk_transcript,
    token_budget,
)
from ._prompt import TagLocation, TranscriptPrompt, check_transcript_tag, transcript_prompts
from ._records import parse_transcript_format, transcript_records, transcripts_from_records
from ._results import AnswersResult, Question, QuestionAnswer, TaskResult
from ._settings import TRANSCRIPT_BASE_URL_ENV
from ._tasks import (
    ACTION_ITEMS_FORMAT,
    DEFAULT_CONCURRENCY,
    TASK_NAMES,
    TaskName,
    TaskOptions,
    Transcripts,
    aaction_items,
    aanswer_questions,
    action_items,
    answer_questions,
    asummarize,
    atask,
    summarize,
    task,
    task_spec,
)
from ._types import (
    DEFAULT_POLL_TIMEOUT,
    TRANSCRIPT_REGION_BASE_URLS,
    TranscriptData,
    TranscriptFormat,
    TranscriptRecord,
    TranscriptUnit,
)
from ._understood import apply_understanding

__all__ = [
    "ACTION_ITEMS_FORMAT",
    "CONTEXT_MARGIN",
    "DEFAULT_ANSWER_TOKENS",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_POLL_TIMEOUT",
    "TASK_NAMES",
    "TRANSCRIPT_BASE_URL_ENV",
    "TRANSCRIPT_REGION_BASE_URLS",
    "TRANSCRIPT_TAG",
    "AnswersResult",
    "Question",
    "QuestionAnswer",
    "Section",
    "Source",
    "TagLocation",
    "TaskAnswerError",
    "TaskName",
    "TaskOptions",
    "TaskResult",
    "TokenBudget",
    "TranscriptClient",
    "TranscriptData",
    "TranscriptFormat",
    "TranscriptLoad",
    "TranscriptMode",
    "TranscriptPrompt",
    "TranscriptRecord",
    "TranscriptSources",
    "TranscriptTagError",
    "TranscriptTaskJob",
    "TranscriptTasks",
    "TranscriptTooLongError",
    "TranscriptUnit",
    "Transcripts",
    "UnitKind",
    "aaction_items",
    "aanswer_questions",
    "action_items",
    "afetch_transcript",
    "answer_questions",
    "apply_understanding",
    "asummarize",
    "atask",
    "check_transcript_tag",
    "chunk_transcript",
    "fetch_transcript",
    "model_tasks",
    "parse_transcript_format",
    "summarize",
    "task",
    "task_spec",
    "token_budget",
    "transcript_prompts",
    "transcript_records",
    "transcripts_from_records",
]
