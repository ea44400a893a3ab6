"""The ``assemblyai-gateway-emulator`` command."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assemblyai_gateway import __version__
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.emulator.__main__ import DEFAULT_KEY, _key_hint, main

# Only a guard against a hung subprocess; no test measures time.
STARTUP_TIMEOUT = 20.0

Cli = tuple[subprocess.Popen[str], queue.Queue[str]]
CUSTOM_KEY_ARGS = ["--api-key", "secret-key-123"]


@contextlib.contextmanager
def running_cli(*extra: str) -> Iterator[Cli]:
    """The CLI in a subprocess on a free port, with its stdout lines in a queue."""
    process = subprocess.Popen(
        [sys.executable, "-m", "assemblyai_gateway.emulator", "--port", "0", *extra],
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


@pytest.fixture
def cli() -> Iterator[Cli]:
    """The CLI with a custom key, a transcript and a failing model."""
    with running_cli(
        *CUSTOM_KEY_ARGS,
        "--transcript",
        "tr_1=Alice: ship it Friday.",
        "--failing-model",
        "claude-opus-4-6",
    ) as started:
        yield started


def read_until(lines: queue.Queue[str], pattern: str) -> list[str]:
    seen: list[str] = []
    while True:
        line = lines.get(timeout=STARTUP_TIMEOUT)
        seen.append(line)
        if re.search(pattern, line):
            return seen


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_cli_serves_until_interrupted(cli: Cli, stop_signal: signal.Signals) -> None:
    process, lines = cli
    banner = "".join(read_until(lines, "Ctrl-C"))
    base_url = base_url_of(banner)
    assert f"ASSEMBLYAI_GATEWAY_BASE_URL={base_url}" in banner
    assert "export ASSEMBLYAI_API_KEY=<the --api-key you gave>" in banner
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


def test_cli_exits_with_1_and_says_what_to_do_when_the_port_is_taken(
    gateway_emulator: GatewayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    # The session emulator holds its port, so this run fails fast after parsing.
    assert main(["--port", str(gateway_emulator.port)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"port {gateway_emulator.port} on 127.0.0.1 is already in use" in err
    assert "--port 0" in err


def test_cli_prints_both_export_lines_for_the_default_key() -> None:
    with running_cli() as (_, lines):
        banner = "".join(read_until(lines, "Ctrl-C"))
    assert re.search(r"export ASSEMBLYAI_GATEWAY_BASE_URL=http://127\.0\.0\.1:\d+/v1\n", banner)
    assert f"  export ASSEMBLYAI_API_KEY={DEFAULT_KEY}\n" in banner


def test_cli_logs_one_line_per_request(cli: Cli) -> None:
    _, lines = cli
    base_url = base_url_of("".join(read_until(lines, "Ctrl-C")))
    with httpx.Client(base_url=base_url, timeout=5) as client:
        client.post(
            "/chat/completions",
            json={"model": "gpt-4.1", "prompt": "hi", "stream": True},
            headers={"Authorization": "secret-key-123"},
        )
        client.post("/chat/completions", json={"model": "gpt-4.1", "prompt": "hi"})
    first = read_until(lines, "/v1/chat/completions")[-1]
    second = read_until(lines, "/v1/chat/completions")[-1]
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d POST /v1/chat/completions 200 model=gpt-4.1 stream\n", first
    )
    assert second.endswith("POST /v1/chat/completions 401 model=gpt-4.1 (no key)\n")


def test_cli_quiet_prints_no_request_lines() -> None:
    with running_cli("--quiet") as (process, lines):
        base_url = base_url_of("".join(read_until(lines, "Ctrl-C")))
        headers = {"Authorization": DEFAULT_KEY}
        body = {"model": "gpt-4.1", "prompt": "hi"}
        assert httpx.post(f"{base_url}/chat/completions", json=body, headers=headers).is_success
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
        after = read_until(lines, "emulator stopped")
    assert after == ["emulator stopped\n"]


def test_cli_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"assemblyai-gateway-emulator {__version__}\n"


def base_url_of(banner: str) -> str:
    match = re.search(r"at (http://127\.0\.0\.1:\d+/v1)", banner)
    assert match, banner
    return match.group(1)


def test_cli_rejects_a_transcript_without_an_id(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--transcript", "no-equals-sign"])
    assert exit_info.value.code == 2
    assert "expected ID=TEXT" in capsys.readouterr().err


def test_cli_help_lists_the_options_with_their_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--port", "--host", "--api-key", "--accept-any-model", "--transcript"):
        assert option in out
    for default in ("8787", "127.0.0.1", DEFAULT_KEY, "input_output", "choice"):
        assert f"(default: {default})" in out
    assert "--version" in out
    assert "--quiet" in out


def test_key_hint_shows_the_public_default_key_but_masks_others() -> None:
    assert _key_hint(DEFAULT_KEY) == DEFAULT_KEY
    assert "my-private-key" not in _key_hint("my-private-key")


FORGERY = "gpt-4.1\n12:00:00 POST /v1/chat/completions 200 model=forged\x1b[2J\x1b]0;owned\x07"


def _raw_request(base_url: str, request_line: bytes, body: bytes) -> None:
    """One request written byte for byte (httpx would escape the path)."""
    host, port = httpx.URL(base_url).host, httpx.URL(base_url).port
    assert port is not None
    with socket.create_connection((host, port), timeout=STARTUP_TIMEOUT) as conn:
        conn.sendall(
            request_line
            + b"\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + b"X-Note: \x1b[31mred\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body
        )
        while conn.recv(65536):
            pass


def test_cli_escapes_what_an_unauthenticated_request_sends_before_logging_it(cli: Cli) -> None:
    _, lines = cli
    base_url = base_url_of("".join(read_until(lines, "Ctrl-C")))
    body = {"model": FORGERY, "fallbacks": [{"model": "b\x1b[5m\u202e"}], "prompt": "hi"}
    _raw_request(base_url, b"POST /v1/chat/completions HTTP/1.1", json.dumps(body).encode())
    _raw_request(base_url, b"POST /v1/\x1b[2Jchat\x07completions HTTP/1.1", b"{}")
    _raw_request(base_url, b"P\x1bOST /v1/chat/completions HTTP/1.1", b"{}")
    _raw_request(base_url, b"POST /v1/chat/completions HTTP/1.1", b'{"model": "the-last-one"}')

    logged = read_until(lines, "the-last-one")[-4:]

    assert len(logged) == 4  # one line per request, none forged
    for line in logged:
        assert line.endswith("\n")
        assert line[:-1].isprintable(), line
    assert 'model="gpt-4.1\\n12:00:00 POST /v1/chat/completions 200 model=forged' in logged[0]
    assert "\\x1b[2J" in logged[0]
    assert "fallbacks=b\\x1b[5m\\u202e" in logged[0]
    assert "/v1/\\x1b[2Jchat\\x07completions" in logged[1]
    assert "P\\x1bOST" in logged[2]


def test_an_emulator_error_is_reported_on_escaped_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with GatewayEmulator() as emulator:
        server = emulator._server
        assert server is not None
        try:
            raise ValueError(f"bad model {FORGERY}")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 4242))
    report = capsys.readouterr().err

    assert "Traceback (most recent call last):" in report
    assert "ValueError: bad model gpt-4.1\\n12:00:00" in report
    assert "\x1b" not in report
    assert all(line.isprintable() for line in report.splitlines())
    assert not any(line.startswith("12:00:00") for line in report.splitlines())


def test_cli_script_answers_the_first_requests_from_a_json_file(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text(
        json.dumps(
            [
                {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
                {"text": "18 degrees in Paris."},
                {"context_overflow": True},
            ]
        ),
        encoding="utf-8",
    )
    with running_cli("--script", str(script)) as (_, lines):
        banner = "".join(read_until(lines, "Ctrl-C"))
        assert "scripted replies: 3" in banner
        url = f"{base_url_of(banner)}/chat/completions"
        headers = {"Authorization": DEFAULT_KEY}
        body = {"model": "claude-sonnet-4-5-20250929", "prompt": "Weather in Paris?"}
        with httpx.Client(timeout=5) as client:
            answers = [client.post(url, json=body, headers=headers) for _ in range(4)]
        logged = [read_until(lines, "/v1/chat/completions")[-1] for _ in range(4)]

    [call] = answers[0].json()["choices"][0]["tool_calls"]
    assert call["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert answers[1].json()["choices"][0]["message"]["content"] == "18 degrees in Paris."
    assert answers[2].status_code == 400
    assert answers[2].json()["error"]["message"].startswith("prompt is too long: ")
    assert answers[3].json()["choices"][0]["message"]["content"].startswith("Emulated answer")
    assert [line.split()[-1] for line in logged] == [
        "reply=tool_calls",
        "reply=text",
        "reply=context_overflow",
        "model=claude-sonnet-4-5-20250929",
    ]


def test_cli_error_envelope_gateway_answers_in_the_gateway_s_envelopes() -> None:
    with running_cli("--error-envelope", "gateway") as (_, lines):
        url = f"{base_url_of(''.join(read_until(lines, 'Ctrl-C')))}/chat/completions"
        body = {"model": "claude-sonnet-4-5-20250929", "prompt": "hi", "max_tokens": 0}
        with httpx.Client(timeout=5) as client:
            unauthenticated = client.post(url, json=body)
            invalid = client.post(url, json=body, headers={"Authorization": DEFAULT_KEY})

    assert unauthenticated.status_code == 401
    assert set(unauthenticated.json()) == {"error", "status", "request_id"}
    assert invalid.status_code == 400
    assert invalid.json()["metadata"]["errors"] == ["max_tokens: must be at least 1"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            '[{"text": "ok"}, {"tool_calls": [{"arguments": {}}]}]',
            'reply 2: a tool call needs a "name"',
        ),
        ("not json", "not JSON: "),
        (None, "cannot read "),
    ],
)
def test_cli_rejects_a_bad_script_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, problem: str
) -> None:
    script = tmp_path / "replies.json"
    if content is not None:
        script.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["--script", str(script)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --script: {'' if content is None else str(script) + ': '}" in err
    assert problem in err
