"""The offline test helpers other suites build on (assemblyai_gateway.testing)."""

from __future__ import annotations

import json

import httpx
import pytest

from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk
from assemblyai_gateway.testing import (
    BrokenStream,
    ScriptedTransport,
    chunk_body,
    completion_body,
    error_body,
    sse_body,
    tool_call,
)

URL = "http://gateway.test/v1/chat/completions"


def _post(client: httpx.Client, body: object = None) -> httpx.Response:
    return client.post(URL, json=body if body is not None else {"model": "m"})


# ------------------------------------------------------------------------ bodies


def test_completion_body_is_a_valid_documented_completion() -> None:
    body = completion_body("Hi", request_id="r-1", model="gemini-2.5-pro")
    completion = ChatCompletion.model_validate(body)

    assert completion.choices[0].message.content == "Hi"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.request_id == "r-1"
    assert completion.served_model == "gemini-2.5-pro"
    assert body["usage"] == {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
    assert (body["http_status_code"], body["llm_status_code"]) == (200, 200)


def test_completion_body_places_tool_calls_on_the_choice_or_in_the_message() -> None:
    call = tool_call("f", {"a": 1}, "c9")
    on_choice = completion_body(None, tool_calls=[call])
    in_message = completion_body(None, tool_calls=[call], tool_calls_in_message=True)

    assert on_choice["choices"][0]["tool_calls"] == [call]
    assert "tool_calls" not in on_choice["choices"][0]["message"]
    assert in_message["choices"][0]["message"]["tool_calls"] == [call]
    assert "tool_calls" not in in_message["choices"][0]
    assert on_choice["choices"][0]["finish_reason"] == "tool_calls"


def test_completion_body_usage_styles_and_extras() -> None:
    old_style = completion_body(usage=(3, 4), usage_style="prompt_completion", extra_field=1)
    no_usage = completion_body(usage=None)

    assert old_style["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    assert old_style["extra_field"] == 1
    assert "usage" not in no_usage


def test_tool_call_serialises_mapping_arguments() -> None:
    assert tool_call("f", {"x": [1]}) == {
        "id": "call_1",
        "type": "function",
        "function": {"name": "f", "arguments": '{"x": [1]}'},
    }
    assert tool_call("f", "{}", "c2")["function"]["arguments"] == "{}"


def test_chunk_body_is_a_valid_chunk() -> None:
    chunk = ChatCompletionChunk.model_validate(
        chunk_body("x", role="assistant", finish_reason="stop", usage=(1, 2))
    )
    usage_only = chunk_body(choices=False, usage=(1, 2))

    assert chunk.choices[0].delta.content == "x"
    assert chunk.choices[0].delta.role == "assistant"
    assert chunk.usage is not None
    assert chunk.usage.total_tokens == 3
    assert usage_only["choices"] == []
    assert chunk_body()["choices"][0]["delta"] == {}


def test_sse_body_frames_events_and_ends_with_done() -> None:
    body = sse_body([{"a": 1}, "raw"])

    assert body == b'data: {"a": 1}\n\ndata: raw\n\ndata: [DONE]\n\n'
    assert sse_body([{"a": 1}], done=False) == b'data: {"a": 1}\n\n'


def test_error_body_is_the_gateway_error_shape() -> None:
    assert error_body(400, "bad", [{"field": "x"}]) == {
        "error": {"code": 400, "message": "bad", "metadata": {"errors": [{"field": "x"}]}}
    }
    assert error_body(500, "boom")["error"]["metadata"] == {}


# ------------------------------------------------------------- ScriptedTransport


def test_steps_are_answered_in_order_and_the_last_repeats() -> None:
    transport = ScriptedTransport([{"n": 1}, {"n": 2}])
    with httpx.Client(transport=transport) as client:
        answers = [_post(client).json()["n"] for _ in range(4)]

    assert answers == [1, 2, 2, 2]
    assert len(transport.requests) == 4


def test_without_repeat_last_an_exhausted_script_fails_loudly() -> None:
    transport = ScriptedTransport([{"n": 1}], repeat_last=False)
    with httpx.Client(transport=transport) as client:
        _post(client)
        with pytest.raises(AssertionError, match="no step left"):
            _post(client)


def test_requests_and_json_bodies_are_recorded() -> None:
    transport = ScriptedTransport([{}])
    with httpx.Client(transport=transport) as client:
        _post(client, {"model": "a"})
        _post(client, {"model": "b"})

    assert [r.url.path for r in transport.requests] == ["/v1/chat/completions"] * 2
    assert [b["model"] for b in transport.json_bodies] == ["a", "b"]


def test_step_kinds_become_responses() -> None:
    transport = ScriptedTransport(
        [
            {"json": True},
            b"data: [DONE]\n\n",
            httpx.Response(429, json={"e": 1}, headers={"retry-after": "2"}),
            lambda request: {"echo": json.loads(request.content)["model"]},
        ]
    )
    with httpx.Client(transport=transport) as client:
        as_json, as_sse, as_response, as_callable = (_post(client) for _ in range(4))

    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json() == {"json": True}
    assert as_sse.headers["content-type"] == "text/event-stream"
    assert as_sse.content == b"data: [DONE]\n\n"
    assert (as_response.status_code, as_response.headers["retry-after"]) == (429, "2")
    assert as_callable.json() == {"echo": "m"}
    assert transport.open_responses == 0


def test_an_exception_step_is_raised_and_still_recorded() -> None:
    transport = ScriptedTransport([httpx.ConnectError("refused"), {"ok": 1}])
    with httpx.Client(transport=transport) as client:
        with pytest.raises(httpx.ConnectError):
            _post(client)
        assert _post(client).json() == {"ok": 1}

    assert len(transport.requests) == 2


def test_open_responses_counts_streams_until_closed() -> None:
    transport = ScriptedTransport([b"data: [DONE]\n\n"])
    with httpx.Client(transport=transport) as client:
        request = client.build_request("POST", URL, json={})
        response = client.send(request, stream=True)
        assert transport.open_responses == 1
        response.close()

    assert transport.open_responses == 0
    assert (transport.opened, transport.closed) == (1, 1)


async def test_open_responses_counts_async_streams_too() -> None:
    transport = ScriptedTransport([b"data: [DONE]\n\n"])
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.send(client.build_request("POST", URL, json={}), stream=True)
        assert transport.open_responses == 1
        assert await response.aread() == b"data: [DONE]\n\n"

    assert transport.open_responses == 0


def test_split_sse_every_delivers_sse_in_small_reads() -> None:
    body = sse_body([{"a": 1}])
    transport = ScriptedTransport([body, {"plain": "json"}], split_sse_every=4)
    with httpx.Client(transport=transport) as client:
        with client.stream("POST", URL, json={}) as response:
            parts = list(response.iter_raw())
        with client.stream("POST", URL, json={}) as response:
            json_parts = list(response.iter_raw())

    assert b"".join(parts) == body
    assert {len(p) for p in parts[:-1]} == {4}
    assert len(json_parts) == 1  # only SSE bodies are split


def _read_into(response: httpx.Response, received: bytearray) -> None:
    for part in response.iter_raw():
        received.extend(part)


def test_broken_stream_drops_the_connection_after_keep_bytes() -> None:
    body = sse_body([{"a": 1}, {"b": 2}])
    keep = body.index(b"\n\n") + 2
    transport = ScriptedTransport([BrokenStream(body, keep)])
    received = bytearray()
    with (
        httpx.Client(transport=transport) as client,
        client.stream("POST", URL, json={}) as response,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        _read_into(response, received)

    assert bytes(received) == body[:keep]
    assert transport.open_responses == 0


def test_broken_stream_with_small_reads_still_sends_keep_bytes() -> None:
    body = sse_body([{"a": 1}, {"b": 2}])
    keep = body.index(b"\n\n") + 2
    transport = ScriptedTransport([BrokenStream(body, keep)], split_sse_every=5)
    received = bytearray()
    with (
        httpx.Client(transport=transport) as client,
        client.stream("POST", URL, json={}) as response,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        _read_into(response, received)

    assert bytes(received) == body[:keep]
