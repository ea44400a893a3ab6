"""The gateway's live model list (``GET {base_url}/models``): its shape, its settings, and
how to read it.

The catalog (:mod:`assemblyai_gateway.catalog`) knows the models of this release. The
gateway's own list knows the others, and the current facts of all of them: context
windows, output limits, which request fields each takes (``tools``,
``response_format``, ``stream``, ``reasoning``), regions, prices and retirement dates.

* **Lazily.** A client reads the list once per process and base URL, when a request (or
  a framework's profile of the model) needs a model the built-in table does not know. A
  fresh copy on disk (per user, per base URL, :attr:`ModelListSettings.ttl`) saves the
  read. When the read fails or the gateway cannot be reached, the table's conservative
  profile is used; the read takes at most :attr:`ModelListSettings.timeout` (2 s), and a
  failure is remembered for :data:`FAILURE_MEMORY_SECONDS`, so calls are not delayed
  again meanwhile.
* **When asked.** :func:`fetch_model_list` / :func:`afetch_model_list` (or the client's
  methods of the same names, or ``assemblyai-gateway models``) always ask the gateway.
* **Off.** ``ASSEMBLYAI_GATEWAY_MODEL_LIST=off`` stops lazy reads and the disk cache; the
  built-in table then decides, as before the list existed.

A model that is retired, or retires within :data:`RETIREMENT_WARNING_DAYS` days, raises a
:class:`ModelRetirementWarning` the first time a request uses it in the process.

Examples:
    >>> from assemblyai_gateway.model_list import ModelList
    >>> listing = ModelList.from_json(
    ...     b'{"data": [{"id": "claude-sonnet-5", "supported_parameters": ["tools", "stream"],'
    ...     b' "context_length": 500000, "available_regions": null}]}'
    ... )
    >>> listing.get("claude-sonnet-5").available_regions
    ()
    >>> listing.ids
    ('claude-sonnet-5',)
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ._live_models import memory as _model_list_memory
from ._transport.untrusted_text import loads_untrusted, truncate_text
from .errors import ConfigurationError, ResponseValidationError

if TYPE_CHECKING:
    import httpx
    from pydantic import SecretStr

    from ._transport.setting_sources import Region

__all__ = [
    "CACHE_DIR_ENV",
    "DEFAULT_MODEL_LIST_TIMEOUT",
    "DEFAULT_MODEL_LIST_TTL",
    "FAILURE_MEMORY_SECONDS",
    "MODEL_LIST_ENV",
    "MODEL_LIST_TIMEOUT_ENV",
    "MODEL_LIST_TTL_ENV",
    "RETIREMENT_WARNING_DAYS",
    "ListedModel",
    "ModelList",
    "ModelListSettings",
    "ModelPrice",
    "ModelPricing",
    "ModelProvider",
    "ModelRetirementWarning",
    "ModelTopProvider",
    "afetch_model_list",
    "fetch_model_list",
    "forget_model_lists",
]

logger = logging.getLogger("assemblyai_gateway")

MODEL_LIST_ENV: Final = "ASSEMBLYAI_GATEWAY_MODEL_LIST"
MODEL_LIST_TTL_ENV: Final = "ASSEMBLYAI_GATEWAY_MODEL_LIST_TTL"
MODEL_LIST_TIMEOUT_ENV: Final = "ASSEMBLYAI_GATEWAY_MODEL_LIST_TIMEOUT"
CACHE_DIR_ENV: Final = "ASSEMBLYAI_GATEWAY_CACHE_DIR"

DEFAULT_MODEL_LIST_TTL: Final = 24 * 60 * 60.0
"""Seconds a list on disk is used without asking the gateway again (a day)."""
DEFAULT_MODEL_LIST_TIMEOUT: Final = 2.0
"""Seconds a lazy read of the list may take in all, connecting included."""
FAILURE_MEMORY_SECONDS: Final = 10 * 60.0
"""Seconds a failed lazy read is remembered: no call asks that base URL again meanwhile."""
RETIREMENT_WARNING_DAYS: Final = 30
"""A model retiring within this many days warns when a request uses it."""

_ON = frozenset({"", "auto", "on", "1", "true", "yes"})
_OFF = frozenset({"off", "0", "false", "no", "never"})


class ModelRetirementWarning(FutureWarning):
    """A request uses a model that is retired, or retires within 30 days.

    Given once per model per process, when a request (or stream) first uses it; the
    date comes from the gateway's model list, or the built-in table. Turn it into an
    error in tests with ``-W error::assemblyai_gateway.model_list.ModelRetirementWarning``,
    or silence it with :func:`warnings.filterwarnings`.
    """


class _Lenient(BaseModel):
    """What the gateway sends is read leniently: unknown fields are dropped, ``null``
    lists are empty (its server is written in Go), missing ones take defaults."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class ModelPrice(_Lenient):
    """Prices in one region, as the gateway lists them."""

    prompt: float | None = None
    completions: float | None = None
    input_cache_read: float | None = None
    input_cache_write: float | None = None
    input_cache_write_1h: float | None = None


