"""The ``assemblyai-gateway-emulator`` command."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.emulator.__main__ import DEFAULT_KEY, _key_hint, main

STARTUP_TIMEOUT = 20.0


@pytest.fixture
def cli() -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str]]]:
    """The CLI in a subprocess on a free port, with its stdout lines in a queue."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assemblyai_gateway.emulator",
            "--port",
            "0",
            "--api-key",
            "secret-key-123",
            "--transcript",
            "tr_1=Alice: ship it Friday.",
            "--failing-model",
            "claude-opus-4-6",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        reader.join(5)
        assert process.stdout is not None
        process.stdout.close()


def read_until(lines: queue.Queue[str], pattern: str) -> list[str]:
    seen: list[str] = []
    while True:
        line = lines.get(timeout=STARTUP_TIMEOUT)
        seen.append(line)
        if re.search(pattern, line):
            return seen


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_cli_serves_until_interrupted(
    cli: tuple[subprocess.Popen[str], queue.Queue[str]], stop_signal: signal.Signals
) -> None:
    process, lines = cli
    banner = "".join(read_until(lines, "Ctrl-C"))
    match = re.search(r"at (http://127\.0\.0\.1:\d+/v1)", banner)
    assert match, banner
    base_url = match.group(1)
    assert f"ASSEMBLYAI_GATEWAY_BASE_URL={base_url}" in banner
    assert "secr..." in banner
    assert "secret-key-123" not in banner

    with httpx.Client(base_url=base_url, timeout=5) as client:
        headers = {"Authorization": "secret-key-123"}
        body = {"model": "gpt-4.1", "prompt": "Summarise {{ transcript }}", "transcript_id": "tr_1"}
        reply = client.post("/chat/completions", json=body, headers=headers).json()
        content = reply["choices"][0]["message"]["content"]
        assert content == 'Emulated answer to: "Summarise Alice: ship it Friday."'
        failing = client.post(
            "/chat/completions", json={**body, "model": "claude-opus-4-6"}, headers=headers
        )
        assert failing.status_code == 500

    process.send_signal(stop_signal)
    assert process.wait(10) == 0
    assert "emulator stopped" in "".join(read_until(lines, "emulator stopped"))


def test_cli_exits_with_1_when_the_port_is_taken(
    gateway_emulator: GatewayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    # The session emulator holds its port, so this run fails fast after parsing.
    assert main(["--port", str(gateway_emulator.port)]) == 1
    assert "assemblyai-gateway-emulator:" in capsys.readouterr().err


def test_cli_rejects_a_transcript_without_an_id(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--transcript", "no-equals-sign"])
    assert exit_info.value.code == 2
    assert "expected ID=TEXT" in capsys.readouterr().err


def test_cli_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for option in ("--port", "--host", "--api-key", "--accept-any-model", "--transcript"):
        assert option in out


def test_key_hint_shows_the_public_default_key_but_masks_others() -> None:
    assert _key_hint(DEFAULT_KEY) == DEFAULT_KEY
    assert "my-private-key" not in _key_hint("my-private-key")
