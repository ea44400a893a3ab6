"""Starting, stopping and load: a real server that cleans up after itself."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import subprocess
import sys
import threading
import warnings
from typing import Any

import httpx
import pytest

from assemblyai_gateway.emulator import Fault, GatewayEmulator

BODY: dict[str, Any] = {"model": "gpt-4.1", "prompt": "hello"}
# Only guards against a hung test; no test here measures time.
WATCHDOG = 60.0


def emulator_threads(port: int) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(f"gateway-emulator-{port}")]


def post(emulator: GatewayEmulator, client: httpx.Client) -> httpx.Response:
    return client.post(
        f"{emulator.base_url}/chat/completions",
        json=BODY,
        headers={"Authorization": emulator.api_key},
    )


def test_start_and_stop_work_without_a_with_block() -> None:
    emulator = GatewayEmulator(api_key="k")
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.base_url
    assert emulator.start() is emulator
    try:
        assert emulator.running
        assert emulator.port > 0
        assert emulator.base_url == f"http://127.0.0.1:{emulator.port}/v1"
        assert emulator.start() is emulator  # already running: a no-op
        with httpx.Client(timeout=5) as client:
            assert post(emulator, client).status_code == 200
    finally:
        emulator.stop()
    assert not emulator.running
    emulator.stop()  # stopping twice is harmless


def test_an_emulator_can_be_restarted() -> None:
    emulator = GatewayEmulator()
    with emulator, httpx.Client(timeout=5) as client:
        assert post(emulator, client).status_code == 200
    with emulator, httpx.Client(timeout=5) as client:
        assert post(emulator, client).status_code == 200
    assert len(emulator.requests) == 2


def test_stop_closes_idle_keep_alive_connections_and_joins_threads() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        emulator = GatewayEmulator().start()
        port = emulator.port
        client = httpx.Client(timeout=5)
        try:
            first, second = post(emulator, client), post(emulator, client)
            # Both went over one kept-alive connection.
            assert "connection" not in first.headers
            assert first.extensions["network_stream"].get_extra_info(
                "client_addr"
            ) == second.extensions["network_stream"].get_extra_info("client_addr")
            assert emulator_threads(port)
            # stop() joins every connection thread, so none is left once it returns.
            emulator.stop()
            assert emulator_threads(port) == []
        finally:
            client.close()
            emulator.stop()
        gc.collect()


def test_stop_interrupts_a_request_waiting_in_a_delay_fault() -> None:
    emulator = GatewayEmulator().start()
    emulator.inject(Fault.delay(30))
    outcome: list[object] = []

    def call() -> None:
        with httpx.Client(timeout=5) as client:
            try:
                outcome.append(post(emulator, client).status_code)
            except httpx.TransportError as exc:
                outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    emulator.wait_for_requests(1)  # the request has arrived and waits in the delay
    assert emulator.pending_faults == 0
    port = emulator.port
    # stop() wakes the delay and joins the connection's thread: nothing is left waiting.
    emulator.stop()
    assert emulator_threads(port) == []
    worker.join(WATCHDOG)
    assert outcome  # answered or cut off, but never left hanging


async def raw_request(port: int, body: bytes) -> tuple[bytes, bytes]:
    """One HTTP/1.1 request on its own connection, with plain asyncio streams."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: emulator\r\n"
            b"Authorization: emulator-key\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, payload = data.partition(b"\r\n\r\n")
    return head.split(b" ", 2)[1], payload


async def test_a_thousand_simultaneous_connections_are_all_answered() -> None:
    # Plain sockets: httpx's own pool is the bottleneck at this concurrency.
    count = 1000
    with GatewayEmulator() as emulator:
        bodies = [
            json.dumps({"model": "gpt-4.1", "prompt": f"n {i}"}).encode() for i in range(count)
        ]
        results = await asyncio.wait_for(
            asyncio.gather(*(raw_request(emulator.port, body) for body in bodies)), timeout=30
        )
        assert [status for status, _ in results] == [b"200"] * count
        answers = [
            json.loads(payload)["choices"][0]["message"]["content"] for _, payload in results
        ]
        assert answers == [f'Emulated answer to: "n {i}"' for i in range(count)]
        assert len(emulator.requests) == count


