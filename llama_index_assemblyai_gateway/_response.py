"""The one response mapper: a gateway completion (or stream snapshot) -> a ``ChatResponse``.

Pure translation, no I/O. A non-streamed call maps the ``ChatCompletion`` it got; a
stream maps the core stream's snapshot as each chunk arrives and, once it ended,
``snapshot.to_completion()`` (see :class:`StreamMapper`), so the last streamed response
is built exactly like ``chat()``'s.

Every ``ChatResponse`` carries:

* ``message``: an assistant ``ChatMessage`` with a ``ThinkingBlock`` (when the model
  reasoned and the gateway sent its ``thinking``; marked with
  ``additional_information={"model_provider": "assemblyai"}`` and ``num_tokens`` from
  the usage), a ``TextBlock`` (when the model sent text) and one ``ToolCallBlock`` per
  tool call; the calls are also in ``message.additional_kwargs["tool_calls"]`` as
  OpenAI-shape dicts for older callers.
* ``delta``: the text this chunk added (streams only); a chunk's reasoning is in
  ``additional_kwargs["thinking_delta"]``, as llama-index-llms-openai puts it.
* ``raw``: the gateway response as a dict (for streams: the chunk, and on the last
  response the final completion).
* ``additional_kwargs``: ``prompt_tokens``/``completion_tokens``/``total_tokens`` (and,
  when the gateway reported them, ``cache_read_input_tokens``,
  ``cache_creation_input_tokens`` and ``reasoning_tokens``) and the gateway's
  ``request_id``, ``model_name`` (the served model), ``finish_reason`` (the provider's
  own word, as in ``raw``), ``normalised_finish_reason`` (``stop``, ``length``,
  ``tool_calls`` or ``content_filter``, from the core's one table),
  ``response_time_ns``, ``llm_status_code``, ``http_status_code``, ``model_provider``.

Tool-call arguments: while a stream is in progress they are parsed leniently (a
partial object such as ``{"city": "Paris", "days": `` gives ``{"city": "Paris",
"days": None}``). Finished arguments are parsed strictly: a JSON object gives a dict,
empty text gives ``{}``, anything else (invalid JSON, a non-object) keeps the raw text
as ``ToolCallBlock.tool_kwargs`` (a ``str``), and :func:`tool_selections` turns it into
``tool_kwargs={}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.llms.llm import ToolSelection

from assemblyai_gateway import ChatCompletion, ChatCompletionChunk
from assemblyai_gateway._wire.accumulator import CompletionSnapshot
from assemblyai_gateway._wire.shapes import (
    ToolArgumentsError,
    tool_arguments_object,
    wire_tool_call,
)
from assemblyai_gateway._wire.translate import (
    MODEL_PROVIDER,
    response_metadata,
    snapshot_metadata,
    usage_counts,
)
from assemblyai_gateway._wire.types import ToolCall, Usage
from llama_index_assemblyai_gateway._partial_json import PartialArguments

__all__ = [
    "StreamMapper",
    "chat_response",
    "dump",
    "keep_first_tool_call",
    "parse_tool_arguments",
    "snapshot_response",
    "thinking_block",
    "tool_selections",
]

logger = logging.getLogger("llama_index_assemblyai_gateway")

# Reads the arguments of the tool call at a position while the stream is in progress.
PartialReader = Callable[[int, ToolCall], dict[str, Any]]


def parse_tool_arguments(text: str, *, partial: bool) -> dict[str, Any] | str:
    """Tool-call arguments as a dict.

    Args:
        text: The arguments' JSON text (possibly incomplete while streaming).
        partial: Parse leniently (a stream in progress) instead of strictly.

    Returns:
        The arguments object. With ``partial=False``, text that is not a JSON object
        is returned unchanged (a ``str``) so nothing the model sent is lost.
    """
    if partial:
        arguments = PartialArguments()
        arguments.feed(text)
        return arguments.value()
    try:
        return tool_arguments_object("", text)
    except ToolArgumentsError:
        return text


def _read_partial(_position: int, call: ToolCall) -> dict[str, Any]:
    value = parse_tool_arguments(call.function.arguments, partial=True)
    return value if isinstance(value, dict) else {}


THINKING_SOURCE = {"model_provider": MODEL_PROVIDER}
"""``ThinkingBlock.additional_information`` of this adapter's thinking: what marks it
as the gateway's own when the message is sent back (see ``_request``)."""


def thinking_block(thinking: str, usage: Usage | None = None) -> ThinkingBlock:
    """The model's reasoning as a ``ThinkingBlock`` marked as the gateway's own.

    ``num_tokens`` is the reasoning tokens the usage reports, when it reports them.
    """
    reported = usage is not None and usage.completion_tokens_details is not None
    return ThinkingBlock(
        content=thinking,
        num_tokens=usage.reasoning_tokens if reported and usage is not None else None,
        additional_information=dict(THINKING_SOURCE),
    )


