"""``ASSEMBLYAI_GATEWAY_BASE_URL`` cannot silently send the key somewhere surprising.

* Plain ``http`` on a host other than this machine: a warning, once per URL.
* ``region="eu"`` while the variable points elsewhere: the variable wins (documented),
  with a warning, once.
* The variable pointing at this machine (an emulator, a local proxy) is quiet.

Both adapters and the core are checked; building the client is enough, nothing is
sent (these hosts are not reachable from the test run anyway).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

from assemblyai_gateway import GatewayClient
from assemblyai_gateway._transport import setting_sources as config
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, BASE_URL_ENV
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway

KEY = "sk-aai-ENV-3c2b1a"


def _core(**settings: Any) -> str:
    return GatewayClient(**settings).base_url


def _langchain(**settings: Any) -> str:
    return ChatAssemblyAIGateway(**settings).client.base_url


def _llama_index(**settings: Any) -> str:
    return AssemblyAIGateway(**settings)._gateway_client().base_url


BUILDERS: dict[str, Callable[..., str]] = {
    "core": _core,
    "langchain": _langchain,
    "llama_index": _llama_index,
}


@pytest.fixture(params=sorted(BUILDERS))
def build(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Builds a client of the core or an adapter and returns the base URL it will use."""
    monkeypatch.setenv(API_KEY_ENV, KEY)
    monkeypatch.setattr(config, "_warned", set())
    builder: Callable[..., str] = BUILDERS[request.param]
    return builder


def test_plain_http_on_another_host_from_the_environment_warns_once(
    build: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "http://gateway.internal.example/v1")

    with pytest.warns(UserWarning, match="plain http on another host") as caught:
        assert build() == "http://gateway.internal.example/v1"
    assert KEY not in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build()  # the same URL again: no second warning


def test_the_environment_wins_over_region_and_says_so_once(
    build: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "https://proxy.example.com/v1")

    with pytest.warns(UserWarning, match="the environment variable wins"):
        assert build(region="eu") == "https://proxy.example.com/v1"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert build(region="eu") == "https://proxy.example.com/v1"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/v1", "http://localhost:9/v1", "http://[::1]:8080/v1"],
)
def test_a_loopback_url_from_the_environment_is_quiet(
    build: Callable[..., str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv(BASE_URL_ENV, url)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert build(region="eu") == url


def test_the_regions_own_https_url_from_the_environment_is_quiet(
    build: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BASE_URL_ENV, config.REGION_BASE_URLS["eu"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert build(region="eu") == config.REGION_BASE_URLS["eu"]
