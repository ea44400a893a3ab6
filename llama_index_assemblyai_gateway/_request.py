"""The one request mapper: LlamaIndex chat messages and settings -> a gateway request dict.

Pure translation, no I/O. The dict it returns is validated and sent by
:class:`assemblyai_gateway.GatewayClient` (which also decides ``stream``).

Message rules:

* ``system``/``developer`` -> ``system``; ``user`` -> ``user``;
  ``assistant``/``chatbot``/``model`` -> ``assistant``; ``tool``/``function`` -> ``tool``.
* :class:`~llama_index.core.base.llms.types.TextBlock` text is joined with newlines
  (the same text ``ChatMessage.content`` shows).
* An assistant message's tool calls come from its
  :class:`~llama_index.core.base.llms.types.ToolCallBlock` blocks, else from
  ``additional_kwargs["tool_calls"]`` (OpenAI-shape dicts or objects). They become the
  gateway's ``tool_calls``, with ``content`` ``None`` when the message has no text.
* A ``tool`` message needs ``additional_kwargs["tool_call_id"]``.
* ``ThinkingBlock`` and ``CachePoint`` carry nothing the gateway reads and are dropped;
  any other block (image, audio, video, document, citation, ...) raises
  :class:`~assemblyai_gateway.errors.UnsupportedContentError` naming the block.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    CachePoint,
    ChatMessage,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from assemblyai_gateway import InvalidRequestError, UnsupportedContentError
from assemblyai_gateway.translate import check_call_kwargs, tool_arguments_json
from assemblyai_gateway.types import stable_tool_call_id

__all__ = ["IGNORED_CALL_KWARGS", "build_request", "message_to_gateway"]

# Keys a caller may pass that the core owns (it decides streaming on its own).
IGNORED_CALL_KWARGS = frozenset({"stream", "stream_options"})

_ROLES: dict[MessageRole, str] = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}

_DROPPED_BLOCKS = (ThinkingBlock, CachePoint)


def build_request(
    messages: Sequence[ChatMessage],
    *,
    settings: Mapping[str, Any],
    call_kwargs: Mapping[str, Any],
) -> dict[str, Any]:
    """Build the request body for one call.

    Args:
        messages: The conversation, oldest first.
        settings: The LLM's fields as request keys (``model``, ``temperature``,
            ``fallbacks``, ... and its ``additional_kwargs``), lowest precedence.
        call_kwargs: Keyword arguments of this call (``tools``, ``tool_choice``,
            ``response_format``, any extra gateway field); they win over ``settings``.

    ``None`` means "not set" everywhere: such keys are left out (a call kwarg set to
    ``None`` removes the setting). ``stream``/``stream_options`` are ignored.

    Raises:
        InvalidRequestError: a call kwarg is a client setting (``api_key``, ...) or
            neither a request field nor one of ``settings``' extra fields.
    """
    check_call_kwargs(
        [key for key in call_kwargs if key not in IGNORED_CALL_KWARGS and key != "messages"],
        extra_fields=settings.keys(),
    )
    request: dict[str, Any] = {}
    for source in (settings, call_kwargs):
        for key, value in source.items():
            if key in IGNORED_CALL_KWARGS or key == "messages":
                continue
            if value is None:
                request.pop(key, None)
            else:
                request[key] = value
    request["messages"] = [message_to_gateway(message) for message in messages]
    return request


def message_to_gateway(message: ChatMessage) -> dict[str, Any]:
    """One LlamaIndex message as a gateway message dict.

    Raises:
        UnsupportedContentError: the message holds a non-text block, or tool calls
            outside an assistant message.
        InvalidRequestError: a tool message without ``additional_kwargs["tool_call_id"]``.
    """
    role = _ROLES.get(message.role)
    if role is None:  # pragma: no cover - MessageRole is closed today
        raise UnsupportedContentError(f"unsupported message role {message.role!r}")
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in message.blocks:
        if isinstance(block, TextBlock):
            texts.append(block.text)
        elif isinstance(block, ToolCallBlock):
            if role != "assistant":
                raise UnsupportedContentError(
                    f"a {role} message holds a ToolCallBlock; tool calls belong to "
                    "assistant messages"
                )
            calls.append(_tool_call_from_block(block, len(calls)))
        elif isinstance(block, _DROPPED_BLOCKS):
            continue
        else:
            raise UnsupportedContentError(
                f"a {role} message holds a {type(block).__name__}: the AssemblyAI LLM "
                "Gateway accepts text content only (TextBlock)"
            )
    if role == "assistant" and not calls:
        calls = _legacy_tool_calls(message.additional_kwargs.get("tool_calls"))
    text = "\n".join(texts) if texts else None
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
        return wire
    if calls:
        wire["content"] = text or None
        wire["tool_calls"] = calls
    else:
        wire["content"] = text or ""
    name = message.additional_kwargs.get("name")
    if isinstance(name, str) and name:
        wire["name"] = name
    return wire


def _wire_call(call_id: str | None, name: str, arguments: str, index: int) -> dict[str, Any]:
    return {
        "id": call_id or stable_tool_call_id(index, name, arguments),
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _tool_call_from_block(block: ToolCallBlock, index: int) -> dict[str, Any]:
    arguments = tool_arguments_json(block.tool_kwargs, tool=block.tool_name)
    return _wire_call(block.tool_call_id, block.tool_name, arguments, index)


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _legacy_tool_calls(raw: Any) -> list[dict[str, Any]]:
    """``additional_kwargs["tool_calls"]``: OpenAI-shape dicts or SDK-style objects."""
    if not raw:
        return []
    calls: list[dict[str, Any]] = []
    for index, call in enumerate(raw):
        function = _field(call, "function")
        name = _field(function, "name") if function is not None else None
        if not isinstance(name, str) or not name:
            raise UnsupportedContentError(
                f"additional_kwargs['tool_calls'][{index}] has no function name: {call!r}"
            )
        arguments = tool_arguments_json(_field(function, "arguments"), tool=name)
        call_id = _field(call, "id")
        calls.append(
            _wire_call(call_id if isinstance(call_id, str) else None, name, arguments, index)
        )
    return calls
