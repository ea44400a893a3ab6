"""Typed wire models for the gateway's chat-completions request, response and stream chunks.

Every model keeps unknown fields (``extra="allow"``) so new gateway fields survive a
round trip. Shapes the sources disagree on are all accepted and normalised:

* tool calls on the choice (documented) **or** inside the message -> ``Choice.tool_calls``;
* usage as ``prompt_tokens``/``completion_tokens`` **or** ``input_tokens``/``output_tokens``
  -> ``Usage.input_tokens``/``output_tokens``/``total_tokens``;
* message content as a string, ``null`` or a list of text parts -> ``str | None``;
* tool-call ``arguments`` as a JSON string or an already-decoded object -> JSON string;
* ``fallbacks`` and ``post_processing_steps`` as bare names or objects -> objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from ._tool_ids import with_tool_call_ids
from .wire import FallbackList, MaxTimeout, ModelRegion, PostProcessingList, stable_tool_call_id

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "Choice",
    "ChunkChoice",
    "Delta",
    "Fallback",
    "FallbackConfig",
    "FunctionCall",
    "FunctionCallDelta",
    "FunctionDefinition",
    "JsonSchemaFormat",
    "Message",
    "NamedToolChoice",
    "NamedToolChoiceFunction",
    "PostProcessingStep",
    "ResponseFormat",
    "ResponseMessage",
    "StreamOptions",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "Usage",
    "stable_tool_call_id",
]


class _Wire(BaseModel):
    """Base for every wire model: keep unknown fields, accept field names or aliases."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# --------------------------------------------------------------------------- request


class TextPart(_Wire):
    """A text content part; the only part type the gateway accepts."""

    type: Literal["text"] = "text"
    text: str


class FunctionCall(_Wire):
    """The function a tool call invokes, with its arguments as a JSON string."""

    name: str = ""
    arguments: str = ""

    @field_validator("arguments", mode="before")
    @classmethod
    def _arguments_to_json_text(cls, value: Any) -> Any:
        # Some providers send decoded arguments; the wire contract is a JSON string.
        if value is None:
            return ""
        if isinstance(value, (dict, list)):
            try:
                return json.dumps(value)
            except (TypeError, ValueError) as exc:  # a datetime, a set, ...
                raise ValueError(f"arguments are not JSON-serialisable ({exc})") from None
        return value


class ToolCall(_Wire):
    """One tool call, OpenAI shape: ``{"id", "type": "function", "function": {...}}``."""

    id: str = ""
    type: Literal["function"] = "function"
    function: FunctionCall

    @field_validator("id", mode="before")
    @classmethod
    def _none_id_to_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("type", mode="before")
    @classmethod
    def _missing_type_is_function(cls, value: Any) -> Any:
        return "function" if value is None else value