async def test_concurrent_async_httpx_requests_are_answered() -> None:
    with GatewayEmulator() as emulator:
        async with httpx.AsyncClient(base_url=emulator.base_url, timeout=10) as client:

            async def one(index: int) -> str:
                response = await client.post(
                    "/chat/completions",
                    json={"model": "gpt-4.1", "prompt": f"request {index}"},
                    headers={"Authorization": emulator.api_key},
                )
                content: str = response.json()["choices"][0]["message"]["content"]
                return content

            answers = await asyncio.gather(*(one(i) for i in range(50)))
        assert answers == [f'Emulated answer to: "request {i}"' for i in range(50)]


def test_reset_with_settings_restores_the_constructor_settings() -> None:
    emulator = GatewayEmulator(transcripts={"tr_1": "text"}, failing_models=["gpt-5"])
    emulator.transcripts["tr_2"] = "more"
    emulator.failing_models.clear()
    emulator.accept_any_model = True
    emulator.usage_style = "prompt_completion"
    emulator.tool_call_placement = "message"
    emulator.error_envelope = "gateway"
    emulator.reset()
    assert emulator.transcripts == {"tr_1": "text", "tr_2": "more"}
    emulator.reset(settings=True)
    assert emulator.transcripts == {"tr_1": "text"}
    assert emulator.failing_models == {"gpt-5"}
    assert not emulator.accept_any_model
    settings = (emulator.usage_style, emulator.tool_call_placement, emulator.error_envelope)
    assert settings == ("input_output", "choice", "spec")


def test_a_request_still_in_flight_at_a_reset_is_not_logged_after_it() -> None:
    # A test that leaves a request hanging (a delay fault, then a cancelled call) must not
    # leave it in the log of the test that comes next on the same emulator.
    with GatewayEmulator() as emulator, httpx.Client(timeout=WATCHDOG) as client:
        emulator.inject(Fault.delay(WATCHDOG))

        def hanging_call() -> None:
            with contextlib.suppress(httpx.HTTPError):
                post(emulator, client)

        caller = threading.Thread(target=hanging_call)
        caller.start()
        emulator.wait_for_requests(1, timeout=WATCHDOG)
        emulator.reset()
        emulator.stop()  # wakes the delayed request: it is answered after the reset
        caller.join(WATCHDOG)
        assert emulator.requests == []


def test_bad_settings_are_rejected_early() -> None:
    with pytest.raises(ValueError, match="usage_style"):
        GatewayEmulator(usage_style="tokens")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tool_call_placement"):
        GatewayEmulator(tool_call_placement="nowhere")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="error_envelope"):
        GatewayEmulator(error_envelope="sdk")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="error_envelope"):
        GatewayEmulator().error_envelope = "sdk"  # type: ignore[assignment]
    with pytest.raises(TypeError, match="collection"):
        GatewayEmulator(failing_models="gpt-5")
    with pytest.raises(ValueError, match="api_key"):
        GatewayEmulator(api_key="")
    emulator = GatewayEmulator()
    with pytest.raises(ValueError, match="usage_style"):
        emulator.usage_style = "x"  # type: ignore[assignment]
    with pytest.raises(ValueError, match="tool_call_placement"):
        emulator.tool_call_placement = "x"  # type: ignore[assignment]


def test_missing_extra_raises_an_import_error_naming_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "json_repair", None)
    with pytest.raises(ImportError, match=r"assemblyai-llm-gateway\[emulator\]"):
        GatewayEmulator()


def test_importing_the_package_and_plugin_does_not_import_the_extras() -> None:
    code = (
        "import sys, assemblyai_gateway.emulator, assemblyai_gateway.pytest_plugin;"
        "print([m for m in ('jsonschema', 'json_repair') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.strip() == "[]"


def test_repr_shows_where_it_listens() -> None:
    emulator = GatewayEmulator()
    assert repr(emulator) == "GatewayEmulator(stopped)"
    with emulator:
        assert repr(emulator) == f"GatewayEmulator({emulator.base_url})"
