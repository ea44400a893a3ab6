"""The model's settings: pydantic-ai's ``ModelSettings`` and the gateway's extras as request fields.

pydantic-ai names a provider's own settings with the provider's prefix
(``openai_reasoning_effort``); the gateway's extras are ``assemblyai_*`` keys of
:class:`AssemblyAIGatewayModelSettings`. :func:`call_settings` turns a request's merged
settings into the gateway request fields and the client options of one call:

=============================================  ============================================
setting                                        becomes
=============================================  ============================================
``max_tokens``, ``temperature``, ``top_p``,    the request field of the same name
``top_k``, ``seed``, ``presence_penalty``,
``frequency_penalty``, ``logit_bias``
``parallel_tool_calls``                        the request field, when tools are sent
``thinking`` (``True`` or an effort)           ``reasoning: {"effort": ...}`` (``True`` is
                                               ``"medium"``; ``False`` sends nothing), unless
                                               ``assemblyai_reasoning`` is set
``assemblyai_<field>``                         the request field ``<field>``: ``fallbacks``,
                                               ``fallback_config``, ``post_processing_steps``,
                                               ``transcript_id``, ``reasoning``,
                                               ``zero_data_retention``, ``model_region``,
                                               ``fail_fast``, ``max_timeout``
``extra_body``                                 its keys, as request fields
``timeout``, ``max_retries``, ``extra_headers``  this call's client (seconds or an
                                               ``httpx.Timeout``; retries; headers)
``stop_sequences``, ``service_tier``           nothing: the gateway has no such field, and
                                               pydantic-ai warns (``UnsupportedSettingWarning``)
=============================================  ============================================

Every request field named here goes through the core's per-call argument rule
(:mod:`assemblyai_gateway._adapting.arguments`): a client setting (``assemblyai_api_key``, an
``extra_body`` holding ``base_url``) raises ``MisplacedClientSettingError``, a field the
model builds (``messages``, ``stream``) or a near miss of a known field
(``assemblyai_transcript``) raises ``UnexpectedArgumentError``, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic_ai.settings import ModelSettings

from assemblyai_gateway._adapting.arguments import ArgumentRule

__all__ = [
    "GATEWAY_SETTING_PREFIX",
    "UNSUPPORTED_SETTINGS",
    "AssemblyAIGatewayModelSettings",
    "CallSettings",
    "ClientOptions",
    "call_settings",
]

GATEWAY_SETTING_PREFIX = "assemblyai_"
"""The prefix of the gateway's own settings (pydantic-ai's convention: ``openai_...``)."""

UNSUPPORTED_SETTINGS: frozenset[str] = frozenset({"stop_sequences", "service_tier"})
"""``ModelSettings`` the gateway has no field for: never sent, and warned about."""


class AssemblyAIGatewayModelSettings(ModelSettings, total=False):
    """pydantic-ai's ``ModelSettings`` plus the gateway's extras (all optional).

    Use it wherever pydantic-ai takes settings: ``AssemblyAIGatewayModel(settings=...)``,
    ``Agent(model_settings=...)`` or ``agent.run(..., model_settings=...)``.

    Example:
        ```python
        from pydantic_ai import Agent

        from pydantic_ai_assemblyai_gateway import (
            AssemblyAIGatewayModel,
            AssemblyAIGatewayModelSettings,
        )

        settings = AssemblyAIGatewayModelSettings(
            max_tokens=300,
            assemblyai_fallbacks=["gpt-5"],
            assemblyai_zero_data_retention=True,
        )
        agent = Agent(AssemblyAIGatewayModel("claude-opus-4-6"), model_settings=settings)
        print(agent.run_sync("Summarise the meeting in one line.").output)
        ```
    """

    assemblyai_fallbacks: Sequence[str | Mapping[str, Any]]
    """Models the gateway tries when the first fails: ids, or ``{"model": ..., <overrides>}``."""

    assemblyai_fallback_config: Mapping[str, Any]
    """How the gateway falls back: ``{"retry": bool, "depth": 0-2}``."""

    assemblyai_post_processing_steps: Sequence[str | Mapping[str, Any]]
    """Server-side steps such as ``"json-repair"``."""

    assemblyai_transcript_id: str
    """An AssemblyAI transcript whose text replaces ``{{ transcript }}`` in the messages."""

    assemblyai_reasoning: Mapping[str, Any]
    """The gateway's ``reasoning`` object, e.g. ``{"effort": "low"}``; wins over ``thinking``."""

    assemblyai_zero_data_retention: bool
    """Ask the gateway and the model provider to keep nothing of the request."""

    assemblyai_model_region: str
    """Where the model provider should serve the request."""

    assemblyai_fail_fast: bool
    """Fail rather than queue when the model is busy."""

    assemblyai_max_timeout: float
    """The gateway's own deadline for the whole request, in seconds."""


