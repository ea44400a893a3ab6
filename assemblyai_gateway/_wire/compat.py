"""Rules for what other providers and the frameworks' conventions become on the wire.

Both adapters apply these, so a history built with another provider, or code written
for ``ChatOpenAI`` / LlamaIndex's ``OpenAI``, behaves the same through either:

* :func:`gateway_role`: every role spelling the frameworks use, mapped onto the four
  the gateway accepts (``developer`` is a ``system`` turn);
* :func:`content_block_kind`: which content blocks are text, which are reasoning (dropped
  from assistant turns: the gateway takes text only), which are tool calls, and
  :func:`unsupported_block_error` for the rest; :func:`tool_use` reads an Anthropic
  ``tool_use`` block (a dict or an SDK object);
* :func:`json_schema_format`, :func:`json_mode_format` and :func:`structured_method`:
  structured output spelled the way the spec allows, for every model a request reaches;
* :func:`unknown_arguments_error` and :func:`closest_name`: a misspelt argument is
  refused with a suggestion, never dropped;
* :func:`missing_framework_error`: an adapter imported without its framework says which
  extra to install.

Pure functions, standard library only.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import Any, Literal, NamedTuple

from ..catalog import RouteCapabilities
from ..errors import UnexpectedArgumentError, UnsupportedContentError

__all__ = [
    "JSON_MODE_SCHEMA_NAME",
    "REASONING_BLOCK_TYPES",
    "TOOL_CALL_BLOCK_TYPES",
    "TYPO_CUTOFF",
    "BlockKind",
    "StructuredMethod",
    "ToolUse",
    "closest_name",
    "content_block_kind",
    "gateway_role",
    "json_mode_format",
    "json_schema_format",
    "missing_framework_error",
    "structured_method",
    "tool_use",
    "unknown_arguments_error",
    "unsupported_block_error",
]

_ROLES: dict[str, str] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "chatbot": "assistant",
    "model": "assistant",
    "tool": "tool",
    "function": "tool",
}

REASONING_BLOCK_TYPES: frozenset[str] = frozenset({"reasoning", "thinking", "redacted_thinking"})
"""Reasoning from OpenAI (LangChain's standard ``reasoning``) and Anthropic (``thinking``,
``redacted_thinking``): dropped from assistant turns, the gateway takes text only."""

TOOL_CALL_BLOCK_TYPES: frozenset[str] = frozenset(
    {"tool_call", "tool_call_chunk", "invalid_tool_call", "tool_use"}
)
"""Blocks that are tool calls: LangChain's own and Anthropic's ``tool_use``."""

BlockKind = Literal["text", "reasoning", "tool_call", "unsupported"]
StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]

JSON_MODE_SCHEMA_NAME = "json_object"
"""The schema name :func:`json_mode_format` sends for "any JSON object"."""


def gateway_role(role: str) -> str:
    """The gateway role (system, user, assistant or tool) for a framework's role.

    Raises:
        UnsupportedContentError: a role the gateway has no equivalent for.

    Examples:
        >>> gateway_role("developer"), gateway_role("human"), gateway_role("model")
        ('system', 'user', 'assistant')
    """
    mapped = _ROLES.get(role.lower())
    if mapped is None:
        raise UnsupportedContentError(
            f"the role {role!r} has no equivalent in the AssemblyAI LLM Gateway, which "
            "accepts system, user, assistant and tool messages"
        )
    return mapped


def content_block_kind(block_type: object) -> BlockKind:
    """What a content block of this ``type`` is, for the gateway.

    Examples:
        >>> [content_block_kind(t) for t in ("text", "thinking", "tool_use", "image")]
        ['text', 'reasoning', 'tool_call', 'unsupported']
    """
    if block_type == "text":
        return "text"
    if block_type in REASONING_BLOCK_TYPES:
        return "reasoning"
    if block_type in TOOL_CALL_BLOCK_TYPES:
        return "tool_call"
    return "unsupported"


class ToolUse(NamedTuple):
    """An Anthropic-format tool call: ``{"type": "tool_use", "id", "name", "input"}``."""

    id: str | None
    name: str
    input: Any


def tool_use(block: object) -> ToolUse | None:
    """The tool call in an Anthropic ``tool_use`` block (a dict or an SDK object), or None.

    Examples:
        >>> tool_use({"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}})
        ToolUse(id='toolu_1', name='f', input={'a': 1})
        >>> tool_use({"type": "text", "text": "hi"}) is None
        True
    """

    def field(name: str) -> Any:
        return block.get(name) if isinstance(block, Mapping) else getattr(block, name, None)

    name = field("name")
    if field("type") != "tool_use" or not isinstance(name, str) or not name:
        return None
    call_id = field("id")
    arguments = field("input")
    return ToolUse(
        call_id if isinstance(call_id, str) and call_id else None,
        name,
        arguments if arguments is not None else {},
    )


def unsupported_block_error(block_type: object, role: str) -> UnsupportedContentError:
    """The error for a content block the gateway cannot take, naming its type."""
    return UnsupportedContentError(
        f"a {role} message holds a {block_type!r} content block, but the AssemblyAI LLM "
        "Gateway accepts text only; send the text (e.g. a transcript) instead"
    )


def json_schema_format(
    name: str,
    schema: Mapping[str, Any],
    *,
    description: str | None = None,
    strict: bool | None = None,
) -> dict[str, Any]:
    """A json_schema ``response_format`` in the shape the spec allows.

    The spec's ``json_schema`` has no ``description``; a description goes into the
    schema itself (JSON Schema's own ``description``), unless the schema has one.
    The caller's ``schema`` is not changed.

    Examples:
        >>> json_schema_format("Joke", {"type": "object"}, description="A joke.")
        {'type': 'json_schema', 'json_schema': {'name': 'Joke', 'schema': {'type': 'object', \
'description': 'A joke.'}}}
    """
    body = dict(schema)
    if description and "description" not in body:
        body["description"] = description
    config: dict[str, Any] = {"name": name, "schema": body}
    if strict is not None:
        config["strict"] = strict
    return {"type": "json_schema", "json_schema": config}


def json_mode_format(route: RouteCapabilities) -> dict[str, Any] | None:
    """JSON mode ("answer with any JSON object") as the spec spells it, or None.

    The spec has no ``{"type": "json_object"}``; a json_schema whose schema is any
    object says the same. When a model the request can reach has no json_schema
    support, nothing is sent and the adapter's JSON instruction alone asks for JSON.
    """
    if not route.supports_json_schema:
        return None
    return json_schema_format(
        JSON_MODE_SCHEMA_NAME, {"type": "object", "additionalProperties": True}
    )


def structured_method(requested: StructuredMethod, route: RouteCapabilities) -> StructuredMethod:
    """The structured-output method to use for every model the request can reach.

    ``json_schema`` becomes ``function_calling`` (a forced tool call) when any of the
    models lacks json_schema support, e.g. a ``gpt-oss`` fallback; the others stay.
    """
    if requested == "json_schema" and not route.supports_json_schema:
        return "function_calling"
    return requested


TYPO_CUTOFF = 0.85
"""How alike two names must be (difflib's ratio) for one to be taken as a typo of the other."""


def closest_name(name: str, known: Collection[str], cutoff: float = 0.6) -> str | None:
    """The known name most like ``name``, if any is at least ``cutoff`` alike.

    Examples:
        >>> closest_name("temprature", ["temperature", "tools"], cutoff=TYPO_CUTOFF)
        'temperature'
        >>> closest_name("top_p", ["temperature", "tools"], cutoff=TYPO_CUTOFF) is None
        True
    """
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def unknown_arguments_error(
    owner: str, unknown: Collection[str], known: Collection[str]
) -> UnexpectedArgumentError:
    """An ``UnexpectedArgumentError`` (a ``TypeError``) naming each unknown argument.

    Each is named with the closest known name, when one is alike.

    Examples:
        >>> str(unknown_arguments_error("LLM", ["temprature"], ["temperature", "model"]))
        "LLM got unexpected argument(s): 'temprature' (did you mean 'temperature'?)"
    """
    described = []
    for name in sorted(unknown):
        close = closest_name(name, known)
        described.append(f"{name!r} (did you mean {close!r}?)" if close else repr(name))
    return UnexpectedArgumentError(f"{owner} got unexpected argument(s): {', '.join(described)}")


def missing_framework_error(
    error: ModuleNotFoundError, *, framework: str, extra: str
) -> ModuleNotFoundError | None:
    """The error to raise when an adapter's import failed because ``framework`` is missing.

    Args:
        error: What the import raised.
        framework: The framework's top module, e.g. ``"langchain_core"``.
        extra: The package extra that installs it, e.g. ``"langchain"``.

    Returns:
        A ``ModuleNotFoundError`` naming the ``pip install`` command, or None when
        another module is missing (then the original error stands).

    Examples:
        >>> error = ModuleNotFoundError("No module named 'langchain_core'", name="langchain_core")
        >>> print(missing_framework_error(error, framework="langchain_core", extra="langchain"))
        langchain_core is not installed: pip install 'assemblyai-llm-gateway[langchain]'
    """
    missing = error.name or ""
    if not (
        missing == framework
        or missing.startswith(f"{framework}.")
        or framework.startswith(f"{missing}.")
    ):
        return None
    return ModuleNotFoundError(
        f"{framework} is not installed: pip install 'assemblyai-llm-gateway[{extra}]'",
        name=missing,
    )
