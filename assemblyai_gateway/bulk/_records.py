"""Bulk output: one JSONL record per finished item, in a file only one run writes at a time.

The output file is the run's memory. Each record is written with one ``write`` as soon
as its item finishes, so a killed run keeps every record it wrote; a rerun reads the
file, skips the items that finished and appends the rest. When the same id appears more
than once (a failure, then a success on a rerun) the last line wins.

A run holds an OS lock on the file (see :mod:`._lock`) from before it reads it until it
returns, so a second run on the same file is refused instead of sending every item
again. A pipe or a device (``/dev/stdout``, a FIFO) is never read: every item runs and
nothing is locked.

Records are UTF-8 JSON, one per line. A string UTF-8 cannot encode (a lone surrogate,
which JSON allows in an id or a server's message) is written as a JSON escape, as are
the characters some readers split lines on (U+0085, U+2028, U+2029), so every record
reads back equal.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping, Set
from pathlib import Path
from typing import IO, Any

from .._wire.types import ChatCompletion
from ..errors import APIError, APIStatusError, ConfigurationError
from ._items import BulkItem
from ._lock import lock_file, unlock_file

__all__ = [
    "BulkOutputError",
    "BulkOutputLockedError",
    "ResultsFile",
    "encode_record",
    "failure_record",
    "is_stream",
    "success_record",
]

# Every record starts like this (``id`` is always its first key): how a line cut short
# by a kill is told from a file that is not ours.
_RECORD_START = b'{"id": '
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class BulkOutputError(ConfigurationError):
    """The output cannot be used: a directory, not writable, the input itself, not a
    results file, a pipe nobody reads, or it failed while the run was writing."""


class BulkOutputLockedError(BulkOutputError):
    """Another run is writing to the same output file.

    Attributes:
        path: The output file.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"another run is writing to {path}; wait for it to finish, or choose another "
            "output file (two runs on one file would send and record every item twice)"
        )
        self.path = path


def success_record(item: BulkItem, completion: ChatCompletion, output: Any) -> dict[str, Any]:
    """The line written for an item that got its answer."""
    usage = completion.usage
    choice = completion.choices[0]
    return {
        "id": item.id,
        "ok": True,
        "output": output,
        "model": completion.served_model,
        "finish_reason": choice.finish_reason,
        "usage": usage.model_dump(exclude_none=True) if usage is not None else None,
        "request_id": completion.request_id,
    }


def failure_record(item: BulkItem, error: BaseException) -> dict[str, Any]:
    """The line written for an item that failed: its error's type, message and ids."""
    details: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, APIStatusError):
        details["status_code"] = error.status_code
    if isinstance(error, APIError) and error.request_id:
        details["request_id"] = error.request_id
    return {"id": item.id, "ok": False, "error": details}


