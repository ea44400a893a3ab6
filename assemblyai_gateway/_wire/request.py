"""The request side of the wire models (public face: :mod:`assemblyai_gateway._wire.types`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from .base import _Wire
from .shapes import FallbackList, MaxTimeout, ModelRegion, PostProcessingList
from .tool_ids import with_tool_call_ids

__all__ = [
    "CacheControl",
    "ChatCompletionRequest",
    "Fallback",
    "FallbackConfig",
    "FunctionCall",
    "FunctionDefinition",
    "JsonSchemaFormat",
    "Message",
    "NamedToolChoice",
    "NamedToolChoiceFunction",
    "PostProcessingStep",
    "ResponseFormat",
    "StreamOptions",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolChoice",
    "reasoning_object",
]


def reasoning_object(value: Any) -> Any:
    """The gateway's ``reasoning`` object for a value given as an effort level or an object.

    An effort level (``"low"``, ``"medium"``, ``"high"``, ...) becomes
    ``{"effort": level}``; an object is copied as given (the gateway judges its fields);
    ``None`` stays ``None``. Anything else (an empty string, a number) is returned
    unchanged, for validation to refuse by name.

    Examples:
        >>> reasoning_object("high"), reasoning_object({"effort": "low", "max_tokens": 2000})
        ({'effort': 'high'}, {'effort': 'low', 'max_tokens': 2000})
    """
    if isinstance(value, str) and value.strip():
        return {"effort": value}
    if isinstance(value, Mapping):
        return dict(value)
    return value


class CacheControl(_Wire):
    """A prompt-caching breakpoint (Anthropic style): cache everything up to here.

    ``ttl`` is ``"5m"`` (the default when unset) or ``"1h"``; other fields pass through.

    Examples:
        >>> from assemblyai_gateway import Message
        >>> message = Message(role="system", content="Long rules", cache_control={"ttl": "1h"})
        >>> message.model_dump(exclude_none=True)["cache_control"]
        {'type': 'ephemeral', 'ttl': '1h'}
    """

    type: str = "ephemeral"
    ttl: str | None = None


class TextPart(_Wire):
    """A text content part; the only part type the gateway accepts.

    ``cache_control`` marks a prompt-caching breakpoint after this part.
    """

    type: Literal["text"] = "text"
    text: str
    cache_control: CacheControl | None = None


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
    """A request message: system, user, assistant (optionally with tool calls) or tool.

    ``thinking`` sends an assistant turn's earlier reasoning back (Claude needs it to
    continue after a tool call); ``cache_control`` marks a prompt-caching breakpoint
    after the whole message.
    """

    role: str
    content: str | list[TextPart] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[ToolCall] | None = None
    thinking: str | None = None
    cache_control: CacheControl | None = None

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
        >>> from assemblyai_gateway import ChatCompletionRequest
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

    @field_validator("reasoning", mode="before")
    @classmethod
    def _effort_is_an_object(cls, value: Any) -> Any:
        return reasoning_object(value)

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
