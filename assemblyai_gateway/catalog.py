"""The model catalog: what the gateway serves, in one table, and what its live list says.

To add or update a model, edit ``_CATALOG_ROWS`` (one line per model) or call
:func:`register_model` at run time. Unknown ids never raise: they get
:func:`default_model_info`, a conservative profile that works with every adapter
(no native SSE, tools allowed, served in both regions).

The gateway's live model list (``GET {base_url}/models``, see
:mod:`assemblyai_gateway.model_list`) is read for a base URL when a decision needs a
model this table does not know, or when asked. Once read, it describes the models it
lists for that base URL (:func:`get_model_info` with ``base_url``): the list is the
vendor's own word, so it wins over the table; the table fills what it leaves unsaid.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from ._live_models import memory as _model_list_memory
from ._transport.setting_sources import BASE_URL_ENV, REGION_BASE_URLS

if TYPE_CHECKING:
    from .model_list import ListedModel

__all__ = [
    "CONSERVATIVE_CONTEXT_WINDOW",
    "CONSERVATIVE_MAX_OUTPUT_TOKENS",
    "Capability",
    "ModelInfo",
    "Provider",
    "RouteCapabilities",
    "default_base_url",
    "default_model_info",
    "get_model_info",
    "info_from_listed",
    "is_table_model",
    "known_models",
    "model_list_entry",
    "register_model",
    "route_capabilities",
    "route_model_ids",
    "table_model_info",
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
        native_streaming: Whether the gateway streams it with SSE: the live list names
            ``stream`` among its supported parameters (the table says so for OpenAI's).
        supports_json_schema: Whether ``response_format`` json_schema is accepted.
        supports_tools: Whether the model accepts ``tools``.
        eu_available: Whether the EU endpoint serves it (OpenAI models are US-only).
        known: False for the conservative profile given to ids not in the catalog.
        retired: The date (ISO 8601) the gateway stops, or stopped, serving it, when
            announced; see :attr:`retirement_date`.
        supports_reasoning: Whether the model takes a ``reasoning`` setting (thinks
            before it answers).
        regions: The regions that serve it (``"us"``, ``"eu"``), as the gateway names them.
        listed: Whether this profile comes from the gateway's live model list.

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
    supports_reasoning: bool = False
    regions: tuple[str, ...] = ("us", "eu")
    listed: bool = False

    @property
    def retirement_date(self) -> date | None:
        """:attr:`retired` as a date (``None`` when none is announced or it is not a date)."""
        if not self.retired:
            return None
        try:
            return date.fromisoformat(self.retired)
        except ValueError:
            return None


def _claude(
    model_id: str, max_out: int, retired: str | None = None, *, reasoning: bool = True
) -> ModelInfo:
    return ModelInfo(
        model_id, "anthropic", 200_000, max_out, retired=retired, supports_reasoning=reasoning
    )


def _openai(
    model_id: str, context: int, max_out: int, json_schema: bool = True, reasoning: bool = True
) -> ModelInfo:
    return ModelInfo(
        model_id,
        "openai",
        context,
        max_out,
        native_streaming=True,
        supports_json_schema=json_schema,
        eu_available=False,
        supports_reasoning=reasoning,
        regions=("us",),
    )


def _gemini(model_id: str) -> ModelInfo:
    return ModelInfo(model_id, "google", 1_048_576, 65_536, supports_reasoning=True)


# Context windows, output limits and reasoning are the providers' published facts.
_CATALOG_ROWS: tuple[ModelInfo, ...] = (
    _claude("claude-opus-4-6", 128_000),
    _claude("claude-sonnet-4-6", 64_000),
    _claude("claude-opus-4-5-20251101", 64_000),
    _claude("claude-sonnet-4-5-20250929", 64_000),
    _claude("claude-haiku-4-5-20251001", 64_000),
    _claude("claude-opus-4-20250514", 32_000),
    _claude("claude-sonnet-4-20250514", 64_000),
    _claude("claude-3-haiku-20240307", 4_096, retired="2026-04-20", reasoning=False),
    _openai("gpt-5.2", 400_000, 128_000),
    _openai("gpt-5.1", 400_000, 128_000),
    _openai("gpt-5", 400_000, 128_000),
    _openai("gpt-5-mini", 400_000, 128_000),
    _openai("gpt-5-nano", 400_000, 128_000),
    _openai("gpt-4.1", 1_047_576, 32_768, reasoning=False),
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


def table_model_info(model_id: str) -> ModelInfo:
    """The built-in table's (or :func:`register_model`'s) profile, never the live list's;
    unknown ids get :func:`default_model_info`."""
    info = _CATALOG.get(model_id)
    return info if info is not None else default_model_info(model_id)


def default_base_url() -> str:
    """The base URL a client built without arguments uses (the environment's, else US)."""
    return (os.environ.get(BASE_URL_ENV) or REGION_BASE_URLS["us"]).rstrip("/")


def get_model_info(model_id: str, *, base_url: str | None = None) -> ModelInfo:
    """Look a model up; unknown ids get :func:`default_model_info` and never raise.

    Args:
        model_id: The gateway's id of the model.
        base_url: Whose live model list to consult, when one has been read in this
            process (default: the base URL a client built without arguments uses). A
            model the list describes is taken from it; the others from the table.
            Nothing is fetched here: :meth:`GatewayClient.model_info` fetches when
            the model is unknown.

    Examples:
        >>> get_model_info("gpt-5").context_window
        400000
        >>> get_model_info("some-new-model").known
        False
    """
    listed = _model_list_memory.listed_info(base_url or default_base_url(), model_id)
    return listed if listed is not None else table_model_info(model_id)


def is_table_model(model_id: str) -> bool:
    """Whether the built-in table (or :func:`register_model`) knows ``model_id``."""
    return model_id in _CATALOG


def known_models() -> tuple[ModelInfo, ...]:
    """Every model in the catalog, in table order."""
    return tuple(_CATALOG.values())


def register_model(info: ModelInfo) -> None:
    """Add or replace a catalog entry at run time (for ids newer than this release)."""
    _CATALOG[info.id] = replace(info, known=True)


Capability = Literal["native_streaming", "supports_json_schema", "eu_available"]


@dataclass(frozen=True)
class RouteCapabilities:
    """What a request may rely on: the capabilities shared by every model it can reach.

    The gateway serves a request with its primary model or, when that fails, with any
    of its fallbacks, and the fallbacks inherit the request's fields. So a request may
    stream with SSE, carry a json_schema ``response_format`` or go to the EU endpoint
    only when every one of those models can.

    Attributes:
        models: The primary model first, then each fallback, as the catalog knows them.

    Examples:
        >>> from assemblyai_gateway.catalog import route_capabilities
        >>> route = route_capabilities("gpt-4.1", ["claude-sonnet-4-5-20250929"])
        >>> route.native_streaming
        False
        >>> route.lacking("native_streaming")
        ('claude-sonnet-4-5-20250929',)
    """

    models: tuple[ModelInfo, ...]

    @property
    def model_ids(self) -> tuple[str, ...]:
        """The ids, primary first."""
        return tuple(info.id for info in self.models)

    @property
    def native_streaming(self) -> bool:
        """Every reachable model streams with SSE, so ``stream: true`` is safe to send."""
        return not self.lacking("native_streaming")

    @property
    def supports_json_schema(self) -> bool:
        """Every reachable model accepts a json_schema ``response_format``."""
        return not self.lacking("supports_json_schema")

    @property
    def eu_available(self) -> bool:
        """Every reachable model is served by the EU endpoint."""
        return not self.lacking("eu_available")

    def lacking(self, capability: Capability) -> tuple[str, ...]:
        """The ids of the reachable models without ``capability``, in order."""
        return tuple(info.id for info in self.models if not getattr(info, capability))


def _fallback_model(fallback: object) -> str | None:
    if isinstance(fallback, str):
        return fallback
    model = (
        fallback.get("model") if isinstance(fallback, Mapping) else getattr(fallback, "model", None)
    )
    return model if isinstance(model, str) else None


def route_model_ids(model: str, fallbacks: Iterable[object] | None = None) -> tuple[str, ...]:
    """The ids a request can reach: ``model``, then each fallback's, without repeats.

    Example:
        >>> route_model_ids("gpt-5", ["gpt-4.1", {"model": "gpt-5"}])
        ('gpt-5', 'gpt-4.1')
    """
    if not fallbacks:
        return (model,)  # the usual request: no need to build anything
    ids = [model, *(m for f in fallbacks if (m := _fallback_model(f)) is not None)]
    return tuple(dict.fromkeys(ids))


def route_capabilities(
    model: str, fallbacks: Iterable[object] | None = None, *, base_url: str | None = None
) -> RouteCapabilities:
    """The capabilities of ``model`` and its ``fallbacks`` taken together.

    Args:
        model: The primary model id.
        fallbacks: Fallbacks as ids, ``{"model": ...}`` mappings or objects with a
            ``model`` attribute (:class:`~assemblyai_gateway._wire.types.Fallback`). Every one
            listed counts, whatever ``fallback_config.depth`` says: the safe choice.
        base_url: Whose live model list to consult (see :func:`get_model_info`).
    """
    ids = route_model_ids(model, fallbacks)
    return RouteCapabilities(
        tuple([get_model_info(model_id, base_url=base_url) for model_id in ids])
    )


_LISTED_CREATORS: tuple[Provider, ...] = ("anthropic", "openai", "google")


def _provider_of(creator: str, model_id: str) -> Provider:
    lowered = creator.lower()
    for provider in _LISTED_CREATORS:
        if provider in lowered:
            return provider
    return default_model_info(model_id).provider


def _retirement(seconds: int) -> str | None:
    """Unix seconds as an ISO date; 0 (the list's "not retiring") and nonsense are None."""
    if seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def info_from_listed(listed: ListedModel) -> ModelInfo:
    """The profile of a model as the live list describes it, the table filling the gaps.

    ``supported_parameters`` decides streaming (``stream``), tools (``tools``),
    structured output (``response_format``; a model the table knows without json_schema
    keeps that) and reasoning (``reasoning``). An empty (or ``null``) list states
    nothing, so the table's (or the conservative) capabilities stay. A context window or
    output limit that is missing or not positive is taken from the table too.

    Example:
        >>> from assemblyai_gateway.model_list import ListedModel
        >>> listed = ListedModel(id="claude-sonnet-5", supported_parameters=["tools", "stream"])
        >>> info = info_from_listed(listed)
        >>> (info.native_streaming, info.supports_tools, info.listed, info.provider)
        (True, True, True, 'anthropic')
    """
    base = table_model_info(listed.id)
    params = set(listed.supported_parameters)
    stated = bool(params)
    top = listed.top_provider
    context = listed.context_length or (top.context_length if top is not None else None)
    max_out = top.max_completion_tokens if top is not None else None
    regions = tuple(region.lower() for region in listed.available_regions)
    return ModelInfo(
        listed.id,
        _provider_of(listed.creator, listed.id) if base.provider == "unknown" else base.provider,
        context if context is not None and context > 0 else base.context_window,
        max_out if max_out is not None and max_out > 0 else base.max_output_tokens,
        native_streaming="stream" in params if stated else base.native_streaming,
        supports_json_schema=(
            ("response_format" in params and base.supports_json_schema)
            if stated
            else base.supports_json_schema
        ),
        supports_tools="tools" in params if stated else base.supports_tools,
        eu_available="eu" in regions if regions else base.eu_available,
        known=True,
        retired=_retirement(listed.retirement_date),
        supports_reasoning="reasoning" in params if stated else base.supports_reasoning,
        regions=regions or base.regions,
        listed=True,
    )


_PROVIDER_NAMES: dict[str, str] = {"anthropic": "Anthropic", "openai": "OpenAI", "google": "Google"}


def _supported_parameters(info: ModelInfo) -> list[str]:
    params = ["messages", "max_tokens", "temperature"]
    params += ["tools", "tool_choice"] if info.supports_tools else []
    params += ["response_format"] if info.supports_json_schema else []
    params += ["stream"] if info.native_streaming else []
    params += ["reasoning"] if info.supports_reasoning else []
    return params


def model_list_entry(info: ModelInfo, pricing: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``info`` as one entry of ``GET /models``, in the vendor SDK's ``LLMGatewayModel`` shape
    (what the emulator and :class:`~assemblyai_gateway.testing.ScriptedTransport` serve).

    Args:
        info: The model.
        pricing: Its ``pricing`` object (``{"global": {"prompt", "completions"}, ...}``);
            by default zero prices (the catalog knows none).

    Example:
        >>> entry = model_list_entry(get_model_info("gpt-5"))
        >>> entry["supported_parameters"][-2:], entry["available_regions"]
        (['stream', 'reasoning'], ['us'])
    """
    provider = {"id": info.provider, "name": _PROVIDER_NAMES.get(info.provider, info.provider)}
    retirement = info.retirement_date
    return {
        "id": info.id,
        "name": info.id,
        "description": f"{provider['name']} model {info.id}, as the package's catalog describes it",
        "default_parameters": {},
        "supported_parameters": _supported_parameters(info),
        "top_provider": {
            "is_moderated": False,
            "context_length": info.context_window,
            "max_completion_tokens": info.max_output_tokens,
        },
        "context_length": info.context_window,
        "pricing": dict(pricing) if pricing else {"global": {"prompt": 0.0, "completions": 0.0}},
        "creator": info.provider,
        "retirement_date": (
            int(datetime(retirement.year, retirement.month, retirement.day, tzinfo=UTC).timestamp())
            if retirement is not None
            else 0
        ),
        "available_regions": list(info.regions),
        "providers": [provider],
        "default_provider": provider,
    }
