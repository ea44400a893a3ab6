"""GatewayClient, sync and async, against a scripted transport (no network)."""

from __future__ import annotations

import asyncio
import json
import pickle
from typing import Any

import httpx
import pytest

from assemblyai_gateway import __version__
from assemblyai_gateway._transport.client import (
    GatewayClient,
    InvalidRequestError,
    parse_completion,
)
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV
from assemblyai_gateway._wire.types import ChatCompletionRequest
from assemblyai_gateway.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    ModelNotAvailableInRegionError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
)
from assemblyai_gateway.testing import (
    ScriptedTransport,
    completion_body,
    error_body,
    tool_call,
)
from tests.support.client_cases import (
    CLAUDE,
    EU,
    GPT,
    MESSAGES,
    CollectStream,
    Complete,
    MakeClient,
    text_stream,
)

# ------------------------------------------------------------------ the request


async def test_create_posts_the_payload_to_chat_completions(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([completion_body("Hello!")])
    client = make_client(transport)
    request = {**CLAUDE, "max_tokens": 50, "temperature": 0.3, "fallbacks": [{"model": "gpt-5"}]}

    completion = await complete(client, request)

    sent = transport.requests[0]
    assert sent.method == "POST"
    assert str(sent.url) == "https://llm-gateway.assemblyai.com/v1/chat/completions"
    assert json.loads(sent.content) == ChatCompletionRequest.model_validate(request).to_payload()
    assert completion.choices[0].message.content == "Hello!"
    assert completion.request_id == "req-0001"
    assert transport.open_responses == 0


async def test_authorization_is_the_raw_key_without_bearer(
    make_client: MakeClient, complete: Complete, api_key: str
) -> None:
    transport = ScriptedTransport([completion_body()])

    await complete(make_client(transport), CLAUDE)

    authorization = transport.requests[0].headers["authorization"]
    assert authorization == api_key
    assert not authorization.lower().startswith("bearer")


async def test_user_agent_names_the_package_and_version(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([completion_body()])

    await complete(make_client(transport), CLAUDE)

    headers = transport.requests[0].headers
    assert headers["user-agent"].startswith(f"assemblyai-llm-gateway/{__version__} ")
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "application/json"


async def test_default_headers_are_sent_but_cannot_replace_auth(
    make_client: MakeClient, complete: Complete, api_key: str
) -> None:
    transport = ScriptedTransport([completion_body()])
    client = make_client(
        transport, default_headers={"X-Team": "search", "Authorization": "Bearer other"}
    )

    await complete(client, CLAUDE)

    headers = transport.requests[0].headers
    assert headers["x-team"] == "search"
    assert headers["authorization"] == api_key


async def test_create_never_asks_for_a_stream(make_client: MakeClient, complete: Complete) -> None:
    transport = ScriptedTransport([completion_body()])
    request = {**GPT, "stream": True, "stream_options": {"include_usage": True}}

    await complete(make_client(transport), request)

    body = transport.json_bodies[0]
    assert "stream" not in body
    assert "stream_options" not in body


async def test_a_request_model_instance_is_accepted(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([completion_body()])
    request = ChatCompletionRequest.model_validate({**CLAUDE, "transcript_id": "tr_1"})

    await complete(make_client(transport), request)

    assert transport.json_bodies[0]["transcript_id"] == "tr_1"


async def test_tool_calls_come_back_on_the_choice(
    make_client: MakeClient, complete: Complete
) -> None:
    calls = [tool_call("get_weather", {"city": "Paris"}, "call_1")]
    transport = ScriptedTransport(
        [completion_body(None, tool_calls=calls, tool_calls_in_message=True)]
    )

    completion = await complete(make_client(transport), CLAUDE)

    choice = completion.choices[0]
    assert choice.message.content is None
    assert [(c.id, c.function.name) for c in choice.tool_calls] == [("call_1", "get_weather")]
    assert choice.finish_reason == "tool_calls"


async def test_an_explicit_timeout_applies_to_an_injected_client(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([completion_body()])

    await complete(make_client(transport, timeout=7.5), CLAUDE)
    await complete(make_client(transport), CLAUDE)

    explicit, default = (r.extensions["timeout"] for r in transport.requests)
    assert explicit["read"] == 7.5
    assert default["read"] == httpx.Client().timeout.read  # the injected client's own


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({"messages": MESSAGES}, "model"),
        ({"model": "", "messages": MESSAGES}, "model"),
        ({"model": "gpt-5"}, "messages"),
        ({"model": "gpt-5", "messages": []}, "prompt"),
        ({**CLAUDE, "max_tokens": 0}, "max_tokens"),
        ({**CLAUDE, "temperature": 2.5}, "temperature"),
        ({**CLAUDE, "fallback_config": {"depth": 5}}, "fallback_config.depth"),
    ],
)
async def test_invalid_requests_fail_before_anything_is_sent(
    make_client: MakeClient, complete: Complete, request_body: dict[str, Any], field: str
) -> None:
    transport = ScriptedTransport([completion_body()])
    client = make_client(transport)

    with pytest.raises(InvalidRequestError) as info:
        await complete(client, request_body)

    assert field in str(info.value)
    assert isinstance(info.value, ConfigurationError)
    assert isinstance(info.value, ValueError)
    assert transport.requests == []


@pytest.mark.parametrize("request_body", [{"messages": MESSAGES}, {**GPT, "max_tokens": 0}])
async def test_invalid_stream_requests_fail_at_the_stream_call(
    make_client: MakeClient, collect_stream: CollectStream, request_body: dict[str, Any]
) -> None:
    transport = ScriptedTransport([text_stream()])

    with pytest.raises(InvalidRequestError):
        await collect_stream(make_client(transport), request_body)

    assert transport.requests == []


# ------------------------------------------------------------ residency guard


@pytest.mark.parametrize(
    "request_body",
    [
        GPT,
        {**GPT, "model": "gpt-oss-20b"},
        {**CLAUDE, "fallbacks": [{"model": "gemini-2.5-pro"}, {"model": "gpt-5-mini"}]},
    ],
)
async def test_eu_client_refuses_openai_models_before_any_request(
    make_client: MakeClient, complete: Complete, request_body: dict[str, Any]
) -> None:
    transport = ScriptedTransport([completion_body()])
    client = make_client(transport, region="eu")

    with pytest.raises(ModelNotAvailableInRegionError, match="gpt-") as info:
        await complete(client, request_body)

    assert "region='us'" in str(info.value)
    assert isinstance(info.value, ConfigurationError)
    assert transport.requests == []


async def test_eu_client_refuses_openai_streams_at_the_stream_call(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    transport = ScriptedTransport([text_stream()])

    with pytest.raises(ModelNotAvailableInRegionError):
        await collect_stream(make_client(transport, base_url=EU), GPT)

    assert transport.requests == []


async def test_enforce_region_false_lets_the_request_through(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([completion_body()])
    client = make_client(transport, region="eu", enforce_region=False)

    await complete(client, GPT)

    assert str(transport.requests[0].url) == EU + "/chat/completions"


@pytest.mark.parametrize("model", ["claude-sonnet-4-5-20250929", "gemini-2.5-flash", "kimi-k2.5"])
async def test_eu_client_serves_claude_gemini_and_unknown_models(
    make_client: MakeClient, complete: Complete, model: str
) -> None:
    transport = ScriptedTransport([completion_body()])

    await complete(make_client(transport, region="eu"), {**CLAUDE, "model": model})

    assert transport.json_bodies[0]["model"] == model
    assert str(transport.requests[0].url) == EU + "/chat/completions"


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (418, APIStatusError),
        (429, RateLimitError),
        (500, InternalServerError),
    ],
)
async def test_error_statuses_raise_their_class_with_the_gateway_message(
    make_client: MakeClient, complete: Complete, status: int, cls: type[APIStatusError]
) -> None:
    response = httpx.Response(
        status,
        json=error_body(status, "the gateway explains", [{"field": "x"}]) | {"request_id": "r-5"},
    )
    transport = ScriptedTransport([response])
    client = make_client(transport, max_retries=0)

    with pytest.raises(cls) as info:
        await complete(client, CLAUDE)

    assert type(info.value) is cls
    assert info.value.status_code == status
    assert info.value.message.startswith("the gateway explains")
    assert info.value.request_id == "r-5"
    assert info.value.errors == [{"field": "x"}]
    assert transport.open_responses == 0


@pytest.mark.parametrize(
    "body",
    [b"<html>oops</html>", b"", b'{"choices": []}', b'{"choices": "nope"}', b"[1, 2]"],
)
async def test_a_2xx_body_that_is_not_a_completion_raises_response_validation_error(
    make_client: MakeClient, complete: Complete, body: bytes
) -> None:
    transport = ScriptedTransport([httpx.Response(200, content=body)])

    with pytest.raises(ResponseValidationError) as info:
        await complete(make_client(transport), CLAUDE)

    assert info.value.body == body.decode()
    assert len(transport.requests) == 1
    assert transport.open_responses == 0


def test_parse_completion_reads_bytes_and_text() -> None:
    body = json.dumps(completion_body("parsed"))

    assert parse_completion(body).choices[0].message.content == "parsed"
    assert parse_completion(body.encode()).choices[0].message.content == "parsed"


def test_parse_completion_keeps_the_request_id_of_an_empty_completion() -> None:
    with pytest.raises(ResponseValidationError, match="no choices") as info:
        parse_completion(b'{"request_id": "r-0", "choices": []}')

    assert info.value.request_id == "r-0"


def test_parse_completion_names_the_bad_field_and_truncates_the_body() -> None:
    body = json.dumps({"choices": [{"index": "first"}], "pad": "x" * 2000})

    with pytest.raises(ResponseValidationError, match=r"choices\.0\.index") as info:
        parse_completion(body)

    assert isinstance(info.value.body, str)
    assert len(info.value.body) == 500


# ----------------------------------------------------------- owned http clients


@pytest.fixture
def owned_sync_clients(
    monkeypatch: pytest.MonkeyPatch, retry_waits: list[float]
) -> tuple[ScriptedTransport, list[httpx.Client]]:
    """Route the clients GatewayClient creates itself through a scripted transport."""
    transport = ScriptedTransport([completion_body("owned")])
    created: list[httpx.Client] = []
    real = httpx.Client

    def factory(**kwargs: Any) -> httpx.Client:
        client = real(transport=transport, **kwargs)
        created.append(client)
        return client

    monkeypatch.setattr(httpx, "Client", factory)  # what client.py looks up
    return transport, created


@pytest.fixture
def owned_async_clients(
    monkeypatch: pytest.MonkeyPatch, retry_waits: list[float]
) -> tuple[ScriptedTransport, list[httpx.AsyncClient]]:
    """Route the async clients GatewayClient creates itself through a scripted transport."""
    transport = ScriptedTransport([completion_body("owned")])
    created: list[httpx.AsyncClient] = []
    real = httpx.AsyncClient

    def factory(**kwargs: Any) -> httpx.AsyncClient:
        client = real(transport=transport, **kwargs)
        created.append(client)
        return client

    monkeypatch.setattr(httpx, "AsyncClient", factory)  # what client.py looks up
    return transport, created


def test_owned_sync_client_is_created_lazily_reused_and_closed(
    owned_sync_clients: tuple[ScriptedTransport, list[httpx.Client]], api_key: str
) -> None:
    transport, created = owned_sync_clients
    client = GatewayClient(api_key=api_key)

    assert created == []
    client.create(CLAUDE)
    client.create(CLAUDE)
    assert len(created) == 1
    assert created[0].is_closed is False
    assert created[0].timeout.read == client.timeout.read

    client.close()

    assert created[0].is_closed is True
    assert len(transport.requests) == 2
    client.create(CLAUDE)  # a closed client reopens a fresh pool
    assert len(created) == 2
    client.close()


def test_owned_sync_client_is_closed_by_the_context_manager(
    owned_sync_clients: tuple[ScriptedTransport, list[httpx.Client]], api_key: str
) -> None:
    _, created = owned_sync_clients

    with GatewayClient(api_key=api_key) as client:
        client.create(CLAUDE)

    assert [c.is_closed for c in created] == [True]


def test_closing_an_unused_client_creates_nothing(
    owned_sync_clients: tuple[ScriptedTransport, list[httpx.Client]], api_key: str
) -> None:
    _, created = owned_sync_clients

    GatewayClient(api_key=api_key).close()

    assert created == []


async def test_owned_async_client_is_created_lazily_shared_and_closed(
    owned_async_clients: tuple[ScriptedTransport, list[httpx.AsyncClient]], api_key: str
) -> None:
    transport, created = owned_async_clients
    client = GatewayClient(api_key=api_key)
    assert created == []

    results = await asyncio.gather(*(client.acreate(CLAUDE) for _ in range(5)))

    assert [r.choices[0].message.content for r in results] == ["owned"] * 5
    assert len(created) == 1
    assert len(transport.requests) == 5
    await client.aclose()
    assert created[0].is_closed is True


async def test_owned_async_client_is_closed_by_async_with(
    owned_async_clients: tuple[ScriptedTransport, list[httpx.AsyncClient]], api_key: str
) -> None:
    _, created = owned_async_clients

    async with GatewayClient(api_key=api_key) as client:
        await client.acreate(CLAUDE)

    assert [c.is_closed for c in created] == [True]


def test_one_client_works_from_two_event_loops_in_turn(
    owned_async_clients: tuple[ScriptedTransport, list[httpx.AsyncClient]], api_key: str
) -> None:
    transport, created = owned_async_clients
    client = GatewayClient(api_key=api_key)

    first = asyncio.run(client.acreate(CLAUDE))
    second = asyncio.run(client.acreate(CLAUDE))

    assert first.choices[0].message.content == second.choices[0].message.content == "owned"
    assert len(transport.requests) == 2
    # One pool per loop, each closed when its loop shut down.
    assert len(created) == 2
    assert all(c.is_closed for c in created)


@pytest.mark.usefixtures("no_api_key_env")
def test_injected_clients_are_never_closed(api_key: str) -> None:
    transport = ScriptedTransport([completion_body()])
    sync_http = httpx.Client(transport=transport)
    async_http = httpx.AsyncClient(transport=transport)
    client = GatewayClient(api_key=api_key, http_client=sync_http, http_async_client=async_http)

    async def use_and_close_async() -> None:
        await client.acreate(CLAUDE)
        await client.aclose()
        async with client:
            pass

    client.create(CLAUDE)
    client.close()
    with client:
        pass
    asyncio.run(use_and_close_async())

    assert sync_http.is_closed is False
    assert async_http.is_closed is False
    client.create(CLAUDE)  # still usable
    assert len(transport.requests) == 3
    sync_http.close()
    asyncio.run(async_http.aclose())


# ------------------------------------------------------------------- pickling


def test_an_owned_client_pickles_and_the_copy_works(
    owned_sync_clients: tuple[ScriptedTransport, list[httpx.Client]], api_key: str
) -> None:
    transport, _ = owned_sync_clients
    original = GatewayClient(api_key=api_key, region="eu", max_retries=4, timeout=12)

    copy = pickle.loads(pickle.dumps(original))

    assert (copy.base_url, copy.url, copy.is_eu) == (original.base_url, original.url, True)
    assert (copy.max_retries, copy.timeout.read) == (4, 12.0)
    copy.create(CLAUDE)
    assert transport.requests[0].headers["authorization"] == api_key
    copy.close()


def test_a_client_pickles_after_it_has_made_calls(
    owned_sync_clients: tuple[ScriptedTransport, list[httpx.Client]],
    owned_async_clients: tuple[ScriptedTransport, list[httpx.AsyncClient]],
    api_key: str,
) -> None:
    sync_transport, created = owned_sync_clients
    original = GatewayClient(api_key=api_key)
    original.create(CLAUDE)
    asyncio.run(original.acreate(CLAUDE))

    copy = pickle.loads(pickle.dumps(original))
    copy.create(CLAUDE)

    assert len(sync_transport.requests) == 2
    assert len(created) == 2  # the copy made its own pool
    original.close()
    copy.close()


def test_a_client_with_an_env_key_pickles_without_the_key(
    owned_sync_clients: tuple[ScriptedTransport, list[httpx.Client]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "env-only-key")

    data = pickle.dumps(GatewayClient())

    assert b"env-only-key" not in data
    assert pickle.loads(data)._resolved_key_or_none() == "env-only-key"


def test_a_client_with_an_injected_sync_client_refuses_to_pickle() -> None:
    with httpx.Client() as injected:
        client = GatewayClient(api_key="k", http_client=injected)

        with pytest.raises(TypeError, match="injected httpx client cannot be pickled"):
            pickle.dumps(client)


async def test_a_client_with_an_injected_async_client_refuses_to_pickle() -> None:
    async with httpx.AsyncClient() as injected:
        client = GatewayClient(api_key="k", http_async_client=injected)

        with pytest.raises(TypeError, match="inject the client again after loading"):
            pickle.dumps(client)
