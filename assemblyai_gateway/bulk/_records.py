"""Bulk input and output: JSONL items in, one JSONL record per finished item out.

The output file is the run's memory. Each record is written with one ``write`` and
flushed as soon as its item finishes, so a killed run keeps every record it wrote; a
rerun reads the file, skips the items that finished and appends the rest. When the
same id appears more than once (a failure, then a success on a rerun) the last line
wins.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import APIError, APIStatusError, ConfigurationError
from ..types import ChatCompletion

__all__ = [
    "BulkInputError",
    "BulkItem",
    "ResultsFile",
    "failure_record",
    "load_items",
    "success_record",
]


class BulkInputError(ConfigurationError):
    """The items cannot be run: a line is not a JSON object, or two items share an id."""


@dataclass(frozen=True)
class BulkItem:
    """One item of a bulk job.

    Attributes:
        id: ``id`` from the item, else its ``transcript_id``, else ``line-N``.
        fields: The item's JSON object (the template's fields).
        line: Its 1-based position in the input.
    """

    id: str
    fields: Mapping[str, Any]
    line: int

    @property
    def transcript_id(self) -> str | None:
        """The transcript the gateway injects at ``{{ transcript }}``, if any."""
        value = self.fields.get("transcript_id")
        return str(value) if value is not None else None


def _item(fields: object, line: int, where: str) -> BulkItem:
    if not isinstance(fields, Mapping):
        raise BulkInputError(f"{where}: an item must be a JSON object, got {type(fields).__name__}")
    raw_id = fields.get("id", fields.get("transcript_id"))
    item_id = str(raw_id) if raw_id is not None else f"line-{line}"
    return BulkItem(item_id, dict(fields), line)


def load_items(items: str | Path | Iterable[Mapping[str, Any]]) -> list[BulkItem]:
    """Items from a JSONL file (blank lines skipped) or from mappings in memory.

    Raises:
        BulkInputError: a line is not JSON or not an object, or an id repeats
            (named with the file and line), before anything is sent.
    """
    loaded: list[BulkItem] = []
    if isinstance(items, (str, Path)):
        path = Path(items)
        with path.open(encoding="utf-8") as lines:
            for number, text in enumerate(lines, start=1):
                if not text.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    fields = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise BulkInputError(f"{where}: not valid JSON ({exc.msg})") from None
                loaded.append(_item(fields, number, where))
    else:
        for number, fields in enumerate(items, start=1):
            loaded.append(_item(fields, number, f"item {number}"))
    seen: dict[str, int] = {}
    for item in loaded:
        if item.id in seen:
            raise BulkInputError(
                f"items {seen[item.id]} and {item.line} share the id {item.id!r}; "
                "ids must be unique so a rerun knows which items finished"
            )
        seen[item.id] = item.line
    return loaded


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
        "usage": usage.model_dump() if usage is not None else None,
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


class ResultsFile:
    """The output JSONL: read for resuming, then appended to, one flushed line per item.

    Safe to write from several threads; writes after :meth:`close` are dropped (the
    item is simply run again next time).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._handle: IO[str] | None = None

    def finished(self) -> dict[str, bool]:
        """Every id already in the file, mapped to whether its last record succeeded.

        A line cut short by a kill (no final newline) is removed first, so the next
        record starts on a line of its own.
        """
        if not self.path.exists():
            return {}
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            with self.path.open("r+b") as handle:
                handle.truncate(keep)
            data = data[:keep]
        outcome: dict[str, bool] = {}
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and "id" in record:
                outcome[str(record["id"])] = record.get("ok") is True
        return outcome

    def open(self) -> None:
        """Open for appending (creating the folder if needed)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if self._handle is None:
                self._handle = self.path.open("a", encoding="utf-8")

    def write(self, record: Mapping[str, Any]) -> bool:
        """Append one record and flush it; False when the file is already closed."""
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            if self._handle is None:
                return False
            self._handle.write(line)
            self._handle.flush()
            return True

    def close(self) -> None:
        """Close the file; later writes are dropped."""
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
