"""The adaptive limiter's queue of blocked callers: threads and tasks, first come first served.

Only the head of the queue watches the clock, so a thousand waiters cost one wake-up
per permit. A thread waiting in the queue is alive by construction (it leaves the queue
on any exception), but a task is not: its event loop can be stopped or closed while the
task still waits, and a dead head would block every other waiter for good. So a waiter
whose loop is gone leaves the queue as soon as anyone looks at the head, and while the
head is a task, the first waiter from another thread or loop checks on it every
:data:`HEAD_CHECK` seconds (nobody else can notice that a loop stopped). A task dropped
that way is still woken: if its loop runs again, it rejoins at the back.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading

__all__ = ["HEAD_CHECK", "WaitQueue", "Waiter"]

# Seconds between checks on a head whose event loop might have died under it.
HEAD_CHECK = 0.25


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Waiter:
    """One blocked caller: a thread (an Event) or a task (a future on its loop)."""

    __slots__ = ("dropped", "event", "future", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop
        self.event = threading.Event() if loop is None else None
        self.future: asyncio.Future[None] | None = None
        self.dropped = False  # left the queue because its loop was not running

    def alive(self) -> bool:
        """Whether this waiter can still take its turn (a task's loop must be running)."""
        loop = self.loop
        return loop is None or (loop.is_running() and not loop.is_closed())

    def wake(self) -> None:
        if self.event is not None:
            self.event.set()
        elif self.loop is not None and self.future is not None:
            # A closed loop raises RuntimeError: nobody is waiting there any more.
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(_resolve, self.future)

    def timer(self, seconds: float | None) -> asyncio.TimerHandle | None:
        """Wake this task after ``seconds`` (none for ``None``); the caller cancels it."""
        if seconds is None or self.loop is None or self.future is None:
            return None
        return self.loop.call_later(seconds, _resolve, self.future)


class WaitQueue:
    """The FIFO of :class:`Waiter`; every method is called with the limiter's lock held."""

    __slots__ = ("_queue",)

    def __init__(self) -> None:
        self._queue: collections.deque[Waiter] = collections.deque()

    def __len__(self) -> int:
        return len(self._queue)

    def join(self, waiter: Waiter) -> None:
        """Queue ``waiter`` at the back (again, when it was dropped)."""
        waiter.dropped = False
        self._queue.append(waiter)

    def is_head(self, waiter: Waiter) -> bool:
        """Whether ``waiter`` is first in line, after dropping dead waiters ahead of it."""
        self._drop_dead_heads()
        return bool(self._queue) and self._queue[0] is waiter

    def pop_head(self) -> None:
        """The head got its permit: it leaves, and the next in line is woken."""
        self._queue.popleft()
        self.notify()

    def leave(self, waiter: Waiter) -> None:
        """``waiter`` gives up (cancelled, interrupted); the others are told."""
        with contextlib.suppress(ValueError):
            self._queue.remove(waiter)
        self.notify()

    def notify(self) -> None:
        """Something changed: wake the head to decide again, and the head's watcher."""
        if not self._drop_dead_heads():
            self._wake_front()

    def _wake_front(self) -> None:
        if not self._queue:
            return
        head = self._queue[0]
        head.wake()
        watcher = self._watcher(head)
        if watcher is not None:
            watcher.wake()

    def patience(self, waiter: Waiter) -> float | None:
        """How long a waiter that is not the head may sleep: bounded for the watcher."""
        head = self._queue[0] if self._queue else None
        if head is not None and self._watcher(head) is waiter:
            return HEAD_CHECK
        return None

    def _watcher(self, head: Waiter) -> Waiter | None:
        # Only a task's loop can die silently; the first waiter not on that loop (a
        # thread, or a task on another loop) is the one that can notice.
        if head.loop is None:
            return None
        for waiter in self._queue:
            if waiter.loop is not head.loop:
                return waiter
        return None

    def _drop_dead_heads(self) -> bool:
        """Drop waiters whose loop is gone from the front; wake the new front if any."""
        dropped = False
        while self._queue and not self._queue[0].alive():
            dead = self._queue.popleft()
            dead.dropped = True
            dead.wake()  # runs if its loop ever runs again: the task then rejoins
            dropped = True
        if dropped:
            self._wake_front()
        return dropped
