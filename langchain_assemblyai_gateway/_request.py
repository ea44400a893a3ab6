"""The request mapper: LangChain messages and settings -> one gateway request body.

This is the only place LangChain messages are translated. :func:`to_gateway_call`
merges a call's keyword arguments over the model's settings and
:func:`to_gateway_request` builds a plain ``dict`` that
:class:`assemblyai_gateway.GatewayClient` validates and sends; nothing here talks HTTP.

Rules:

* ``SystemMessage`` / ``HumanMessage`` / ``AIMessage`` / ``ToolMessage`` become the
  ``system`` / ``user`` / ``assistant`` / ``tool`` roles; a ``ChatMessage``'s role is
  mapped by the core's :func:`~assemblyai_gateway._wire.compat.gateway_role` (``developer`` is
  ``system``, ``human`` is ``user``, ``ai`` is ``assistant``). ``name`` is kept.
* String content stays a string. List content keeps its text parts (plain strings,
  ``{"type": "text"}`` blocks, v1 standard text blocks) as ``{"type": "text"}`` parts.
  Any other block (image, audio, file, ...) raises
  :class:`~assemblyai_gateway.UnsupportedContentError` naming it: the gateway accepts
  text only.
* Prompt caching as langchain-anthropic users write it: a text block's
  ``cache_control`` (or a v1 block's ``extras["cache_control"]``) stays on its part,
  and ``additional_kwargs["cache_control"]`` marks the whole message. A tool result is
  one string, so a breakpoint on one of its parts marks the tool message.
* An ``AIMessage`` with tool calls becomes an assistant turn with OpenAI-shape
  ``tool_calls`` (JSON-string arguments) and ``content: null`` when it has no text.
  Tool-call content blocks are skipped there, since ``tool_calls`` already carries them;
  an Anthropic ``tool_use`` block that ``tool_calls`` lacks is added to them.
* Reasoning: an assistant turn this adapter produced (``response_metadata
  ["model_provider"] == "assemblyai"``) sends its reasoning back as ``thinking`` (from
  ``additional_kwargs["reasoning_content"]``, else its v1 reasoning blocks), so Claude
  can continue after a tool call. Other providers' reasoning (``reasoning`` blocks,
  Anthropic ``thinking``/``redacted_thinking`` with their signatures,
  ``reasoning_content``) is dropped, never sent as text, so a history built with
  another provider can continue here.
* ``response_format`` is sent as the spec spells it: a schema's description goes into
  the schema, and ``{"type": "json_object"}`` becomes a json_schema of any object (or
  nothing, when a model the request can reach lacks json_schema), plus an instruction.
* A ``ToolMessage`` becomes ``{"role": "tool", "tool_call_id", "content"}`` with list
  content joined into one string.
* ``stop`` is never sent (the gateway has no such field; see ``_stop``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from types import MappingProxyType
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

from assemblyai_gateway._adapting.arguments import ArgumentRule, merge_call_fields
from assemblyai_gateway._wire.compat import (
    content_block_kind,
    gateway_role,
    json_mode_format,
    json_schema_format,
    tool_use,
    unsupported_block_error,
)
from assemblyai_gateway._wire.shapes import wire_tool_call
from assemblyai_gateway._wire.translate import MODEL_PROVIDER, resolve_tool_choice, validate_request
from assemblyai_gateway._wire.types import ChatCompletionRequest, NamedToolChoice
from assemblyai_gateway.catalog import route_capabilities
from assemblyai_gateway.errors import UnsupportedContentError

__all__ = [
    "JSON_MODE_INSTRUCTION",
    "REQUEST_FIELD_SOURCES",
    "GatewayCall",
    "check_call_arguments",
    "collect_model_kwargs",
    "format_tools",
    "message_to_gateway",
    "messages_to_gateway",
    "to_gateway_call",
    "to_gateway_request",
    "to_response_format",
]

REQUEST_FIELD_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "messages": "the messages given to `invoke`, `stream`, ...",
        "prompt": "never: the messages are sent",
        "stream": "`stream()`/`astream()`, or `invoke` with `streaming=True`, when every model "
        "on the route streams natively",
        "stream_options": "`stream_usage` (a setting, or per call), beside `stream`",
        "tools": "`bind_tools()`",
        "tool_choice": "`bind_tools(tool_choice=...)`",
        "parallel_tool_calls": "`bind_tools(parallel_tool_calls=...)`",
        "response_format": "`with_structured_output()`",
    }
)
"""How the model sends the request fields that are none of its settings (for the docs'
table of request fields; the others are settings of the same name, or ``model_kwargs``)."""

JSON_MODE_INSTRUCTION = (
    "Respond with a single valid JSON object only: no code fences, no text before or after it."
)
"""The system instruction added when ``response_format`` is ``{"type": "json_object"}``."""

_RESPONSE_FORMAT_TYPES = frozenset({"json_schema", "json_object", "text"})


def _cache_control(block: Mapping[str, Any]) -> dict[str, Any] | None:
    """A block's ``cache_control`` (langchain-anthropic's key, or a v1 block's ``extras``)."""
    extras = block.get("extras")
    value = block.get("cache_control")
    if value is None and isinstance(extras, Mapping):
        value = extras.get("cache_control")
    # Copied, never the caller's dict; a value of another type is left for the core's
    # validation to refuse by name.
    return dict(value) if isinstance(value, Mapping) else value


