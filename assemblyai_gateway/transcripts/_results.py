"""What a transcript task returns: the answer, its sources and what it cost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._wire.types import ChatCompletion, Usage
from ..errors import ConfigurationError
from ._pieces import Source

__all__ = ["AnswersResult", "Question", "QuestionAnswer", "TaskResult", "parse_questions"]


@dataclass(frozen=True)
class Question:
    """One question for :func:`answer_questions` (LeMUR's ``LemurQuestion``).

    Attributes:
        question: The question.
        context: What the model should know to answer it.
        answer_format: How to answer, e.g. ``"one sentence"``.
        answer_options: The answers allowed; the answer is then exactly one of them.

    Examples:
        >>> Question("Was a date agreed?", answer_options=["yes", "no"]).answer_options
        ('yes', 'no')
    """

    question: str
    context: str | None = None
    answer_format: str | None = None
    answer_options: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.question, str) or not self.question.strip():
            raise ConfigurationError(
                f"a question must be a non-empty string, got {self.question!r}"
            )
        if self.answer_options is not None:
            options = tuple(self.answer_options)
            if (
                isinstance(self.answer_options, str)
                or len(options) < 2
                or not all(isinstance(option, str) and option.strip() for option in options)
            ):
                raise ConfigurationError(
                    "answer_options must be a list of at least two non-empty strings, got "
                    f"{self.answer_options!r}"
                )
            object.__setattr__(self, "answer_options", options)
        if self.answer_options is not None and self.answer_format is not None:
            raise ConfigurationError(
                f"question {self.question!r} has both answer_options and answer_format; "
                "give one (the options are the format)"
            )


def parse_questions(questions: object) -> tuple[Question, ...]:
    """Questions from :class:`Question` objects, strings or mappings of its fields.

    Raises:
        ConfigurationError: none, or one that is not a question.
    """
    if isinstance(questions, (str, Question, Mapping)):
        questions = [questions]
    if not isinstance(questions, Iterable):
        raise ConfigurationError(f"questions must be a list of questions, got {questions!r}")
    parsed = []
    for item in questions:
        if isinstance(item, Question):
            parsed.append(item)
        elif isinstance(item, str):
            parsed.append(Question(item))
        elif isinstance(item, Mapping):
            unknown = set(item) - {"question", "context", "answer_format", "answer_options"}
            if unknown or "question" not in item:
                raise ConfigurationError(
                    "a question mapping has 'question' and optionally 'context', "
                    f"'answer_format', 'answer_options'; got {sorted(item)}"
                )
            parsed.append(Question(**item))
        else:
            raise ConfigurationError(f"a question is a string, mapping or Question, got {item!r}")
    if not parsed:
        raise ConfigurationError("answer_questions needs at least one question")
    return tuple(parsed)


@dataclass(frozen=True)
class QuestionAnswer:
    """The answer to one question, with where it came from.

    Attributes:
        question: The question asked.
        answer: The answer (one of the options, when the question had some).
        sources: The transcripts and time ranges the answer was found in.

    Examples:
        >>> from assemblyai_gateway.transcripts import Source
        >>> QuestionAnswer("Agreed?", "yes", (Source("tr_1", 0, 9_000),)).to_dict()["sources"]
        [{'transcript_id': 'tr_1', 'start': 0, 'end': 9000}]
    """

    question: str
    answer: str
    sources: tuple[Source, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "question": self.question,
            "answer": self.answer,
            "sources": [source.to_dict() for source in self.sources],
        }


def sum_usage(completions: Iterable[ChatCompletion]) -> Usage:
    """The usage of ``completions`` added up (an answer without usage counts 0)."""
    counts = [completion.usage for completion in completions if completion.usage is not None]
    return Usage(
        input_tokens=sum(u.input_tokens for u in counts),
        output_tokens=sum(u.output_tokens for u in counts),
        total_tokens=sum(u.total_tokens for u in counts),
    )


@dataclass(frozen=True)
class TaskResult:
    """A transcript task's answer, its sources, and what it took.

    Attributes:
        answer: The answer.
        sources: The transcripts and time ranges the answer is built from (consecutive
            parts merged).
        usage: The tokens of every call the task made, added up.
        calls: How many chat completions the task made (map, combine and final steps).
        request_ids: The gateway's id of each call, in order (quote them to support).
        models: The models that served the calls (a fallback's when one served).
        transcript_ids: The transcripts the task read, in order.
        injected: The transcripts sent by ``transcript_id`` (the gateway injected them),
            the rest went inline.

    Examples:
        >>> from assemblyai_gateway.transcripts import Source
        >>> result = TaskResult("Ship Friday.", (Source("tr_1", 0, 90_000),), Usage(), 1)
        >>> result.to_dict()["sources"]
        [{'transcript_id': 'tr_1', 'start': 0, 'end': 90000}]
    """

    answer: str
    sources: tuple[Source, ...]
    usage: Usage
    calls: int
    request_ids: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    transcript_ids: tuple[str, ...] = ()
    injected: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field."""
        return {
            "answer": self.answer,
            "sources": [source.to_dict() for source in self.sources],
            "usage": self.usage.model_dump(),
            "calls": self.calls,
            "request_ids": list(self.request_ids),
            "models": list(self.models),
            "transcript_ids": list(self.transcript_ids),
            "injected": list(self.injected),
        }


@dataclass(frozen=True)
class AnswersResult(TaskResult):
    """The answers of :func:`answer_questions`, one per question, in order.

    ``answer`` holds them all as text (``Q: ... / A: ...``); ``answers`` one
    :class:`QuestionAnswer` each, with its own sources.

    Attributes:
        answers: One answer per question, in the order asked.

    Examples:
        >>> result = AnswersResult(
        ...     "Q: Agreed? A: yes", (), Usage(), 1, answers=(QuestionAnswer("Agreed?", "yes"),)
        ... )
        >>> [(a.question, a.answer) for a in result.answers]
        [('Agreed?', 'yes')]
    """

    answers: tuple[QuestionAnswer, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field."""
        return {**super().to_dict(), "answers": [answer.to_dict() for answer in self.answers]}
