"""Framework-free translation rules that both adapters share, so they cannot disagree.

* :func:`resolve_tool_choice` maps every tool-choice spelling the frameworks use onto
  what the gateway accepts.
* :func:`response_metadata` names the gateway's response fields the same way in
  LangChain's ``response_metadata`` and LlamaIndex's ``additional_kwargs``: the
  provider's own ``finish_reason`` and, beside it, ``normalised_finish_reason`` from
  the one table in :func:`~assemblyai_gateway.normalise_finish_reason`.
* :func:`validate_request` refuses bad input with a typed error naming the field,
  before anything is sent.

Which keyword arguments become request fields is the rule in
:mod:`assemblyai_gateway._adapting.arguments`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._transport.untrusted_text import loads_untrusted
from ..errors import ToolChoiceError
from .accumulator import CompletionSnapshot
from .finish_reasons import normalise_finish_reason
from .request_checks import validate_request
from .types import (
    ChatCompletion,
    NamedToolChoice,
    NamedToolChoiceFunction,
    ToolChoice,
    Usage,
)

__all__ = [
    "MODEL_PROVIDER",
    "ToolChoiceError",
    "loads_server_json",
    "resolve_tool_choice",
    "response_metadata",
    "snapshot_metadata",
    "usage_counts",
    "validate_request",
]

MODEL_PROVIDER = "assemblyai"

loads_server_json = loads_untrusted
"""``json.loads`` for text the gateway sent (tool arguments, ...): any failure, absurd
nesting included, is a ``ValueError``, so adapters treat it as malformed JSON."""


def _force(name: str) -> NamedToolChoice:
    return NamedToolChoice(function=NamedToolChoiceFunction(name=name))


def resolve_tool_choice(choice: Any, tool_names: Sequence[str]) -> ToolChoice | None:
    """Map a framework's tool choice onto the gateway's.

    ================================  =============================================
    ``choice``                        sent to the gateway
    ================================  =============================================
    ``None``                          nothing (the gateway's default is ``"auto"``)
    ``"auto"`` / ``"none"``           the same
    ``"any"``, ``"required"``,        the single tool forced by name when exactly
    ``True``                          one is bound, else ``"required"``
    ``False``                         ``"none"``
    a bound tool's name               that tool forced by name
    ``{"type": "function",            the same (the name must be bound)
    "function": {"name": ...}}``
    ``{"type": "auto"|"none"|"any"}`` as for the string
    ================================  =============================================

    Raises:
        ToolChoiceError: for a name that is not bound, or an unrecognised shape.
    """
    if choice is None:
        return None
    if isinstance(choice, bool):
        choice = "required" if choice else "none"
    if isinstance(choice, Mapping):
        function = choice.get("function")
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            choice = function["name"]
        elif isinstance(choice.get("name"), str):
            choice = choice["name"]
        elif choice.get("type") in ("auto", "none", "any", "required"):
            choice = choice["type"]
        else:
            raise ToolChoiceError(f"unrecognised tool_choice {dict(choice)!r}")
    if not isinstance(choice, str):
        raise ToolChoiceError(f"unrecognised tool_choice {choice!r}")
    if choice in ("auto", "none"):
        return "auto" if choice == "auto" else "none"
    if choice in ("any", "required"):
        return _force(tool_names[0]) if len(tool_names) == 1 else "required"
    if choice in tool_names:
        return _force(choice)
    raise ToolChoiceError(
        f"tool_choice names {choice!r}, which is not among the bound tools {list(tool_names)!r}"
    )


def usage_counts(usage: Usage | None) -> dict[str, int]:
    """Usage as OpenAI-style ``prompt_tokens``/``completion_tokens``/``total_tokens``.

    When the gateway reported details, they follow under the names
    llama-index-llms-anthropic uses (``cache_read_input_tokens``,
    ``cache_creation_input_tokens``) and ``reasoning_tokens``: parts of the prompt and
    completion counts, never added to them.

    Example:
        >>> usage = Usage.model_validate(
        ...     {"prompt_tokens": 9, "completion_tokens": 4,
        ...      "prompt_tokens_details": {"cached_tokens": 6}}
        ... )
        >>> usage_counts(usage)  # doctest: +NORMALIZE_WHITESPACE
        {'prompt_tokens': 9, 'completion_tokens': 4, 'total_tokens': 13,
         'cache_read_input_tokens': 6, 'cache_creation_input_tokens': 0}
    """
    if usage is None:
        return {}
    counts = {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.prompt_tokens_details is not None:
        counts["cache_read_input_tokens"] = usage.cache_read_tokens
        counts["cache_creation_input_tokens"] = usage.cache_creation_tokens
    if usage.completion_tokens_details is not None:
        counts["reasoning_tokens"] = usage.reasoning_tokens
    return counts


def _metadata(
    response_id: str | None,
    served_model: str | None,
    finish_reason: str | None,
    has_tool_calls: bool,
    fields: Mapping[str, Any],
    requested_model: str,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "request_id": response_id,
        "model_name": served_model or requested_model,
        "finish_reason": finish_reason,
        "normalised_finish_reason": normalise_finish_reason(
            finish_reason, has_tool_calls=has_tool_calls
        ),
        "response_time_ns": fields.get("response_time"),
        "llm_status_code": fields.get("llm_status_code"),
        "http_status_code": fields.get("http_status_code"),
        "model_provider": MODEL_PROVIDER,
    }
    return {key: value for key, value in metadata.items() if value is not None}


def response_metadata(completion: ChatCompletion, requested_model: str) -> dict[str, Any]:
    """The gateway's response fields under the names both adapters expose.

    ``model_name`` is the model that served the call (a fallback's when one did), else
    the requested model. ``finish_reason`` is the provider's own word and
    ``normalised_finish_reason`` its meaning in OpenAI's words (``stop``, ``length``,
    ``tool_calls``, ``content_filter``). Fields the gateway did not send are left out.
    """
    choice = completion.choices[0] if completion.choices else None
    return _metadata(
        completion.response_id,
        completion.served_model,
        choice.finish_reason if choice else None,
        bool(choice and choice.tool_calls),
        {
            "response_time": completion.response_time,
            "llm_status_code": completion.llm_status_code,
            "http_status_code": completion.http_status_code,
        },
        requested_model,
    )


def snapshot_metadata(snapshot: CompletionSnapshot, requested_model: str) -> dict[str, Any]:
    """:func:`response_metadata` for a stream in progress, without building a completion.

    It gives the same result as ``response_metadata(snapshot.to_completion(), ...)``.
    """
    choice = snapshot.choices[min(snapshot.choices)] if snapshot.choices else None
    echoed = snapshot.extras.get("request")
    echoed_model = echoed.get("model") if isinstance(echoed, Mapping) else None
    served = snapshot.model or (echoed_model if isinstance(echoed_model, str) else None)
    return _metadata(
        snapshot.request_id or snapshot.id,
        served,
        choice.finish_reason if choice else None,
        bool(choice and choice.tool_calls),
        snapshot.extras,
        requested_model,
    )
