"""The response and stream side of the wire models (gathered in
:mod:`assemblyai_gateway._wire.types`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, Field, field_validator, model_validator

from .base import _Wire, content_to_text, none_is_empty
from .request import ToolCall
from .shapes import stable_tool_call_id
from .usage import Usage

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "Choice",
    "ChunkChoice",
    "Delta",
    "FunctionCallDelta",
    "ResponseMessage",
    "ToolCallDelta",
]

# The reasoning text: the gateway's name, then OpenAI-compatible servers' one.
_THINKING_NAMES = AliasChoices("thinking", "reasoning_content")
# In a list of parts, a part's reasoning text (Anthropic's "thinking" blocks, or text).
_THINKING_TEXT_KEYS = ("thinking", "text")


class ResponseMessage(_Wire):
    """The assistant message of a choice. ``content`` may be ``None`` on tool calls.

    ``thinking`` is the model's reasoning text, when it reasoned and the gateway sent
    it (also read from ``reasoning_content``, as OpenAI-compatible servers name it).
    """

    role: str = "assistant"
    content: str | None = None
    thinking: str | None = Field(default=None, validation_alias=_THINKING_NAMES)
    # Accepted here too; normalised onto Choice.tool_calls and cleared from the message.
    tool_calls: list[ToolCall] | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _join_content_parts(cls, value: Any) -> Any:
        return content_to_text(value)

    @field_validator("thinking", mode="before")
    @classmethod
    def _join_thinking_parts(cls, value: Any) -> Any:
        return content_to_text(value, keys=_THINKING_TEXT_KEYS)

    @field_validator("role", mode="before")
    @classmethod
    def _missing_role_is_assistant(cls, value: Any) -> Any:
        return "assistant" if value is None else value


def _with_stable_ids(calls: list[ToolCall]) -> list[ToolCall]:
    return [
        call
        if call.id
        else call.model_copy(
            update={"id": stable_tool_call_id(i, call.function.name, call.function.arguments)}
        )
        for i, call in enumerate(calls)
    ]


class Choice(_Wire):
    """One choice. ``tool_calls`` holds every call, wherever the gateway put it."""

    index: int = 0
    message: ResponseMessage = Field(default_factory=ResponseMessage)
    finish_reason: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)

    @field_validator("tool_calls", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return none_is_empty(value)

    @model_validator(mode="after")
    def _normalise_tool_calls(self) -> Choice:
        in_message = self.message.tool_calls or []
        if in_message:
            seen_ids = {call.id for call in self.tool_calls if call.id}
            seen_calls = {(c.function.name, c.function.arguments) for c in self.tool_calls}
            merged = self.tool_calls + [
                c
                for c in in_message
                if not (
                    c.id in seen_ids
                    if c.id
                    else (c.function.name, c.function.arguments) in seen_calls
                )
            ]
            self.message = self.message.model_copy(update={"tool_calls": None})
            self.tool_calls = merged
        if any(not call.id for call in self.tool_calls):
            self.tool_calls = _with_stable_ids(self.tool_calls)
        return self


class ChatCompletion(_Wire):
    """A chat-completions response body.

    Attributes:
        request_id: The gateway's id for the call; quote it to support.
        choices: The model's choices (the gateway returns one).
        request: The gateway's echo of the request, without prompt/messages.
        usage: Normalised token usage.
        http_status_code: The status the gateway reports in the body.
        response_time: The gateway's response time in nanoseconds.
        llm_status_code: The status the model provider returned.
    """

    request_id: str | None = None
    id: str | None = None
    model: str | None = None
    choices: list[Choice]
    request: dict[str, Any] | None = None
    usage: Usage | None = None
    http_status_code: int | None = None
    response_time: int | None = None
    llm_status_code: int | None = None

    @field_validator("choices", mode="before")
    @classmethod
    def _null_choices_are_none(cls, value: Any) -> Any:
        # The gateway is written in Go: a nil list arrives as null (the vendor SDK reads
        # it as []); a completion without choices is still refused by parse_completion.
        return [] if value is None else value

    @property
    def served_model(self) -> str | None:
        """The model that served the call (a fallback's when one was used)."""
        if self.model:
            return self.model
        echoed = (self.request or {}).get("model")
        return echoed if isinstance(echoed, str) else None

    @property
    def response_id(self) -> str | None:
        """``request_id``, else an OpenAI-style ``id``."""
        return self.request_id or self.id


# ---------------------------------------------------------------------------- stream


class FunctionCallDelta(_Wire):
    """A piece of a streamed function call."""

    name: str | None = None
    arguments: str | None = None

    @field_validator("arguments", mode="before")
    @classmethod
    def _arguments_to_json_text(cls, value: Any) -> Any:
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return value


class ToolCallDelta(_Wire):
    """A piece of a streamed tool call, addressed by ``index``."""

    index: int = 0
    id: str | None = None
    type: str | None = None
    function: FunctionCallDelta | None = None


class Delta(_Wire):
    """What one stream chunk adds to a choice; ``thinking`` is a piece of the reasoning."""

    role: str | None = None
    content: str | None = None
    thinking: str | None = Field(default=None, validation_alias=_THINKING_NAMES)
    tool_calls: list[ToolCallDelta] | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _join_content_parts(cls, value: Any) -> Any:
        return content_to_text(value)

    @field_validator("thinking", mode="before")
    @classmethod
    def _join_thinking_parts(cls, value: Any) -> Any:
        return content_to_text(value, keys=_THINKING_TEXT_KEYS)


class ChunkChoice(_Wire):
    """One choice's delta in a stream chunk.

    Tool-call deltas are accepted inside ``delta`` (OpenAI) and on the choice itself
    (where this gateway puts tool calls), and end up in ``delta.tool_calls``.
    """

    index: int = 0
    delta: Delta = Field(default_factory=Delta)
    finish_reason: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _choice_level_tool_calls_into_delta(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or not data.get("tool_calls"):
            return data
        moved = dict(data)
        on_choice = moved.pop("tool_calls")
        delta = moved.get("delta")
        delta = dict(delta) if isinstance(delta, Mapping) else {}
        in_delta = delta.get("tool_calls") or []
        if isinstance(on_choice, list) and isinstance(in_delta, list):
            delta["tool_calls"] = [*in_delta, *on_choice]
        moved["delta"] = delta
        return moved


class ChatCompletionChunk(_Wire):
    """One server-sent ``chat.completion.chunk``; a usage-only chunk has no choices."""

    id: str | None = None
    request_id: str | None = None
    model: str | None = None
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None

    @field_validator("choices", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return none_is_empty(value)
