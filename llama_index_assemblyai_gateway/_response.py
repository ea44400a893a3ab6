"""The one response mapper: a gateway completion (or stream snapshot) -> a ``ChatResponse``.

Pure translation, no I/O. A non-streamed call maps the ``ChatCompletion`` it got; a
stream maps ``snapshot.to_completion()`` after every chunk (see :class:`StreamMapper`),
so the last streamed response is built exactly like ``chat()``'s.

Every ``ChatResponse`` carries:

* ``message``: an assistant ``ChatMessage`` with a ``TextBlock`` (when the model sent
  text) and one ``ToolCallBlock`` per tool call; the calls are also in
  ``message.additional_kwargs["tool_calls"]`` as OpenAI-shape dicts for older callers.
* ``delta``: the text this chunk added (streams only).
* ``raw``: the gateway response as a dict (for streams: the chunk, and on the last
  response the final completion).
* ``additional_kwargs``: ``prompt_tokens``/``completion_tokens``/``total_tokens`` and the
  gateway's ``request_id``, ``model_name`` (the served model), ``finish_reason``,
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
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    MessageRole,
    TextBlock,
    ToolCallBlock,
)
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from assemblyai_gateway import ChatCompletion, ChatCompletionChunk, accumulate_chunk
from assemblyai_gateway.accumulator import CompletionSnapshot
from assemblyai_gateway.translate import (
    loads_server_json,
    response_metadata,
    snapshot_metadata,
    usage_counts,
)
from assemblyai_gateway.types import ToolCall

__all__ = [
    "StreamMapper",
    "astream_responses",
    "chat_response",
    "dump",
    "keep_first_tool_call",
    "parse_tool_arguments",
    "snapshot_response",
    "stream_responses",
    "tool_selections",
]

logger = logging.getLogger("llama_index_assemblyai_gateway")

_MAX_TRIMS = 64


def parse_tool_arguments(text: str, *, partial: bool) -> dict[str, Any] | str:
    """Tool-call arguments as a dict.

    Args:
        text: The arguments' JSON text (possibly incomplete while streaming).
        partial: Parse leniently (a stream in progress) instead of strictly.

    Returns:
        The arguments object. With ``partial=False``, text that is not a JSON object
        is returned unchanged (a ``str``) so nothing the model sent is lost.
    """
    if not text.strip():
        return {}
    if partial:
        return _parse_partial_object(text)
    try:
        value = loads_server_json(text)
    except ValueError:  # malformed, or nested too deeply to parse
        return text
    return value if isinstance(value, dict) else text


def _last_structural_cut(text: str) -> str:
    """``text`` up to and including its last ``,``/``:``/``{``/``[`` outside strings."""
    in_string = escaped = False
    last = -1
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in ",:{[":
            last = index
    return text[: last + 1]


def _parse_partial_object(text: str) -> dict[str, Any]:
    # llama-index's own partial-JSON parser closes open strings and containers; when
    # the text ends inside a literal (``tru``, ``1.``, ``-``) we cut back to the last
    # structural character and try again.
    candidate = text
    for _ in range(_MAX_TRIMS):
        try:
            value = parse_partial_json(candidate)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            candidate = _last_structural_cut(candidate[:-1])
            if not candidate:
                return {}
            continue
        return value if isinstance(value, dict) else {}
    return {}


def _tool_call_dict(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _response(
    content: str | None,
    tool_calls: Sequence[ToolCall],
    additional_kwargs: dict[str, Any],
    *,
    raw: Any,
    delta: str | None,
    final: bool,
    response_id: str | None,
) -> ChatResponse:
    blocks: list[TextBlock | ToolCallBlock] = []
    legacy_calls: list[dict[str, Any]] = []
    # "" next to tool calls is an empty role delta, not text the model wrote.
    if content is not None and (content or not tool_calls):
        blocks.append(TextBlock(text=content))
    for call in tool_calls:
        arguments = call.function.arguments
        kwargs = parse_tool_arguments(arguments, partial=not final)
        if final and isinstance(kwargs, str):
            logger.warning(
                "tool call %s (%s) has arguments that are not a JSON object; the raw "
                "text is kept in ToolCallBlock.tool_kwargs (request_id=%s)",
                call.id,
                call.function.name,
                response_id,
            )
        blocks.append(
            ToolCallBlock(tool_call_id=call.id, tool_name=call.function.name, tool_kwargs=kwargs)
        )
        legacy_calls.append(_tool_call_dict(call.id, call.function.name, arguments))
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
    return _response(
        choice.message.content if choice else None,
        choice.tool_calls if choice else (),
        {**usage_counts(completion.usage), **response_metadata(completion, requested_model)},
        raw=raw,
        delta=delta,
        final=final,
        response_id=completion.response_id,
    )


def snapshot_response(
    snapshot: CompletionSnapshot, *, requested_model: str, raw: Any, delta: str | None
) -> ChatResponse:
    """A stream in progress as a ``ChatResponse`` (lenient argument parsing).

    Equal to ``chat_response(snapshot.to_completion(), final=False, ...)`` without
    building the completion on every chunk.
    """
    choice = snapshot.choices[min(snapshot.choices)] if snapshot.choices else None
    calls = (
        [choice.tool_calls[i].to_tool_call() for i in sorted(choice.tool_calls)] if choice else []
    )
    return _response(
        choice.content if choice else None,
        calls,
        {**usage_counts(snapshot.usage), **snapshot_metadata(snapshot, requested_model)},
        raw=raw,
        delta=delta,
        final=False,
        response_id=snapshot.request_id or snapshot.id,
    )


def dump(model: ChatCompletion | ChatCompletionChunk) -> dict[str, Any]:
    """A wire model as a JSON-ready dict, without unset fields."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


class StreamMapper:
    """Folds stream chunks and maps each state onto a ``ChatResponse``.

    Each response is handed out one chunk late, so the last one can be finalised:
    strict argument parsing and ``raw`` set to the final completion dict (usage, which
    arrives on the last chunk, is on it too).

    Example:
        >>> from assemblyai_gateway import ChatCompletionChunk
        >>> mapper = StreamMapper("gpt-5")
        >>> texts = []
        >>> for piece in ("Hel", "lo"):
        ...     chunk = ChatCompletionChunk(choices=[{"delta": {"content": piece}}])
        ...     ready = mapper.feed(chunk)
        ...     texts += [ready.delta] if ready else []
        >>> last = mapper.finish()
        >>> texts + [last.delta], last.message.content
        (['Hel', 'lo'], 'Hello')
    """

    def __init__(self, requested_model: str) -> None:
        self._model = requested_model
        self._snapshot: CompletionSnapshot | None = None
        self._pending: ChatResponse | None = None

    def feed(self, chunk: ChatCompletionChunk) -> ChatResponse | None:
        """Fold a chunk in; return the previous chunk's response, if any, to yield now."""
        ready = self._pending
        self._snapshot = accumulate_chunk(self._snapshot, chunk)
        delta = "".join(choice.delta.content or "" for choice in chunk.choices if choice.index == 0)
        self._pending = snapshot_response(
            self._snapshot, requested_model=self._model, raw=dump(chunk), delta=delta
        )
        return ready

    def finish(self) -> ChatResponse | None:
        """The last response, finalised; ``None`` when no chunk arrived."""
        if self._snapshot is None or self._pending is None:
            return None
        completion = self._snapshot.to_completion()
        return chat_response(
            completion,
            requested_model=self._model,
            raw=dump(completion),
            delta=self._pending.delta,
            final=True,
        )


def stream_responses(
    chunks: Iterator[ChatCompletionChunk], mapper: StreamMapper
) -> ChatResponseGen:
    """Map a chunk stream onto responses; the chunk stream is closed however this ends."""
    try:
        for chunk in chunks:
            ready = mapper.feed(chunk)
            if ready is not None:
                yield ready
        last = mapper.finish()
        if last is not None:
            yield last
    finally:
        close = getattr(chunks, "close", None)
        if callable(close):
            close()


async def astream_responses(
    chunks: AsyncIterator[ChatCompletionChunk], mapper: StreamMapper
) -> ChatResponseAsyncGen:
    """Async :func:`stream_responses`."""
    try:
        async for chunk in chunks:
            ready = mapper.feed(chunk)
            if ready is not None:
                yield ready
        last = mapper.finish()
        if last is not None:
            yield last
    finally:
        aclose = getattr(chunks, "aclose", None)
        if callable(aclose):
            await aclose()


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
