"""The model catalog: what the gateway serves, in one table.

To add or update a model, edit ``_CATALOG_ROWS`` (one line per model) or call
:func:`register_model` at run time. Unknown ids never raise: they get
:func:`default_model_info`, a conservative profile that works with every adapter
(no native SSE, tools allowed, served in both regions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = [
    "CONSERVATIVE_CONTEXT_WINDOW",
    "CONSERVATIVE_MAX_OUTPUT_TOKENS",
    "ModelInfo",
    "Provider",
    "default_model_info",
    "get_model_info",
    "known_models",
    "register_model",
]

Provider = Literal["anthropic", "openai", "google", "unknown"]

CONSERVATIVE_CONTEXT_WINDOW = 128_000
CONSERVATIVE_MAX_OUTPUT_TOKENS = 4_096


@dataclass(frozen=True)
class ModelInfo:
    """What the adapters need to know about one gateway model.

    Attributes:
        id: The model id as the gateway names it.
        provider: Who trains the model.
        context_window: Input plus output tokens the model accepts.
        max_output_tokens: The most tokens one completion may produce.
        native_streaming: Whether the gateway streams it with SSE (OpenAI models only).
        supports_json_schema: Whether ``response_format`` json_schema is accepted.
        supports_tools: Whether the model accepts ``tools``.
        eu_available: Whether the EU endpoint serves it (OpenAI models are US-only).
        known: False for the conservative profile given to ids not in the catalog.
        retired: The date the gateway stopped serving it, when announced.

    Examples:
        >>> from assemblyai_gateway.catalog import get_model_info
        >>> get_model_info("gpt-5").native_streaming
        True
        >>> get_model_info("some-new-model").known
        False
    """

    id: str
    provider: Provider
    context_window: int
    max_output_tokens: int
    native_streaming: bool = False
    supports_json_schema: bool = True
    supports_tools: bool = True
    eu_available: bool = True
    known: bool = True
    retired: str | None = None


def _claude(model_id: str, max_out: int, retired: str | None = None) -> ModelInfo:
    return ModelInfo(model_id, "anthropic", 200_000, max_out, retired=retired)


def _openai(model_id: str, context: int, max_out: int, json_schema: bool = True) -> ModelInfo:
    return ModelInfo(
        model_id,
        "openai",
        context,
        max_out,
        native_streaming=True,
        supports_json_schema=json_schema,
        eu_available=False,
    )


def _gemini(model_id: str) -> ModelInfo:
    return ModelInfo(model_id, "google", 1_048_576, 65_536)


# Context windows and output limits are the providers' published numbers.
_CATALOG_ROWS: tuple[ModelInfo, ...] = (
    _claude("claude-opus-4-6", 128_000),
    _claude("claude-sonnet-4-6", 64_000),
    _claude("claude-opus-4-5-20251101", 64_000),
    _claude("claude-sonnet-4-5-20250929", 64_000),
    _claude("claude-haiku-4-5-20251001", 64_000),
    _claude("claude-opus-4-20250514", 32_000),
    _claude("claude-sonnet-4-20250514", 64_000),
    _claude("claude-3-haiku-20240307", 4_096, retired="2026-04-20"),
    _openai("gpt-5.2", 400_000, 128_000),
    _openai("gpt-5.1", 400_000, 128_000),
    _openai("gpt-5", 400_000, 128_000),
    _openai("gpt-5-mini", 400_000, 128_000),
    _openai("gpt-5-nano", 400_000, 128_000),
    _openai("gpt-4.1", 1_047_576, 32_768),
    _openai("gpt-oss-120b", 131_072, 131_072, json_schema=False),
    _openai("gpt-oss-20b", 131_072, 131_072, json_schema=False),
    _gemini("gemini-3-pro-preview"),
    _gemini("gemini-3-flash-preview"),
    _gemini("gemini-2.5-pro"),
    _gemini("gemini-2.5-flash"),
    _gemini("gemini-2.5-flash-lite"),
)

_CATALOG: dict[str, ModelInfo] = {info.id: info for info in _CATALOG_ROWS}

_PROVIDER_PREFIXES: tuple[tuple[str, Provider], ...] = (
    ("claude", "anthropic"),
    ("gpt", "openai"),
    ("gemini", "google"),
)


def default_model_info(model_id: str) -> ModelInfo:
    """The conservative profile for an id the catalog does not know.

    The provider is guessed from the id's prefix for display only; every
    capability that could break a request (native SSE, US-only) stays off.
    """
    provider: Provider = "unknown"
    for prefix, candidate in _PROVIDER_PREFIXES:
        if model_id.startswith(prefix):
            provider = candidate
            break
    return ModelInfo(
        model_id,
        provider,
        CONSERVATIVE_CONTEXT_WINDOW,
        CONSERVATIVE_MAX_OUTPUT_TOKENS,
        known=False,
    )


def get_model_info(model_id: str) -> ModelInfo:
    """Look a model up; unknown ids get :func:`default_model_info` and never raise."""
    info = _CATALOG.get(model_id)
    return info if info is not None else default_model_info(model_id)


def known_models() -> tuple[ModelInfo, ...]:
    """Every model in the catalog, in table order."""
    return tuple(_CATALOG.values())


def register_model(info: ModelInfo) -> None:
    """Add or replace a catalog entry at run time (for ids newer than this release)."""
    _CATALOG[info.id] = replace(info, known=True)
