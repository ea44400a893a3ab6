"""The API key never leaks: not in reprs, exception text, tracebacks or DEBUG logs."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest

from assemblyai_gateway.client import GatewayClient, InvalidRequestError
from assemblyai_gateway.config import API_KEY_ENV
from assemblyai_gateway.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    MissingAPIKeyError,
    ModelNotAvailableInRegionError,
    ResponseValidationError,
    StreamError,
)
from assemblyai_gateway.testing import (
    ScriptedTransport,
    chunk_body,
    completion_body,
    error_body,
    sse_body,
)
from assemblyai_gateway.types import ChatCompletion, ChatCompletionChunk

MakeClient = Callable[..., GatewayClient]
Complete = Callable[[GatewayClient, Mapping[str, Any]], Awaitable[ChatCompletion]]
CollectStream = Callable[..., Awaitable[tuple[list[ChatCompletionChunk], BaseException | None]]]

REQUEST = {"model": "claude-haiku-4-5-20251001", "messages": [{"role": "user", "content": "Hi"}]}
GPT = {**REQUEST, "model": "gpt-5"}


def _all_text(error: BaseException) -> str:
    """Everything a user or a log handler could print about an error, chained causes too."""
    parts = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
    parts.extend(repr(value) for value in vars(error).values())
    return "\n".join(parts)


def _assert_clean(error: BaseException | None, key: str) -> None:
    assert error is not None
    assert key not in _all_text(error)


@pytest.mark.usefixtures("no_api_key_env")
def test_repr_and_str_of_the_client_hide_the_key(api_key: str) -> None:
    client = GatewayClient(api_key=api_key)

    assert api_key not in repr(client)
    assert api_key not in str(client)
    assert "api_key=<set>" in repr(client)
    assert api_key not in repr(vars(client))


def test_repr_hides_a_key_that_comes_from_env(
    api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, api_key)

    assert api_key not in repr(GatewayClient())
    assert "api_key=<set>" in repr(GatewayClient())


@pytest.mark.usefixtures("no_api_key_env")
def test_repr_says_when_no_key_is_set() -> None:
    assert "api_key=<unset>" in repr(GatewayClient())


@pytest.mark.parametrize(
    "step",
    [
        httpx.Response(401, json=error_body(401, "Invalid API key")),
        httpx.Response(400, json=error_body(400, "bad", [{"field": "messages"}])),
        httpx.Response(503, text="upstream unavailable"),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("read timed out"),
        httpx.Response(200, content=b"<html>not json</html>"),
    ],
)
async def test_errors_from_a_call_never_contain_the_key(
    make_client: MakeClient, complete: Complete, api_key: str, step: Any
) -> None:
    transport = ScriptedTransport([step])
    client = make_client(transport, max_retries=1)

    with pytest.raises(
        (APIStatusError, APIConnectionError, APITimeoutError, ResponseValidationError)
    ) as info:
        await complete(client, REQUEST)

    assert transport.requests[0].headers["authorization"] == api_key  # the key was sent
    _assert_clean(info.value, api_key)


async def test_status_errors_keep_only_response_headers(
    make_client: MakeClient, complete: Complete, api_key: str
) -> None:
    transport = ScriptedTransport([httpx.Response(401, json=error_body(401, "Invalid API key"))])

    with pytest.raises(AuthenticationError) as info:
        await complete(make_client(transport), REQUEST)

    assert "authorization" not in {k.lower() for k in info.value.headers}
    assert api_key not in repr(info.value.headers)


async def test_stream_errors_never_contain_the_key(
    make_client: MakeClient, collect_stream: CollectStream, api_key: str
) -> None:
    broken = sse_body([chunk_body("a"), {"error": {"code": 500, "message": "boom"}}])
    transport = ScriptedTransport([broken], split_sse_every=8)

    _, error = await collect_stream(make_client(transport), GPT)

    assert isinstance(error, StreamError)
    _assert_clean(error, api_key)


@pytest.mark.usefixtures("no_api_key_env")
async def test_configuration_errors_never_contain_the_key(
    make_client: MakeClient, complete: Complete, api_key: str
) -> None:
    transport = ScriptedTransport([completion_body()])
    eu_client = make_client(transport, region="eu")

    with pytest.raises(InvalidRequestError) as invalid:
        await complete(eu_client, {"model": "gpt-5", "max_tokens": 0})
    with pytest.raises(ModelNotAvailableInRegionError) as region:
        await complete(eu_client, GPT)
    with pytest.raises(MissingAPIKeyError) as missing:
        await complete(make_client(transport, api_key=None), REQUEST)

    for error in (invalid.value, region.value, missing.value):
        _assert_clean(error, api_key)
    assert transport.requests == []


async def test_debug_logs_of_a_full_call_with_retries_never_contain_the_key(
    make_client: MakeClient,
    complete: Complete,
    collect_stream: CollectStream,
    api_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = ScriptedTransport(
        [
            httpx.Response(429, json=error_body(429, "slow"), headers={"retry-after": "1"}),
            httpx.ConnectError("connection reset"),
            httpx.Response(503, json=error_body(503, "busy")),
            completion_body("finally"),
            sse_body([chunk_body("streamed"), chunk_body(finish_reason="stop")]),
        ]
    )
    client = make_client(transport, max_retries=3)
    caplog.set_level(logging.DEBUG)

    completion = await complete(client, REQUEST)
    chunks, error = await collect_stream(client, GPT)

    assert completion.choices[0].message.content == "finally"
    assert error is None
    assert chunks[0].choices[0].delta.content == "streamed"
    assert len(transport.requests) == 5
    own = [r for r in caplog.records if r.name == "assemblyai_gateway"]
    assert sum(r.getMessage().startswith("retrying") for r in own) == 3
    assert any(r.levelno == logging.DEBUG for r in own)
    for record in caplog.records:
        assert api_key not in record.getMessage()
        assert api_key not in repr(record.args)
    assert api_key not in caplog.text
