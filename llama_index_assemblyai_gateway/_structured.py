"""Structured output through the gateway's native ``response_format`` (json_schema).

Helpers without I/O of their own: the schema for a Pydantic class, parsing the final
JSON text, and turning a stream of ``ChatResponse`` objects into growing partial objects.
"""

from __future__ import annotations

import re
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
)
from typing import Any, Generic

from llama_index.core.base.llms.types import ChatResponse
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictInProgressEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.program.streaming_utils import process_streaming_content_incremental
from llama_index.core.program.utils import FlexibleModel
from llama_index.core.prompts import BasePromptTemplate
from llama_index.core.types import Model

__all__ = [
    "astream_structured",
    "json_schema_response_format",
    "parse_structured",
    "stream_structured",
]

dispatcher = get_dispatcher(__name__)

_FENCE = re.compile(r"^\s*```(?:json)?\s*\n?(?P<body>.*?)\n?\s*```\s*$", re.DOTALL)
_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def json_schema_response_format(output_cls: type[Model]) -> dict[str, Any]:
    """``{"type": "json_schema", "json_schema": {"name", "schema"}}`` for a Pydantic class.

    ``strict`` is not sent: a plain Pydantic schema (optional fields, defaults) is not
    a valid strict schema for every provider. Pass your own ``response_format`` in
    ``llm_kwargs`` to change that.
    """
    name = _NAME_UNSAFE.sub("_", output_cls.__name__)[:64] or "response"
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "schema": output_cls.model_json_schema()},
    }


def parse_structured(text: str | None, output_cls: type[Model]) -> Model:
    """Validate the model's JSON answer (a surrounding Markdown code fence is allowed).

    Raises:
        pydantic.ValidationError: the text is not valid JSON for ``output_cls``.
    """
    body = text or ""
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group("body")
    return output_cls.model_validate_json(body)


class _PartialObjects(Generic[Model]):
    """The sync and async streams' shared fold: events, change detection, final parse."""

    def __init__(
        self, output_cls: type[Model], prompt: BasePromptTemplate, prompt_args: dict[str, Any]
    ) -> None:
        self._output_cls = output_cls
        self._current: Model | FlexibleModel | None = None
        self._last: ChatResponse | None = None
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )

    def feed(self, response: ChatResponse) -> Model | FlexibleModel | None:
        """The new partial object, or ``None`` when this response changed nothing."""
        self._last = response
        updated = process_streaming_content_incremental(response, self._output_cls, self._current)
        if updated == self._current:
            return None
        self._current = updated
        dispatcher.event(LLMStructuredPredictInProgressEvent(output=updated))
        return updated

    def finish(self) -> list[Model]:
        """The strictly validated final object, if it differs from the last partial."""
        last = self._last
        final = parse_structured(last.message.content if last else None, self._output_cls)
        changed = final != self._current
        if changed:
            dispatcher.event(LLMStructuredPredictInProgressEvent(output=final))
        dispatcher.event(LLMStructuredPredictEndEvent(output=final))
        return [final] if changed else []


def stream_structured(
    start: Callable[[], Iterable[ChatResponse]],
    output_cls: type[Model],
    prompt: BasePromptTemplate,
    prompt_args: dict[str, Any],
) -> Generator[Model | FlexibleModel, None, None]:
    """Partial objects as the streamed JSON grows, then the validated final object.

    ``start`` opens the chat stream when iteration begins. A partial is yielded only
    when it changed. The last item is ``output_cls`` validated strictly from the full
    text (a ``ValidationError`` if it does not fit), exactly what a non-streamed
    ``structured_predict`` returns. The structured-predict start, in-progress and end
    events are dispatched as in LlamaIndex's own implementation.
    """
    fold = _PartialObjects(output_cls, prompt, prompt_args)
    for response in start():
        updated = fold.feed(response)
        if updated is not None:
            yield updated
    yield from fold.finish()


async def astream_structured(
    start: Callable[[], Awaitable[AsyncIterator[ChatResponse]]],
    output_cls: type[Model],
    prompt: BasePromptTemplate,
    prompt_args: dict[str, Any],
) -> AsyncGenerator[Model | FlexibleModel, None]:
    """Async :func:`stream_structured`."""
    fold = _PartialObjects(output_cls, prompt, prompt_args)
    async for response in await start():
        updated = fold.feed(response)
        if updated is not None:
            yield updated
    for final in fold.finish():
        yield final
