"""The request mapper: LangChain messages and settings -> one gateway request body.

This is the only place LangChain messages are translated. :func:`to_gateway_call`
merges a call's keyword arguments over the model's settings and
:func:`to_gateway_request` builds a plain ``dict`` that
:class:`assemblyai_gateway.GatewayClient` validates and sends; nothing here talks HTTP.

Rules:

* ``SystemMessage`` / ``HumanMessage`` / ``AIMessage`` / ``ToolMessage`` become the
  ``system`` / ``user`` / ``assistant`` / ``tool`` roles; a ``ChatMessage`` keeps its
  role (``human`` and ``ai`` are spelled ``user`` and ``assistant``). ``name`` is kept.
* String content stays a string. List content keeps its text parts (plain strings,
  ``{"type": "text"}`` blocks, v1 standard text blocks) as ``{"type": "text"}`` parts.
  Any other block (image, audio, file, ...) raises
  :class:`~assemblyai_gateway.UnsupportedContentError`: the gateway accepts text only.
* An ``AIMessage`` with tool calls becomes an assistant turn with OpenAI-shape
  ``tool_calls`` (JSON-string arguments) and ``content: null`` when it has no text.
  Tool-call content blocks are skipped there, since ``tool_calls`` already carries them.
* A ``ToolMessage`` becomes ``{"role": "tool", "tool_call_id", "content"}`` with list
  content joined into one string.
* ``stop`` is never sent (the gateway has no such field; see ``_stop``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.utils.function_calling import convert_to_openai_tool

from assemblyai_gateway.errors import UnsupportedContentError
from assemblyai_gateway.settings import merge_overrides
from assemblyai_gateway.translate import resolve_tool_choice, validate_request
from assemblyai_gateway.types import ChatCompletionRequest, NamedToolChoice
from assemblyai_gateway.wire import wire_tool_call

__all__ = [
    "JSON_MODE_INSTRUCTION",
    "REQUEST_FIELDS",
    "RESERVED_FIELDS",
    "GatewayCall",
    "collect_model_kwargs",
    "format_tools",
    "message_to_gateway",
    "messages_to_gateway",
    "to_gateway_call",
    "to_gateway_request",
    "to_response_format",
]

REQUEST_FIELDS: frozenset[str] = frozenset(
    {
        "model",
        "temperature",
        "max_tokens",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "fallbacks",
        "fallback_config",
        "post_processing_steps",
        "transcript_id",
    }
)
"""Gateway request fields a caller may set, per instance or per call."""

RESERVED_FIELDS: frozenset[str] = frozenset(
    {"messages", "prompt", "stream", "stream_options", "stop"}
)
"""Fields the adapter owns: never taken from ``model_kwargs``."""

JSON_MODE_INSTRUCTION = (
    "Respond with a single valid JSON object only: no code fences, no text before or after it."
)
"""The system instruction added when ``response_format`` is ``{"type": "json_object"}``."""

_ROLE_ALIASES = {"human": "user", "ai": "assistant"}
_TEXT_BLOCK_TYPES = frozenset({"text"})
# Represented by AIMessage.tool_calls already; skipped in an assistant turn's content.
_TOOL_CALL_BLOCK_TYPES = frozenset(
    {"tool_call", "tool_call_chunk", "invalid_tool_call", "tool_use"}
)
_RESPONSE_FORMAT_TYPES = frozenset({"json_schema", "json_object", "text"})


def _unsupported(block_type: str, role: str) -> UnsupportedContentError:
    return UnsupportedContentError(
        f"a {role} message holds a {block_type!r} content block, but the AssemblyAI LLM "
        "Gateway accepts text only; send the text (e.g. a transcript) instead"
    )


def _text_parts(content: str | list[Any], role: str, *, skip_tool_calls: bool) -> list[str]:
    """The text pieces of a message's content, raising on any non-text block."""
    if isinstance(content, str):
        return [content]
    texts: list[str] = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
            continue
        if not isinstance(block, Mapping):
            raise _unsupported(type(block).__name__, role)
        block_type = block.get("type")
        if block_type in _TEXT_BLOCK_TYPES and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif skip_tool_calls and block_type in _TOOL_CALL_BLOCK_TYPES:
            continue
        else:
            raise _unsupported(str(block_type), role)
    return texts


def _content(content: str | list[Any], role: str) -> str | list[dict[str, str]]:
    """String content as is; list content as text parts."""
    if isinstance(content, str):
        return content
    return [
        {"type": "text", "text": text} for text in _text_parts(content, role, skip_tool_calls=False)
    ]


