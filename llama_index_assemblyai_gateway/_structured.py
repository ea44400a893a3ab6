"""Structured output through the gateway's native ``response_format`` (json_schema).

:class:`StructuredPrediction` holds ``structured_predict`` and its streamed and async
forms for the LLM; the helpers below have no I/O of their own: the schema for a
Pydantic class, parsing the final JSON text, and turning a stream of ``ChatResponse``
objects into growing partial objects.
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
from typing import TYPE_CHECKING, Any, Generic

from llama_index.core.base.llms.types import ChatMessage, ChatResponse
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictInProgressEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.program.function_program import FunctionCallingProgram
from llama_index.core.program.streaming_utils import process_streaming_content_incremental
from llama_index.core.program.utils import FlexibleModel, get_program_for_llm
from llama_index.core.prompts import BasePromptTemplate, PromptTemplate
from llama_index.core.types import BasePydanticProgram, Model, PydanticProgramMode

from assemblyai_gateway._wire.compat import json_schema_format
from assemblyai_gateway.catalog import RouteCapabilities, route_capabilities
from llama_index_assemblyai_gateway._request import json_schema_call_kwargs

if TYPE_CHECKING:
    from llama_index.core.llms.function_calling import FunctionCallingLLM

    _LLMBase = FunctionCallingLLM
else:
    _LLMBase = object

__all__ = [
    "StructuredPrediction",
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
    return json_schema_format(name, output_cls.model_json_schema())


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


def _finish_prediction(response: ChatResponse, output_cls: type[Model]) -> Model:
    """The validated object from a json_schema answer, announced as the prediction's end."""
    result = parse_structured(response.message.content, output_cls)
    dispatcher.event(LLMStructuredPredictEndEvent(output=result))
    return result


class StructuredPrediction(_LLMBase):
    """``structured_predict`` and its streamed and async forms, for the gateway LLM.

    Uses the gateway's ``response_format`` json_schema when the catalog says the model
    and every one of its ``fallbacks`` supports it (and ``pydantic_program_mode`` is the
    default); otherwise function calling with the output tool forced (a gpt-oss model
    anywhere among them), or the program mode set. Mixed in before
    ``FunctionCallingLLM``, whose implementations it falls back to.

    Example:
        >>> from llama_index_assemblyai_gateway import AssemblyAIGateway
        >>> issubclass(AssemblyAIGateway, StructuredPrediction)
        True
    """

    def _model_route(
        self, model: str, fallbacks: Iterable[object] | None = None
    ) -> RouteCapabilities:
        """The catalog's view of a route; the LLM's client owner gives its gateway's."""
        return route_capabilities(model, fallbacks)

    def _uses_json_schema(self) -> bool:
        # A fallback inherits response_format, so every model the request can reach counts.
        route = self._model_route(self.metadata.model_name, getattr(self, "fallbacks", None))
        return (
            self.pydantic_program_mode == PydanticProgramMode.DEFAULT and route.supports_json_schema
        )

    def _json_schema_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None,
        prompt_args: dict[str, Any],
    ) -> tuple[list[ChatMessage], dict[str, Any]]:
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        return messages, json_schema_call_kwargs(
            llm_kwargs, json_schema_response_format(output_cls)
        )

    def _start_prediction(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None,
        prompt_args: dict[str, Any],
    ) -> tuple[list[ChatMessage], dict[str, Any]]:
        """Announce a json_schema prediction; the chat call that makes it."""
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        return self._json_schema_call(output_cls, prompt, llm_kwargs, prompt_args)

    def _structured_program(
        self, output_cls: type[Model], prompt: PromptTemplate
    ) -> BasePydanticProgram[Model]:
        if (
            self.pydantic_program_mode == PydanticProgramMode.DEFAULT
            and self.metadata.is_function_calling_model
        ):
            # Force the output tool, streamed or not (the base class only forces it
            # for non-streamed calls).
            return FunctionCallingProgram.from_defaults(
                output_cls=output_cls, prompt=prompt, llm=self, tool_choice="required"
            )
        return get_program_for_llm(
            output_cls, prompt, self, pydantic_program_mode=self.pydantic_program_mode
        )

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Predict an ``output_cls`` instance (json_schema, else function calling)."""
        if not self._uses_json_schema():
            predicted: Model = super().structured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )
            return predicted
        messages, kwargs = self._start_prediction(output_cls, prompt, llm_kwargs, prompt_args)
        return _finish_prediction(self.chat(messages, **kwargs), output_cls)

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async :meth:`structured_predict`."""
        if not self._uses_json_schema():
            predicted: Model = await super().astructured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )
            return predicted
        messages, kwargs = self._start_prediction(output_cls, prompt, llm_kwargs, prompt_args)
        return _finish_prediction(await self.achat(messages, **kwargs), output_cls)

    @dispatcher.span
    def stream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | FlexibleModel, None, None]:
        """Yield partial objects as the JSON grows, then the full ``output_cls`` object."""
        if not self._uses_json_schema():
            return super().stream_structured_predict(
                output_cls, prompt, llm_kwargs=dict(llm_kwargs or {}), **prompt_args
            )
        messages, kwargs = self._json_schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        return stream_structured(
            lambda: self.stream_chat(messages, **kwargs), output_cls, prompt, prompt_args
        )

    @dispatcher.span
    async def astream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | FlexibleModel, None]:
        """Async :meth:`stream_structured_predict`."""
        if not self._uses_json_schema():
            return await super().astream_structured_predict(
                output_cls, prompt, llm_kwargs=dict(llm_kwargs or {}), **prompt_args
            )
        messages, kwargs = self._json_schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        return astream_structured(
            lambda: self.astream_chat(messages, **kwargs), output_cls, prompt, prompt_args
        )

    def _structured_stream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None, None]:
        program = self._structured_program(output_cls, prompt)
        return program.stream_call(llm_kwargs=llm_kwargs, **prompt_args)

    async def _structured_astream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None]:
        program = self._structured_program(output_cls, prompt)
        return await program.astream_call(llm_kwargs=llm_kwargs, **prompt_args)
