"""When a client reads the gateway's model list: lazily for unknown models, once per process
and base URL, from a disk cache, when asked, and never at the cost of a call."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from assemblyai_gateway._live_models import lists as _model_lists
from assemblyai_gateway._live_models import memory as _model_list_memory
from assemblyai_gateway._live_models.cache import cache_file, read_cache, write_cache
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway.catalog import ModelInfo, get_model_info
from assemblyai_gateway.errors import (
    InternalServerError,
    InvalidRequestError,
    ModelNotAvailableInRegionError,
    NotFoundError,
    ResponseValidationError,
)
from assemblyai_gateway.model_list import (
    DEFAULT_MODEL_LIST_TTL,
    FAILURE_MEMORY_SECONDS,
    MODEL_LIST_ENV,
    MODEL_LIST_TIMEOUT_ENV,
    ModelList,
    afetch_model_list,
    fetch_model_list,
    forget_model_lists,
)
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from tests.support.client_cases import EU, Complete, MakeClient
from tests.support.model_lists import (
    NEW_MODEL,
    NEW_MODEL_INFO,
    ask,
    fetch_list,
    gateway_list,
    listed,
)

US = "https://llm-gateway.assemblyai.com/v1"


def scripted(model_list: Any = None) -> ScriptedTransport:
    return ScriptedTransport([completion_body("Hi")], model_list=model_list or gateway_list())


# ------------------------------------------------------------------------ lazily


async def test_a_request_for_a_model_the_table_knows_never_reads_the_list(
    make_client: MakeClient, complete: Complete, model_list_on: Path
) -> None:
    transport = scripted()
    await complete(make_client(transport), ask("claude-sonnet-4-5-20250929"))
    assert transport.model_list_requests == []
    assert len(transport.requests) == 1


async def test_an_unknown_model_reads_the_list_once_per_process_and_base_url(
    make_client: MakeClient, complete: Complete, model_list_on: Path
) -> None:
    transport = scripted()
    first, second = make_client(transport), make_client(transport)
    for client in (first, second, first):
        await complete(client, ask())
    assert [str(r.url) for r in transport.model_list_requests] == [f"{US}/models"]

    await complete(make_client(transport, region="eu"), ask())
    assert [str(r.url) for r in transport.model_list_requests] == [f"{US}/models", f"{EU}/models"]
    assert len(transport.requests) == 4


async def test_a_model_the_list_does_not_know_either_is_not_asked_for_again(
    make_client: MakeClient, complete: Complete, model_list_on: Path
) -> None:
    transport = scripted()
    client = make_client(transport)
    for _ in range(3):
        await complete(client, ask("a-model-nobody-knows"))
    assert len(transport.model_list_requests) == 1
    assert client.model_info("a-model-nobody-knows").known is False


async def test_a_fallback_the_table_does_not_know_reads_the_list(
    make_client: MakeClient, complete: Complete, model_list_on: Path
) -> None:
    transport = scripted()
    await complete(make_client(transport), ask("gpt-5", fallbacks=[{"model": NEW_MODEL}]))
    assert len(transport.model_list_requests) == 1


def test_the_list_describes_the_model_the_table_does_not_know(
    make_client: MakeClient, model_list_on: Path
) -> None:
    info = make_client(scripted()).model_info(NEW_MODEL)
    assert (info.context_window, info.max_output_tokens) == (500_000, 64_000)
    assert (info.listed, info.native_streaming, info.supports_reasoning) == (True, True, True)


async def test_a_burst_of_calls_reads_the_list_once(
    make_client: MakeClient, model_list_on: Path
) -> None:
    transport = scripted()
    client = make_client(transport)
    await asyncio.gather(*(client.acreate(ask()) for _ in range(8)))
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: make_client(transport, region="eu").create(ask()), range(8)))
    assert len(transport.model_list_requests) == 2  # one per base URL
    assert len(transport.requests) == 16


async def test_the_key_goes_raw_and_the_list_is_read_without_one_too(
    api_key: str, no_api_key_env: None, model_list_on: Path
) -> None:
    transport = scripted()
    with_key = GatewayClient(api_key=api_key, http_client=httpx.Client(transport=transport))
    with_key.fetch_model_list()
    assert transport.model_list_requests[0].headers["authorization"] == api_key

    without = GatewayClient(http_async_client=httpx.AsyncClient(transport=transport))
    await without.afetch_model_list()
    assert "authorization" not in transport.model_list_requests[1].headers
    assert transport.model_list_requests[1].headers["accept"] == "application/json"


# ------------------------------------------------------------------------- off


async def test_off_reads_neither_the_list_nor_the_disk(
    make_client: MakeClient,
    complete: Complete,
    model_list_on: Path,
    monkeypatch: pytest.MonkeyPatch,
    sync_or_async: str,
) -> None:
    monkeypatch.setenv(MODEL_LIST_ENV, "off")
    transport = scripted()
    client = make_client(transport)
    await complete(client, ask())
    assert transport.model_list_requests == []
    assert client.model_info(NEW_MODEL).known is False

    await fetch_list(client, sync_or_async)  # asked for: read, but not written to disk
    assert len(transport.model_list_requests) == 1
    assert client.model_info(NEW_MODEL).listed is True
    assert not await asyncio.to_thread(model_list_on.exists)


# ------------------------------------------------------------------ when asked


async def test_a_list_asked_for_is_always_read_and_then_used(
    make_client: MakeClient, complete: Complete, model_list_on: Path, sync_or_async: str
) -> None:
    transport = scripted()
    client = make_client(transport)
    listing = await fetch_list(client, sync_or_async)
    again = await fetch_list(client, sync_or_async)
    assert listing == again
    assert NEW_MODEL in listing.ids
    await complete(client, ask())
    assert len(transport.model_list_requests) == 2


async def test_a_list_asked_for_is_retried_like_any_request(
    make_client: MakeClient, model_list_on: Path, retry_waits: list[float], sync_or_async: str
) -> None:
    answers = iter([503, 502, 200])

    def answer(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return httpx.Response(status, json=gateway_list() if status == 200 else {"error": "busy"})

    listing = await fetch_list(make_client(httpx.MockTransport(answer)), sync_or_async)
    assert NEW_MODEL in listing.ids
    assert len(retry_waits) == 2


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            httpx.Response(404, json={"message": "no such route", "request_id": "r-1"}),
            NotFoundError,
        ),
        (httpx.Response(500, text="down"), InternalServerError),
        (httpx.Response(200, text="<html>captive portal</html>"), ResponseValidationError),
    ],
)
async def test_a_list_asked_for_raises_the_typed_error(
    make_client: MakeClient,
    model_list_on: Path,
    sync_or_async: str,
    answer: httpx.Response,
    error: type[Exception],
) -> None:
    client = make_client(scripted(model_list=answer), max_retries=0)
    with pytest.raises(error):
        await fetch_list(client, sync_or_async)


async def test_the_module_functions_ask_through_a_client_of_their_own(
    api_key: str, model_list_on: Path
) -> None:
    transport = scripted()
    listing = fetch_model_list(api_key=api_key, http_client=httpx.Client(transport=transport))
    alisting = await afetch_model_list(
        api_key=api_key, region="eu", http_async_client=httpx.AsyncClient(transport=transport)
    )
    assert listing == alisting
    assert [str(r.url) for r in transport.model_list_requests] == [f"{US}/models", f"{EU}/models"]


# --------------------------------------------------------------------- the disk


def test_a_list_read_is_kept_on_disk_for_the_next_process_without_the_key(
    make_client: MakeClient, api_key: str, model_list_on: Path
) -> None:
    transport = scripted()
    make_client(transport).create(ask())
    path = cache_file(model_list_on, US)
    assert api_key not in path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    forget_model_lists()  # as a new process starts: memory empty, disk kept
    client = make_client(transport)
    client.create(ask())
    assert len(transport.model_list_requests) == 1
    assert client.model_info(NEW_MODEL).listed is True


def test_a_fresh_list_on_disk_describes_table_models_too(
    make_client: MakeClient, model_list_on: Path
) -> None:
    """The disk is consulted once per base URL whatever the model, so Claude streams
    natively when the list kept says it can."""
    claude = "claude-sonnet-4-5-20250929"
    body = gateway_list()
    for entry in body["data"]:
        if entry["id"] == claude:
            entry["supported_parameters"].append("stream")
    write_cache(model_list_on, US, ModelList.model_validate(body), time.time(), secret=None)
    transport = scripted()
    client = make_client(transport)
    assert get_model_info(claude, base_url=US).native_streaming is False  # not read yet
    client.create(ask(claude))
    assert get_model_info(claude, base_url=US).native_streaming is True
    assert client.uses_native_streaming(client.build_request(ask(claude))) is True
    assert transport.model_list_requests == []


def test_an_expired_list_on_disk_is_read_again(
    make_client: MakeClient, model_list_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = scripted()
    make_client(transport).create(ask())
    forget_model_lists()
    later = time.time() + DEFAULT_MODEL_LIST_TTL + 1
    monkeypatch.setattr(_model_lists, "_now", lambda: later)
    make_client(transport).create(ask())
    assert len(transport.model_list_requests) == 2
    cached = read_cache(model_list_on, US, later)
    assert cached is not None
    assert cached.fetched_at == later


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b'{"format": 1, "base_url": "https://elsewhere.test/v1", "fetched_at": 1, "list": {}}',
        b'{"format": 99, "fetched_at": 1, "list": {"data": []}}',
        json.dumps(
            {"format": 1, "base_url": US, "fetched_at": time.time() + 86400, "list": {"data": []}}
        ).encode(),
    ],
    ids=["corrupt", "empty", "another-base-url", "another-format", "from-the-future"],
)
def test_a_list_on_disk_that_cannot_be_trusted_is_ignored_and_replaced(
    make_client: MakeClient, model_list_on: Path, content: bytes
) -> None:
    model_list_on.mkdir(parents=True)
    cache_file(model_list_on, US).write_bytes(content)
    transport = scripted()
    make_client(transport).create(ask())
    assert len(transport.model_list_requests) == 1
    assert read_cache(model_list_on, US, time.time()) is not None


def test_a_cache_folder_that_cannot_be_written_only_means_no_cache(
    make_client: MakeClient, model_list_on: Path
) -> None:
    model_list_on.write_text("a file where the folder should be")
    client = make_client(scripted())
    client.create(ask())
    assert client.model_info(NEW_MODEL).listed is True


# ------------------------------------------------------------ failure and timeout


async def test_a_failed_read_falls_back_to_the_table_and_is_remembered(
    make_client: MakeClient,
    complete: Complete,
    model_list_on: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = scripted(model_list=httpx.Response(503, json={"error": "overloaded"}))
    client = make_client(transport)
    caplog.set_level(logging.WARNING, "assemblyai_gateway")
    for _ in range(3):
        assert (await complete(client, ask())).choices[0].message.content == "Hi"
    assert len(transport.model_list_requests) == 1  # one failure, remembered: no retry storm
    assert client.model_info(NEW_MODEL).known is False
    assert [r.getMessage().count(MODEL_LIST_ENV + "=off") for r in caplog.records] == [1]

    later = time.monotonic() + FAILURE_MEMORY_SECONDS
    monkeypatch.setattr(_model_lists, "_monotonic", lambda: later)
    await complete(client, ask())
    assert len(transport.model_list_requests) == 2


def test_a_failed_read_uses_an_older_list_from_disk(
    make_client: MakeClient, model_list_on: Path
) -> None:
    old = time.time() - 10 * DEFAULT_MODEL_LIST_TTL
    write_cache(model_list_on, US, ModelList.model_validate(gateway_list()), old, secret=None)
    client = make_client(scripted(model_list=httpx.Response(502, text="bad gateway")))
    assert client.model_info(NEW_MODEL).listed is True


def test_whatever_a_transport_raises_the_call_goes_on(
    make_client: MakeClient, model_list_on: Path
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            raise AssertionError("a test double that only expected chat requests")
        return httpx.Response(200, json=completion_body("fine"))

    client = make_client(httpx.MockTransport(answer))
    assert client.create(ask()).choices[0].message.content == "fine"


def test_a_lazy_read_asks_for_the_short_timeout(
    make_client: MakeClient, model_list_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_LIST_TIMEOUT_ENV, "0.25")
    transport = scripted()
    make_client(transport, timeout=60).create(ask())
    timeout = transport.model_list_requests[0].extensions["timeout"]
    assert timeout == {"connect": 0.25, "read": 0.25, "write": 0.25, "pool": 0.25}
    assert transport.requests[0].extensions["timeout"]["read"] == 60


async def test_an_async_read_that_never_answers_ends_at_the_short_timeout(
    make_client: MakeClient, model_list_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_LIST_TIMEOUT_ENV, "0.05")
    never = asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            await never.wait()
        return httpx.Response(200, json=completion_body("answered"))

    client = make_client(httpx.MockTransport(answer))
    completion = await client.acreate(ask())
    assert completion.choices[0].message.content == "answered"
    assert _model_list_memory.recent_failure(client.base_url, time.monotonic(), 60) == (
        "APITimeoutError: the gateway attempt exceeded its deadline of 0.05 s "
        "(attempt_deadline); the server answered too slowly or not at all"
    )


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers: the base URL it serves."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    listener.close()
    for connection in held:
        connection.close()
    thread.join(5)


def test_a_gateway_that_never_answers_costs_one_short_timeout(
    silent_server: str,
    api_key: str,
    model_list_on: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(MODEL_LIST_TIMEOUT_ENV, "0.1")
    caplog.set_level(logging.WARNING, "assemblyai_gateway")
    with GatewayClient(api_key=api_key, base_url=silent_server) as client:
        for _ in range(3):
            assert client.model_info(NEW_MODEL).known is False
        profile = client.route_capabilities("gpt-5", [NEW_MODEL])
    assert [info.id for info in profile.models] == ["gpt-5", NEW_MODEL]
    failures = [r.getMessage() for r in caplog.records]
    assert len(failures) == 1
    assert "APITimeoutError" in failures[0]


# ------------------------------------------------------- decisions the list feeds


async def test_the_eu_guard_and_structured_output_follow_the_list(
    make_client: MakeClient, complete: Complete, model_list_on: Path
) -> None:
    us_only = {**listed(NEW_MODEL_INFO), "available_regions": ["us"]}
    no_schema = {
        **listed(ModelInfo("plain-5", "openai", 1000, 100)),
        "supported_parameters": ["tools"],
    }
    transport = scripted(model_list=gateway_list(us_only, no_schema))
    with pytest.raises(ModelNotAvailableInRegionError, match="claude-sonnet-5"):
        await complete(make_client(transport, region="eu"), ask())
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    with pytest.raises(InvalidRequestError, match="not supported by plain-5"):
        await complete(make_client(transport), ask("plain-5", response_format=schema))
    assert transport.requests == []
