"""The response mapper: gateway completions and stream chunks -> LangChain messages.

* :func:`completion_to_chat_result` maps one :class:`~assemblyai_gateway.ChatCompletion`
  (what ``invoke`` gets) to a ``ChatResult`` holding an ``AIMessage``.
* The model's reasoning (``thinking``) goes where the peers (DeepSeek, Groq, xAI,
  Ollama) put it, ``additional_kwargs["reasoning_content"]``, which langchain-core reads
  as a ``reasoning`` block first in ``content_blocks`` (and in ``content`` with
  ``output_version="v1"``). Streamed reasoning arrives the same way, piece by piece.
* Usage details (cache reads and writes, reasoning tokens) fill
  ``usage_metadata["input_token_details"]``/``["output_token_details"]``.
* :class:`StreamMapper` maps :class:`~assemblyai_gateway.ChatCompletionChunk` s (what
  ``stream`` gets, natively or pseudo-streamed) to ``AIMessageChunk`` s, reading the
  snapshot the core's stream keeps, and puts the metadata and usage on one final chunk
  (``chunk_position="last"``), computed by the same :func:`response_metadata` as
  ``invoke`` — so the sum of the chunks equals what ``invoke`` returns. The gateway's
  ``request`` echo is kept there too (``response_metadata["request"]``), when it sent one.

``response_metadata["finish_reason"]`` is the provider's own word (``end_turn``,
``MAX_TOKENS``, ...), as ``ChatOpenAI`` and ``ChatGoogleGenerativeAI`` keep theirs;
``response_metadata["normalised_finish_reason"]`` is what it means in OpenAI's words,
from the core's one table (:func:`~assemblyai_gateway.normalise_finish_reason`).

Stop sequences are enforced here (see ``_stop``); tool-call arguments that are not a
JSON object become ``invalid_tool_calls``, never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, InvalidToolCall
from langchain_core.messages import ToolCall as LCToolCall
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import ToolCallChunk, invalid_tool_call, tool_call_chunk
from langchain_core.messages.tool import tool_call as make_tool_call
from langchain_core.outputs import ChatGeneration, ChatResult

from assemblyai_gateway._wire.accumulator import CompletionSnapshot
from assemblyai_gateway._wire.shapes import ToolArgumentsError, tool_arguments_object
from assemblyai_gateway._wire.translate import MODEL_PROVIDER, response_metadata
from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk, ToolCall, Usage
from langchain_assemblyai_gateway._stop import StopSequenceFilter, truncate_at_stop

__all__ = [
    "StreamMapper",
    "completion_to_chat_result",
    "completion_to_message",
    "parse_tool_calls",
    "usage_to_metadata",
]


def usage_to_metadata(usage: Usage | None) -> UsageMetadata | None:
    """Gateway usage (either naming, normalised by the core) as LangChain usage.

    When the gateway reported details, ``input_token_details`` holds ``cache_read``
    and ``cache_creation`` (parts of ``input_tokens``, as langchain-core defines them)
    and ``output_token_details`` holds ``reasoning`` (part of ``output_tokens``);
    ``audio`` is added where it is not 0.
    """
    if usage is None:
        return None
    metadata = UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
    )
    if (prompt := usage.prompt_tokens_details) is not None:
        inputs = InputTokenDetails(
            cache_read=usage.cache_read_tokens, cache_creation=usage.cache_creation_tokens
        )
        if prompt.audio_tokens:
            inputs["audio"] = prompt.audio_tokens
        metadata["input_token_details"] = inputs
    if (completion := usage.completion_tokens_details) is not None:
        outputs = OutputTokenDetails(reasoning=usage.reasoning_tokens)
        if completion.audio_tokens:
            outputs["audio"] = completion.audio_tokens
        metadata["output_token_details"] = outputs
    return metadata


def _reasoning_kwargs(thinking: str | None) -> dict[str, Any]:
    """The peers' place for reasoning text (``content_blocks`` reads it as a reasoning block)."""
    return {"reasoning_content": thinking} if thinking else {}


def parse_tool_calls(calls: Sequence[ToolCall]) -> tuple[list[LCToolCall], list[InvalidToolCall]]:
    """Split tool calls into parsed ones and ones whose arguments are not a JSON object."""
    parsed: list[LCToolCall] = []
    invalid: list[InvalidToolCall] = []
    for call in calls:
        name, text, call_id = call.function.name, call.function.arguments, call.id or None
        try:
            args = tool_arguments_object(name, text)
        except ToolArgumentsError as exc:
            invalid.append(invalid_tool_call(name=name, args=text, id=call_id, error=str(exc)))
            continue
        parsed.append(make_tool_call(name=name, args=args, id=call_id))
    return parsed, invalid


