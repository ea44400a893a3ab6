"""Fixtures shared by the whole test tree (kept small and framework-free).

* ``api_key``: a fake, distinctive key that secret-hygiene checks can search for.
* ``retry_waits``: records the waits the retry policy asks for, without sleeping.
* ``no_api_key_env``: removes ``ASSEMBLYAI_API_KEY`` / ``ASSEMBLYAI_GATEWAY_BASE_URL`` /
  ``ASSEMBLYAI_BASE_URL``.
* ``make_client``: a ``GatewayClient`` on a mock transport, sync and async clients injected.
* ``network``: answers requests made through httpx's default transports from a script.
* ``sync_or_async`` + ``complete`` / ``collect_stream``: run one request through
  ``create``/``stream`` or ``acreate``/``astream``, so one test covers both loops.
* ``no_model_list`` (autouse): lazy reads of the gateway's model list are off, so a
  mock transport sees only the requests a test makes; the tests of the model list turn
  them on with ``model_list_on`` (which also gives the test its own cache folder). The
  package's pytest plugin forgets what was learned after each test.

The hypothesis profile (bounded by default, ``long`` for ``make test-long``) is loaded
here; see :mod:`tests.support.hypothesis_profiles`.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from assemblyai_gateway._transport import retries
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, BASE_URL_ENV
from assemblyai_gateway._wire.types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
)
from assemblyai_gateway.model_list import CACHE_DIR_ENV, MODEL_LIST_ENV
from assemblyai_gateway.testing import ScriptedTransport, ScriptStep
from assemblyai_gateway.transcripts import TRANSCRIPT_BASE_URL_ENV
from tests.support.hypothesis_profiles import load_profile

load_profile()

LIVE_OPTION = "--live"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--live``: let the ``live`` tests call the real gateway (``make test-live``)."""
    parser.addoption(
        LIVE_OPTION,
        action="store_true",
        default=False,
        help="run the live gateway tests (needs ASSEMBLYAI_API_KEY; spends credits)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Without ``--live``, a key in the developer's shell is hidden from the whole run.

    So ``pytest`` or ``make test`` never spends credits and never fails on the network,
    whatever the shell holds; only ``make test-live`` and ``make record`` pass ``--live``.
    """
    if not config.getoption(LIVE_OPTION):
        os.environ.pop(API_KEY_ENV, None)
        os.environ.pop(BASE_URL_ENV, None)
        os.environ.pop(TRANSCRIPT_BASE_URL_ENV, None)


@pytest.hookimpl(trylast=True)  # after pytest-randomly has shuffled them (make test-long)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` run first; the others keep their order (collection order, or
    pytest-randomly's under ``make test-long``).

    Under pytest-xdist the long tests then overlap with the many short ones, instead of
    one of them starting last and leaving the other workers idle until it ends.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def no_model_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lazy model-list reads off (see the module docstring)."""
    monkeypatch.setenv(MODEL_LIST_ENV, "off")


@pytest.fixture
def model_list_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Lazy model-list reads on, as users get them, with an empty cache folder (returned)."""
    monkeypatch.setenv(MODEL_LIST_ENV, "auto")
    folder = tmp_path / "model-list-cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    return folder


# A fake key; distinctive so a leak is easy to spot in messages, reprs and logs.
FAKE_API_KEY = "aai-fake-test-key-7c1e5d93b2a84f60"


@pytest.fixture
def api_key() -> str:
    """A fake AssemblyAI key (never a real one)."""
    return FAKE_API_KEY


@pytest.fixture
def no_api_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run without ``ASSEMBLYAI_API_KEY`` and ``ASSEMBLYAI_GATEWAY_BASE_URL`` set."""
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    monkeypatch.delenv(TRANSCRIPT_BASE_URL_ENV, raising=False)


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every wait the retry policy requests (sync and async) instead of sleeping."""
    waits: list[float] = []

    def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    async def fake_async_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(retries, "_sleep", fake_sleep)
    monkeypatch.setattr(retries, "_async_sleep", fake_async_sleep)
    return waits


MakeClient = Callable[..., GatewayClient]


@pytest.fixture
def make_client(
    api_key: str, no_api_key_env: None, retry_waits: list[float]
) -> Iterator[MakeClient]:
    """``make_client(transport, **kwargs)``: a client whose sync and async pools use ``transport``.

    Retry sleeps are recorded (see ``retry_waits``) and the environment is clean, so
    settings come from the arguments only. ``api_key`` defaults to the fake key.
    """
    sync_clients: list[httpx.Client] = []

    def build(transport: httpx.BaseTransport, **kwargs: Any) -> GatewayClient:
        assert isinstance(transport, httpx.AsyncBaseTransport)
        sync_client = httpx.Client(transport=transport)
        sync_clients.append(sync_client)
        kwargs.setdefault("api_key", api_key)
        return GatewayClient(
            http_client=sync_client,
            http_async_client=httpx.AsyncClient(transport=transport),
            **kwargs,
        )

    yield build
    for client in sync_clients:
        client.close()


@pytest.fixture(params=["sync", "async"])
def sync_or_async(request: pytest.FixtureRequest) -> str:
    """``"sync"`` or ``"async"``: which half of the client a test drives."""
    mode = request.param
    assert isinstance(mode, str)
    return mode


Request = ChatCompletionRequest | Mapping[str, Any]
Complete = Callable[[GatewayClient, Request], Awaitable[ChatCompletion]]


@pytest.fixture
def complete(sync_or_async: str) -> Complete:
    """``await complete(client, request)``: ``client.create`` or ``client.acreate``."""

    async def run(client: GatewayClient, request: Request) -> ChatCompletion:
        if sync_or_async == "sync":
            return client.create(request)
        return await client.acreate(request)

    return run


StreamOutcome = tuple[list[ChatCompletionChunk], BaseException | None]
CollectStream = Callable[..., Awaitable[StreamOutcome]]


@pytest.fixture
def collect_stream(sync_or_async: str) -> CollectStream:
    """``await collect_stream(client, request, include_usage=True)`` -> ``(chunks, error)``.

    Drives ``client.stream`` or ``client.astream`` to the end and returns the chunks
    yielded before any error, and the error (``None`` when the stream finished).
    Errors raised by the ``stream()``/``astream()`` call itself (validation, the
    residency guard) propagate; errors raised while iterating are returned.
    """

    async def run(
        client: GatewayClient, request: Request, include_usage: bool = True
    ) -> StreamOutcome:
        chunks: list[ChatCompletionChunk] = []
        if sync_or_async == "sync":
            iterator = client.stream(request, include_usage=include_usage)
            try:
                for chunk in iterator:
                    chunks.append(chunk)
            except Exception as exc:
                return chunks, exc
            return chunks, None
        aiterator = client.astream(request, include_usage=include_usage)
        try:
            async for chunk in aiterator:
                chunks.append(chunk)
        except Exception as exc:
            return chunks, exc
        return chunks, None

    return run


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Callable[[Sequence[ScriptStep]], ScriptedTransport]:
    """Answer requests made through httpx's default transports from a script."""

    def install(steps: Sequence[ScriptStep]) -> ScriptedTransport:
        transport = ScriptedTransport(steps)

        def handle(_self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            return transport.handle_request(request)

        async def ahandle(
            _self: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            return await transport.handle_async_request(request)

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", ahandle)
        return transport

    return install