def _text_parts(content: str | list[Any], role: str) -> list[dict[str, Any]]:
    """The text parts of a message's content, raising on any block the gateway cannot take.

    A text block's ``cache_control`` stays on its part. In an assistant turn, reasoning
    and tool-call blocks are left out: reasoning travels in ``thinking`` (or not at
    all), and tool calls in ``tool_calls``.
    """
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    parts: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
            continue
        if not isinstance(block, Mapping):
            raise unsupported_block_error(type(block).__name__, role)
        block_type = block.get("type")
        kind = content_block_kind(block_type)
        if kind == "text" and isinstance(block.get("text"), str):
            part: dict[str, Any] = {"type": "text", "text": block["text"]}
            if (cache_control := _cache_control(block)) is not None:
                part["cache_control"] = cache_control
            parts.append(part)
        elif role == "assistant" and kind in ("reasoning", "tool_call"):
            continue
        else:
            raise unsupported_block_error(block_type, role)
    return parts


def _content(content: str | list[Any], role: str) -> str | list[dict[str, Any]]:
    """String content as is; list content as text parts."""
    if isinstance(content, str):
        return content
    return _text_parts(content, role)


def _own_thinking(message: AIMessage) -> str | None:
    """The reasoning of an assistant turn this adapter produced, to send back as ``thinking``.

    Only a message from the gateway (``response_metadata["model_provider"]``) has
    reasoning the gateway can continue from: its ``reasoning_content``, else its v1
    reasoning blocks. Another provider's reasoning is never sent.
    """
    if message.response_metadata.get("model_provider") != MODEL_PROVIDER:
        return None
    reasoning = message.additional_kwargs.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        return reasoning
    if isinstance(message.content, list):
        texts = [
            block["reasoning"]
            for block in message.content
            if isinstance(block, Mapping)
            and block.get("type") == "reasoning"
            and isinstance(block.get("reasoning"), str)
        ]
        return "".join(texts) or None
    return None


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
    text: str | list[dict[str, Any]] | None
    if isinstance(content, str):
        text = content
    else:
        calls += _tool_use_calls(content, {call["id"] for call in calls}, len(calls))
        text = _text_parts(content, "assistant")
    if calls and not text:
        text = None
    elif text == []:
        text = ""
    result: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        result["tool_calls"] = calls
    if thinking := _own_thinking(message):
        result["thinking"] = thinking
    return result


def _tool_use_calls(content: list[Any], known_ids: set[str], first_index: int) -> list[Any]:
    """Anthropic ``tool_use`` blocks that ``tool_calls`` does not already carry."""
    calls: list[Any] = []
    for block in content:
        call = tool_use(block)
        if call is not None and not (call.id and call.id in known_ids):
            index = first_index + len(calls)
            calls.append(wire_tool_call(call.name, call.input, call.id, index=index))
    return calls


def message_to_gateway(message: BaseMessage) -> dict[str, Any]:
    """One LangChain message as a gateway message.

    Raises:
        UnsupportedContentError: for a non-text content block or a message type the
            gateway has no role for.
    """
    result: dict[str, Any]
    # langchain-anthropic's message-level breakpoint; a part's own stays on the part.
    cache_control = _cache_control(message.additional_kwargs)
    if isinstance(message, AIMessage):
        result = _assistant(message)
    elif isinstance(message, ToolMessage):
        parts = _text_parts(message.content, "tool")
        text = "\n".join(part["text"] for part in parts)
        result = {"role": "tool", "tool_call_id": message.tool_call_id, "content": text}
        # A tool result is one string on the wire: a part's breakpoint marks the message.
        for part in parts:
            cache_control = part.get("cache_control", cache_control)
    elif isinstance(message, SystemMessage):
        result = {"role": "system", "content": _content(message.content, "system")}
    elif isinstance(message, HumanMessage):
        result = {"role": "user", "content": _content(message.content, "user")}
    elif isinstance(message, ChatMessage):
        role = gateway_role(message.role)
        result = {"role": role, "content": _content(message.content, role)}
    else:
        raise UnsupportedContentError(
            f"{type(message).__name__} has no role in the AssemblyAI LLM Gateway; use "
            "System, Human, AI, Tool or Chat messages"
        )
    if message.name and not isinstance(message, ToolMessage):
        result["name"] = message.name
    if cache_control is not None:
        result["cache_control"] = cache_control
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
    return json_schema_format(
        function["name"],
        function["parameters"],
        description=function.get("description"),
        strict=strict,
    )


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
        response_format: dict[str, Any] | None = to_response_format(request["response_format"])
        if response_format is not None and response_format.get("type") == "json_object":
            # JSON mode as the spec spells it, for every model the request can reach.
            route = route_capabilities(request["model"], request.get("fallbacks"))
            response_format = json_mode_format(route)
            gateway_messages = _with_json_instruction(gateway_messages)
        request["response_format"] = response_format
    request["messages"] = gateway_messages
    return {key: value for key, value in request.items() if value is not None}


