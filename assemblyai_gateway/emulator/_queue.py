"""The FIFO queue behind the fault script and the scripted replies."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["ScriptQueue"]

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    item: T
    left: int


class ScriptQueue(Generic[T]):
    """A thread-safe FIFO; each entry is handed out ``times`` times before the next."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[_Entry[T]] = deque()

    def push(self, item: T, times: int = 1) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._entries.append(_Entry(item, times))

    def pop(self) -> T | None:
        with self._lock:
            if not self._entries:
                return None
            entry = self._entries[0]
            entry.left -= 1
            if entry.left == 0:
                self._entries.popleft()
            return entry.item

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(entry.left for entry in self._entries)
