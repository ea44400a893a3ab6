"""What this process remembers per gateway base URL: its live model list, a failed read,
the routes whose streams are replayed, and the retirement warnings already given.

Standard library only: the catalog consults it on every lookup. Reads take no lock (an
entry is replaced whole, never changed in place); writes take one.
:func:`forget` clears it, for one base URL or all (tests, and
:func:`assemblyai_gateway.model_list.forget_model_lists`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..catalog import ModelInfo
    from ..model_list import ModelList

__all__ = [
    "LoadedList",
    "disk_checked",
    "first_retirement_warning",
    "forget",
    "listed_info",
    "loaded_list",
    "mark_disk_checked",
    "recent_failure",
    "remember_failure",
    "remember_list",
    "remember_replay",
    "replay_reason",
]


@dataclass(frozen=True)
class LoadedList:
    """One base URL's model list as this process holds it.

    Attributes:
        listing: The list as the gateway sent it (parsed).
        infos: Each listed model's profile, by id.
        fetched_at: When the gateway sent it (Unix seconds).
        from_gateway: Read from the gateway by this process (not only from the disk cache).
    """

    listing: ModelList
    infos: Mapping[str, ModelInfo]
    fetched_at: float
    from_gateway: bool


_lock = threading.Lock()
_lists: dict[str, LoadedList] = {}
_disk_checked: set[str] = set()
# base URL -> (time.monotonic() of the failure, what failed)
_failures: dict[str, tuple[float, str]] = {}
# (base URL, the route's model ids) -> why its streams are replayed
_replays: dict[tuple[str, tuple[str, ...]], str] = {}
_warned_retirements: set[str] = set()


def listed_info(base_url: str, model_id: str) -> ModelInfo | None:
    """The profile the list read for ``base_url`` gives ``model_id``, if it lists it."""
    loaded = _lists.get(base_url)
    return loaded.infos.get(model_id) if loaded is not None else None


def loaded_list(base_url: str) -> LoadedList | None:
    """The list held for ``base_url``, if any."""
    return _lists.get(base_url)


def remember_list(base_url: str, loaded: LoadedList) -> None:
    """Hold ``loaded`` for ``base_url``; a read from the gateway clears a failure."""
    with _lock:
        _lists[base_url] = loaded
        if loaded.from_gateway:
            _failures.pop(base_url, None)


def disk_checked(base_url: str) -> bool:
    """Whether the disk cache was consulted for ``base_url`` in this process."""
    return base_url in _disk_checked


def mark_disk_checked(base_url: str) -> None:
    """Note that the disk cache was consulted for ``base_url``."""
    with _lock:
        _disk_checked.add(base_url)


def remember_failure(base_url: str, at: float, reason: str) -> None:
    """A read of ``base_url``'s list failed at ``at`` (``time.monotonic()``)."""
    with _lock:
        _failures[base_url] = (at, reason)


def recent_failure(base_url: str, now: float, window: float) -> str | None:
    """What failed, when a read of ``base_url``'s list failed less than ``window`` s ago."""
    failure = _failures.get(base_url)
    if failure is None or now - failure[0] >= window:
        return None
    return failure[1]


def remember_replay(base_url: str, route: tuple[str, ...], reason: str) -> None:
    """Streams of ``route`` on ``base_url`` are replayed from one request from now on."""
    with _lock:
        _replays[(base_url, route)] = reason


def replay_reason(base_url: str, route: tuple[str, ...]) -> str | None:
    """Why streams of ``route`` are replayed on ``base_url``, if a stream failed before."""
    return _replays.get((base_url, route))


def first_retirement_warning(model_id: str) -> bool:
    """True the first time it is asked for ``model_id`` in this process (warn once)."""
    with _lock:
        if model_id in _warned_retirements:
            return False
        _warned_retirements.add(model_id)
        return True


def forget(base_url: str | None = None) -> None:
    """Forget what was learned about ``base_url`` (``None``: every base URL, and which
    retirement warnings were given)."""
    with _lock:
        if base_url is None:
            _lists.clear()
            _disk_checked.clear()
            _failures.clear()
            _replays.clear()
            _warned_retirements.clear()
            return
        _lists.pop(base_url, None)
        _disk_checked.discard(base_url)
        _failures.pop(base_url, None)
        for key in [key for key in _replays if key[0] == base_url]:
            del _replays[key]
