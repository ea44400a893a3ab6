"""Bulk input: JSONL items (or mappings in memory), read twice and never held.

A run reads its items twice: once to check every line and collect the ids before
anything is sent, once to send them. Neither pass keeps the items, so memory grows
with the number of ids, not with the size of the items. A regular file is read again
through the handle of the first pass, up to the size that pass saw (lines appended
meanwhile wait for the next run); a list is iterated again; anything that can be read
only once (a pipe, a generator) is read into memory first.

An item's id is its ``id``, else its ``transcript_id``, else one derived from its
content: ``sha256:`` and 32 hex digits of the SHA-256 of its canonical JSON (keys
sorted, no spaces, ASCII). Identical items without ids are numbered in input order:
the second is ``sha256:...#2``. So inserting, removing or reordering lines never
changes another item's id, and each copy of an identical item runs exactly once.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import ConfigurationError

__all__ = ["BulkInputError", "BulkItem", "ItemSource", "Items", "content_id", "load_items"]

Items = str | os.PathLike[str] | Iterable[Mapping[str, Any]]

_BOM = "\ufeff"


class BulkInputError(ConfigurationError):
    """The items cannot be run: unreadable, not UTF-8, a line not a JSON object, or two
    items sharing an id."""


@dataclass(frozen=True)
class BulkItem:
    """One item of a bulk job.

    Attributes:
        id: ``id`` from the item, else its ``transcript_id``, else derived from its
            content (``sha256:...``, ``#2`` for a second identical item).
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


def content_id(fields: Mapping[str, Any]) -> str:
    """The id of an item without ``id`` or ``transcript_id``: a hash of its canonical JSON.

    Raises:
        TypeError, ValueError: the mapping cannot be written as JSON (keys of mixed
            types, a cycle).

    Example:
        >>> from assemblyai_gateway.bulk import content_id
        >>> content_id({"b": 2, "a": 1}) == content_id({"a": 1, "b": 2})
        True
        >>> content_id({"a": 1})
        'sha256:015abd7f5cc57a2dd94b7590f04ad808'
    """
    canonical = json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str
    )
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]


class _Ids:
    """Gives each item its id during one pass; identical content is numbered by order."""

    def __init__(self) -> None:
        self._copies: Counter[str] = Counter()

    def __call__(self, fields: Mapping[str, Any], where: str) -> str:
        given = fields.get("id", fields.get("transcript_id"))
        if given is not None:
            return str(given)
        try:
            derived = content_id(fields)
        except (TypeError, ValueError) as exc:
            raise BulkInputError(
                f"{where}: has no id and cannot be written as JSON to derive one ({exc}); "
                "give it an 'id'"
            ) from None
        self._copies[derived] += 1
        copy = self._copies[derived]
        return derived if copy == 1 else f"{derived}#{copy}"


def _item(fields: object, line: int, where: str, ids: _Ids) -> BulkItem:
    if not isinstance(fields, Mapping):
        raise BulkInputError(f"{where}: an item must be a JSON object, got {type(fields).__name__}")
    return BulkItem(ids(fields, where), dict(fields), line)


def _parse_line(raw: bytes, number: int, name: str) -> object | None:
    """The JSON value of one input line, or None for a blank line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BulkInputError(
            f"{name}:{number}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
            "save the file as UTF-8"
        ) from None
    if number == 1:
        text = text.removeprefix(_BOM)  # Windows editors start UTF-8 files with one
    if not text.strip():
        return None
    try:
        value: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BulkInputError(f"{name}:{number}: not valid JSON ({exc.msg})") from None
    return value


class ItemSource:
    """The items of one run, readable twice without holding them.

    Args:
        items: A JSONL path, or any iterable of mappings (never modified).

    Raises:
        BulkInputError: the file cannot be opened.
    """

    def __init__(self, items: Items) -> None:
        self.path: Path | None = None
        self.count = 0
        self._handle: IO[bytes] | None = None
        self._size = 0  # bytes of the file the first pass read
        self._lines: list[bytes] | None = None  # a file that can be read only once
        self._mappings: Sequence[Any] | None = None
        if isinstance(items, (str, os.PathLike)):
            self._open(Path(items))
        elif isinstance(items, Sequence):
            self._mappings = items
        else:
            self._mappings = list(items)

    def _open(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            raise BulkInputError(f"cannot read the input {path}: it is a directory")
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise BulkInputError(f"cannot read the input {path}: {exc.strerror}") from None
        if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            self._handle = handle
            return
        with handle:  # a pipe or a device: the only chance to read it
            self._lines = list(self._guarded(handle))

    def _guarded(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        try:
            yield from lines
        except OSError as exc:
            raise BulkInputError(f"cannot read the input {self.path}: {exc.strerror}") from None

    def _raw_lines(self, limit: int | None) -> Iterator[bytes]:
        if self._lines is not None:
            yield from self._lines
            return
        assert self._handle is not None
        self._handle.seek(0)
        read = 0
        for raw in self._guarded(self._handle):
            read += len(raw)
            if limit is not None and read > limit:
                return
            yield raw

    def _items(self, limit: int | None) -> Iterator[BulkItem]:
        ids = _Ids()
        if self._mappings is not None:
            for number, fields in enumerate(self._mappings, start=1):
                yield _item(fields, number, f"item {number}", ids)
            return
        name = str(self.path)
        for number, raw in enumerate(self._raw_lines(limit), start=1):
            fields = _parse_line(raw, number, name)
            if fields is not None:
                yield _item(fields, number, f"{name}:{number}", ids)

    def scan(self) -> set[str]:
        """Check every item and return their ids (the first pass).

        Raises:
            BulkInputError: a line is not UTF-8, not JSON or not an object, or an id
                repeats (named with the file and lines), before anything is sent.
        """
        ids: set[str] = set()
        count = 0
        for item in self._items(limit=None):
            if item.id in ids:
                first = next(seen.line for seen in self._items(None) if seen.id == item.id)
                raise BulkInputError(
                    f"items {first} and {item.line} share the id {item.id!r}; "
                    "ids must be unique so a rerun knows which items finished"
                )
            ids.add(item.id)
            count += 1
        self.count = count
        if self._handle is not None:
            self._size = self._handle.tell()
        return ids

    def __iter__(self) -> Iterator[BulkItem]:
        """The items again, in order (the second pass, after :meth:`scan`)."""
        return self._items(self._size if self._handle is not None else None)

    def close(self) -> None:
        """Close the input file, if one is open."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def load_items(items: Items) -> list[BulkItem]:
    """Every item, checked, in a list (the runner itself never holds them all).

    Raises:
        BulkInputError: the input cannot be read, a line is not UTF-8, not JSON or
            not an object, or an id repeats (named with the file and line).
    """
    source = ItemSource(items)
    try:
        source.scan()
        return list(source)
    finally:
        source.close()
