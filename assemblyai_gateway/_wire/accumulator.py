"""The one stream accumulator, and its inverse for models the gateway does not stream.

``accumulate_chunk(snapshot, chunk) -> snapshot`` folds stream chunks into a
:class:`CompletionSnapshot`; ``snapshot.to_completion()`` gives the same
:class:`~assemblyai_gateway._wire.types.ChatCompletion` a non-streaming call returns.
:func:`completion_to_chunks` turns a finished completion into chunks, so native SSE and
pseudo-streaming go through the same fold and cannot drift apart.

Both functions are I/O-free. ``accumulate_chunk`` only ever updates a snapshot it
created itself (never the caller's chunk), keeping text as a list of pieces so a long
stream costs linear time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..errors import ResponseValidationError
from .types import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    FunctionCall,
    FunctionCallDelta,
    ResponseMessage,
    ToolCall,
    ToolCallDelta,
    Usage,
    stable_tool_call_id,
)

__all__ = [
    "ChoiceSnapshot",
    "CompletionSnapshot",
    "ToolCallSnapshot",
    "accumulate_chunk",
    "completion_to_chunks",
]

# Top-level chunk fields the accumulator handles itself; the rest are kept as extras.
_CHUNK_FIELDS = frozenset({"id", "request_id", "model", "choices", "usage", "object", "created"})


# Extras may not shadow the fields the accumulator sets itself.
_CHOICE_FIELDS = frozenset(Choice.model_fields)
_MESSAGE_FIELDS = frozenset(ResponseMessage.model_fields)


def _joined(pieces: list[str], cache: tuple[int, str]) -> tuple[int, str]:
    """``pieces`` joined, from ``cache`` (how many were joined, and the text): only the
    pieces that arrived since are joined, so reading the text on every chunk stays linear."""
    count, text = cache
    if count == len(pieces):
        return cache
    if count > len(pieces):  # the list was replaced: join it all
        count, text = 0, ""
    return len(pieces), text + "".join(pieces[count:])


def _without(extras: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in extras.items() if key not in reserved}


@dataclass
class ToolCallSnapshot:
    """A tool call being assembled; ``arguments`` arrives in pieces."""

    index: int
    id: str = ""
    name: str = ""
    argument_pieces: list[str] = field(default_factory=list)
    _arguments: tuple[int, str] = field(default=(0, ""), init=False, repr=False, compare=False)

    @property
    def arguments(self) -> str:
        """The argument text received so far (possibly partial JSON)."""
        self._arguments = _joined(self.argument_pieces, self._arguments)
        return self._arguments[1]

    def to_tool_call(self) -> ToolCall:
        """The finished call; a missing id becomes a stable generated one."""
        arguments = self.arguments
        call_id = self.id or stable_tool_call_id(self.index, self.name, arguments)
        return ToolCall(id=call_id, function=FunctionCall(name=self.name, arguments=arguments))


@dataclass
class ChoiceSnapshot:
    """One choice being assembled."""

    index: int
    role: str = "assistant"
    content_pieces: list[str] = field(default_factory=list)
    saw_content: bool = False
    thinking_pieces: list[str] = field(default_factory=list)
    tool_calls: dict[int, ToolCallSnapshot] = field(default_factory=dict)
    finish_reason: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    message_extras: dict[str, Any] = field(default_factory=dict)
    _content: tuple[int, str] = field(default=(0, ""), init=False, repr=False, compare=False)
    _thinking: tuple[int, str] = field(default=(0, ""), init=False, repr=False, compare=False)

    @property
    def content(self) -> str | None:
        """The text so far, or ``None`` when no text delta arrived."""
        if not self.saw_content:
            return None
        self._content = _joined(self.content_pieces, self._content)
        return self._content[1]

    @property
    def thinking(self) -> str | None:
        """The reasoning text so far, or ``None`` when no reasoning arrived."""
        if not self.thinking_pieces:
            return None
        self._thinking = _joined(self.thinking_pieces, self._thinking)
        return self._thinking[1]

    def to_choice(self) -> Choice:
        """The finished choice, tool calls in index order."""
        calls = [self.tool_calls[i].to_tool_call() for i in sorted(self.tool_calls)]
        # Every typed field here came from a validated chunk and the calls already have
        # ids, so skipping re-validation is safe; adapters rebuild this on every chunk.
        message = ResponseMessage.model_construct(
            **self.message_extras,
            role=self.role,
            content=self.content,
            thinking=self.thinking,
            tool_calls=None,
        )
        return Choice.model_construct(
            **self.extras,
            index=self.index,
            message=message,
            finish_reason=self.finish_reason,
            tool_calls=calls,
        )


@dataclass
class CompletionSnapshot:
    """Everything a stream has said so far.

    Attributes:
        chunk_count: How many chunks were folded in.
        extras: Unknown top-level chunk fields (e.g. ``response_time``), last value wins.
    """

    request_id: str | None = None
    id: str | None = None
    model: str | None = None
    choices: dict[int, ChoiceSnapshot] = field(default_factory=dict)
    usage: Usage | None = None
    chunk_count: int = 0
    extras: dict[str, Any] = field(default_factory=dict)

    def to_completion(self) -> ChatCompletion:
        """The completion a non-streaming call would have returned."""
        choices = [self.choices[i].to_choice() for i in sorted(self.choices)]
        try:
            return ChatCompletion(
                **self.extras,
                request_id=self.request_id,
                id=self.id,
                model=self.model,
                choices=choices,
                usage=self.usage,
            )
        except ValidationError as exc:
            # Only the extras can be mistyped (e.g. "response_time": "fast"): the same
            # body sent without streaming is a ResponseValidationError too.
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            raise ResponseValidationError(
                f"the stream's completion fields are malformed ({where}: {first['msg']})",
                request_id=self.request_id,
            ) from None


def _fold_tool_call(choice: ChoiceSnapshot, delta: ToolCallDelta) -> None:
    call = choice.tool_calls.get(delta.index)
    if call is None:
        call = choice.tool_calls[delta.index] = ToolCallSnapshot(index=delta.index)
    if delta.id:
        call.id = delta.id
    function = delta.function
    if function is not None:
        if function.name:
            # Providers send the name once; a repeat of the same name is not a suffix.
            call.name = function.name if call.name in ("", function.name) else call.name
        if function.arguments:
            call.argument_pieces.append(function.arguments)


def _fold_choice(snapshot: CompletionSnapshot, chunk_choice: ChunkChoice) -> None:
    choice = snapshot.choices.get(chunk_choice.index)
    if choice is None:
        choice = snapshot.choices[chunk_choice.index] = ChoiceSnapshot(index=chunk_choice.index)
    delta = chunk_choice.delta
    if chunk_choice.model_extra:
        choice.extras.update(_without(chunk_choice.model_extra, _CHOICE_FIELDS))
    if delta.model_extra:
        choice.message_extras.update(_without(delta.model_extra, _MESSAGE_FIELDS))
    if delta.role:
        choice.role = delta.role
    if delta.content is not None:
        choice.saw_content = True
        choice.content_pieces.append(delta.content)
    if delta.thinking:
        choice.thinking_pieces.append(delta.thinking)
    for tool_delta in delta.tool_calls or ():
        _fold_tool_call(choice, tool_delta)
    if chunk_choice.finish_reason:
        choice.finish_reason = chunk_choice.finish_reason


def accumulate_chunk(
    snapshot: CompletionSnapshot | None, chunk: ChatCompletionChunk
) -> CompletionSnapshot:
    """Fold one chunk into the snapshot (a new one when ``snapshot`` is ``None``).

    Examples:
        >>> from assemblyai_gateway import ChatCompletionChunk
        >>> snap = None
        >>> for text in ("Hel", "lo"):
        ...     chunk = ChatCompletionChunk(choices=[{"delta": {"content": text}}])
        ...     snap = accumulate_chunk(snap, chunk)
        >>> snap.to_completion().choices[0].message.content
        'Hello'
    """
    if snapshot is None:
        snapshot = CompletionSnapshot()
    snapshot.chunk_count += 1
    snapshot.request_id = chunk.request_id or snapshot.request_id
    snapshot.id = chunk.id or snapshot.id
    snapshot.model = chunk.model or snapshot.model
    if chunk.usage is not None:
        snapshot.usage = chunk.usage
    if chunk.model_extra:
        snapshot.extras.update(
            (key, value) for key, value in chunk.model_extra.items() if key not in _CHUNK_FIELDS
        )
    for chunk_choice in chunk.choices:
        _fold_choice(snapshot, chunk_choice)
    return snapshot


def _tool_call_delta(index: int, call: ToolCall) -> ToolCallDelta:
    return ToolCallDelta(
        index=index,
        id=call.id,
        type=call.type,
        function=FunctionCallDelta(name=call.function.name, arguments=call.function.arguments),
    )


def _extras_except(extras: dict[str, Any] | None, taken: tuple[str, ...]) -> dict[str, Any]:
    # An unknown field named like one the chunk sets itself (a choice's "delta") is
    # dropped rather than passed twice.
    return {key: value for key, value in (extras or {}).items() if key not in taken}


def completion_to_chunks(
    completion: ChatCompletion, *, include_usage: bool = True
) -> list[ChatCompletionChunk]:
    """Split a finished completion into stream chunks (for models without native SSE).

    One chunk per choice carries its reasoning, text and whole tool calls, one carries
    the finish reasons, and (with ``include_usage``) a last, choice-less chunk carries
    usage and the completion's other top-level fields. Folding them with :func:`accumulate_chunk`
    gives back an equal completion.
    """
    ids: dict[str, Any] = {
        "request_id": completion.request_id,
        "id": completion.id,
        "model": completion.model,
    }
    content_choices = [
        ChunkChoice(
            **_extras_except(choice.model_extra, ("index", "delta")),
            index=choice.index,
            delta=Delta(
                **_extras_except(
                    choice.message.model_extra, ("role", "content", "thinking", "tool_calls")
                ),
                role=choice.message.role,
                content=choice.message.content,
                thinking=choice.message.thinking,
                tool_calls=[_tool_call_delta(i, c) for i, c in enumerate(choice.tool_calls)]
                or None,
            ),
        )
        for choice in completion.choices
    ]
    finish_choices = [
        ChunkChoice(index=choice.index, finish_reason=choice.finish_reason)
        for choice in completion.choices
    ]
    extras = {
        key: value
        for key, value in (
            ("request", completion.request),
            ("http_status_code", completion.http_status_code),
            ("response_time", completion.response_time),
            ("llm_status_code", completion.llm_status_code),
            *(completion.model_extra or {}).items(),
        )
        if value is not None and key not in _CHUNK_FIELDS
    }
    chunks = [ChatCompletionChunk(**ids, choices=content_choices)]
    if include_usage and completion.usage is not None:
        chunks.append(ChatCompletionChunk(**ids, choices=finish_choices))
        chunks.append(ChatCompletionChunk(**ids, **extras, usage=completion.usage))
    else:
        chunks.append(ChatCompletionChunk(**ids, **extras, choices=finish_choices))
    return chunks
