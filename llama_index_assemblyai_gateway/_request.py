"""The one request mapper: LlamaIndex chat messages and settings -> a gateway request dict.

Pure translation, no I/O. The dict :func:`to_gateway_request` returns is validated and
sent by :class:`assemblyai_gateway.GatewayClient` (which also decides ``stream``).
:func:`prepare_chat_with_tools` turns LlamaIndex tools and ``tool_choice`` into chat
kwargs, and :func:`json_schema_call_kwargs` gives a structured call's kwargs.

Message rules:

* Roles map by the core's :func:`~assemblyai_gateway._wire.compat.gateway_role`, as in the
  LangChain adapter: ``system``/``developer`` -> ``system``; ``user`` -> ``user``;
  ``assistant``/``chatbot``/``model`` -> ``assistant``; ``tool``/``function`` -> ``tool``.
* :class:`~llama_index.core.base.llms.types.TextBlock` text is joined with newlines
  (the same text ``ChatMessage.content`` shows).
* An assistant message's tool calls come from its
  :class:`~llama_index.core.base.llms.types.ToolCallBlock` blocks, else from
  ``additional_kwargs["tool_calls"]`` (OpenAI-shape dicts or objects, or Anthropic
  ``tool_use`` blocks as llama-index-llms-anthropic keeps them). They become the
  gateway's ``tool_calls``, with ``content`` ``None`` when the message has no text.
* A ``tool`` message needs ``additional_kwargs["tool_call_id"]``.
* Reasoning: a ``ThinkingBlock`` this adapter produced (``additional_information
  ["model_provider"] == "assemblyai"``) in an assistant turn goes back as the message's
  ``thinking``, so Claude can continue after a tool call. Other providers' thinking
  blocks (Anthropic's with their signatures, OpenAI's) are dropped from assistant
  turns, never sent as text, so a history built with another provider can continue.
* Prompt caching: a ``CachePoint`` marks the ``TextBlock`` just before it (the
  message's content then goes as text parts, that one with ``cache_control``); after
  anything else, and in a tool message (whose content is one string), it marks the
  whole message, as ``additional_kwargs["cache_control"]`` does
  (llama-index-llms-anthropic's form). Without a breakpoint the text stays one string.
* Any other block (image, audio, video, document, citation, a thinking block outside
  an assistant turn, ...) raises
  :class:`~assemblyai_gateway.errors.UnsupportedContentError` naming the block.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import (
    CachePoint,
    ChatMessage,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from assemblyai_gateway import InvalidRequestError, UnsupportedContentError
from assemblyai_gateway._adapting.arguments import ArgumentRule, merge_call_fields
from assemblyai_gateway._wire.compat import gateway_role, tool_use
from assemblyai_gateway._wire.shapes import wire_tool_call
from assemblyai_gateway._wire.translate import MODEL_PROVIDER, resolve_tool_choice

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "IGNORED_CALL_KWARGS",
    "REQUEST_FIELD_SOURCES",
    "STRUCTURED_DROPPED_KWARGS",
    "check_call_arguments",
    "json_schema_call_kwargs",
    "message_to_gateway",
    "prepare_chat_with_tools",
    "to_gateway_request",
]

REQUEST_FIELD_SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "messages": "the messages given to `chat`, `complete`, ...",
        "prompt": "never: the messages are sent",
        "stream": "`stream_chat()`/`stream_complete()` (and async), when every model on the "
        "route streams natively",
        "stream_options": "always beside `stream` (streams report usage)",
        "tools": "`chat_with_tools()`, `predict_and_call()`, agents",
        "tool_choice": "`chat_with_tools(tool_choice=...)` or `tool_required=True`",
        "parallel_tool_calls": "a `parallel_tool_calls=` call argument",
        "response_format": "`structured_predict()`, `as_structured_llm()`",
    }
)
"""How the LLM sends the request fields that are none of its settings (for the docs'
table of request fields; the others are settings of the same name, or
``additional_kwargs``)."""

# Keys a caller may pass that the core owns (it decides streaming on its own).
IGNORED_CALL_KWARGS = frozenset({"stream", "stream_options"})


def to_gateway_request(
    messages: Sequence[ChatMessage],
    *,
    rule: ArgumentRule,
    settings: Mapping[str, Any],
    call_kwargs: Mapping[str, Any],
) -> dict[str, Any]:
    """Build the request body for one call.

    Args:
        messages: The conversation, oldest first.
        rule: The LLM class's argument rule (:mod:`assemblyai_gateway._adapting.arguments`).
        settings: The LLM's fields as request keys (``model``, ``temperature``,
            ``fallbacks``, ... and its ``additional_kwargs``), lowest precedence.
        call_kwargs: Keyword arguments of this call (``tools``, ``tool_choice``,
            ``response_format``, ``reasoning``, any other request field); they win
            over ``settings``.

    ``None`` means "not set" everywhere: such keys are left out (a call kwarg set to
    ``None`` removes the setting). ``stream``/``stream_options`` are ignored.

    Raises:
        MisplacedClientSettingError: a call kwarg is a client setting (``api_key``, ...).
        UnexpectedArgumentError: ``messages``/``prompt``, or a near miss of a known name.
    """
    check_call_arguments(rule, call_kwargs, settings)
    request = merge_call_fields(
        settings, {k: v for k, v in call_kwargs.items() if k not in IGNORED_CALL_KWARGS}
    )
    request["messages"] = [message_to_gateway(message) for message in messages]
    return request


def check_call_arguments(
    rule: ArgumentRule, call_kwargs: Collection[str], settings: Collection[str]
) -> None:
    """The core's rule for a call's keyword arguments (the LLM's request fields are known).

    Raises:
        MisplacedClientSettingError: a client setting (``api_key``, ``base_url``, ...).
        UnexpectedArgumentError: ``messages``/``prompt``, or a misspelt known name.
    """
    names = [key for key in call_kwargs if key not in IGNORED_CALL_KWARGS]
    rule.check_call(names, known=settings)


def _cache_control(point: CachePoint) -> dict[str, Any]:
    control = point.cache_control
    return {"type": control.type, "ttl": control.ttl}


def _own_thinking(block: ThinkingBlock) -> str | None:
    """The text of a ``ThinkingBlock`` this adapter produced; another provider's is None."""
    if block.additional_information.get("model_provider") != MODEL_PROVIDER:
        return None
    return block.content or None


def message_to_gateway(message: ChatMessage) -> dict[str, Any]:
    """One LlamaIndex message as a gateway message dict.

    Raises:
        UnsupportedContentError: the message holds a non-text block, or tool calls
            outside an assistant message.
        InvalidRequestError: a tool message without ``additional_kwargs["tool_call_id"]``.
    """
    role = gateway_role(str(message.role.value))
    parts: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    thinking: list[str] = []
    # llama-index-llms-anthropic's message-level breakpoint.
    message_cache = message.additional_kwargs.get("cache_control")
    previous: object = None
    for block in message.blocks:
        if isinstance(block, TextBlock):
            parts.append({"type": "text", "text": block.text})
        elif isinstance(block, ToolCallBlock):
            if role != "assistant":
                raise UnsupportedContentError(
                    f"a {role} message holds a ToolCallBlock; tool calls belong to "
                    "assistant messages"
                )
            calls.append(_tool_call_from_block(block, len(calls)))
        elif isinstance(block, CachePoint):
            # It marks the text block right before it; after anything else (a tool
            # call, nothing), the message so far, which is the whole message on the wire.
            if isinstance(previous, TextBlock) and role != "tool":
                parts[-1]["cache_control"] = _cache_control(block)
            else:
                message_cache = _cache_control(block)
        elif isinstance(block, ThinkingBlock) and role == "assistant":
            if (text := _own_thinking(block)) is not None:
                thinking.append(text)
        else:
            raise UnsupportedContentError(
                f"a {role} message holds a {type(block).__name__}: the AssemblyAI LLM "
                "Gateway accepts text content only (TextBlock)"
            )
        previous = block
    if role == "assistant" and not calls:
        calls = _legacy_tool_calls(message.additional_kwargs.get("tool_calls"))
    text = "\n".join(part["text"] for part in parts) or None
    # Text stays one string unless a part carries a breakpoint of its own.
    content: str | list[dict[str, Any]] | None = (
        parts if any("cache_control" in part for part in parts) else text
    )
    wire: dict[str, Any] = {"role": role}
    if role == "tool":
        tool_call_id = message.additional_kwargs.get("tool_call_id")
        if not tool_call_id:
            raise InvalidRequestError(
                "a tool message needs additional_kwargs['tool_call_id'] (the id of the "
                "assistant tool call it answers)"
            )
        wire["content"] = text or ""
        wire["tool_call_id"] = str(tool_call_id)
    elif calls:
        wire["content"] = content or None
        wire["tool_calls"] = calls
    else:
        wire["content"] = content or ""
    name = message.additional_kwargs.get("name")
    if role != "tool" and isinstance(name, str) and name:
        wire["name"] = name
    if thinking:
        wire["thinking"] = "\n".join(thinking)
    if message_cache is not None:
        wire["cache_control"] = (
            dict(message_cache) if isinstance(message_cache, Mapping) else message_cache
        )
    return wire


def _tool_call_from_block(block: ToolCallBlock, index: int) -> dict[str, Any]:
    arguments = block.tool_kwargs if block.tool_kwargs is not None else {}
    return wire_tool_call(block.tool_name, arguments, block.tool_call_id or None, index=index)


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _legacy_tool_calls(raw: Any) -> list[dict[str, Any]]:
    """``additional_kwargs["tool_calls"]``: OpenAI-shape or Anthropic ``tool_use`` calls.

    Each may be a dict or an SDK object (OpenAI's tool call, Anthropic's ToolUseBlock).
    """
    if not raw:
        return []
    calls: list[dict[str, Any]] = []
    for index, call in enumerate(raw):
        anthropic = tool_use(call)
        if anthropic is not None:
            calls.append(wire_tool_call(anthropic.name, anthropic.input, anthropic.id, index=index))
            continue
        function = _field(call, "function")
        name = _field(function, "name") if function is not None else None
        if not isinstance(name, str) or not name:
            raise UnsupportedContentError(
                f"additional_kwargs['tool_calls'][{index}] has no function name: {call!r}"
            )
        arguments = _field(function, "arguments")
        call_id = _field(call, "id")
        calls.append(
            wire_tool_call(
                name,
                arguments if arguments is not None else {},
                call_id if isinstance(call_id, str) and call_id else None,
                index=index,
            )
        )
    return calls


# Tool-calling kwargs a json_schema structured call must not forward.
STRUCTURED_DROPPED_KWARGS = ("tool_choice", "tool_required", "allow_parallel_tool_calls")


def prepare_chat_with_tools(
    tools: Sequence[BaseTool],
    *,
    user_msg: str | ChatMessage | None,
    chat_history: Sequence[ChatMessage] | None,
    tool_required: bool,
    tool_choice: str | dict[str, Any] | None,
    strict: bool | None,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``chat`` kwargs for a tool-calling turn.

    ``tool_choice`` (a tool name, ``"auto"``, ``"none"``, ``"required"`` or an
    OpenAI-style dict) wins over ``tool_required``, which forces the only tool by name,
    or sends ``"required"`` when there are several. ``strict`` sets each function's
    ``strict`` flag when given. ``extra`` (other chat kwargs) is passed on unchanged.

    Raises:
        ToolChoiceError: ``tool_choice`` names a tool that is not given.
    """
    specs = [tool.metadata.to_openai_tool(skip_length_check=True) for tool in tools]
    if strict is not None:
        for spec in specs:
            spec["function"]["strict"] = strict
    messages = list(chat_history or [])
    if isinstance(user_msg, str):
        user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
    if user_msg is not None:
        messages.append(user_msg)
    chat_kwargs: dict[str, Any] = {**extra, "messages": messages}
    if specs:
        chat_kwargs["tools"] = specs
        wanted = tool_choice if tool_choice is not None else (True if tool_required else None)
        choice = resolve_tool_choice(wanted, [spec["function"]["name"] for spec in specs])
        if choice is not None:
            chat_kwargs["tool_choice"] = (
                choice if isinstance(choice, str) else choice.model_dump(mode="json")
            )
    return chat_kwargs


def json_schema_call_kwargs(
    llm_kwargs: Mapping[str, Any] | None, response_format: Mapping[str, Any]
) -> dict[str, Any]:
    """The ``chat`` kwargs of a json_schema structured call.

    Tool-calling kwargs are dropped; a ``response_format`` the caller passed wins.
    """
    kwargs = {k: v for k, v in (llm_kwargs or {}).items() if k not in STRUCTURED_DROPPED_KWARGS}
    kwargs.setdefault("response_format", dict(response_format))
    return kwargs