def _response(
    content: str | None,
    tool_calls: Sequence[ToolCall],
    additional_kwargs: dict[str, Any],
    *,
    raw: Any,
    delta: str | None,
    final: bool,
    response_id: str | None,
    thinking: ThinkingBlock | None = None,
    read_partial: PartialReader = _read_partial,
) -> ChatResponse:
    blocks: list[ThinkingBlock | TextBlock | ToolCallBlock] = []
    legacy_calls: list[dict[str, Any]] = []
    if thinking is not None:
        blocks.append(thinking)
    # "" next to tool calls is an empty role delta, not text the model wrote.
    if content is not None and (content or not tool_calls):
        blocks.append(TextBlock(text=content))
    for position, call in enumerate(tool_calls):
        arguments = call.function.arguments
        kwargs = (
            parse_tool_arguments(arguments, partial=False)
            if final
            else read_partial(position, call)
        )
        if final and isinstance(kwargs, str):
            logger.warning(
                "tool call %s (%s) has arguments that are not a JSON object; the raw "
                "text is kept in ToolCallBlock.tool_kwargs (request_id=%s)",
                call.id,
                call.function.name,
                response_id,
            )
        # Built without validation: pydantic would copy the arguments object on every
        # chunk of a stream (the whole object, each time); ours is a new, finished dict.
        blocks.append(
            ToolCallBlock.model_construct(
                tool_call_id=call.id, tool_name=call.function.name, tool_kwargs=kwargs
            )
        )
        legacy_calls.append(wire_tool_call(call.function.name, arguments, call.id))
    message = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=list(blocks),
        additional_kwargs={"tool_calls": legacy_calls} if legacy_calls else {},
    )
    return ChatResponse(message=message, raw=raw, delta=delta, additional_kwargs=additional_kwargs)


def chat_response(
    completion: ChatCompletion,
    *,
    requested_model: str,
    raw: Any,
    delta: str | None = None,
    final: bool = True,
) -> ChatResponse:
    """Map a completion onto a ``ChatResponse``.

    Args:
        completion: The gateway's completion, or a stream snapshot's ``to_completion()``.
        requested_model: The model the request named (used when none is reported).
        raw: What to put in ``ChatResponse.raw``.
        delta: The text a stream chunk added (``None`` for non-streamed calls).
        final: Whether the completion is finished (strict argument parsing) or a
            stream still in progress (lenient parsing).
    """
    choice = completion.choices[0] if completion.choices else None
    thinking = choice.message.thinking if choice else None
    return _response(
        choice.message.content if choice else None,
        choice.tool_calls if choice else (),
        {**usage_counts(completion.usage), **response_metadata(completion, requested_model)},
        raw=raw,
        delta=delta,
        final=final,
        response_id=completion.response_id,
        thinking=thinking_block(thinking, completion.usage) if thinking else None,
    )


def snapshot_response(
    snapshot: CompletionSnapshot,
    *,
    requested_model: str,
    raw: Any,
    delta: str | None,
    read_partial: PartialReader = _read_partial,
) -> ChatResponse:
    """A stream in progress as a ``ChatResponse`` (lenient argument parsing).

    Equal to ``chat_response(snapshot.to_completion(), final=False, ...)`` without
    building the completion on every chunk. ``read_partial`` reads each call's
    arguments (a stream passes readers that keep their state between chunks).
    """
    choice = snapshot.choices[min(snapshot.choices)] if snapshot.choices else None
    calls = (
        [choice.tool_calls[i].to_tool_call() for i in sorted(choice.tool_calls)] if choice else []
    )
    thinking = choice.thinking if choice else None
    return _response(
        choice.content if choice else None,
        calls,
        {**usage_counts(snapshot.usage), **snapshot_metadata(snapshot, requested_model)},
        raw=raw,
        delta=delta,
        final=False,
        response_id=snapshot.request_id or snapshot.id,
        thinking=thinking_block(thinking, snapshot.usage) if thinking else None,
        read_partial=read_partial,
    )