class ModelPricing(_Lenient):
    """A model's prices: everywhere (``global``), and where a region differs."""

    global_: ModelPrice | None = Field(default=None, alias="global")
    us: ModelPrice | None = None
    eu: ModelPrice | None = None
    regional_increase_percent: float | None = None


class ModelTopProvider(_Lenient):
    """The limits of the provider that serves the model by default."""

    is_moderated: bool | None = None
    context_length: int | None = None
    max_completion_tokens: int | None = None


class ModelProvider(_Lenient):
    """A provider that can serve the model."""

    id: str = ""
    name: str = ""


_NULL_DEFAULTS: dict[str, Any] = {
    "name": "",
    "description": "",
    "supported_parameters": (),
    "creator": "",
    "retirement_date": 0,
    "available_regions": (),
    "providers": (),
}


class ListedModel(_Lenient):
    """One model of the gateway's list, in the vendor SDK's ``LLMGatewayModel`` shape.

    Only ``id`` is required; what is missing or ``null`` reads as empty.

    Example:
        >>> model = ListedModel(id="gpt-5", retirement_date=1798761600)
        >>> model.retires_on
        datetime.date(2027, 1, 1)
    """

    id: str
    name: str = ""
    description: str = ""
    default_parameters: dict[str, Any] = Field(default_factory=dict)
    supported_parameters: tuple[str, ...] = ()
    top_provider: ModelTopProvider | None = None
    context_length: int | None = None
    pricing: ModelPricing | None = None
    creator: str = ""
    retirement_date: int = 0
    """Unix seconds of the retirement; 0 when none is announced."""
    available_regions: tuple[str, ...] = ()
    providers: tuple[ModelProvider, ...] = ()
    default_provider: ModelProvider | None = None

    @field_validator(
        "name",
        "description",
        "default_parameters",
        "supported_parameters",
        "creator",
        "retirement_date",
        "available_regions",
        "providers",
        mode="before",
    )
    @classmethod
    def _null_is_empty(cls, value: Any, info: ValidationInfo) -> Any:
        if value is not None:
            return value
        name = info.field_name or ""
        return {} if name == "default_parameters" else _NULL_DEFAULTS[name]

    @property
    def retires_on(self) -> date | None:
        """:attr:`retirement_date` as a date (UTC), or ``None`` when none is announced."""
        if self.retirement_date <= 0:
            return None
        try:
            return datetime.fromtimestamp(self.retirement_date, UTC).date()
        except (OverflowError, OSError, ValueError):
            return None

    @property
    def max_output_tokens(self) -> int | None:
        """The most tokens one completion may produce, when the list says."""
        return self.top_provider.max_completion_tokens if self.top_provider else None