def _assistant(message: AIMessage) -> dict[str, Any]:
    # A call without an id is sent without one: the core generates a stable id.
    calls = [
        wire_tool_call(call["name"], call["args"], call.get("id") or "")
        for call in message.tool_calls
    ]
    # Keep calls whose arguments did not parse, so the tool turns that answer them match.
    calls += [
        wire_tool_call(call.get("name") or "", call.get("args") or "", call.get("id") or "")
        for call in message.invalid_tool_calls
    ]
    content = message.content
    text: str | list[dict[str, str]] | None
    if isinstance(content, str):
        text = content
    else:
        parts = _text_parts(content, "assistant", skip_tool_calls=True)
        text = [{"type": "text", "text": part} for part in parts]
    if calls and not text:
        text = None
    elif text == []:
        text = ""
    result: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        result["tool_calls"] = calls
    return result


def message_to_gateway(message: BaseMessage) -> dict[str, Any]:
    """One LangChain message as a gateway message.

    Raises:
        UnsupportedContentError: for a non-text content block or a message type the
            gateway has no role for.
    """
    result: dict[str, Any]
    if isinstance(message, AIMessage):
        result = _assistant(message)
    elif isinstance(message, ToolMessage):
        text = "\n".join(_text_parts(message.content, "tool", skip_tool_calls=False))
        result = {"role": "tool", "tool_call_id": message.tool_call_id, "content": text}
    elif isinstance(message, SystemMessage):
        result = {"role": "system", "content": _content(message.content, "system")}
    elif isinstance(message, HumanMessage):
        result = {"role": "user", "content": _content(message.content, "user")}
    elif isinstance(message, ChatMessage):
        role = _ROLE_ALIASES.get(message.role, message.role)
        result = {"role": role, "content": _content(message.content, role)}
    else:
        raise UnsupportedContentError(
            f"{type(message).__name__} has no role in the AssemblyAI LLM Gateway; use "
            "System, Human, AI, Tool or Chat messages"
        )
    if message.name and not isinstance(message, ToolMessage):
        result["name"] = message.name
    return result


def messages_to_gateway(messages: Iterable[BaseMessage]) -> list[dict[str, Any]]:
    """Every message, in order, as gateway messages."""
    return [message_to_gateway(message) for message in messages]


