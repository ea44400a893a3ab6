"""AdaptiveLimiter under contention: threads, tasks, several event loops, cancellation.

No timing is asserted: only who gets a permit, in what order, and that the in-flight
limit always holds.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import pytest

from assemblyai_gateway import AdaptiveLimiter, Permit

JOIN = 30.0  # generous bound so a bug fails the test instead of hanging it
# These tests are about slots and turns: a probing pace this fast never holds anyone.
UNPACED = 1e6


class InFlight:
    """Counts permits held at once, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.total = 0

    def enter(self) -> None:
        with self._lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self._lock:
            self.now -= 1


def test_threads_never_hold_more_permits_than_the_limit() -> None:
    limiter = AdaptiveLimiter(max_concurrency=3, initial_concurrency=3, min_rate=UNPACED)
    seen = InFlight()

    def work() -> None:
        for _ in range(40):
            permit = limiter.acquire()
            assert permit is not None
            seen.enter()
            seen.leave()
            permit.succeeded()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN)
    assert not any(thread.is_alive() for thread in threads)
    assert seen.total == 320
    assert seen.peak <= 3
    assert limiter.stats().in_flight == 0


async def _tasks(limiter: AdaptiveLimiter, seen: InFlight, count: int) -> None:
    async def one() -> None:
        permit = await limiter.aacquire()
        seen.enter()
        await asyncio.sleep(0)
        seen.leave()
        permit.succeeded()

    await asyncio.gather(*(one() for _ in range(count)))


