"""A sync model used before ``os.fork()`` never shares its sockets with the child.

Gunicorn ``--preload``, Celery prefork and multiprocessing fork after import, often
after a warm-up call. Here the parent warms its pool up (a keep-alive socket to the
emulator), forks, and then parent and child call at the same moment, many times; each
checks that every answer is the answer to its own prompt. Before the fix the child
wrote on the parent's socket and the answers crossed.

Everything is bounded: the child exits through ``os._exit`` whatever happens, its
calls have a short timeout, and the parent waits for it a limited time.
"""

from __future__ import annotations

import os
import signal
import time
from typing import TYPE_CHECKING, Any

import pytest

from assemblyai_gateway.emulator import GatewayEmulator

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, Kit

CALLS = 25
CHILD_WAIT_SECONDS = 60.0


def _answer_to(prompt: str) -> str:
    return f'Emulated answer to: "{prompt}"'


def _wrong_answers(adapter: AdapterDriver, llm: Any, who: str) -> list[str]:
    """Every call whose answer was not the answer to its own prompt (or that failed)."""
    wrong: list[str] = []
    for index in range(CALLS):
        prompt = f"{who} call {index}"
        try:
            text = adapter.invoke(llm, prompt, ()).text
        except Exception as exc:
            wrong.append(f"{prompt}: {type(exc).__name__}")
            continue
        if text != _answer_to(prompt):
            wrong.append(f"{prompt}: got {text[:60]!r}")
    return wrong


def _wait_for(pid: int) -> int:
    deadline = time.monotonic() + CHILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the child did not finish")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_parent_and_child_calling_at_once_after_a_fork_each_get_their_own_answers(
    adapter: AdapterDriver, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    llm = adapter.make(kit.CLAUDE, max_retries=0, timeout=5.0)
    assert adapter.invoke(llm, "warm-up", ()).text == _answer_to("warm-up")

    report_read, report_write = os.pipe()
    start_read, start_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 3
        try:
            os.close(report_read)
            os.read(start_read, 1)
            wrong = _wrong_answers(adapter, llm, "child")
            os.write(report_write, "\n".join(wrong).encode()[:4000])
            code = 0
        finally:
            os._exit(code)

    os.close(report_write)
    os.write(start_write, b"go")  # both start now
    parent_wrong = _wrong_answers(adapter, llm, "parent")
    exit_code = _wait_for(pid)
    child_report = os.read(report_read, 8192).decode()
    os.close(report_read)
    os.close(start_read)
    os.close(start_write)

    assert exit_code == 0
    assert parent_wrong == []
    assert child_report == ""
    # The parent's pool is intact after the child is gone.
    assert adapter.invoke(llm, "after", ()).text == _answer_to("after")