# ModelSettings sent as request fields under the same name.
_PLAIN_FIELDS = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
)
# The gateway extras this release declares (their names without the prefix).
_GATEWAY_FIELDS = tuple(
    name.removeprefix(GATEWAY_SETTING_PREFIX)
    for name in AssemblyAIGatewayModelSettings.__annotations__
    if name.startswith(GATEWAY_SETTING_PREFIX)
)
_DEFAULT_EFFORT = "medium"


@dataclass(frozen=True)
class ClientOptions:
    """What one call changes about the client: ``timeout``, ``max_retries``, headers.

    ``None`` (and no headers) means "as the provider's client is configured".
    """

    timeout: float | httpx.Timeout | None = None
    max_retries: int | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def is_default(self) -> bool:
        """Whether the provider's own client serves the call."""
        return self.timeout is None and self.max_retries is None and not self.headers


@dataclass(frozen=True)
class CallSettings:
    """One call's request fields (beyond model, messages and tools) and client options."""

    fields: dict[str, Any]
    client: ClientOptions


def _reasoning(thinking: object) -> dict[str, Any] | None:
    """pydantic-ai's unified ``thinking`` as the gateway's ``reasoning`` object."""
    if thinking is None or thinking is False:
        return None
    if thinking is True:
        return {"effort": _DEFAULT_EFFORT}
    return {"effort": thinking}


def _extra_body(settings: Mapping[str, Any]) -> dict[str, Any]:
    body = settings.get("extra_body")
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise TypeError(
            f"extra_body must be a mapping of request fields, got {type(body).__name__}"
        )
    return dict(body)


def _client_options(settings: Mapping[str, Any]) -> ClientOptions:
    headers = settings.get("extra_headers") or {}
    return ClientOptions(
        timeout=settings.get("timeout"),
        max_retries=settings.get("max_retries"),
        headers=tuple(sorted(dict(headers).items())),
    )


def call_settings(
    settings: Mapping[str, Any] | None,
    *,
    rule: ArgumentRule,
    thinking: object = None,
    sends_tools: bool,
) -> CallSettings:
    """The request fields and client options of one call (see the module's table).

    Args:
        settings: The request's merged model settings (``None``: none).
        rule: The provider's argument rule; every request field named here is checked.
        thinking: pydantic-ai's resolved ``thinking`` for the request.
        sends_tools: Whether the request sends tools (``parallel_tool_calls`` needs them).

    Raises:
        MisplacedClientSettingError: a request field that is a client setting.
        UnexpectedArgumentError: a field the model builds, or a near miss of a known one.
        TypeError: ``extra_body`` is not a mapping.

    Examples:
        >>> from assemblyai_gateway._adapting.arguments import ArgumentRule
        >>> rule = ArgumentRule("Provider", frozenset({"api_key"}), {"api_key": "api_key"})
        >>> call = call_settings(
        ...     {"temperature": 0, "assemblyai_fallbacks": ["gpt-5"], "timeout": 30},
        ...     rule=rule,
        ...     thinking="low",
        ...     sends_tools=False,
        ... )
        >>> call.fields
        {'temperature': 0, 'reasoning': {'effort': 'low'}, 'fallbacks': ['gpt-5']}
        >>> call.client.timeout
        30
    """
    given: Mapping[str, Any] = settings or {}
    fields: dict[str, Any] = {name: given[name] for name in _PLAIN_FIELDS if name in given}
    if sends_tools and "parallel_tool_calls" in given:
        fields["parallel_tool_calls"] = given["parallel_tool_calls"]
    if (reasoning := _reasoning(thinking)) is not None:
        fields["reasoning"] = reasoning
    fields.update(
        (name.removeprefix(GATEWAY_SETTING_PREFIX), value)
        for name, value in given.items()
        if name.startswith(GATEWAY_SETTING_PREFIX)
    )
    fields.update(_extra_body(given))
    rule.check_call(list(fields), known=_GATEWAY_FIELDS)
    return CallSettings(
        {name: value for name, value in fields.items() if value is not None},
        _client_options(given),
    )
