"""What each LeMUR-style task asks at each step, and how its answers are read.

A task runs in up to four kinds of step:

* ``final``: the request holds every transcript whole: it answers at once;
* ``map``: the request holds one part (a chunk, or some of many transcripts): it
  writes notes for the task;
* ``combine``: it merges the notes of several parts into one set of notes (only when
  all the notes do not fit one request);
* ``reduce``: it answers from the notes of every part.

Text tasks (summary, action items, a free-form task) answer in prose. Questions are
answered as JSON: with ``response_format`` json_schema where every model of the route
supports it, else by instruction; either way the answer is checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._transport.untrusted_text import loads_untrusted, truncate_text
from .._wire.types import ChatCompletion
from ._errors import TaskAnswerError
from ._pieces import Section, Source, merge_sources
from ._results import Question, QuestionAnswer

__all__ = [
    "SYSTEM_PROMPT",
    "Notes",
    "QuestionsSpec",
    "Stage",
    "TaskSpec",
    "TextSpec",
    "completion_text",
]

Stage = Literal["final", "map", "combine", "reduce"]

SYSTEM_PROMPT = (
    "You work on transcripts of recorded audio: meetings, calls, interviews. Each "
    "transcript is given between <transcript> tags with its id; a long one may come in "
    "parts, each tagged with its part and time range. Use only what the transcripts say "
    "and never invent names, numbers or dates."
)
_NOTES_RULE = (
    "Keep every relevant detail (names, numbers, dates, decisions, who said what) and "
    "say which transcript and times it comes from. Write only the notes; if nothing is "
    "relevant, write 'Nothing relevant.'"
)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_MAX_BODY = 500
_MAX_ORIGINS = 20  # sources named on a note; more are counted


@dataclass(frozen=True)
class Notes:
    """What a map or combine step wrote, with the sections it was written from.

    Attributes:
        text: The notes, as the next step reads them.
        sections: The transcript sections the notes come from.
        found: For questions: per question, the sections its notes were found in.
    """

    text: str
    sections: tuple[Section, ...]
    found: tuple[tuple[Section, ...], ...] = ()

    def render(self) -> str:
        """The notes as a later step reads them, with where they come from."""
        sources = merge_sources(self.sections)
        origin = "; ".join(source.label for source in sources[:_MAX_ORIGINS])
        if len(sources) > _MAX_ORIGINS:
            origin += f"; and {len(sources) - _MAX_ORIGINS} more"
        return f'<notes from="{origin}">\n{self.text.strip()}\n</notes>'


def completion_text(completion: ChatCompletion) -> str:
    """The answer's text.

    Raises:
        TaskAnswerError: the model gave no text (a tool call or an empty answer).
    """
    content = completion.choices[0].message.content
    if not isinstance(content, str) or not content.strip():
        raise TaskAnswerError(
            "the model gave no text for a transcript task step "
            f"(finish_reason {completion.choices[0].finish_reason!r})",
            body=content,
            request_id=completion.request_id,
        )
    return content


def _context(context: str | None) -> str:
    return f"\n\nContext: {context.strip()}" if context and context.strip() else ""


class TaskSpec:
    """One task's prompts and readers; see the subclasses."""

    name = "task"

    def __init__(self, context: str | None = None) -> None:
        self.context = context

    def system(self) -> str:
        """The system message of every step."""
        return SYSTEM_PROMPT + _context(self.context)

    def instructions(self, stage: Stage, many: bool) -> str:
        """The user message's text after the transcripts or notes."""
        raise NotImplementedError

    def response_format(self, stage: Stage, structured: bool) -> dict[str, Any] | None:
        """The ``response_format`` of a step (``None``: prose)."""
        return None

    def notes(
        self, completion: ChatCompletion, sections: tuple[Section, ...], inputs: Sequence[Notes]
    ) -> Notes:
        """The notes a map (``inputs`` empty) or combine step wrote."""
        return Notes(completion_text(completion), sections)

    def answer(
        self, completion: ChatCompletion, sections: tuple[Section, ...], inputs: Sequence[Notes]
    ) -> tuple[str, tuple[QuestionAnswer, ...]]:
        """The final answer of a final (``inputs`` empty) or reduce step."""
        return completion_text(completion).strip(), ()


