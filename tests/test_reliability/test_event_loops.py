"""A model reused across many ``asyncio.run()`` calls frees each finished loop and its pool.

Counted, with generous bounds and never with timing: event loops still alive after a
garbage collection, this process's open file descriptors, and its resident memory.
Before the fix every run kept its loop (an epoll fd and a self-pipe, 3 fds) and its
closed pool alive for good.
"""

from __future__ import annotations

import asyncio
import gc
import os
from typing import TYPE_CHECKING

import pytest

from assemblyai_gateway.emulator import GatewayEmulator

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, Kit

RUNS = 1_000
BATCH = 100
# Generous: a leak is 3 fds and ~800 KiB per run, so 1,000 runs would show ~3,000 fds
# and ~800 MiB.
MAX_FD_GROWTH = 60
MAX_LIVE_LOOPS = 3
MAX_RSS_GROWTH = 200 * 1024 * 1024


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _live_event_loops() -> int:
    gc.collect()
    return sum(isinstance(obj, asyncio.AbstractEventLoop) for obj in gc.get_objects())


needs_proc = pytest.mark.skipif(
    not os.path.exists("/proc/self/statm"), reason="counts fds and memory through /proc"
)


@pytest.mark.slow
@needs_proc
def test_thousands_of_asyncio_runs_leave_no_loops_pools_or_fds_behind(
    adapter: AdapterDriver, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    llm = adapter.make(kit.CLAUDE, max_retries=0)

    async def one_call() -> str:
        return (await adapter.call(llm, "ainvoke")).ok().text

    assert asyncio.run(one_call()) == kit.ANSWER  # warm-up: imports, caches
    fds, rss, loops = _open_fds(), _rss_bytes(), _live_event_loops()
    for done in range(BATCH, RUNS + 1, BATCH):
        for _ in range(BATCH):
            asyncio.run(one_call())
        live = _live_event_loops() - loops
        assert live <= MAX_LIVE_LOOPS, f"{live} finished loops still alive after {done} runs"
        grown = _open_fds() - fds
        assert grown <= MAX_FD_GROWTH, f"{grown} more fds after {done} runs"
    assert _rss_bytes() - rss <= MAX_RSS_GROWTH
    assert kit.open_client_sockets(emulator.port) == 0
    assert len(emulator.requests) == RUNS + 1


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_aclose_after_the_loop_was_closed_without_shutdown_asyncgens_returns(
    adapter: AdapterDriver, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    llm = adapter.make(kit.CLAUDE, max_retries=0)
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(adapter.call(llm, "ainvoke")).ok().text == kit.ANSWER
    finally:
        loop.close()  # without loop.shutdown_asyncgens(): the pool was never closed

    asyncio.run(llm.aclose())  # closes what it can, and returns

    del loop
    gc.collect()
    assert kit.open_client_sockets(emulator.port) == 0
    # The model still works on a new loop.
    assert asyncio.run(adapter.call(llm, "ainvoke")).ok().text == kit.ANSWER
