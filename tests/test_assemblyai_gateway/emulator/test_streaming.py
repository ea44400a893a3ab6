"""SSE streaming: OpenAI chunk events for OpenAI models, a 400 for the others."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.test_assemblyai_gateway.emulator.conftest import Gateway

Json = dict[str, Any]
GPT = "gpt-5-mini"


def test_stream_sends_openai_chunks_ending_with_done(gateway: Gateway) -> None:
    events, done = gateway.stream({"model": GPT, "prompt": "Tell me a story"})
    assert done
    first, *middle, last = events
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert len(middle) >= 3  # several small deltas, not one blob
    for event in events:
        assert event["object"] == "chat.completion.chunk"
        assert event["model"] == GPT
        assert isinstance(event["created"], int)
        assert event["id"] == first["id"]
        assert event["request_id"] == first["request_id"]
    assert all(e["choices"][0]["finish_reason"] is None for e in [first, *middle])
    assert last["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}


def test_streamed_text_equals_the_non_streamed_answer(gateway: Gateway) -> None:
    body = {"model": GPT, "prompt": "Same  answer\nplease", "max_tokens": 5}
    events, _ = gateway.stream(body)
    plain = gateway.chat(body)["choices"][0]
    assert gateway.streamed_text(events) == plain["message"]["content"]
    assert events[-1]["choices"][0]["finish_reason"] == plain["finish_reason"] == "length"


def test_include_usage_adds_a_final_usage_chunk(gateway: Gateway) -> None:
    body = {"model": GPT, "prompt": "count me", "stream_options": {"include_usage": True}}
    events, done = gateway.stream(body)
    assert done
    usage_chunk = events[-1]
    assert usage_chunk["choices"] == []
    plain_usage = gateway.chat(body)["usage"]
    assert usage_chunk["usage"] == {
        "prompt_tokens": plain_usage["input_tokens"],
        "completion_tokens": plain_usage["output_tokens"],
        "total_tokens": plain_usage["total_tokens"],
    }


def test_without_include_usage_no_usage_chunk_is_sent(gateway: Gateway) -> None:
    events, _ = gateway.stream({"model": GPT, "prompt": "hi"})
    assert all("usage" not in event for event in events)


def test_tool_calls_stream_as_indexed_deltas(gateway: Gateway, tools: list[Json]) -> None:
    body = {"model": GPT, "prompt": "get_weather city: Oslo then send_email", "tools": tools}
    events, done = gateway.stream(body)
    assert done
    assert events[0]["choices"][0]["delta"] == {"role": "assistant", "content": None}
    rebuilt: dict[int, Json] = {}
    pieces: dict[int, int] = {}
    for event in events:
        for delta in event["choices"][0]["delta"].get("tool_calls", []):
            index = delta["index"]
            if "id" in delta:
                assert delta["type"] == "function"
                assert delta["function"]["arguments"] == ""
                rebuilt[index] = {"id": delta["id"], "name": delta["function"]["name"], "args": ""}
            else:
                assert set(delta) == {"index", "function"}
                rebuilt[index]["args"] += delta["function"]["arguments"]
                pieces[index] = pieces.get(index, 0) + 1
    assert events[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert all(count > 1 for count in pieces.values())
    plain = gateway.chat(body)["choices"][0]["tool_calls"]
    assert [
        {"id": call["id"], "name": call["function"]["name"], "args": call["function"]["arguments"]}
        for call in plain
    ] == [rebuilt[0], rebuilt[1]]
    assert json.loads(rebuilt[0]["args"])["city"] == "Oslo"


def test_stream_for_a_non_openai_model_gets_400_on_the_stream_field(gateway: Gateway) -> None:
    body = {"model": "gemini-2.5-flash", "prompt": "hi", "stream": True}
    error = gateway.error(body, 400)
    assert [e["field"] for e in error["metadata"]["errors"]] == ["stream"]


def test_unknown_gpt_ids_stream_when_any_model_is_accepted(gateway: Gateway) -> None:
    gateway.emulator.accept_any_model = True
    events, done = gateway.stream({"model": "gpt-7-preview", "prompt": "hi"})
    assert done
    assert events[0]["model"] == "gpt-7-preview"
    error = gateway.error({"model": "kimi-k2.5", "prompt": "hi", "stream": True}, 400)
    assert error["metadata"]["errors"][0]["field"] == "stream"


def test_streaming_is_logged_with_status_200(gateway: Gateway) -> None:
    gateway.stream({"model": GPT, "prompt": "hi"})
    [record] = gateway.emulator.requests
    assert record.status == 200
    assert record.json is not None
    assert record.json["stream"] is True


async def test_async_clients_can_stream(gateway: Gateway) -> None:
    emulator = gateway.emulator
    body = {"model": GPT, "prompt": "async please", "stream": True}
    text = ""
    async with (
        httpx.AsyncClient(base_url=emulator.base_url, timeout=5.0) as client,
        client.stream(
            "POST", "/chat/completions", json=body, headers={"Authorization": emulator.api_key}
        ) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("data: {"):
                for choice in json.loads(line[6:])["choices"]:
                    text += choice["delta"].get("content") or ""
    assert text == 'Emulated answer to: "async please"'
