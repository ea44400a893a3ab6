"""The bulk runner: every item through one client and its limiter, results as JSONL.

The decisions (which items to run, the request per item, the record per outcome, the
tally) are shared; only the two send loops differ: worker threads for sync callers,
worker tasks for async ones. Items are read as workers take them, never held all at
once; an error that stops the run (Ctrl-C, an output that fails) stops every worker.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from .._limiter.adaptive import AdaptiveLimiter
from ..errors import ConfigurationError
from ._items import BulkItem, Items, ItemSource
from ._job import BulkJob, BulkWork
from ._learned import LearnedRateFile
from ._progress import Progress
from ._records import ResultsFile
from ._summary import BulkSummary

if TYPE_CHECKING:
    from .._transport.client import GatewayClient

__all__ = ["DEFAULT_MAX_RETRIES", "BulkRunner", "arun_bulk", "run_bulk"]

# The limiter paces retries, so a throttled item can afford more attempts than usual.
DEFAULT_MAX_RETRIES = 6
DEFAULT_WORKERS = 16


class BulkRunner:
    """Runs a :class:`BulkJob` over many items, resumably.

    Args:
        job: The prompt (and optional schema) for every item; or any
            :class:`BulkWork`, which makes each item's record itself (the transcript
            tasks' command line runs a whole map-reduce per transcript so).
        client: The client to send with; by default one is built from the
            environment (``ASSEMBLYAI_API_KEY``...) with ``limiter`` and
            ``max_retries``.
        limiter: The adaptive limiter for the default client (a fresh one if omitted).
            Ignored when ``client`` is given: the client's own limiter is used.
        workers: Items in progress at once; defaults to the limiter's
            ``max_concurrency`` (the limiter decides how many are really sent).
        max_retries: Retries per item for the default client.
        progress: Show a progress bar (needs tqdm: the ``bulk`` extra).
        retry_failed: On a rerun, run again the items whose last record is a failure.

    Example:
        >>> from assemblyai_gateway import GatewayClient
        >>> from assemblyai_gateway.bulk import BulkJob, BulkRunner
        >>> from assemblyai_gateway.emulator import GatewayEmulator
        >>> import tempfile, pathlib
        >>> job = BulkJob(model="gpt-4.1", prompt="Title this: {{ text }}")
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "results.jsonl"
        >>> with GatewayEmulator() as emulator:
        ...     client = GatewayClient(api_key=emulator.api_key, base_url=emulator.base_url)
        ...     runner = BulkRunner(job, client=client, progress=False)
        ...     summary = runner.run([{"id": "a", "text": "hi"}, {"id": "b"}], out)
        >>> summary.succeeded, summary.failed, dict(summary.failures_by_type)
        (1, 1, {'TemplateError': 1})
    """

    def __init__(
        self,
        job: BulkJob | BulkWork,
        *,
        client: GatewayClient | None = None,
        limiter: AdaptiveLimiter | None = None,
        workers: int | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        progress: bool = True,
        retry_failed: bool = True,
    ) -> None:
        if not isinstance(job, BulkWork):
            raise ConfigurationError(
                f"job must be a BulkJob (or have record and arecord), got {type(job).__name__}"
            )
        if workers is not None and workers < 1:
            raise ConfigurationError(f"workers must be >= 1, got {workers}")
        if client is None:
            from .._transport.client import GatewayClient

            client = GatewayClient(limiter=limiter or AdaptiveLimiter(), max_retries=max_retries)
        self.job = job
        self.client = client
        self.limiter = client.limiter
        default_workers = self.limiter.max_concurrency if self.limiter else DEFAULT_WORKERS
        self.workers = workers or default_workers
        self.progress = progress
        self.retry_failed = retry_failed
        self.summary: BulkSummary | None = None
        self._source: ItemSource | None = None

    # ------------------------------------------------------------ shared decisions

    def _prepare(
        self, items: Items, output: str | os.PathLike[str]
    ) -> tuple[Iterator[BulkItem], ResultsFile]:
        """Check the items, lock the output, read what finished: the items still to run.

        Only ids are kept (the input's, then the finished ones among them); the items
        are read again as the workers take them.
        """
        self.summary = None
        source = ItemSource(items)
        results = ResultsFile(output)
        try:
            ids = source.scan()
            results.open(input_path=source.path)
            finished = results.finished(among=ids)
        except BaseException:
            results.close()
            source.close()
            raise
        del ids
        done = {item_id for item_id, ok in finished.items() if ok or not self.retry_failed}
        del finished
        self._source = source
        self._learned = LearnedRateFile(results.path if results.regular else None, self.limiter)
        self._learned.restore()  # a rerun starts from the rate the last run learned
        self.summary = BulkSummary(results.path, total=source.count, skipped=len(done))
        return (item for item in source if item.id not in done), results

    def _finish(self, results: ResultsFile, progress: Progress, record: Mapping[str, Any]) -> bool:
        """Write one record; False when nothing more can be written, so a worker stops
        instead of sending (and paying for) an item whose answer would be dropped."""
        assert self.summary is not None
        written = results.write(record)
        if written:
            self.summary.add(record)
            progress.advance()
        self._learned.tick()
        return written

    def _close(self, results: ResultsFile, progress: Progress, started: float) -> BulkSummary:
        results.close()
        if self._source is not None:
            self._source.close()
        self._learned.save()
        progress.close()
        assert self.summary is not None
        self.summary.elapsed = time.perf_counter() - started
        if self.limiter is not None:
            self.summary.throttles = self.limiter.stats().throttles - self._throttles_before
        return self.summary

    def _start(self) -> float:
        self._throttles_before = self.limiter.stats().throttles if self.limiter else 0
        return time.perf_counter()

    # ------------------------------------------------------------------ sync loop

    def run(self, items: Items, output: str | os.PathLike[str]) -> BulkSummary:
        """Run every unfinished item with worker threads; returns the summary.

        Ctrl-C stops the run: written records stay, the summary says so, and
        ``KeyboardInterrupt`` propagates.

        Raises:
            BulkInputError: the items cannot be run (before anything is sent).
            BulkOutputLockedError: another run is writing to ``output``.
            BulkOutputError: ``output`` cannot be used, or failed during the run.
        """
        started = self._start()
        pending, results = self._prepare(items, output)
        assert self.summary is not None
        progress = Progress(self.summary, self.limiter, enabled=self.progress)
        take = threading.Lock()
        stop = threading.Event()

        def next_item() -> BulkItem | None:
            with take:
                return None if stop.is_set() else next(pending, None)

        def work() -> None:
            try:
                while (item := next_item()) is not None:
                    record = self.job.record(self.client, item)
                    if stop.is_set() or not self._finish(results, progress, record):
                        stop.set()
                        return
            except BaseException:
                stop.set()  # the other workers take no more items
                raise

        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="bulk")
        ctrl_c = False
        try:
            futures = [pool.submit(work) for _ in range(min(self.workers, self.summary.pending))]
            for future in wait(futures, return_when=FIRST_EXCEPTION).done:
                future.result()
        except BaseException as exc:
            stop.set()
            ctrl_c = isinstance(exc, KeyboardInterrupt)
            self.summary.interrupted = True
            raise
        finally:
            # Stopped workers take no new item; the run returns once their requests in
            # flight are done, so none is still sending after it. Ctrl-C alone does not
            # wait for them.
            pool.shutdown(wait=not ctrl_c, cancel_futures=True)
            self._close(results, progress, started)
        return self.summary

    # ----------------------------------------------------------------- async loop

    async def arun(self, items: Items, output: str | os.PathLike[str]) -> BulkSummary:
        """Run every unfinished item with worker tasks; returns the summary.

        Cancelling the task (Ctrl-C under ``asyncio.run``) stops the run: written
        records stay and the summary says so.

        Raises:
            BulkInputError: the items cannot be run (before anything is sent).
            BulkOutputLockedError: another run is writing to ``output``.
            BulkOutputError: ``output`` cannot be used, or failed during the run.
        """
        started = self._start()
        pending, results = self._prepare(items, output)
        assert self.summary is not None
        progress = Progress(self.summary, self.limiter, enabled=self.progress)

        async def work() -> None:
            while (item := next(pending, None)) is not None:
                record = await self.job.arecord(self.client, item)
                if not self._finish(results, progress, record):
                    return

        workers = min(self.workers, self.summary.pending)
        tasks = [asyncio.create_task(work()) for _ in range(workers)]
        try:
            if tasks:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    task.result()
        except BaseException:
            self.summary.interrupted = True
            raise
        finally:
            try:
                await _cancel_all(tasks)
            finally:  # a second cancellation must not keep the output locked
                self._close(results, progress, started)
        return self.summary


async def _cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the workers still running and wait for them; their errors are the run's."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: the first one was raised already


def run_bulk(
    job: BulkJob, items: Items, output: str | os.PathLike[str], **options: Any
) -> BulkSummary:
    """Run ``job`` over ``items`` into ``output`` (JSONL) with threads.

    ``options`` are :class:`BulkRunner`'s (``client``, ``limiter``, ``workers``...).
    """
    return BulkRunner(job, **options).run(items, output)


async def arun_bulk(
    job: BulkJob, items: Items, output: str | os.PathLike[str], **options: Any
) -> BulkSummary:
    """Async :func:`run_bulk`, with tasks."""
    return await BulkRunner(job, **options).arun(items, output)
