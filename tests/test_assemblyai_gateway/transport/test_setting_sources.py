"""Where settings come from: arguments, then environment, then defaults."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest

from assemblyai_gateway._transport import setting_sources as config
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway._transport.setting_sources import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_TIMEOUT,
    REGION_BASE_URLS,
    is_eu_base_url,
    resolve_base_url,
    resolve_timeout,
)
from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk
from assemblyai_gateway.errors import ConfigurationError, MissingAPIKeyError
from assemblyai_gateway.testing import ScriptedTransport, completion_body

MakeClient = Callable[..., GatewayClient]
Complete = Callable[[GatewayClient, Mapping[str, Any]], Awaitable[ChatCompletion]]
CollectStream = Callable[..., Awaitable[tuple[list[ChatCompletionChunk], BaseException | None]]]

US = "https://llm-gateway.assemblyai.com/v1"
EU = "https://llm-gateway.eu.assemblyai.com/v1"
REQUEST = {"model": "claude-haiku-4-5-20251001", "messages": [{"role": "user", "content": "Hi"}]}


# ------------------------------------------------------------------------- base URL


def test_region_urls_are_the_documented_ones() -> None:
    assert REGION_BASE_URLS == {"us": US, "eu": EU}


@pytest.mark.usefixtures("no_api_key_env")
def test_default_base_url_is_the_us_endpoint() -> None:
    assert resolve_base_url() == US
    assert resolve_base_url(region="us") == US


@pytest.mark.usefixtures("no_api_key_env")
def test_region_eu_gives_the_eu_endpoint() -> None:
    assert resolve_base_url(region="eu") == EU


@pytest.mark.usefixtures("no_api_key_env")
def test_explicit_base_url_wins_over_env_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "http://env.example/v1")

    assert resolve_base_url("http://explicit.example/v1", "eu") == "http://explicit.example/v1"


@pytest.mark.usefixtures("no_api_key_env")
def test_env_base_url_wins_over_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "http://env.example/v1/")
    monkeypatch.setattr(config, "_warned", set())

    with pytest.warns(UserWarning, match=f"{BASE_URL_ENV}") as caught:
        assert resolve_base_url(region="eu") == "http://env.example/v1"
    assert resolve_base_url() == "http://env.example/v1"  # warned once already
    messages = " ".join(str(warning.message) for warning in caught)
    assert "the environment variable wins" in messages
    assert "plain http" in messages


@pytest.mark.usefixtures("no_api_key_env")
def test_empty_env_base_url_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "")

    assert resolve_base_url(region="eu") == EU


@pytest.mark.usefixtures("no_api_key_env")
def test_trailing_slashes_are_stripped() -> None:
    assert resolve_base_url("http://127.0.0.1:8080/v1///") == "http://127.0.0.1:8080/v1"


@pytest.mark.parametrize("region", ["EU", "us-east-1", "", "asia"])
def test_an_invalid_region_is_a_configuration_error(region: str) -> None:
    with pytest.raises(ConfigurationError, match="region"):
        resolve_base_url(region=region)
    with pytest.raises(ConfigurationError, match="region"):
        resolve_base_url("http://explicit.example/v1", region)


@pytest.mark.parametrize(
    ("url", "is_eu"),
    [(EU, True), (EU + "/", True), (US, False), ("http://127.0.0.1:9000/v1", False)],
)
def test_is_eu_base_url(url: str, is_eu: bool) -> None:
    assert is_eu_base_url(url) is is_eu


@pytest.mark.usefixtures("no_api_key_env")
def test_client_base_url_and_endpoint() -> None:
    eu = GatewayClient(api_key="k", region="eu")
    us = GatewayClient(api_key="k")
    custom = GatewayClient(api_key="k", base_url="http://127.0.0.1:8123/v1/")

    assert (eu.base_url, eu.url, eu.is_eu) == (EU, EU + "/chat/completions", True)
    assert (us.base_url, us.is_eu) == (US, False)
    assert custom.url == "http://127.0.0.1:8123/v1/chat/completions"
    assert custom.is_eu is False


@pytest.mark.usefixtures("no_api_key_env")
def test_an_explicit_region_states_residency_even_with_a_custom_url() -> None:
    custom_eu = GatewayClient(api_key="k", base_url="http://127.0.0.1:8123/v1", region="eu")
    custom_us = GatewayClient(api_key="k", base_url=EU, region="us")

    assert custom_eu.base_url == "http://127.0.0.1:8123/v1"
    assert custom_eu.is_eu is True
    assert custom_us.is_eu is False


@pytest.mark.usefixtures("no_api_key_env")
def test_client_reads_the_base_url_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:8999/v1")

    assert GatewayClient(api_key="k").url == "http://127.0.0.1:8999/v1/chat/completions"


def test_client_rejects_an_invalid_region() -> None:
    with pytest.raises(ConfigurationError, match="region"):
        GatewayClient(api_key="k", region="mars")  # type: ignore[arg-type]


# -------------------------------------------------------------------------- timeout


def test_default_timeout_is_finite_everywhere() -> None:
    timeout = resolve_timeout(None)

    assert timeout is DEFAULT_TIMEOUT
    for part in (timeout.connect, timeout.read, timeout.write, timeout.pool):
        assert part is not None
        assert 0 < part <= 600


@pytest.mark.usefixtures("no_api_key_env")
def test_client_default_timeout_is_finite() -> None:
    timeout = GatewayClient(api_key="k").timeout

    assert timeout.read is not None
    assert timeout.connect is not None


def test_seconds_become_a_timeout_with_a_bounded_connect() -> None:
    long = resolve_timeout(300)
    short = resolve_timeout(2.5)

    assert (long.read, long.connect) == (300.0, 10.0)
    assert (short.read, short.connect) == (2.5, 2.5)


def test_an_httpx_timeout_is_used_as_is() -> None:
    custom = httpx.Timeout(5.0, read=30.0)

    assert resolve_timeout(custom) is custom


@pytest.mark.parametrize("seconds", [0, -1, -0.5])
def test_non_positive_timeouts_are_rejected(seconds: float) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        resolve_timeout(seconds)


def test_negative_max_retries_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        GatewayClient(api_key="k", max_retries=-1)


# -------------------------------------------------------------------------- API key


async def test_api_key_comes_from_env_when_not_passed(
    make_client: MakeClient, complete: Complete, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "env-key-123")
    transport = ScriptedTransport([completion_body()])
    client = make_client(transport, api_key=None)

    await complete(client, REQUEST)

    assert transport.requests[0].headers["authorization"] == "env-key-123"


async def test_an_explicit_api_key_wins_over_env(
    make_client: MakeClient, complete: Complete, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "env-key-123")
    transport = ScriptedTransport([completion_body()])
    client = make_client(transport, api_key="explicit-key")

    await complete(client, REQUEST)

    assert transport.requests[0].headers["authorization"] == "explicit-key"


async def test_missing_key_fails_at_call_time_without_a_request(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([completion_body()])
    client = make_client(transport, api_key=None)  # construction succeeds

    with pytest.raises(MissingAPIKeyError, match=API_KEY_ENV):
        await complete(client, REQUEST)

    assert transport.requests == []


async def test_missing_key_fails_a_stream_without_a_request(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    transport = ScriptedTransport([completion_body()])
    client = make_client(transport, api_key="")

    chunks, error = await collect_stream(client, {**REQUEST, "model": "gpt-5"})

    assert chunks == []
    assert isinstance(error, MissingAPIKeyError)
    assert transport.requests == []


async def test_a_key_set_in_env_after_construction_is_used(
    make_client: MakeClient, complete: Complete, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = ScriptedTransport([completion_body()])
    client = make_client(transport, api_key=None)
    monkeypatch.setenv(API_KEY_ENV, "late-key")

    await complete(client, REQUEST)

    assert transport.requests[0].headers["authorization"] == "late-key"