def _metadata(completion: ChatCompletion, requested_model: str) -> dict[str, Any]:
    """The shared response metadata, plus the gateway's ``request`` echo when it sent one."""
    metadata = response_metadata(completion, requested_model)
    if completion.request is not None:
        metadata["request"] = dict(completion.request)
    return metadata


def _stopped_by_sequence(metadata: dict[str, Any]) -> None:
    """A stop sequence cut the answer here: it finished with ``stop``, both words."""
    metadata["finish_reason"] = metadata["normalised_finish_reason"] = "stop"


def completion_to_message(
    completion: ChatCompletion, *, requested_model: str, stop: Sequence[str] | None = None
) -> AIMessage:
    """The first choice as an ``AIMessage`` (``id`` is the gateway's ``request_id``)."""
    choice = completion.choices[0]
    content, stopped = truncate_at_stop(choice.message.content or "", stop)
    # After a stop sequence nothing the model produced is kept, tool calls included.
    tool_calls, invalid = parse_tool_calls([] if stopped else choice.tool_calls)
    metadata = _metadata(completion, requested_model)
    if stopped:
        _stopped_by_sequence(metadata)
    return AIMessage(
        content=content,
        additional_kwargs=_reasoning_kwargs(choice.message.thinking),
        tool_calls=tool_calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage_to_metadata(completion.usage),
        response_metadata=metadata,
        id=completion.response_id,
    )


def completion_to_chat_result(
    completion: ChatCompletion, *, requested_model: str, stop: Sequence[str] | None = None
) -> ChatResult:
    """A ``ChatResult`` for ``invoke`` (no ``llm_output``: all of it is on the message)."""
    message = completion_to_message(completion, requested_model=requested_model, stop=stop)
    return ChatResult(generations=[ChatGeneration(message=message)])


class StreamMapper:
    """Maps one stream's chunks to ``AIMessageChunk`` s (the core's stream-mapper contract).

    :meth:`feed` gets every gateway chunk with the stream's snapshot and returns the
    message chunk it makes (none when it adds nothing to show); :meth:`finish` returns
    the final chunk, which carries the response metadata, the usage (exactly once) and
    ``chunk_position="last"``.
    """

    def __init__(self, *, requested_model: str, stop: Sequence[str] | None = None) -> None:
        self._requested_model = requested_model
        self._filter = StopSequenceFilter(stop)
        self._streamed_ids: set[int] = set()

    def feed(
        self, chunk: ChatCompletionChunk, snapshot: CompletionSnapshot
    ) -> list[AIMessageChunk]:
        """The message chunk for one gateway chunk, if it has anything to show."""
        text = thinking = ""
        calls: list[ToolCallChunk] = []
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            delta = choice.delta
            # Reasoning comes before the text; a stop sequence in the text cuts no reasoning.
            thinking += delta.thinking or ""
            if delta.content:
                text += self._filter.feed(delta.content)
            if self._filter.matched:
                continue
            for call in delta.tool_calls or ():
                function = call.function
                calls.append(
                    tool_call_chunk(
                        name=function.name if function is not None else None,
                        args=function.arguments if function is not None else None,
                        id=call.id or None,
                        index=call.index,
                    )
                )
                if call.id:
                    self._streamed_ids.add(call.index)
        if not text and not calls and not thinking:
            return []
        message = AIMessageChunk(
            content=text,
            additional_kwargs=_reasoning_kwargs(thinking),
            tool_call_chunks=calls,
            response_metadata={"model_provider": MODEL_PROVIDER},
            id=snapshot.request_id or snapshot.id,
        )
        return [message]

    def _missing_ids(self, snapshot: CompletionSnapshot) -> list[ToolCallChunk]:
        """Ids for streamed calls that came without one (the same ids ``invoke`` gives)."""
        if self._filter.matched:
            return []
        choice = snapshot.choices.get(0)
        if choice is None:
            return []
        return [
            tool_call_chunk(name=None, args=None, id=call.to_tool_call().id, index=index)
            for index, call in sorted(choice.tool_calls.items())
            if index not in self._streamed_ids
        ]

    def finish(self, snapshot: CompletionSnapshot) -> list[AIMessageChunk]:
        """The last chunk: held-back text, metadata, usage, ``chunk_position="last"``."""
        tail = self._filter.flush()  # first: a stop sequence may be found in the tail
        completion = snapshot.to_completion()
        metadata = _metadata(completion, self._requested_model)
        if self._filter.matched:
            _stopped_by_sequence(metadata)
        last = AIMessageChunk(
            content=tail,
            tool_call_chunks=self._missing_ids(snapshot),
            usage_metadata=usage_to_metadata(completion.usage),
            response_metadata=metadata,
            id=completion.response_id,
            chunk_position="last",
        )
        return [last]