def format_tools(tools: Sequence[Any], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """Every LangChain tool form (tool, function, pydantic, TypedDict, dict) in OpenAI shape."""
    return [convert_to_openai_tool(tool, strict=strict) for tool in tools]


def _tool_names(tools: Sequence[Mapping[str, Any]]) -> list[str]:
    names: list[str] = []
    for tool in tools:
        function = tool.get("function")
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            names.append(function["name"])
    return names


def _tool_choice(choice: Any, tools: Sequence[Mapping[str, Any]]) -> Any:
    resolved = resolve_tool_choice(choice, _tool_names(tools))
    if isinstance(resolved, NamedToolChoice):
        return resolved.model_dump(exclude_none=True)
    return resolved


def to_response_format(schema: Any, *, strict: bool | None = None) -> dict[str, Any]:
    """A ``response_format`` for a schema (pydantic class, TypedDict or JSON schema).

    A dict that already is a response format (``type`` of ``json_schema``,
    ``json_object`` or ``text``) is returned unchanged.
    """
    if isinstance(schema, Mapping) and schema.get("type") in _RESPONSE_FORMAT_TYPES:
        return dict(schema)
    function = convert_to_openai_tool(schema, strict=strict)["function"]
    json_schema: dict[str, Any] = {"name": function["name"], "schema": function["parameters"]}
    if function.get("description"):
        json_schema["description"] = function["description"]
    if strict is not None:
        json_schema["strict"] = strict
    return {"type": "json_schema", "json_schema": json_schema}


def _with_json_instruction(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if messages and messages[0]["role"] == "system":
        first = dict(messages[0])
        content = first.get("content")
        if isinstance(content, list):
            first["content"] = [*content, {"type": "text", "text": JSON_MODE_INSTRUCTION}]
        else:
            first["content"] = (
                f"{content}\n\n{JSON_MODE_INSTRUCTION}" if content else JSON_MODE_INSTRUCTION
            )
        return [first, *messages[1:]]
    return [{"role": "system", "content": JSON_MODE_INSTRUCTION}, *messages]


def to_gateway_request(
    messages: Sequence[BaseMessage], settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The gateway request body for ``messages`` under ``settings``.

    Args:
        messages: The conversation.
        settings: Request fields, instance settings already overridden by per-call ones
            (``model``, ``temperature``, ``tools``, ``tool_choice``, ``fallbacks``, ...,
            plus any ``model_kwargs`` extras). ``None`` values are left out.

    Raises:
        UnsupportedContentError: a message holds non-text content.
        ToolChoiceError: ``tool_choice`` names a tool that is not bound.
    """
    request: dict[str, Any] = {
        key: value for key, value in settings.items() if value is not None and key != "stop"
    }
    gateway_messages = messages_to_gateway(messages)
    if "tools" in request:
        request["tools"] = format_tools(request["tools"]) or None
    if "tool_choice" in request:
        request["tool_choice"] = _tool_choice(request["tool_choice"], request.get("tools") or [])
    if "response_format" in request:
        request["response_format"] = to_response_format(request["response_format"])
        if request["response_format"].get("type") == "json_object":
            gateway_messages = _with_json_instruction(gateway_messages)
    request["messages"] = gateway_messages
    return {key: value for key, value in request.items() if value is not None}


# Keyword arguments LangChain itself passes to _generate/_stream; never sent.
_LANGCHAIN_KWARGS = ("stream", "ls_structured_output_format", "structured_output_format")


class GatewayCall(NamedTuple):
    """One prepared call: the validated request and what the response mapper needs."""

    request: ChatCompletionRequest
    model: str
    stop: list[str] | None
    include_usage: bool


def to_gateway_call(
    messages: Sequence[BaseMessage],
    *,
    settings: Mapping[str, Any],
    model_kwargs: Mapping[str, Any],
    call_kwargs: Mapping[str, Any],
    stop: list[str] | None,
    stream_usage: bool,
) -> GatewayCall:
    """One call's request: per-call kwargs override the settings; unknown ones are refused.

    Args:
        messages: The conversation.
        settings: The model's request fields and ``model_kwargs`` extras.
        model_kwargs: The extras alone (their names are accepted per call too).
        call_kwargs: This call's keyword arguments (``stream_usage`` and
            ``stream_options`` decide usage reporting; LangChain's own are ignored).
        stop: The stop sequences in force for this call.
        stream_usage: The model's ``stream_usage`` setting.

    Raises:
        TypeError: a keyword argument that is no gateway request field.
        InvalidRequestError: a field the gateway would refuse (``model=None``), named.
    """
    overrides = {k: v for k, v in call_kwargs.items() if k not in _LANGCHAIN_KWARGS}
    call_usage = overrides.pop("stream_usage", None)
    stream_options = overrides.pop("stream_options", None)
    unknown = sorted(set(overrides) - REQUEST_FIELDS - set(model_kwargs))
    if unknown:
        raise TypeError(
            f"unexpected keyword argument(s) {unknown}: the gateway accepts "
            f"{sorted(REQUEST_FIELDS)} per call; put other request fields in model_kwargs"
        )
    # Validated by the core now, so bad input is a typed error naming the field before
    # anything is sent (and the client does not validate it again).
    request = validate_request(to_gateway_request(messages, merge_overrides(settings, overrides)))
    if not isinstance(call_usage, bool):
        options = stream_options if isinstance(stream_options, Mapping) else {}
        include = options.get("include_usage")
        call_usage = include if isinstance(include, bool) else stream_usage
    return GatewayCall(request, request.model, stop, call_usage)


def collect_model_kwargs(values: Mapping[str, Any], field_names: set[str]) -> dict[str, Any]:
    """Init values with unknown args moved into ``model_kwargs`` (with a warning).

    Raises:
        ValueError: ``model_kwargs`` repeats a parameter or holds a field the model
            owns (``stop``, ``stream``, ``messages``, ...), or such a field was passed.
    """
    values = dict(values)
    extra = dict(values.get("model_kwargs") or {})
    clashes = sorted((field_names | RESERVED_FIELDS) & set(extra))
    if clashes:
        raise ValueError(
            f"model_kwargs must not hold {clashes}: pass explicit fields as parameters "
            "(stop, stream and messages are handled by the model itself)"
        )
    for name in [key for key in values if key not in field_names]:
        if name in RESERVED_FIELDS:
            raise ValueError(f"{name!r} is not a ChatAssemblyAIGateway parameter")
        warnings.warn(
            f"{name!r} is not a ChatAssemblyAIGateway parameter; it was moved to "
            "model_kwargs and will be sent as a request field",
            UserWarning,
            stacklevel=4,
        )
        extra[name] = values.pop(name)
    values["model_kwargs"] = extra
    return values