class TextSpec(TaskSpec):
    """A task answered in prose: summary, action items or a free-form prompt.

    Args:
        name: The task's name (for records and messages).
        goal: What to do, as an instruction.
        answer_format: How to answer (LeMUR's ``answer_format``).
        context: What the model should know about the transcripts.
    """

    def __init__(
        self,
        name: str,
        goal: str,
        answer_format: str | None = None,
        context: str | None = None,
    ) -> None:
        super().__init__(context)
        self.name = name
        self.goal = goal.strip()
        self.answer_format = answer_format

    def _format(self) -> str:
        fmt = self.answer_format
        return f"\n\nAnswer format: {fmt.strip()}" if fmt and fmt.strip() else ""

    def instructions(self, stage: Stage, many: bool) -> str:
        """The task's instruction for ``stage`` (``many``: several transcripts)."""
        if stage == "final":
            return self.goal + self._format()
        if stage == "map":
            what = "one part of what is to be worked on" + (
                " (one of several transcripts, or a part of one)" if many else ""
            )
            return (
                f"The transcript text above is {what}. Take notes from it for this task, "
                f"which will be done on all the parts' notes together:\n\n{self.goal}\n\n"
                + _NOTES_RULE
            )
        if stage == "combine":
            return (
                "Above are notes taken from consecutive parts of the transcripts for this "
                f"task:\n\n{self.goal}\n\nMerge them into one set of notes, dropping "
                "repetitions. " + _NOTES_RULE
            )
        return (
            "Above are notes taken from every part of the transcripts. Using only them, "
            f"do this task:\n\n{self.goal}" + self._format()
        )


def _questions_text(questions: Sequence[Question], *, with_formats: bool) -> str:
    lines = []
    for number, question in enumerate(questions, start=1):
        line = f"{number}. {question.question.strip()}"
        if question.context:
            line += f" (Context: {question.context.strip()})"
        if with_formats and question.answer_options:
            line += " Answer with exactly one of: " + ", ".join(
                json.dumps(option) for option in question.answer_options
            )
        elif with_formats and question.answer_format:
            line += f" Answer format: {question.answer_format.strip()}"
        lines.append(line)
    return "\n".join(lines)


def _parse_json(text: str, completion: ChatCompletion) -> dict[str, Any]:
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    try:
        value = loads_untrusted(cleaned[start : end + 1] if 0 <= start < end else cleaned)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise TaskAnswerError(
            "the answers to the questions are not a JSON object",
            body=truncate_text(text, _MAX_BODY),
            request_id=completion.request_id,
        )
    return value


def _option(value: str, options: Sequence[str]) -> str | None:
    wanted = value.strip().strip(".").casefold()
    return next((option for option in options if option.strip().casefold() == wanted), None)


