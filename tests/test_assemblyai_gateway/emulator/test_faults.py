"""The fault script: each kind of failure, the FIFO queue, and what consumes a fault."""

from __future__ import annotations

import contextlib
import json
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from assemblyai_gateway.emulator import Fault

if TYPE_CHECKING:
    from tests.test_assemblyai_gateway.emulator.conftest import Gateway

Json = dict[str, Any]
GPT = "gpt-4.1"
BODY: Json = {"model": GPT, "prompt": "hello there friend"}


def read_stream(gateway: Gateway, body: Json) -> tuple[list[Json], bool, Exception | None]:
    """Events, whether [DONE] arrived, and the transport error that ended the stream."""
    events: list[Json] = []
    done = False
    headers = {"Authorization": gateway.emulator.api_key}
    try:
        with gateway.client.stream(
            "POST", "/chat/completions", json={**body, "stream": True}, headers=headers
        ) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line == "data: [DONE]":
                    done = True
                elif line.startswith("data: "):
                    events.append(json.loads(line[6:]))
    except httpx.TransportError as exc:
        return events, done, exc
    return events, done, None


def test_rate_limit_applies_to_the_next_n_requests_with_retry_after(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.rate_limit(retry_after=1.0), times=2)
    for _ in range(2):
        response = gateway.post(BODY)
        assert response.status_code == 429
        assert response.headers["retry-after"] == "1"
        assert "retry-after-ms" not in response.headers
    assert gateway.post(BODY).status_code == 200
    assert [r.status for r in gateway.emulator.requests] == [429, 429, 200]
    assert gateway.emulator.requests[0].fault == Fault.rate_limit(retry_after=1.0)
    assert gateway.emulator.requests[2].fault is None


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.rate_limit(retry_after_ms=20), {"retry-after-ms": "20"}),
        (
            Fault.rate_limit(retry_after=0.5, retry_after_ms=500),
            {"retry-after": "0.5", "retry-after-ms": "500"},
        ),
        (Fault.rate_limit(), {}),
    ],
)
def test_rate_limit_headers_are_optional(
    gateway: Gateway, fault: Fault, expected: dict[str, str]
) -> None:
    gateway.emulator.inject(fault)
    response = gateway.post(BODY)
    assert response.status_code == 429
    sent = {k: v for k, v in response.headers.items() if k.startswith("retry-after")}
    assert sent == expected


def test_status_fault_uses_the_gateway_error_format_and_extra_headers(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.status(503, "overloaded", headers={"X-Trace": "abc"}))
    response = gateway.post(BODY)
    assert response.status_code == 503
    assert response.json() == {"error": {"code": 503, "message": "overloaded", "metadata": {}}}
    assert response.headers["x-trace"] == "abc"


def test_faults_are_served_first_in_first_out(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.status(500, "first"))
    gateway.emulator.inject(Fault.status(502, "second"))
    assert gateway.emulator.pending_faults == 2
    assert [gateway.post(BODY).status_code for _ in range(3)] == [500, 502, 200]


def test_edge_faults_strike_before_authentication(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.rate_limit(retry_after=1))
    assert gateway.client.post("/chat/completions", json=BODY).status_code == 429


def test_faults_only_affect_chat_completion_requests(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.status(500, "boom"))
    assert gateway.client.post("/other").status_code == 404
    assert gateway.client.get("/chat/completions").status_code == 405
    assert gateway.post(BODY).status_code == 500


def test_answer_shaping_faults_are_used_up_by_invalid_requests(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.empty_choices())
    assert gateway.post({"model": GPT}).status_code == 400
    assert gateway.emulator.requests[-1].fault == Fault.empty_choices()
    assert len(gateway.chat(BODY)["choices"]) == 1


def test_delay_waits_then_answers_normally(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.delay(0.2))
    started = time.monotonic()
    response = gateway.post(BODY)
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200
    assert response.json()["response_time"] >= 200_000_000


def test_drop_connection_closes_without_a_response(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.drop_connection())
    with pytest.raises(httpx.RemoteProtocolError):
        gateway.post(BODY)
    assert gateway.emulator.requests[-1].status is None
    assert gateway.post(BODY).status_code == 200


def test_truncate_stream_stops_after_n_chunks_without_done(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.truncate_stream(after_chunks=2))
    events, done, error = read_stream(gateway, BODY)
    assert len(events) == 2
    assert not done
    assert isinstance(error, httpx.RemoteProtocolError)


def test_truncate_fault_cuts_a_non_streaming_body_in_half(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.truncate_stream())
    with pytest.raises(httpx.RemoteProtocolError):
        gateway.post(BODY)
    assert gateway.post(BODY).status_code == 200


def test_sse_error_sends_an_error_event_mid_stream(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.sse_error(after_chunks=1, message="upstream failed", code=500))
    events, done, error = read_stream(gateway, BODY)
    assert error is None
    assert not done
    assert events[0]["object"] == "chat.completion.chunk"
    assert events[1] == {"error": {"code": 500, "message": "upstream failed", "metadata": {}}}
    assert len(events) == 2


@pytest.mark.parametrize(
    ("fault", "stream"),
    [
        (Fault.sse_error(after_chunks=1), True),
        (Fault.truncate_stream(after_chunks=2), True),
        (Fault.truncate_stream(), False),
    ],
    ids=["sse_error", "truncated_stream", "body_cut_in_half"],
)
def test_an_answer_after_which_the_emulator_closes_says_connection_close(
    gateway: Gateway, fault: Fault, stream: bool
) -> None:
    """A client must not pool a connection the emulator is closing (that was a flake)."""
    gateway.emulator.inject(fault)
    headers = {"Authorization": gateway.emulator.api_key}
    body = {**BODY, "stream": stream}
    with gateway.client.stream("POST", "/chat/completions", json=body, headers=headers) as response:
        assert response.headers["connection"] == "close"
        with contextlib.suppress(httpx.TransportError):
            response.read()

    following = gateway.post(BODY)
    assert following.status_code == 200
    assert "connection" not in following.headers


