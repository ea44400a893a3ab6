"""GatewayClient streaming, sync and async, against a scripted transport (no network)."""

from __future__ import annotations

import json
from collections.abc import (
    AsyncIterator,
    Iterator,
)

import httpx
import pytest

from assemblyai_gateway._transport.streams import AsyncChatCompletionStream, ChatCompletionStream
from assemblyai_gateway._wire.types import ChatCompletion
from assemblyai_gateway.errors import (
    APIStatusError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
)
from assemblyai_gateway.testing import (
    BrokenStream,
    ScriptedTransport,
    chunk_body,
    completion_body,
    sse_body,
    tool_call,
)
from tests.support.client_cases import (
    CLAUDE,
    FIXTURES,
    GPT,
    CollectStream,
    Complete,
    MakeClient,
    delta_texts,
    fold,
    status_response,
    text_stream,
)

# ------------------------------------------------------------------ streaming


@pytest.mark.parametrize("model", ["gpt-5", "gpt-5-mini", "gpt-4.1", "gpt-oss-120b"])
async def test_openai_models_stream_natively_with_usage(
    make_client: MakeClient, collect_stream: CollectStream, model: str
) -> None:
    transport = ScriptedTransport([text_stream()])

    chunks, error = await collect_stream(make_client(transport), {**GPT, "model": model})

    assert error is None
    body = transport.json_bodies[0]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert transport.requests[0].headers["accept"] == "text/event-stream"
    assert delta_texts(chunks) == ["Hel", "lo", None, None]
    folded = fold(chunks)
    assert folded.choices[0].message.content == "Hello"
    assert folded.usage is not None
    assert folded.usage.total_tokens == 5
    assert transport.open_responses == 0


