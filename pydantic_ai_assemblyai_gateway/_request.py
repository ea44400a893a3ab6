"""The request mapper: pydantic-ai messages and request parameters -> one gateway request body.

The only place pydantic-ai messages are translated; the dict :func:`to_gateway_request`
returns is validated and sent by :class:`assemblyai_gateway.GatewayClient`, which also
decides whether the call streams natively. Nothing here talks HTTP.

Message rules (pydantic-ai runs ``Model.prepare_messages`` before this, so retries,
capability records and the like already are ordinary parts):

=======================================  ==================================================
pydantic-ai part                         gateway message
=======================================  ==================================================
``SystemPromptPart``                     ``{"role": "system"}``
instructions (the agent's)               ``system`` messages after the leading ones
``UserPromptPart``                       ``{"role": "user"}``: text, or text parts;
                                         images, audio, documents and video raise
                                         ``UnsupportedContentError`` (text only)
``ToolReturnPart`` (a retry too)         ``{"role": "tool", "tool_call_id"}`` with the
                                         text pydantic-ai renders for the model
``RetryPromptPart``                      a ``tool`` message for a tool call (validation
                                         errors, ``ModelRetry``), else a ``user`` message
``TextPart``                             the assistant turn's ``content``
``ToolCallPart``                         the assistant turn's ``tool_calls``
``ThinkingPart``                         the assistant turn's ``thinking``, when this
                                         gateway produced it (another provider's is
                                         dropped: its signatures mean nothing here)
provider-native tool calls and returns   dropped (the gateway runs no native tools)
=======================================  ==================================================

Tools are sent in OpenAI shape; ``tool_choice`` is pydantic-ai's own resolution
(``resolve_tool_choice``) spelled by the core's :func:`~assemblyai_gateway._wire.translate.\
resolve_tool_choice`; ``NativeOutput`` becomes a json_schema ``response_format``
(:func:`~assemblyai_gateway._wire.compat.json_schema_format`); ``PromptedOutput`` travels in
the instructions pydantic-ai writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic_ai.messages import (
    BinaryContent,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    RetryPromptPart,
    SystemPromptPart,
    TextContent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models._tool_choice import resolve_tool_choice as resolve_pydantic_ai_choice
from pydantic_ai.output import OutputObjectDefinition
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from assemblyai_gateway._wire.compat import json_schema_format, unsupported_block_error
from assemblyai_gateway._wire.shapes import wire_tool_call
from assemblyai_gateway._wire.translate import resolve_tool_choice
from assemblyai_gateway._wire.types import NamedToolChoice
from assemblyai_gateway.errors import UnsupportedContentError

__all__ = [
    "DEFAULT_OUTPUT_NAME",
    "map_messages",
    "to_gateway_request",
    "tool_fields",
]

DEFAULT_OUTPUT_NAME = "final_result"
"""The json_schema name of a ``NativeOutput`` without one (pydantic-ai's output tool name)."""

_TEXT_SEPARATOR = "\n\n"


def _user_content(part: UserPromptPart) -> str | list[dict[str, str]]:
    if isinstance(part.content, str):
        return part.content
    texts: list[dict[str, str]] = []
    for item in part.content:
        if isinstance(item, str):
            texts.append({"type": "text", "text": item})
        elif isinstance(item, TextContent):
            texts.append({"type": "text", "text": item.content})
        elif isinstance(item, BinaryContent) and item.media_type.startswith("text/"):
            texts.append({"type": "text", "text": item.data.decode("utf-8")})
        else:
            raise unsupported_block_error(type(item).__name__, "user")
    return texts


def _tool_return(part: ToolReturnPart) -> dict[str, Any]:
    text, files = part.model_response_str_and_user_content()
    if files:
        raise UnsupportedContentError(
            f"the tool {part.tool_name!r} returned {type(files[0]).__name__} content; the "
            "AssemblyAI LLM Gateway accepts text only, so return text from the tool"
        )
    return {"role": "tool", "tool_call_id": part.tool_call_id, "content": text}


def _retry(part: RetryPromptPart) -> dict[str, Any]:
    if part.tool_name is None:
        return {"role": "user", "content": part.model_response()}
    return {"role": "tool", "tool_call_id": part.tool_call_id, "content": part.model_response()}


def _request_messages(message: ModelRequest) -> Iterable[dict[str, Any]]:
    for part in message.parts:
        if isinstance(part, SystemPromptPart):
            yield {"role": "system", "content": part.content}
        elif isinstance(part, UserPromptPart):
            yield {"role": "user", "content": _user_content(part)}
        elif isinstance(part, ToolReturnPart):
            yield _tool_return(part)
        elif isinstance(part, RetryPromptPart):
            yield _retry(part)
        else:
            raise UnsupportedContentError(
                f"a request holds a {type(part).__name__}, which this model cannot send; run "
                "the messages through model.prepare_messages() first (Agent does this)"
            )


def _assistant_message(message: ModelResponse, system: str) -> dict[str, Any] | None:
    texts: list[str] = []
    thinking: list[str] = []
    calls: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            texts.append(part.content)
        elif isinstance(part, ToolCallPart):
            call_id = part.tool_call_id or None
            calls.append(
                wire_tool_call(part.tool_name, part.args_as_json_str(), call_id, index=len(calls))
            )
        elif isinstance(part, ThinkingPart):
            if part.content and part.provider_name == system:
                thinking.append(part.content)
        elif isinstance(part, (NativeToolCallPart, NativeToolReturnPart)):
            continue  # another provider's server-side tools: nothing to replay here
        else:
            raise unsupported_block_error(type(part).__name__, "assistant")
    if not texts and not calls and not thinking:
        return None
    content = _TEXT_SEPARATOR.join(texts)
    result: dict[str, Any] = {"role": "assistant", "content": content or (None if calls else "")}
    if calls:
        result["tool_calls"] = calls
    if thinking:
        result["thinking"] = _TEXT_SEPARATOR.join(thinking)
    return result


def map_messages(
    messages: Sequence[ModelMessage], instructions: Sequence[str], *, system: str
) -> list[dict[str, Any]]:
    """Every message as gateway messages; ``instructions`` follow the leading system ones.

    Args:
        messages: The conversation (after ``Model.prepare_messages``).
        instructions: The instruction texts of this request, in order.
        system: The model's provider name: thinking this gateway produced carries it.

    Raises:
        UnsupportedContentError: a part holds content the gateway cannot take.
    """
    wire: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            wire.extend(_request_messages(message))
        elif (assistant := _assistant_message(message, system)) is not None:
            wire.append(assistant)
    leading = next((i for i, m in enumerate(wire) if m["role"] != "system"), len(wire))
    wire[leading:leading] = [{"role": "system", "content": text} for text in instructions]
    return wire


def _tool(definition: ToolDefinition) -> dict[str, Any]:
    function: dict[str, Any] = {
        "name": definition.name,
        "description": definition.description or "",
        "parameters": definition.parameters_json_schema,
    }
    if definition.strict is not None:
        function["strict"] = definition.strict
    return {"type": "function", "function": function}


def tool_fields(settings: ModelSettings | None, params: ModelRequestParameters) -> dict[str, Any]:
    """``tools`` and ``tool_choice`` for a request: pydantic-ai's resolution, on the wire.

    pydantic-ai resolves its ``tool_choice`` setting with the output tools in mind
    (``"required"`` when the output must come from a tool); a choice restricted to some
    tools sends only those, forcing the one by name when exactly one must be called.
    """
    definitions = params.declared_tool_defs
    if not definitions:
        return {}
    resolved = resolve_pydantic_ai_choice(settings, params)
    if isinstance(resolved, tuple):
        mode, names = resolved
        definitions = {name: d for name, d in definitions.items() if name in names}
        resolved = mode
    choice = resolve_tool_choice(resolved, list(definitions))
    return {
        "tools": [_tool(definition) for definition in definitions.values()],
        "tool_choice": choice.model_dump() if isinstance(choice, NamedToolChoice) else choice,
    }


def _response_format(output: OutputObjectDefinition) -> dict[str, Any]:
    return json_schema_format(
        output.name or DEFAULT_OUTPUT_NAME,
        output.json_schema,
        description=output.description,
        strict=output.strict,
    )


def to_gateway_request(
    model: str,
    messages: Sequence[ModelMessage],
    *,
    instructions: Sequence[str],
    settings: ModelSettings | None,
    params: ModelRequestParameters,
    fields: Mapping[str, Any],
    system: str,
) -> dict[str, Any]:
    """The gateway request body of one call.

    Args:
        model: The gateway model id.
        messages: The conversation (after ``Model.prepare_messages``).
        instructions: This request's instruction texts.
        settings: The merged model settings (for pydantic-ai's ``tool_choice``).
        params: The prepared request parameters (tools, output mode).
        fields: The other request fields (:func:`._settings.call_settings`).
        system: The model's provider name (see :func:`map_messages`).

    Raises:
        UnsupportedContentError: a message holds content the gateway cannot take.
    """
    request: dict[str, Any] = {**fields, "model": model}
    request.update(tool_fields(settings, params))
    if params.output_mode == "native" and params.output_object is not None:
        request["response_format"] = _response_format(params.output_object)
    request["messages"] = map_messages(messages, instructions, system=system)
    return request