class QuestionsSpec(TaskSpec):
    """Questions answered as JSON, one ``answer_<n>`` per question (and, in notes, a
    ``found_<n>`` saying whether a part holds its answer)."""

    name = "answer_questions"

    def __init__(self, questions: Sequence[Question], context: str | None = None) -> None:
        super().__init__(context)
        self.questions = tuple(questions)

    def _keys(self, notes: bool) -> str:
        keys = []
        for number in range(1, len(self.questions) + 1):
            keys += [f'"found_{number}" (true or false)'] if notes else []
            keys.append(f'"answer_{number}" (a string)')
        return ", ".join(keys)

    def instructions(self, stage: Stage, many: bool) -> str:
        """The questions, and the JSON asked for at ``stage``."""
        notes = stage in ("map", "combine")
        listed = _questions_text(self.questions, with_formats=not notes)
        if stage == "final":
            lead = "Answer each question below from the transcripts."
        elif stage == "map":
            lead = (
                "The transcript text above is one part of what is to be worked on. For each "
                "question below, say whether this part holds (some of) its answer, and if "
                "so, note that answer with its details and where it comes from (an empty "
                "string when not found)."
            )
        elif stage == "combine":
            lead = (
                "Above are notes on the questions below, from consecutive parts of the "
                "transcripts. Merge the notes of each question (an empty string and false "
                "when no part found it)."
            )
        else:
            lead = (
                "Above are notes on the questions below from every part of the transcripts. "
                "Using only them, answer each question."
            )
        return (
            f"{lead}\n\nQuestions:\n{listed}\n\nReply with only a JSON object with the keys "
            f"{self._keys(notes)}."
        )

    def schema(self, notes: bool) -> dict[str, Any]:
        """The JSON schema of a step's answer (strict-mode ready)."""
        properties: dict[str, Any] = {}
        for number, question in enumerate(self.questions, start=1):
            if notes:
                properties[f"found_{number}"] = {"type": "boolean"}
            answer: dict[str, Any] = {"type": "string"}
            if question.answer_options and not notes:
                answer["enum"] = list(question.answer_options)
            properties[f"answer_{number}"] = answer
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }

    def response_format(self, stage: Stage, structured: bool) -> dict[str, Any] | None:
        """json_schema when the route supports it, else none (the prompt asks for JSON)."""
        if not structured:
            return None
        notes = stage in ("map", "combine")
        name = "question_notes" if notes else "answers"
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": self.schema(notes), "strict": True},
        }

    def notes(
        self, completion: ChatCompletion, sections: tuple[Section, ...], inputs: Sequence[Notes]
    ) -> Notes:
        """Per question: the notes found, and the sections they were found in."""
        values = _parse_json(completion_text(completion), completion)
        lines: list[str] = []
        found: list[tuple[Section, ...]] = []
        for number in range(1, len(self.questions) + 1):
            answer = values.get(f"answer_{number}")
            hit = values.get(f"found_{number}") is True and isinstance(answer, str) and answer
            if not hit:
                lines.append(f"Question {number}: not found.")
                found.append(())
                continue
            lines.append(f"Question {number}: {str(answer).strip()}")
            if inputs:  # combined notes come from where the inputs found them
                where = tuple(s for note in inputs for s in note.found[number - 1])
                found.append(where or sections)
            else:
                found.append(sections)
        return Notes("\n".join(lines), sections, tuple(found))

    def answer(
        self, completion: ChatCompletion, sections: tuple[Section, ...], inputs: Sequence[Notes]
    ) -> tuple[str, tuple[QuestionAnswer, ...]]:
        """One checked answer per question, with its sources.

        Raises:
            TaskAnswerError: an answer missing, not a string, or not one of its options.
        """
        text = completion_text(completion)
        values = _parse_json(text, completion)
        answers = []
        for number, question in enumerate(self.questions, start=1):
            value = values.get(f"answer_{number}")
            if not isinstance(value, str):
                raise TaskAnswerError(
                    f"the answer to question {number} ({question.question!r}) is missing "
                    f"or not a string: {value!r}",
                    body=truncate_text(text, _MAX_BODY),
                    request_id=completion.request_id,
                )
            if question.answer_options:
                chosen = _option(value, question.answer_options)
                if chosen is None:
                    raise TaskAnswerError(
                        f"the answer to question {number} ({question.question!r}) is "
                        f"{value!r}, not one of its answer options "
                        f"{list(question.answer_options)!r}",
                        body=truncate_text(text, _MAX_BODY),
                        request_id=completion.request_id,
                    )
                value = chosen
            found = tuple(s for note in inputs for s in note.found[number - 1]) if inputs else ()
            sources: tuple[Source, ...] = merge_sources(found if inputs else sections)
            answers.append(QuestionAnswer(question.question, value.strip(), sources))
        joined = "\n\n".join(f"Q: {a.question}\nA: {a.answer}" for a in answers)
        return joined, tuple(answers)
