"""How the client builds requests and looks after its connections."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import httpx
import pytest

from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.errors import ConfigurationError
from assemblyai_gateway.testing import ScriptedTransport, completion_body

REQUEST = {"model": "claude-sonnet-4-5-20250929", "messages": [{"role": "user", "content": "hi"}]}


def established_connections_to(port: int) -> int:
    """ESTABLISHED TCP sockets whose remote end is ``port`` (from /proc/net)."""
    count = 0
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and int(fields[2].rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def test_injected_client_default_headers_are_kept_and_ours_win(api_key: str) -> None:
    transport = ScriptedTransport([completion_body("ok")])
    injected = httpx.Client(
        transport=transport, headers={"X-Trace-Id": "abc", "User-Agent": "theirs"}
    )
    GatewayClient(api_key=api_key, http_client=injected).create(REQUEST)
    sent = transport.requests[0].headers
    assert sent["x-trace-id"] == "abc"
    assert sent["user-agent"].startswith("assemblyai-llm-gateway/")
    assert sent.get_list("user-agent") == [sent["user-agent"]]
    assert sent["authorization"] == api_key
    injected.close()


def test_injected_client_timeout_applies_unless_one_is_set(api_key: str) -> None:
    transport = ScriptedTransport([completion_body("ok")])
    injected = httpx.Client(transport=transport, timeout=3.0)
    GatewayClient(api_key=api_key, http_client=injected).create(REQUEST)
    GatewayClient(api_key=api_key, http_client=injected, timeout=7.0).create(REQUEST)
    first, second = (r.extensions["timeout"] for r in transport.requests)
    assert first["read"] == 3.0
    assert second["read"] == 7.0
    injected.close()


def test_a_key_from_the_environment_is_read_at_call_time(
    monkeypatch: pytest.MonkeyPatch, no_api_key_env: None
) -> None:
    transport = ScriptedTransport([completion_body("ok")])
    client = GatewayClient(http_client=httpx.Client(transport=transport))
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", "first-key")
    client.create(REQUEST)
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", "second-key")
    client.create(REQUEST)
    assert [r.headers["authorization"] for r in transport.requests] == ["first-key", "second-key"]


def test_async_pools_close_when_the_client_is_dropped_before_the_loop_ends() -> None:
    with GatewayEmulator(api_key="emulator-key") as emulator:

        async def use_and_drop() -> None:
            client = GatewayClient(api_key=emulator.api_key, base_url=emulator.base_url)
            await asyncio.gather(*(client.acreate(REQUEST) for _ in range(5)))

        for _ in range(3):
            asyncio.run(use_and_drop())
        gc.collect()
        assert established_connections_to(emulator.port) == 0


def test_async_pools_close_at_loop_shutdown_while_the_client_lives_on() -> None:
    with GatewayEmulator(api_key="emulator-key") as emulator:
        client = GatewayClient(api_key=emulator.api_key, base_url=emulator.base_url)

        async def use() -> str | None:
            completion = await client.acreate(REQUEST)
            return completion.choices[0].message.content

        first = asyncio.run(use())
        assert established_connections_to(emulator.port) == 0
        assert asyncio.run(use()) == first  # a new loop gets a new pool
        assert established_connections_to(emulator.port) == 0


def test_an_injected_client_of_the_wrong_type_is_named_in_the_error(api_key: str) -> None:
    with pytest.raises(ConfigurationError, match=r"http_client must be an httpx\.Client, got str"):
        GatewayClient(api_key=api_key, http_client="not a client")  # type: ignore[arg-type]
    sync_client = httpx.Client()
    with pytest.raises(ConfigurationError, match=r"must be an httpx\.AsyncClient"):
        GatewayClient(api_key=api_key, http_async_client=sync_client)  # type: ignore[arg-type]
    sync_client.close()