def test_tasks_on_two_event_loops_share_one_limit() -> None:
    limiter = AdaptiveLimiter(max_concurrency=4, initial_concurrency=4, min_rate=UNPACED)
    seen = InFlight()
    threads = [
        threading.Thread(target=lambda: asyncio.run(_tasks(limiter, seen, 150))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN)
    assert not any(thread.is_alive() for thread in threads)
    assert seen.total == 300
    assert seen.peak <= 4


def test_a_blocked_thread_gets_the_permit_a_release_frees() -> None:
    limiter = AdaptiveLimiter(max_concurrency=1, initial_concurrency=1, min_rate=UNPACED)
    held = limiter.acquire()
    assert held is not None
    got = threading.Event()

    def waiter() -> None:
        permit = limiter.acquire()
        assert permit is not None
        got.set()
        permit.release()

    thread = threading.Thread(target=waiter)
    thread.start()
    assert not got.wait(0.05)  # still blocked: the only slot is held
    held.release()
    thread.join(JOIN)
    assert got.is_set()


async def test_waiters_are_served_first_come_first_served() -> None:
    limiter = AdaptiveLimiter(max_concurrency=1, initial_concurrency=1, min_rate=UNPACED)
    held = await limiter.aacquire()
    order: list[int] = []

    async def waiter(number: int) -> None:
        permit = await limiter.aacquire()
        order.append(number)
        permit.release()

    tasks = []
    for number in range(5):
        tasks.append(asyncio.create_task(waiter(number)))
        await asyncio.sleep(0)  # queue them in this order
    held.release()
    await asyncio.wait_for(asyncio.gather(*tasks), JOIN)
    assert order == [0, 1, 2, 3, 4]


async def test_a_cancelled_waiter_gives_its_turn_to_the_next() -> None:
    limiter = AdaptiveLimiter(max_concurrency=1, initial_concurrency=1, min_rate=UNPACED)
    held = await limiter.aacquire()
    first = asyncio.create_task(limiter.aacquire())
    await asyncio.sleep(0)
    second = asyncio.create_task(limiter.aacquire())
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    held.release()
    permit = await asyncio.wait_for(second, JOIN)
    assert limiter.stats().in_flight == 1
    permit.release()
    assert limiter.stats().in_flight == 0


async def test_a_pause_holds_every_task_until_it_ends() -> None:
    limiter = AdaptiveLimiter()
    (await limiter.aacquire()).throttled(retry_after=0.05)
    assert limiter.pause_remaining() > 0
    permit = await asyncio.wait_for(limiter.aacquire(), JOIN)
    assert limiter.pause_remaining() == 0  # it was granted only once the pause was over
    permit.release()


async def test_await_turn_waits_out_the_pause_without_taking_a_slot() -> None:
    limiter = AdaptiveLimiter(max_concurrency=1, initial_concurrency=1, min_rate=UNPACED)
    held = await limiter.aacquire()
    assert await asyncio.wait_for(limiter.await_turn(pace=False), JOIN)
    assert not await limiter.await_turn(pace=True, blocking=False)
    held.release()
    assert await asyncio.wait_for(limiter.await_turn(pace=True), JOIN)
    assert limiter.stats().in_flight == 0


# --------------------------------------------------- a task whose event loop died


class DeadLoopHead:
    """A task waiting at the head of the queue on a loop that is then stopped or closed."""

    def __init__(
        self,
        limiter: AdaptiveLimiter,
        ending: str,
        before_death: Callable[[], tuple[threading.Thread, list[Permit]]] | None = None,
    ) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.waiting = asyncio.run_coroutine_threadsafe(limiter.aacquire(), self.loop)
        # A task started after it has run its first step: it is in the queue now.
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), self.loop).result(JOIN)
        self.queued_behind = None
        if before_death is not None:  # someone queues behind the task while it lives
            self.queued_behind = before_death()
            wait_until(lambda: limiter.stats().waiting == 2)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(JOIN)
        if ending == "closed":
            self.loop.close()

    def run_again(self) -> None:
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(JOIN)
            self.loop.close()


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (a state, not a duration); fail instead of hanging."""
    for _ in range(int(JOIN / 0.001)):
        if condition():
            return
        time.sleep(0.001)
    raise AssertionError("the condition never became true")


def blocked_waiter(limiter: AdaptiveLimiter, kind: str) -> tuple[threading.Thread, list[Permit]]:
    """A thread (or a task on its own loop) asking for a permit in the background."""
    got: list[Permit] = []

    def wait() -> None:
        if kind == "thread":
            permit = limiter.acquire()
            assert permit is not None
        else:
            permit = asyncio.run(limiter.aacquire())
        got.append(permit)

    thread = threading.Thread(target=wait, daemon=True)  # daemon: a bug must not hang exit
    thread.start()
    return thread, got


@pytest.mark.parametrize("ending", ["stopped", "closed"])
@pytest.mark.parametrize("kind", ["thread", "asyncio"])
def test_a_waiter_whose_loop_died_does_not_block_the_next_release(kind: str, ending: str) -> None:
    limiter = AdaptiveLimiter(max_concurrency=1, initial_concurrency=1, min_rate=UNPACED)
    held = limiter.acquire()
    assert held is not None
    dead = DeadLoopHead(limiter, ending)
    try:
        thread, got = blocked_waiter(limiter, kind)
        held.release()
        thread.join(JOIN)
        assert len(got) == 1  # the free slot went past the dead task
        got[0].release()
    finally:
        dead.close()


@pytest.mark.parametrize("ending", ["stopped", "closed"])
@pytest.mark.parametrize("kind", ["thread", "asyncio"])
def test_a_waiter_whose_loop_died_during_a_pause_does_not_block_the_others(
    kind: str, ending: str
) -> None:
    limiter = AdaptiveLimiter(min_rate=UNPACED)
    held = limiter.acquire()
    assert held is not None
    held.throttled(retry_after=0.5)  # everyone waits for the pause; nothing else happens
    dead = DeadLoopHead(limiter, ending, before_death=lambda: blocked_waiter(limiter, kind))
    try:
        assert dead.queued_behind is not None
        thread, got = dead.queued_behind
        thread.join(JOIN)
        assert len(got) == 1
        got[0].release()
    finally:
        dead.close()


def test_a_task_dropped_while_its_loop_was_stopped_rejoins_when_it_runs_again() -> None:
    limiter = AdaptiveLimiter(max_concurrency=1, initial_concurrency=1, min_rate=UNPACED)
    held = limiter.acquire()
    assert held is not None
    dead = DeadLoopHead(limiter, "stopped")
    try:
        held.release()  # the stopped task is dropped from the queue...
        assert limiter.stats().in_flight == 0
        dead.run_again()  # ...and takes its turn once its loop runs
        permit = dead.waiting.result(JOIN)
        assert isinstance(permit, Permit)
        permit.release()
    finally:
        dead.close()