async def test_native_stream_without_usage_sends_no_stream_options(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    transport = ScriptedTransport([text_stream()])

    _, error = await collect_stream(make_client(transport), GPT, include_usage=False)

    assert error is None
    body = transport.json_bodies[0]
    assert body["stream"] is True
    assert "stream_options" not in body


async def test_a_recorded_style_fixture_streams_through_the_client_in_small_reads(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    # 3-byte reads split the UTF-8 of "é", "ö" and "🌍" across network reads.
    data = (FIXTURES / "text_with_usage.sse").read_bytes()
    transport = ScriptedTransport([data], split_sse_every=3)

    chunks, error = await collect_stream(make_client(transport), GPT)

    assert error is None
    completion = fold(chunks)
    assert completion.choices[0].message.content == "Héllo, wörld 🌍!"
    assert completion.usage is not None
    assert completion.usage.total_tokens == 16
    assert transport.open_responses == 0


async def test_interleaved_tool_calls_stream_through_the_client(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    data = (FIXTURES / "tool_calls_interleaved.sse").read_bytes()
    transport = ScriptedTransport([data], split_sse_every=17)

    chunks, error = await collect_stream(make_client(transport), GPT)

    assert error is None
    calls = fold(chunks).choices[0].tool_calls
    assert [(c.id, json.loads(c.function.arguments)) for c in calls] == [
        ("call_weather_01", {"city": "Paris", "unit": "c"}),
        ("call_time_02", {"tz": "Europe/Paris"}),
    ]


@pytest.mark.parametrize(
    "model", ["claude-sonnet-4-5-20250929", "gemini-2.5-flash", "kimi-k2.5", "gpt-99-unknown"]
)
@pytest.mark.parametrize("include_usage", [True, False])
async def test_other_models_are_pseudo_streamed_and_fold_to_the_create_result(
    make_client: MakeClient,
    complete: Complete,
    collect_stream: CollectStream,
    model: str,
    include_usage: bool,
) -> None:
    body = completion_body(
        "Sure.", tool_calls=[tool_call("lookup", {"q": "x"}, "call_q")], model=model
    )
    stream_transport = ScriptedTransport([body])
    create_transport = ScriptedTransport([body])
    request = {**CLAUDE, "model": model}

    chunks, error = await collect_stream(
        make_client(stream_transport), request, include_usage=include_usage
    )
    created = await complete(make_client(create_transport), request)

    assert error is None
    sent = stream_transport.json_bodies[0]
    assert "stream" not in sent
    assert "stream_options" not in sent
    assert stream_transport.requests[0].headers["accept"] == "application/json"
    expected = created if include_usage else created.model_copy(update={"usage": None})
    assert fold(chunks) == expected
    assert len(chunks) >= 2
    assert stream_transport.open_responses == 0


async def test_a_json_answer_to_a_stream_request_is_handled(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    body = completion_body("not streamed after all", model="gpt-5")
    transport = ScriptedTransport([body])

    chunks, error = await collect_stream(make_client(transport), GPT)

    assert error is None
    assert fold(chunks) == ChatCompletion.model_validate(body)
    assert transport.json_bodies[0]["stream"] is True
    assert transport.open_responses == 0


async def test_a_non_completion_non_sse_answer_to_a_stream_request_raises(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    html = httpx.Response(200, content=b"<html>proxy</html>", headers={"content-type": "text/html"})
    transport = ScriptedTransport([html])

    chunks, error = await collect_stream(make_client(transport), GPT)

    assert chunks == []
    assert isinstance(error, ResponseValidationError)
    assert len(transport.requests) == 1
    assert transport.open_responses == 0


async def test_a_stream_is_not_retried_once_it_has_started(
    make_client: MakeClient, collect_stream: CollectStream, retry_waits: list[float]
) -> None:
    data = text_stream()
    cut = data.index(b"\n\n", data.index(b"\n\n") + 2) + 2  # two whole events
    transport = ScriptedTransport([BrokenStream(data, cut), text_stream()])
    client = make_client(transport, max_retries=5)

    chunks, error = await collect_stream(client, GPT)

    assert delta_texts(chunks) == ["Hel", "lo"]
    assert isinstance(error, StreamError)
    assert error.request_id == "req-0001"
    assert len(transport.requests) == 1
    assert retry_waits == []
    assert transport.open_responses == 0


async def test_an_event_the_streams_last_cut_character_completes_is_delivered_then_the_error(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    # "\n\r" then the first byte of a 3-byte character: the "\r" is held (it may start
    # "\r\n") until the cut character's U+FFFD follows it and ends the event.
    data = sse_body([chunk_body("Hi", role="assistant")], done=False)[:-1] + b"\r\xe2"
    transport = ScriptedTransport([data])

    chunks, error = await collect_stream(make_client(transport), GPT)

    assert delta_texts(chunks) == ["Hi"]
    assert isinstance(error, StreamError)
    assert "before `data: [DONE]`" in str(error)


class _DroppingStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Sends ``data``, then the connection drops (RemoteProtocolError)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield self.data
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


async def test_a_connection_drop_mid_stream_is_a_stream_error_naming_the_chunks(
    make_client: MakeClient, collect_stream: CollectStream, retry_waits: list[float]
) -> None:
    data = text_stream()
    cut = data.index(b"\n\n", data.index(b"\n\n") + 2) + 2  # two whole events
    streams: list[_DroppingStream] = []

    def handler(request: httpx.Request) -> httpx.Response:
        streams.append(_DroppingStream(data[:cut]))
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=streams[-1]
        )

    chunks, error = await collect_stream(make_client(httpx.MockTransport(handler)), GPT)

    assert delta_texts(chunks) == ["Hel", "lo"]
    assert isinstance(error, StreamError)
    assert "after 2 chunk(s)" in str(error)
    assert "RemoteProtocolError" in str(error)
    assert error.request_id == "req-0001"
    assert isinstance(error.__cause__, httpx.RemoteProtocolError)
    assert len(streams) == 1  # one request: never retried once chunks were yielded
    assert retry_waits == []
    assert streams[0].closed is True


async def test_a_stream_breaking_before_its_first_chunk_is_a_stream_error(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    transport = ScriptedTransport([BrokenStream(text_stream(), 10), text_stream()])

    chunks, error = await collect_stream(make_client(transport), GPT)

    assert chunks == []
    assert isinstance(error, StreamError)
    assert len(transport.requests) == 1
    assert transport.open_responses == 0


@pytest.mark.parametrize(
    "before",
    [
        status_response(429, "slow down", **{"retry-after": "1"}),
        status_response(503, "warming up"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("no response headers in time"),
    ],
)
async def test_failures_before_the_stream_starts_are_retried(
    make_client: MakeClient,
    collect_stream: CollectStream,
    retry_waits: list[float],
    before: httpx.Response | Exception,
) -> None:
    transport = ScriptedTransport([before, text_stream()])

    chunks, error = await collect_stream(make_client(transport), GPT)

    assert error is None
    assert fold(chunks).choices[0].message.content == "Hello"
    assert len(transport.requests) == 2
    assert len(retry_waits) == 1
    assert transport.open_responses == 0


@pytest.mark.parametrize(
    ("status", "cls"),
    [(500, InternalServerError), (400, BadRequestError), (429, RateLimitError)],
)
async def test_a_non_2xx_stream_open_raises_and_closes_the_response(
    make_client: MakeClient,
    collect_stream: CollectStream,
    status: int,
    cls: type[APIStatusError],
) -> None:
    transport = ScriptedTransport([status_response(status, "request refused")])

    chunks, error = await collect_stream(make_client(transport, max_retries=0), GPT)

    assert chunks == []
    assert type(error) is cls
    assert error.status_code == status
    assert error.message.startswith("request refused")
    assert len(transport.requests) == 1
    assert transport.open_responses == 0


async def test_a_non_2xx_stream_open_is_retried_until_exhausted(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    transport = ScriptedTransport([status_response(502, "bad gateway")])

    _, error = await collect_stream(make_client(transport, max_retries=2), GPT)

    assert isinstance(error, InternalServerError)
    assert len(transport.requests) == 3
    assert transport.open_responses == 0


@pytest.mark.parametrize(
    ("name", "contents", "status", "words"),
    [
        ("error_mid_stream.sse", ["partial ", "answer"], 503, "upstream model overloaded"),
        ("error_event_mid_stream.sse", ["Hel"], 429, "provider rate limit reached"),
        ("truncated.sse", ["cut ", "short"], None, "[DONE]"),
    ],
)
async def test_stream_errors_surface_after_the_chunks_before_them(
    make_client: MakeClient,
    collect_stream: CollectStream,
    retry_waits: list[float],
    name: str,
    contents: list[str],
    status: int | None,
    words: str,
) -> None:
    transport = ScriptedTransport([(FIXTURES / name).read_bytes()], split_sse_every=64)

    chunks, error = await collect_stream(make_client(transport), GPT)

    assert delta_texts(chunks) == contents
    assert isinstance(error, StreamError)
    assert error.status_code == status
    assert words in str(error)
    assert len(transport.requests) == 1
    assert retry_waits == []
    assert transport.open_responses == 0


def test_stream_sends_nothing_until_iterated(make_client: MakeClient) -> None:
    transport = ScriptedTransport([text_stream()])
    client = make_client(transport)

    client.stream(GPT)
    client.astream(GPT)
    client.stream(CLAUDE)
    client.astream(CLAUDE)

    assert transport.requests == []


def test_closing_a_sync_stream_early_closes_the_response(make_client: MakeClient) -> None:
    transport = ScriptedTransport([text_stream()])
    stream = make_client(transport).stream(GPT)
    assert isinstance(stream, ChatCompletionStream)

    first = next(stream)
    stream.close()

    assert first.choices[0].delta.content == "Hel"
    assert transport.open_responses == 0


async def test_closing_an_async_stream_early_closes_the_response(make_client: MakeClient) -> None:
    transport = ScriptedTransport([text_stream()])
    stream = make_client(transport).astream(GPT)
    assert isinstance(stream, AsyncChatCompletionStream)

    first = await stream.__anext__()
    await stream.aclose()

    assert first.choices[0].delta.content == "Hel"
    assert transport.open_responses == 0
