"""When a client reads the live model list, and what it does with it.

* :func:`ensure_models` / :func:`aensure_models`, before a request: when a model on its
  route is unknown (neither the table nor a list read for the base URL knows it), the
  list is read, once per process and base URL, with the short timeout of
  :class:`~assemblyai_gateway.model_list.ModelListSettings`. A fresh copy on disk is
  used first (consulted once per process and base URL, known models or not). Any
  failure is logged and remembered for ``FAILURE_MEMORY_SECONDS``, and an older copy on
  disk, if any, stands in. Callers that arrive while a read is under way wait for it (at
  most the same timeout), so a burst of calls reads the list once.
* :func:`fetch` / :func:`afetch`, when asked: one read with the client's timeout and
  retries, errors raised.
* :func:`warn_retiring`: the :class:`~assemblyai_gateway.model_list.ModelRetirementWarning`,
  once per model per process.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import httpx

from .._transport.retries import acall_with_retries, call_with_retries
from ..catalog import ModelInfo, info_from_listed, is_table_model
from ..errors import GatewayError
from ..model_list import (
    FAILURE_MEMORY_SECONDS,
    RETIREMENT_WARNING_DAYS,
    ModelList,
    ModelListSettings,
    ModelRetirementWarning,
)
from . import memory as memory
from .cache import read_cache, write_cache
from .fetching import aget_model_list, get_model_list

if TYPE_CHECKING:
    from .._transport.client import GatewayClient

__all__ = ["aensure_models", "afetch", "ensure_models", "fetch", "warn_retiring"]

logger = logging.getLogger("assemblyai_gateway")

# The clocks, read through these names so tests can move them.
_monotonic = time.monotonic
_now = time.time


def _today() -> date:
    return datetime.now(UTC).date()


_locks_guard = threading.Lock()
_sync_locks: dict[str, threading.Lock] = {}
_async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _fresh_locks() -> None:
    # A lock held by another thread when the process forked would never be released
    # in the child: every call there would wait out the timeout.
    global _locks_guard
    _locks_guard = threading.Lock()
    _sync_locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_locks)


def _unknown(base_url: str, model_ids: Iterable[str]) -> list[str]:
    return [
        model_id
        for model_id in model_ids
        if not is_table_model(model_id) and memory.listed_info(base_url, model_id) is None
    ]


def _should_fetch(base_url: str, model_ids: Iterable[str]) -> bool:
    if not _unknown(base_url, model_ids):
        return False
    loaded = memory.loaded_list(base_url)
    if loaded is not None and loaded.from_gateway:
        return False  # read this process: a model it does not list is unknown to it too
    return memory.recent_failure(base_url, _monotonic(), FAILURE_MEMORY_SECONDS) is None


def _infos(listing: ModelList) -> dict[str, ModelInfo]:
    infos: dict[str, ModelInfo] = {}
    for model in listing.data:
        infos.setdefault(model.id, info_from_listed(model))
    return infos


def _hold(base_url: str, listing: ModelList, fetched_at: float, *, from_gateway: bool) -> None:
    loaded = memory.LoadedList(listing, _infos(listing), fetched_at, from_gateway)
    memory.remember_list(base_url, loaded)


def _keep(client: GatewayClient, listing: ModelList, settings: ModelListSettings) -> None:
    """Hold a list just read from the gateway, and write it to disk."""
    fetched_at = _now()
    _hold(client.base_url, listing, fetched_at, from_gateway=True)
    folder = settings.disk_cache_dir
    if folder is not None:
        secret = client._resolved_key_or_none()
        write_cache(folder, client.base_url, listing, fetched_at, secret=secret)


def _load_disk(base_url: str, settings: ModelListSettings, *, stale_too: bool = False) -> bool:
    """Hold the list on disk for ``base_url`` when it is fresh (or at all, ``stale_too``)."""
    folder = settings.disk_cache_dir
    if folder is None:
        return False
    cached = read_cache(folder, base_url, _now())
    if cached is None or (not stale_too and _now() - cached.fetched_at >= settings.ttl):
        return False
    _hold(base_url, cached.listing, cached.fetched_at, from_gateway=False)
    return True


def _check_disk_once(base_url: str, settings: ModelListSettings) -> bool:
    if memory.disk_checked(base_url):
        return False
    memory.mark_disk_checked(base_url)
    return _load_disk(base_url, settings)


def _failed(base_url: str, error: Exception, settings: ModelListSettings) -> bool:
    """Remember a failed lazy read; whether an older list from disk stands in."""
    what = (
        f"{type(error).__name__}: {error}"
        if isinstance(error, GatewayError)
        else (
            type(error).__name__  # text we did not write may quote anything
        )
    )
    memory.remember_failure(base_url, _monotonic(), what)
    stand_in = memory.loaded_list(base_url) is None and _load_disk(
        base_url, settings, stale_too=True
    )
    logger.warning(
        "could not read the model list of %s (%s); %s for the next %d minutes. Set "
        "ASSEMBLYAI_GATEWAY_MODEL_LIST=off to stop reading it",
        base_url,
        what,
        "an older copy from disk is used" if stand_in else "the built-in table is used",
        FAILURE_MEMORY_SECONDS // 60,
    )
    return stand_in


def _may_need(base_url: str, model_ids: Iterable[str]) -> bool:
    """The fast check, on every request: is there anything to do at all?"""
    return not memory.disk_checked(base_url) or bool(_unknown(base_url, model_ids))


def ensure_models(client: GatewayClient, model_ids: Iterable[str]) -> bool:
    """Read the list lazily when ``model_ids`` need it (see the module); never raises
    for a failed read. Returns whether anything was learned."""
    base_url = client.base_url
    if not _may_need(base_url, model_ids):
        return False
    settings = ModelListSettings.from_environment()
    if not settings.enabled:
        return False
    learned = _check_disk_once(base_url, settings)
    if not _should_fetch(base_url, model_ids):
        return learned
    with _locks_guard:
        lock = _sync_locks.setdefault(base_url, threading.Lock())
    if not lock.acquire(timeout=settings.timeout):
        return learned
    try:
        if not _should_fetch(base_url, model_ids):
            return True  # another thread read it meanwhile
        try:
            listing = get_model_list(
                client, seconds=settings.timeout, http_timeout=httpx.Timeout(settings.timeout)
            )
        except Exception as exc:  # whatever fails, the call goes on without the list
            return _failed(base_url, exc, settings) or learned
        _keep(client, listing, settings)
        return True
    finally:
        lock.release()


def _async_lock(base_url: str) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    with _locks_guard:
        locks = _async_locks.setdefault(loop, {})
        return locks.setdefault(base_url, asyncio.Lock())


async def aensure_models(client: GatewayClient, model_ids: Iterable[str]) -> bool:
    """Async :func:`ensure_models`."""
    base_url = client.base_url
    if not _may_need(base_url, model_ids):
        return False
    settings = ModelListSettings.from_environment()
    if not settings.enabled:
        return False
    learned = _check_disk_once(base_url, settings)
    if not _should_fetch(base_url, model_ids):
        return learned
    lock = _async_lock(base_url)
    try:
        async with asyncio.timeout(settings.timeout):
            await lock.acquire()
    except TimeoutError:
        return learned
    try:
        if not _should_fetch(base_url, model_ids):
            return True
        try:
            listing = await aget_model_list(
                client, seconds=settings.timeout, http_timeout=httpx.Timeout(settings.timeout)
            )
        except Exception as exc:
            return _failed(base_url, exc, settings) or learned
        _keep(client, listing, settings)
        return True
    finally:
        lock.release()


def fetch(client: GatewayClient) -> ModelList:
    """Read the list now, with the client's timeout, deadline and retries.

    Raises:
        APIError: as any request does; ``ResponseValidationError`` for a body that is
            not a model list.
    """
    settings = ModelListSettings.from_environment()
    attempt = functools.partial(
        get_model_list,
        client,
        seconds=client.limits.deadline_seconds,
        http_timeout=client._request_timeout,
    )
    listing = call_with_retries(attempt, client.max_retries)
    _keep(client, listing, settings)
    return listing


async def afetch(client: GatewayClient) -> ModelList:
    """Async :func:`fetch`."""
    settings = ModelListSettings.from_environment()
    attempt = functools.partial(
        aget_model_list,
        client,
        seconds=client.limits.deadline_seconds,
        http_timeout=client._request_timeout,
    )
    listing = await acall_with_retries(attempt, client.max_retries)
    _keep(client, listing, settings)
    return listing


_OUR_MODULES = (
    "assemblyai_gateway",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
    "llama_index.",
    "langchain_core.",
    "asyncio.",
)


def _caller_stacklevel() -> int:
    """The ``stacklevel`` (for a warning raised by the caller of this function) that
    points at the first frame outside this package and the frameworks around it: the
    user's line that made the request."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and str(frame.f_globals.get("__name__", "")).startswith(
        _OUR_MODULES
    ):
        frame = frame.f_back
        level += 1
    return level


def warn_retiring(models: Iterable[ModelInfo]) -> None:
    """Warn, once per model per process, about those retired or retiring within
    ``RETIREMENT_WARNING_DAYS`` days."""
    dated = [(info, info.retirement_date) for info in models if info.retired]
    today = _today() if dated else None
    for info, retires in dated:
        if today is None or retires is None or (retires - today).days > RETIREMENT_WARNING_DAYS:
            continue
        if not memory.first_retirement_warning(info.id):
            continue
        if retires <= today:
            when = f"was retired on {retires.isoformat()}: the gateway no longer serves it"
        else:
            days = (retires - today).days
            when = f"retires on {retires.isoformat()} (in {days} day{'s' * (days != 1)})"
        warnings.warn(
            f"model {info.id!r} {when}; move to a current model "
            "(`assemblyai-gateway models` lists them)",
            ModelRetirementWarning,
            stacklevel=_caller_stacklevel(),
        )