class Message(_Wire):
    """A request message: system, user, assistant (optionally with tool calls) or tool."""

    role: str
    content: str | list[TextPart] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[ToolCall] | None = None

    @model_serializer(mode="wrap")
    def _keep_null_content(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # The spec requires `content` on every message; an assistant tool-call turn sends
        # `"content": null`, which exclude_none would otherwise drop.
        data: dict[str, Any] = handler(self)
        data.setdefault("content", None)
        return data


class FunctionDefinition(_Wire):
    """A function the model may call; ``parameters`` is a JSON Schema object."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None


class Tool(_Wire):
    """A tool offered to the model."""

    type: Literal["function"] = "function"
    function: FunctionDefinition


class NamedToolChoiceFunction(_Wire):
    """The function a named tool choice forces."""

    name: str


class NamedToolChoice(_Wire):
    """``{"type": "function", "function": {"name": ...}}``: force one tool."""

    type: Literal["function"] = "function"
    function: NamedToolChoiceFunction


# "required" is not in the gateway spec; OpenAI-style callers send it and we pass it on.
ToolChoice = Literal["none", "auto", "required"] | NamedToolChoice


class JsonSchemaFormat(_Wire):
    """The ``json_schema`` member of ``response_format``."""

    name: str = "response"
    schema_: dict[str, Any] = Field(alias="schema")
    strict: bool | None = None
    description: str | None = None


class ResponseFormat(_Wire):
    """``{"type": "json_schema", "json_schema": {...}}`` (or ``json_object`` / ``text``)."""

    type: Literal["json_schema", "json_object", "text"] = "json_schema"
    json_schema: JsonSchemaFormat | None = None


class Fallback(_Wire):
    """A fallback model; any other request field given here overrides the original."""

    model: str


class FallbackConfig(_Wire):
    """How the gateway falls back: ``retry`` once after 500 ms, and up to ``depth`` fallbacks."""

    retry: bool | None = None
    depth: int | None = Field(default=None, ge=0, le=2)


class PostProcessingStep(_Wire):
    """A server-side post-processing step, e.g. ``{"type": "json-repair"}``."""

    type: str


class StreamOptions(_Wire):
    """OpenAI-style stream options; ``include_usage`` asks for a final usage chunk."""

    include_usage: bool | None = None


class ChatCompletionRequest(_Wire):
    """The body of ``POST /v1/chat/completions``.

    Unknown fields pass through unchanged (``extra="allow"``).

    Examples:
        >>> from assemblyai_gateway.types import ChatCompletionRequest
        >>> request = ChatCompletionRequest(
        ...     model="claude-sonnet-4-5-20250929",
        ...     messages=[{"role": "user", "content": "Hi"}],
        ...     fallbacks=[{"model": "gpt-5"}],
        ... )
        >>> request.to_payload()["fallbacks"]
        [{'model': 'gpt-5'}]
    """

    model: str = Field(min_length=1)
    messages: list[Message] | None = None
    prompt: str | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    tools: list[Tool] | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    fallbacks: FallbackList[Fallback] | None = None
    fallback_config: FallbackConfig | None = None
    post_processing_steps: PostProcessingList[PostProcessingStep] | None = None
    transcript_id: str | None = None
    # The gateway's own extras: e.g. reasoning={"effort": "low"}, max_timeout in seconds.
    reasoning: dict[str, Any] | None = None
    zero_data_retention: bool | None = None
    model_region: ModelRegion | None = None
    fail_fast: bool | None = None
    max_timeout: MaxTimeout | None = None

    @model_validator(mode="after")
    def _needs_messages_or_prompt(self) -> ChatCompletionRequest:
        if not self.messages and self.prompt is None:
            raise ValueError("a request needs `messages` (non-empty) or `prompt`")
        if self.messages:
            self.messages = with_tool_call_ids(self.messages)
        return self

    def to_payload(self) -> dict[str, Any]:
        """The JSON-ready body, without unset (``None``) fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_json_bytes(self) -> bytes:
        """The JSON body as bytes, without unset (``None``) fields."""
        return self.model_dump_json(by_alias=True, exclude_none=True).encode()


# -------------------------------------------------------------------------- response


class Usage(_Wire):
    """Token usage, normalised to ``input_tokens``/``output_tokens``/``total_tokens``.

    ``prompt_tokens``/``completion_tokens`` are accepted as the same numbers and are
    also readable as properties.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0

    @model_validator(mode="before")
    @classmethod
    def _accept_both_shapes(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        normalised = dict(data)
        prompt = normalised.pop("prompt_tokens", None)
        completion = normalised.pop("completion_tokens", None)
        if normalised.get("input_tokens") is None:
            normalised["input_tokens"] = prompt or 0
        if normalised.get("output_tokens") is None:
            normalised["output_tokens"] = completion or 0
        if normalised.get("total_tokens") is None:
            normalised.pop("total_tokens", None)  # summed once the counts are ints
        return normalised

    @model_validator(mode="after")
    def _total_defaults_to_the_sum(self) -> Usage:
        if "total_tokens" not in self.model_fields_set:
            self.total_tokens = self.input_tokens + self.output_tokens
        return self

    @property
    def prompt_tokens(self) -> int:
        """The same as ``input_tokens`` (OpenAI naming)."""
        return self.input_tokens

    @property
    def completion_tokens(self) -> int:
        """The same as ``output_tokens`` (OpenAI naming)."""
        return self.output_tokens


def _content_to_text(value: Any) -> Any:
    """Join a list of text parts into one string; leave strings and ``None`` alone."""
    if isinstance(value, list):
        texts = [part.get("text", "") if isinstance(part, Mapping) else str(part) for part in value]
        return "".join(text for text in texts if isinstance(text, str))
    return value


class ResponseMessage(_Wire):
    """The assistant message of a choice. ``content`` may be ``None`` on tool calls."""

    role: str = "assistant"
    content: str | None = None
    # Accepted here too; normalised onto Choice.tool_calls and cleared from the message.
    tool_calls: list[ToolCall] | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _join_content_parts(cls, value: Any) -> Any:
        return _content_to_text(value)

    @field_validator("role", mode="before")
    @classmethod
    def _missing_role_is_assistant(cls, value: Any) -> Any:
        return "assistant" if value is None else value


def _null_is_empty(value: Any) -> Any:  # the gateway is Go: an empty list may be null
    return [] if value is None else value


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

    _null_tool_calls = field_validator("tool_calls", mode="before")(_null_is_empty)

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

    _null_choices = field_validator("choices", mode="before")(_null_is_empty)

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
    """What one stream chunk adds to a choice."""

    role: str | None = None
    content: str | None = None
    tool_calls: list[ToolCallDelta] | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _join_content_parts(cls, value: Any) -> Any:
        return _content_to_text(value)


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

    _null_choices = field_validator("choices", mode="before")(_null_is_empty)
