"""Helpers shared by the bulk runner's tests: JSONL in and out, and unusable inputs/outputs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["BAD_SETUPS", "BadSetup", "read_jsonl", "write_jsonl"]


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of ``path`` as JSON; the file must be strict UTF-8."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@dataclass(frozen=True)
class BadSetup:
    """One way to make a bulk run impossible before anything is sent.

    ``apply(input, output)`` breaks a working pair of paths and returns the pair to run
    with; the run must raise ``error`` (a class name in ``assemblyai_gateway.bulk``)
    whose message matches ``message``, and the CLI must exit 2 with that message.
    """

    name: str
    apply: Callable[[Path, Path], tuple[Path, Path]]
    error: str
    message: str
    needs_permissions: bool = False  # root reads and writes whatever the mode bits say

    def param(self) -> Any:
        marks = []
        if self.needs_permissions and hasattr(os, "geteuid") and os.geteuid() == 0:
            marks.append(pytest.mark.skip(reason="root ignores file permissions"))
        return pytest.param(self, id=self.name, marks=marks)


def _not_utf8(items: Path, output: Path) -> tuple[Path, Path]:
    items.write_bytes(items.read_bytes() + b'{"id": "caf\xe9"}\n')
    return items, output


def _missing_input(items: Path, output: Path) -> tuple[Path, Path]:
    return items.with_name("missing.jsonl"), output


def _input_is_a_directory(items: Path, output: Path) -> tuple[Path, Path]:
    folder = items.with_name("a-folder")
    folder.mkdir()
    return folder, output


def _unreadable_input(items: Path, output: Path) -> tuple[Path, Path]:
    items.chmod(0o200)
    return items, output


def _malformed_line(items: Path, output: Path) -> tuple[Path, Path]:
    items.write_bytes(items.read_bytes() + b'{"id": "cut"\n')
    return items, output


def _output_is_a_directory(items: Path, output: Path) -> tuple[Path, Path]:
    output.mkdir(parents=True)
    return items, output


def _output_folder_is_a_file(items: Path, output: Path) -> tuple[Path, Path]:
    blocker = output.with_name("blocker.txt")
    blocker.write_text("a file, not a folder", encoding="utf-8")
    return items, blocker / "results.jsonl"


def _output_read_only(items: Path, output: Path) -> tuple[Path, Path]:
    output.write_text("", encoding="utf-8")
    output.chmod(0o444)
    return items, output


def _output_folder_read_only(items: Path, output: Path) -> tuple[Path, Path]:
    folder = output.with_name("read-only")
    folder.mkdir()
    folder.chmod(0o555)
    return items, folder / "results.jsonl"


def _output_is_the_input(items: Path, output: Path) -> tuple[Path, Path]:
    return items, items


def _output_is_not_a_results_file(items: Path, output: Path) -> tuple[Path, Path]:
    output.write_bytes(items.read_bytes())  # e.g. the input copied by mistake
    return items, output


BAD_SETUPS = [
    BadSetup("input not UTF-8", _not_utf8, "BulkInputError", r"items\.jsonl:\d+: not UTF-8"),
    BadSetup("input missing", _missing_input, "BulkInputError", "cannot read the input"),
    BadSetup("input is a directory", _input_is_a_directory, "BulkInputError", "a directory"),
    BadSetup("input unreadable", _unreadable_input, "BulkInputError", "Permission denied", True),
    BadSetup("input line not JSON", _malformed_line, "BulkInputError", "not valid JSON"),
    BadSetup("output is a directory", _output_is_a_directory, "BulkOutputError", "a directory"),
    BadSetup(
        "output folder is a file", _output_folder_is_a_file, "BulkOutputError", "Not a directory"
    ),
    BadSetup("output read-only", _output_read_only, "BulkOutputError", "Permission denied", True),
    BadSetup(
        "output folder read-only",
        _output_folder_read_only,
        "BulkOutputError",
        "Permission denied",
        True,
    ),
    BadSetup("output is the input", _output_is_the_input, "BulkOutputError", "is the input"),
    BadSetup(
        "output holds other data",
        _output_is_not_a_results_file,
        "BulkOutputError",
        "not a result record",
    ),
]
