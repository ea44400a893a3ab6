"""Stand-in servers in their own process, announced by one READY line on stdout."""

from __future__ import annotations

import selectors
import subprocess
import sys
from pathlib import Path

__all__ = ["REPO_ROOT", "spawn_until_ready"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def spawn_until_ready(
    args: list[str], timeout: float, *, stderr: int = subprocess.PIPE
) -> tuple[subprocess.Popen[str], str]:
    """Start ``python -m <args>`` in the repository; return it with its first stdout line.

    The wait for that line is bounded by ``timeout`` seconds; the line is ``""`` when
    none came, and the caller decides whether what it read means "ready".
    """
    process = subprocess.Popen(
        [sys.executable, "-m", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    line = ""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if selector.select(timeout=timeout):
            line = process.stdout.readline().strip()
    return process, line