def encode_record(record: Mapping[str, Any]) -> bytes:
    """One record as a line of UTF-8 JSON that reads back equal, whatever its strings hold.

    Example:
        >>> from assemblyai_gateway.bulk._records import encode_record
        >>> encode_record({"id": "caf\\u00e9", "message": "bad \\ud800"})
        b'{"id": "caf\\xc3\\xa9", "message": "bad \\\\ud800"}\\n'
    """
    text = json.dumps(record, ensure_ascii=False, default=str)
    for character, escape in _LINE_BREAKS.items():
        if character in text:
            text = text.replace(character, escape)  # only ever inside a JSON string
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, only ever inside a JSON string
        return (_SURROGATE.sub(_escape, text) + "\n").encode("utf-8")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def is_stream(path: Path) -> bool:
    """Whether ``path`` is a pipe, a device or a socket: written to, never read back."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _record_id(raw: bytes) -> tuple[str, bool] | None:
    """(id, ok) of one complete line of a results file; None when it is not a record."""
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("ok"), bool):
        return None
    item_id = record.get("id")
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int, float)):
        return None
    return str(item_id), record["ok"]


class ResultsFile:
    """The output JSONL: opened and locked, read for resuming, then appended to.

    Safe to write from several threads; writes after :meth:`close` or after a failed
    write are dropped (the item is simply run again next time).

    Attributes:
        path: The output file.
        regular: Whether it is a regular file (resumed and locked), not a stream.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.regular = True
        self._fd: int | None = None
        self._locked = False
        self._failed = False
        self._write_lock = threading.Lock()

    def _error(self, action: str, exc: OSError) -> BulkOutputError:
        return BulkOutputError(f"cannot {action} the output {self.path}: {exc.strerror}")

    def open(self, *, input_path: Path | None = None) -> None:
        """Open for appending and take the lock (creating the file and its folder).

        Raises:
            BulkOutputLockedError: another run holds the file.
            BulkOutputError: the path is a directory, the input file, a pipe nobody
                reads, or cannot be opened for writing.
        """
        try:
            existing: os.stat_result | None = os.stat(self.path)
        except FileNotFoundError:
            existing = None
        except OSError as exc:
            raise self._error("open", exc) from None
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise BulkOutputError(f"the output {self.path} is a directory; give a file path")
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            self.regular = False
            self._fd = self._open_stream(existing)
            return
        if existing is not None and input_path is not None and _same_file(existing, input_path):
            raise BulkOutputError(f"the output {self.path} is the input file; choose another")
        try:
            if not os.path.lexists(self.path.parent):
                self.path.parent.mkdir(parents=True)
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
            fd = os.open(self.path, flags, 0o666)
        except OSError as exc:
            raise self._error("open", exc) from None
        locked = lock_file(fd)
        if locked is False:
            os.close(fd)
            raise BulkOutputLockedError(self.path)
        if locked is None:
            warnings.warn(
                f"the file system of {self.path} offers no lock: make sure no other run "
                "writes to it at the same time",
                RuntimeWarning,
                stacklevel=2,
            )
        self._fd, self._locked = fd, bool(locked)

    def _open_stream(self, existing: os.stat_result) -> int:
        # Never wait for a reader: a FIFO nobody reads is an error, not a hang.
        nonblocking = getattr(os, "O_NONBLOCK", 0) if stat.S_ISFIFO(existing.st_mode) else 0
        flags = os.O_WRONLY | nonblocking | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.path, flags)
        except OSError as exc:
            if nonblocking and exc.errno == errno.ENXIO:  # no process has it open to read
                raise BulkOutputError(
                    f"nothing is reading the pipe {self.path}; start its reader first"
                ) from None
            raise self._error("open", exc) from None
        if sys.platform != "win32" and nonblocking:
            os.set_blocking(fd, True)  # records are written whole, waiting if the pipe is full
        return fd

    def finished(self, among: Set[str]) -> dict[str, bool]:
        """The ids of ``among`` already in the file, mapped to whether their last record
        succeeded; ids not in ``among`` are not kept, so memory follows the input.

        A line cut short by a kill (no final newline) is removed, so the next record
        starts on a line of its own. A stream has nothing to read.

        Raises:
            BulkOutputError: a complete line is not a record of a bulk run (the wrong
                file?); the file is left as it was.
        """
        if self._fd is None or not self.regular:
            return {}
        outcome: dict[str, bool] = {}
        offset, cut = 0, None
        os.lseek(self._fd, 0, os.SEEK_SET)  # the Windows lock moved it
        with open(self._fd, "rb", closefd=False) as lines:
            for number, raw in enumerate(self._lines(lines), start=1):
                if not raw.endswith(b"\n"):
                    cut = (number, raw)
                    break
                offset += len(raw)
                if not raw.strip():
                    continue
                found = _record_id(raw)
                if found is None:
                    raise BulkOutputError(
                        f"{self.path}:{number} is not a result record of a bulk run; is "
                        "this the right output file? (move it away to start afresh)"
                    )
                if found[0] in among:
                    outcome[found[0]] = found[1]
        if cut is not None:
            if not (cut[1].startswith(_RECORD_START) or _RECORD_START.startswith(cut[1])):
                raise BulkOutputError(
                    f"{self.path}:{cut[0]} is not a result record of a bulk run; is this "
                    "the right output file? (move it away to start afresh)"
                )
            try:
                os.ftruncate(self._fd, offset)
            except OSError as exc:
                raise self._error("repair", exc) from None
        return outcome

    def _lines(self, handle: IO[bytes]) -> Iterator[bytes]:
        try:
            yield from handle
        except OSError as exc:
            raise self._error("read", exc) from None

    def write(self, record: Mapping[str, Any]) -> bool:
        """Append one record; False when the file is closed or a write already failed.

        Raises:
            BulkOutputError: the write failed (disk full, the pipe's reader went away);
                the run must stop, since nothing more can be recorded.
        """
        data = encode_record(record)
        with self._write_lock:
            if self._fd is None or self._failed:
                return False
            try:
                while data:
                    data = data[os.write(self._fd, data) :]
            except OSError as exc:
                self._failed = True
                error = self._error("write to", exc)
                raise BulkOutputError(f"{error}; the run stopped (rerun to resume)") from None
            return True

    def close(self) -> None:
        """Release the lock and close the file; later writes are dropped."""
        with self._write_lock:
            fd, self._fd = self._fd, None
            if fd is None:
                return
            if self._locked:
                unlock_file(fd)
            os.close(fd)


def _same_file(output: os.stat_result, input_path: Path) -> bool:
    try:
        return os.path.samestat(output, os.stat(input_path))
    except OSError:
        return False