def test_sse_error_on_a_non_streaming_request_is_an_error_status(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.sse_error(code=502, message="bad gateway"))
    assert gateway.error(BODY, 502)["message"] == "bad gateway"


def test_malformed_body_is_a_200_that_is_not_a_completion(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.malformed_body())
    response = gateway.post(BODY)
    assert (response.status_code, response.json()) == (200, {"unexpected": True})
    gateway.emulator.inject(Fault.malformed_body(invalid_json=True))
    response = gateway.post(BODY)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_malformed_body_on_a_stream_sends_a_non_chunk_event(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.malformed_body())
    events, done, _ = read_stream(gateway, BODY)
    assert (events, done) == ([{"unexpected": True}], True)


def test_invalid_tool_arguments_do_not_parse(gateway: Gateway, tools: list[Json]) -> None:
    body = {"model": GPT, "prompt": "get_weather city: Rome", "tools": tools}
    gateway.emulator.inject(Fault.invalid_tool_arguments())
    arguments = gateway.chat(body)["choices"][0]["tool_calls"][0]["function"]["arguments"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(arguments)


def test_json_repair_step_repairs_invalid_tool_arguments(
    gateway: Gateway, tools: list[Json]
) -> None:
    body = {
        "model": GPT,
        "prompt": "get_weather city: Rome",
        "tools": tools,
        "post_processing_steps": [{"type": "json-repair"}],
    }
    expected = gateway.chat(body)["choices"][0]["tool_calls"][0]["function"]["arguments"]
    gateway.emulator.inject(Fault.invalid_tool_arguments())
    repaired = gateway.chat(body)["choices"][0]["tool_calls"][0]["function"]["arguments"]
    assert (
        json.loads(repaired)
        == json.loads(expected)
        == {"city": "Rome", "unit": "celsius", "days": 1}
    )


def test_invalid_tool_arguments_also_break_streamed_calls(
    gateway: Gateway, tools: list[Json]
) -> None:
    gateway.emulator.inject(Fault.invalid_tool_arguments())
    events, done, _ = read_stream(gateway, {"model": GPT, "prompt": "get_weather", "tools": tools})
    arguments = "".join(
        delta["function"].get("arguments", "")
        for event in events
        for choice in event["choices"]
        for delta in choice["delta"].get("tool_calls", [])
    )
    assert done
    with pytest.raises(json.JSONDecodeError):
        json.loads(arguments)


def test_empty_choices_is_a_200_without_choices(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.empty_choices())
    assert gateway.chat(BODY)["choices"] == []
    gateway.emulator.inject(Fault.empty_choices())
    events, done, _ = read_stream(gateway, BODY)
    assert done
    assert [event["choices"] for event in events] == [[]]


def test_broken_json_content_is_truncated_json(gateway: Gateway) -> None:
    schema = {"type": "object", "properties": {"title": {"type": "string"}}}
    body = {
        "model": GPT,
        "prompt": "x",
        "response_format": {"type": "json_schema", "json_schema": {"name": "t", "schema": schema}},
    }
    gateway.emulator.inject(Fault.broken_json_content())
    content = gateway.chat(body)["choices"][0]["message"]["content"]
    assert content == '{"title": "title"'
    gateway.emulator.inject(Fault.broken_json_content())
    repaired = gateway.chat({**body, "post_processing_steps": [{"type": "json-repair"}]})
    assert json.loads(repaired["choices"][0]["message"]["content"]) == {"title": "title"}


def test_broken_json_content_on_plain_text_is_repairable(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.broken_json_content(), times=2)
    broken = gateway.chat(BODY)["choices"][0]["message"]["content"]
    assert broken == '{"answer": "Emulated answer to: "hello there friend"'
    repaired = gateway.chat({**BODY, "post_processing_steps": [{"type": "json-repair"}]})
    value = json.loads(repaired["choices"][0]["message"]["content"])
    assert isinstance(value, dict)
    assert "answer" in value


def test_reset_clears_faults_and_the_request_log(gateway: Gateway) -> None:
    gateway.emulator.inject(Fault.status(500, "x"), times=3)
    gateway.post(BODY)
    gateway.emulator.reset()
    assert gateway.emulator.pending_faults == 0
    assert gateway.emulator.requests == []
    assert gateway.post(BODY).status_code == 200


def test_fault_constructors_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="4xx or 5xx"):
        Fault.status(200, "ok")
    with pytest.raises(ValueError, match="seconds"):
        Fault.delay(-1)
    with pytest.raises(ValueError, match="after_chunks"):
        Fault.truncate_stream(after_chunks=-1)
    with pytest.raises(ValueError, match="retry"):
        Fault.rate_limit(retry_after=-1)


def test_inject_rejects_a_non_positive_count_and_non_faults(gateway: Gateway) -> None:
    with pytest.raises(ValueError, match="times"):
        gateway.emulator.inject(Fault.delay(0), times=0)
    with pytest.raises(TypeError):
        gateway.emulator.inject("rate_limit")  # type: ignore[arg-type]


def test_faults_are_frozen_and_comparable() -> None:
    fault = Fault.sse_error(after_chunks=3)
    assert fault == Fault.sse_error(after_chunks=3)
    assert hash(fault) == hash(Fault.sse_error(after_chunks=3))
    with pytest.raises(AttributeError):
        fault.code = 1  # type: ignore[misc]