# Keyword arguments LangChain itself passes to _generate/_stream; never sent.
_LANGCHAIN_KWARGS = frozenset({"stream", "ls_structured_output_format", "structured_output_format"})

# This adapter's own per-call options: read by the model, never sent.
_CALL_OPTIONS = frozenset({"stop", "stream_usage", "stream_options"})


def check_call_arguments(
    rule: ArgumentRule, kwargs: Collection[str], model_kwargs: Collection[str]
) -> None:
    """The core's rule for a call's (or ``bind()``'s) keyword arguments.

    LangChain's own arguments and this adapter's per-call options are left out; the
    names of ``model_kwargs`` are request fields too.

    Raises:
        MisplacedClientSettingError: a client setting (``api_key``, ``base_url``, ...).
        UnexpectedArgumentError: ``messages``/``prompt``, or a misspelt known name.
    """
    names = [name for name in kwargs if name not in _LANGCHAIN_KWARGS and name not in _CALL_OPTIONS]
    rule.check_call(names, known=[*model_kwargs, *_CALL_OPTIONS])


class GatewayCall(NamedTuple):
    """One prepared call: the validated request and what the response mapper needs."""

    request: ChatCompletionRequest
    model: str
    stop: list[str] | None
    include_usage: bool


def to_gateway_call(
    messages: Sequence[BaseMessage],
    *,
    rule: ArgumentRule,
    settings: Mapping[str, Any],
    model_kwargs: Mapping[str, Any],
    call_kwargs: Mapping[str, Any],
    stop: list[str] | None,
    stream_usage: bool,
) -> GatewayCall:
    """One call's request: per-call kwargs override the settings.

    As with ``ChatOpenAI``, a keyword argument that is not one of the model's own
    options is sent as a request field (``seed``, ``reasoning``, ...); the core's
    rule (:mod:`assemblyai_gateway._adapting.arguments`) refuses client settings, fields the
    model builds (``messages``, ``prompt``) and near misses of known names
    (``temprature``).

    Args:
        messages: The conversation.
        rule: The model class's argument rule.
        settings: The model's request fields and ``model_kwargs`` extras.
        model_kwargs: The extras alone (their names are accepted per call too).
        call_kwargs: This call's keyword arguments (``stream_usage`` and
            ``stream_options`` decide usage reporting; LangChain's own are ignored).
        stop: The stop sequences in force for this call.
        stream_usage: The model's ``stream_usage`` setting.

    Raises:
        MisplacedClientSettingError: a client setting given per call, named.
        UnexpectedArgumentError: a keyword argument the model owns, or a misspelt
            gateway field (both ``TypeError``).
        InvalidRequestError: a field the gateway would refuse (``model=None``), named.
    """
    check_call_arguments(rule, call_kwargs, model_kwargs)
    overrides = {k: v for k, v in call_kwargs.items() if k not in _LANGCHAIN_KWARGS}
    call_usage = overrides.pop("stream_usage", None)
    stream_options = overrides.pop("stream_options", None)
    # Validated by the core now, so bad input is a typed error naming the field before
    # anything is sent (and the client does not validate it again).
    request = validate_request(to_gateway_request(messages, merge_call_fields(settings, overrides)))
    if not isinstance(call_usage, bool):
        options = stream_options if isinstance(stream_options, Mapping) else {}
        include = options.get("include_usage")
        call_usage = include if isinstance(include, bool) else stream_usage
    return GatewayCall(request, request.model, stop, call_usage)


def collect_model_kwargs(
    values: Mapping[str, Any], rule: ArgumentRule, *, stacklevel: int
) -> dict[str, Any]:
    """Init values with unknown names moved into ``model_kwargs``, by the core's rule.

    Each moved name is warned about (``UserWarning``), as ``ChatOpenAI`` does.

    Raises:
        ValueError: ``model_kwargs`` repeats a parameter (``temperature``, ``stop``, ...),
            as in ``ChatOpenAI``.
        MisplacedClientSettingError: ``model_kwargs`` holds a client setting.
        UnexpectedArgumentError: a field the model builds, or a misspelt known name.
    """
    extra = values.get("model_kwargs")
    if isinstance(extra, Mapping):
        clashes = sorted((rule.parameters - rule.settings.keys()) & set(extra))
        if clashes:
            raise ValueError(
                f"model_kwargs must not hold {clashes}: pass explicit fields as parameters"
            )
    return rule.constructor_values(values, stacklevel=stacklevel + 1)