class ModelList(_Lenient):
    """The answer of ``GET {base_url}/models``: the vendor SDK's ``LLMGatewayModelList``."""

    data: tuple[ListedModel, ...] = ()

    @field_validator("data", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return () if value is None else value

    @property
    def ids(self) -> tuple[str, ...]:
        """Every listed id, in the gateway's order."""
        return tuple(model.id for model in self.data)

    def get(self, model_id: str) -> ListedModel | None:
        """The model listed under ``model_id`` (the first, if listed twice), or ``None``."""
        return next((model for model in self.data if model.id == model_id), None)

    @classmethod
    def from_json(cls, content: bytes | str) -> ModelList:
        """Read a list the gateway sent; entries that are not a model are skipped.

        Raises:
            ResponseValidationError: the body is not JSON, not ``{"data": [...]}``, or no
                entry of a non-empty list is a model.
        """
        try:
            payload = loads_untrusted(content)
        except ValueError:
            raise _not_a_list(content, "it is not JSON") from None
        entries = payload.get("data", ()) if isinstance(payload, dict) else None
        if entries is None and isinstance(payload, dict):
            entries = ()
        if not isinstance(entries, (list, tuple)):
            raise _not_a_list(content, 'it is not an object with a "data" list')
        models: list[ListedModel] = []
        for entry in entries:
            try:
                models.append(ListedModel.model_validate(entry))
            except ValidationError as exc:
                logger.debug("skipped a model-list entry: %s", exc.errors()[0]["msg"])
        if entries and not models:
            raise _not_a_list(content, "none of its entries is a model with an id")
        return cls(data=tuple(models))


def _not_a_list(content: bytes | str, why: str) -> ResponseValidationError:
    text = content if isinstance(content, str) else content.decode("utf-8", "replace")
    return ResponseValidationError(
        f"the gateway's model list could not be read: {why}", body=truncate_text(text, 500)
    )


def _seconds(name: str, raw: str, *, allow_zero: bool) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigurationError(f"{name} must be a number of seconds {bound}, got {raw!r}")
    return value


def _default_cache_dir() -> Path | None:
    """The per-user cache folder of this package, as each platform places caches."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError):
        return None
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "assemblyai-gateway" / "Cache" if base else None
    if os.uname().sysname == "Darwin":
        return home / "Library" / "Caches" / "assemblyai-gateway"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg and os.path.isabs(xdg) else home / ".cache") / "assemblyai-gateway"


@dataclass(frozen=True)
class ModelListSettings:
    """How the live model list is read; each setting comes from an environment variable.

    Args:
        enabled: Read the list lazily (a model the built-in table does not know) and use
            the disk cache. ``ASSEMBLYAI_GATEWAY_MODEL_LIST``: ``auto`` (default) or
            ``off``. Off, the built-in table decides; an explicit ``fetch_model_list()``
            still asks the gateway.
        ttl: Seconds a list on disk is used without asking the gateway
            (``ASSEMBLYAI_GATEWAY_MODEL_LIST_TTL``, default one day); ``0`` turns the disk
            cache off.
        timeout: Seconds a lazy read may take in all, connecting included
            (``ASSEMBLYAI_GATEWAY_MODEL_LIST_TIMEOUT``, default 2); when it passes, the
            call goes on with the built-in table.
        cache_dir: The folder of the disk cache (``ASSEMBLYAI_GATEWAY_CACHE_DIR``);
            ``None``: the user's cache folder (``~/.cache/assemblyai-gateway`` on Linux,
            ``~/Library/Caches/assemblyai-gateway`` on macOS,
            ``%LOCALAPPDATA%\\assemblyai-gateway\\Cache`` on Windows).

    Example:
        >>> import os
        >>> os.environ["ASSEMBLYAI_GATEWAY_MODEL_LIST"] = "off"
        >>> ModelListSettings.from_environment().enabled
        False
        >>> del os.environ["ASSEMBLYAI_GATEWAY_MODEL_LIST"]
    """

    enabled: bool = True
    ttl: float = DEFAULT_MODEL_LIST_TTL
    timeout: float = DEFAULT_MODEL_LIST_TIMEOUT
    cache_dir: Path | None = None

    @classmethod
    def from_environment(cls) -> ModelListSettings:
        """The settings the environment variables give (read on every call).

        Raises:
            ConfigurationError: a variable holds a value it cannot take, named.
        """
        mode = os.environ.get(MODEL_LIST_ENV, "").strip().lower()
        if mode not in _ON | _OFF:
            raise ConfigurationError(
                f"{MODEL_LIST_ENV} must be 'auto' or 'off', got {os.environ[MODEL_LIST_ENV]!r}"
            )
        ttl = os.environ.get(MODEL_LIST_TTL_ENV, "").strip()
        timeout = os.environ.get(MODEL_LIST_TIMEOUT_ENV, "").strip()
        folder = os.environ.get(CACHE_DIR_ENV, "").strip()
        return cls(
            enabled=mode in _ON,
            ttl=_seconds(MODEL_LIST_TTL_ENV, ttl, allow_zero=True) if ttl else cls.ttl,
            timeout=(
                _seconds(MODEL_LIST_TIMEOUT_ENV, timeout, allow_zero=False)
                if timeout
                else cls.timeout
            ),
            cache_dir=Path(folder).expanduser() if folder else None,
        )

    @property
    def disk_cache_dir(self) -> Path | None:
        """Where lists are kept on disk; ``None`` when the disk cache is off."""
        if not self.enabled or self.ttl <= 0:
            return None
        return self.cache_dir if self.cache_dir is not None else _default_cache_dir()


def forget_model_lists(base_url: str | None = None) -> None:
    """Forget what this process learned from model lists: the lists read, failed reads,
    the streams found not to stream natively, and (for all) the warnings given.

    The disk cache is left alone. The pytest plugin calls this after each test.

    Args:
        base_url: One client's ``base_url``; ``None`` forgets every base URL's.
    """
    _model_list_memory.forget(base_url.rstrip("/") if base_url is not None else None)


def fetch_model_list(
    *,
    api_key: str | SecretStr | None = None,
    base_url: str | None = None,
    region: Region | None = None,
    timeout: float | httpx.Timeout | None = None,
    http_client: httpx.Client | None = None,
) -> ModelList:
    """Ask the gateway for its model list now (the arguments are ``GatewayClient``'s).

    The list is kept for the process and written to the disk cache, so later requests
    use it. The key, when there is one, is sent as for any request (the gateway does not
    require it here).

    Raises:
        APIError: the gateway could not be reached or answered with an error.
        ResponseValidationError: the answer is not a model list.
    """
    from ._transport.client import GatewayClient

    with GatewayClient(
        api_key=api_key, base_url=base_url, region=region, timeout=timeout, http_client=http_client
    ) as client:
        return client.fetch_model_list()


async def afetch_model_list(
    *,
    api_key: str | SecretStr | None = None,
    base_url: str | None = None,
    region: Region | None = None,
    # GatewayClient's name for the setting (ruff's ASYNC109 prefers asyncio.timeout).
    timeout: float | httpx.Timeout | None = None,  # noqa: ASYNC109
    http_async_client: httpx.AsyncClient | None = None,
) -> ModelList:
    """Async :func:`fetch_model_list`."""
    from ._transport.client import GatewayClient

    async with GatewayClient(
        api_key=api_key,
        base_url=base_url,
        region=region,
        timeout=timeout,
        http_async_client=http_async_client,
    ) as client:
        return await client.afetch_model_list()