def dump(model: ChatCompletion | ChatCompletionChunk) -> dict[str, Any]:
    """A wire model as a JSON-ready dict, without unset fields."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _shows_something(chunk: ChatCompletionChunk) -> bool:
    """Whether a chunk adds reasoning, text or tool-call pieces to the first choice."""
    return any(
        choice.index == 0
        and (choice.delta.content or choice.delta.thinking or choice.delta.tool_calls)
        for choice in chunk.choices
    )


class StreamMapper:
    """Maps one stream's chunks onto ``ChatResponse`` s (the core's stream-mapper contract).

    A chunk that adds text or tool-call pieces is answered at once. A chunk that adds
    nothing to show (a role, a finish reason, usage) is held until the next chunk, so
    the stream's last response can be finalised: strict argument parsing and ``raw``
    set to the final completion dict (usage, which arrives last, is on it too). Tool
    arguments are read incrementally, so a long stream costs linear time.

    Examples:
        >>> from assemblyai_gateway import ChatCompletionChunk
        >>> from assemblyai_gateway._transport.streams import ChatCompletionStream, map_stream
        >>> pieces = ("Hel", "lo")
        >>> chunks = [ChatCompletionChunk(choices=[{"delta": {"content": p}}]) for p in pieces]
        >>> stream = ChatCompletionStream(iter(chunks))
        >>> responses = list(map_stream(stream, StreamMapper("gpt-5")))
        >>> [r.delta for r in responses], responses[-1].message.content
        (['Hel', 'lo', ''], 'Hello')
    """

    def __init__(self, requested_model: str) -> None:
        self._model = requested_model
        self._pending: ChatResponse | None = None
        self._arguments: dict[int, PartialArguments] = {}

    def _read_partial(self, snapshot: CompletionSnapshot) -> PartialReader:
        """A reader over this stream's per-call parsers, fed only the new pieces."""
        choice = snapshot.choices[min(snapshot.choices)] if snapshot.choices else None
        indexes = sorted(choice.tool_calls) if choice else []
        for index in indexes:
            pieces = choice.tool_calls[index].argument_pieces  # type: ignore[union-attr]
            reader = self._arguments.setdefault(index, PartialArguments())
            for piece in pieces[reader.pieces_fed :]:
                reader.feed(piece)

        def read(position: int, _call: ToolCall) -> dict[str, Any]:
            return self._arguments[indexes[position]].value()

        return read

    def feed(self, chunk: ChatCompletionChunk, snapshot: CompletionSnapshot) -> list[ChatResponse]:
        """The responses ready now: a held one, and this chunk's if it shows something."""
        ready = [self._pending] if self._pending is not None else []
        first = [choice.delta for choice in chunk.choices if choice.index == 0]
        delta = "".join(piece.content or "" for piece in first)
        response = snapshot_response(
            snapshot,
            requested_model=self._model,
            raw=dump(chunk),
            delta=delta,
            read_partial=self._read_partial(snapshot),
        )
        if thinking := "".join(piece.thinking or "" for piece in first):
            # Where llama-index-llms-openai puts a chunk's reasoning, for agents to read.
            response.additional_kwargs["thinking_delta"] = thinking
        if _shows_something(chunk):
            self._pending = None
            return [*ready, response]
        self._pending = response
        return ready

    def finish(self, snapshot: CompletionSnapshot) -> list[ChatResponse]:
        """The last response, finalised; none when no chunk arrived."""
        if not snapshot.chunk_count:
            return []
        completion = snapshot.to_completion()
        final = chat_response(
            completion,
            requested_model=self._model,
            raw=dump(completion),
            delta=self._pending.delta if self._pending is not None else "",
            final=True,
        )
        return [final]


def _selection_kwargs(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        parsed = parse_tool_arguments(value, partial=False)
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def tool_selections(message: ChatMessage) -> list[ToolSelection]:
    """The tool calls of an assistant message as ``ToolSelection`` objects.

    Reads ``ToolCallBlock`` blocks, else ``additional_kwargs["tool_calls"]``.
    Arguments that are not a JSON object give ``tool_kwargs={}``.
    """
    blocks = [block for block in message.blocks if isinstance(block, ToolCallBlock)]
    if blocks:
        return [
            ToolSelection(
                tool_id=block.tool_call_id or "",
                tool_name=block.tool_name,
                tool_kwargs=_selection_kwargs(block.tool_kwargs),
            )
            for block in blocks
        ]
    selections = []
    for call in message.additional_kwargs.get("tool_calls") or ():
        function = _field(call, "function")
        selections.append(
            ToolSelection(
                tool_id=str(_field(call, "id") or ""),
                tool_name=str(_field(function, "name") or ""),
                tool_kwargs=_selection_kwargs(_field(function, "arguments")),
            )
        )
    return selections


def keep_first_tool_call(message: ChatMessage) -> None:
    """Drop every tool call after the first, in the blocks and the legacy list."""
    first_seen = False
    kept: list[Any] = []
    for block in message.blocks:
        if isinstance(block, ToolCallBlock):
            if first_seen:
                continue
            first_seen = True
        kept.append(block)
    message.blocks = kept
    legacy = message.additional_kwargs.get("tool_calls")
    if isinstance(legacy, list) and len(legacy) > 1:
        message.additional_kwargs["tool_calls"] = legacy[:1]
