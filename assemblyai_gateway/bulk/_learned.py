"""The limiter's learned rate, kept beside a bulk run's output so a rerun starts from it.

A restarted run would otherwise probe for the account's rate again. The file is
``<output>.limiter.json``: ``{"version": 1, "learned_rate": 19.4, "concurrency": 12}``.
It is written every few seconds while the limiter has learned something and when the
run ends (Ctrl-C included), atomically, and read when the next run starts, before
anything is sent. It is only a head start: a missing, unreadable or malformed file is
ignored, a limiter that has already been throttled keeps what it learned, and output
that is not a regular file (a pipe, ``/dev/stdout``) gets no state file at all.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .._limiter.adaptive import AdaptiveLimiter

__all__ = ["SAVE_EVERY", "STATE_SUFFIX", "LearnedRateFile"]

logger = logging.getLogger("assemblyai_gateway.bulk")

STATE_SUFFIX = ".limiter.json"
SAVE_EVERY = 5.0  # seconds between saves while a run goes on
_VERSION = 1
_MAX_STATE_BYTES = 4096  # anything longer is not ours


class LearnedRateFile:
    """Reads and writes one run's ``<output>.limiter.json`` (thread-safe).

    Args:
        output: The run's results file; ``None`` when it is not a regular file (a pipe,
            ``/dev/stdout``), which turns the file off.
        limiter: The run's limiter; ``None`` turns the file off.
        clock: Monotonic seconds, for the time between saves.
    """

    def __init__(
        self,
        output: Path | None,
        limiter: AdaptiveLimiter | None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limiter = limiter
        self.path: Path | None = None
        if limiter is not None and output is not None:
            self.path = output.with_name(output.name + STATE_SUFFIX)
        self._clock = clock
        self._lock = threading.Lock()
        self._saved_at = -math.inf

    def restore(self) -> bool:
        """Start the limiter from the saved rate; False when there is none to use."""
        if self.path is None or self.limiter is None:
            return False
        state = _read(self.path)
        if state is None:
            return False
        rate, concurrency = state
        resumed = self.limiter.resume_from(rate, concurrency)
        if resumed:
            logger.info("starting from the learned rate %.2f/s in %s", rate, self.path)
        return resumed

    def tick(self) -> None:
        """Save when :data:`SAVE_EVERY` seconds passed since the last save."""
        if self.path is not None and self._clock() - self._saved_at >= SAVE_EVERY:
            self.save()

    def save(self) -> None:
        """Write the limiter's learned rate now (nothing when it has learned none)."""
        if self.path is None or self.limiter is None:
            return
        with self._lock:
            self._saved_at = self._clock()
            stats = self.limiter.stats()
            if stats.learned_rate is None:
                return
            state = {
                "version": _VERSION,
                "learned_rate": round(stats.learned_rate, 6),
                "concurrency": stats.concurrency,
            }
            try:
                _write_atomically(self.path, json.dumps(state) + "\n")
            except OSError as error:  # a head start for next time, never worth a failure
                logger.warning("could not save the learned rate to %s: %s", self.path, error)


def _read(path: Path) -> tuple[float, int | None] | None:
    try:
        with path.open("rb") as file:
            raw = file.read(_MAX_STATE_BYTES + 1)
    except OSError:
        return None
    try:
        state = json.loads(raw) if len(raw) <= _MAX_STATE_BYTES else None
    except ValueError:
        state = None
    if not isinstance(state, dict) or state.get("version") != _VERSION:
        logger.warning("ignoring %s: not a learned-rate file this version wrote", path)
        return None
    rate, concurrency = state.get("learned_rate"), state.get("concurrency")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        return None
    if not (math.isfinite(rate) and rate > 0):
        return None
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        concurrency = None
    return float(rate), concurrency


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
