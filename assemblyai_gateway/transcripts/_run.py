"""Running a task plan: worker threads for sync callers, tasks for async ones.

Both runners only execute the steps the plan yields (a batch of fetches or of chat
requests, at most ``limit`` at a time) and send the results back in order. Every chat
request goes through the client, so through its retries and its adaptive limiter.
The first failure stops the batch: what is queued is cancelled, and the error (typed,
as the client raised it) propagates.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from ._mapreduce import Fetch, TaskPlan
from ._results import TaskResult

if TYPE_CHECKING:
    from .._transport.client import GatewayClient
    from ._client import TranscriptClient

__all__ = ["adrive_task", "drive_task", "transcript_client_for"]

T = TypeVar("T")
R = TypeVar("R")


def transcript_client_for(
    client: GatewayClient, given: TranscriptClient | None
) -> Callable[[], TranscriptClient]:
    """The transcript client a task reads with, built on first use: ``given``, else one
    with the gateway client's key and region (``$ASSEMBLYAI_BASE_URL`` still wins)."""
    made: list[TranscriptClient] = [given] if given is not None else []

    def get() -> TranscriptClient:
        if not made:
            from ._client import TranscriptClient

            key = client._resolved_key_or_none()
            made.append(TranscriptClient(key, region="eu" if client.is_eu else None))
        return made[0]

    return get


def _threads(function: Callable[[T], R], items: Sequence[T], limit: int) -> list[R]:
    if len(items) == 1:
        return [function(items[0])]
    pool = ThreadPoolExecutor(max_workers=min(limit, len(items)), thread_name_prefix="task")
    futures: list[Future[R]] = [pool.submit(function, item) for item in items]
    interrupted = False
    try:
        return [future.result() for future in futures]
    except BaseException as error:
        interrupted = isinstance(error, KeyboardInterrupt)
        raise
    finally:
        # Queued work is dropped; requests in flight end before this returns (Ctrl-C
        # alone does not wait for them), so none is still sending afterwards.
        pool.shutdown(wait=not interrupted, cancel_futures=True)


async def _tasks(function: Callable[[T], Awaitable[R]], items: Sequence[T], limit: int) -> list[R]:
    gate = asyncio.Semaphore(limit)

    async def one(item: T) -> R:
        async with gate:
            return await function(item)

    running = [asyncio.ensure_future(one(item)) for item in items]
    try:
        return list(await asyncio.gather(*running))
    except BaseException:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        raise


def drive_task(
    plan: TaskPlan,
    client: GatewayClient,
    transcripts: Callable[[], TranscriptClient],
    limit: int,
) -> TaskResult:
    """Run ``plan`` with worker threads; returns its result."""
    result: Any = None
    try:
        while True:
            try:
                step = plan.send(result)
            except StopIteration as done:
                value: TaskResult = done.value
                return value
            if isinstance(step, Fetch):
                fetch = functools.partial(transcripts().fetch, include=step.include)
                result = _threads(fetch, step.transcript_ids, limit)
            else:
                result = _threads(client.create, step.requests, limit)
    finally:
        plan.close()


async def adrive_task(
    plan: TaskPlan,
    client: GatewayClient,
    transcripts: Callable[[], TranscriptClient],
    limit: int,
) -> TaskResult:
    """Run ``plan`` with tasks on the event loop (no thread); returns its result."""
    result: Any = None
    try:
        while True:
            try:
                step = plan.send(result)
            except StopIteration as done:
                value: TaskResult = done.value
                return value
            if isinstance(step, Fetch):
                afetch = functools.partial(transcripts().afetch, include=step.include)
                result = await _tasks(afetch, step.transcript_ids, limit)
            else:
                result = await _tasks(client.acreate, step.requests, limit)
    finally:
        plan.close()
