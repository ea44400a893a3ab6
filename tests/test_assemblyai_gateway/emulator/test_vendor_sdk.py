"""Every answer the emulator can send is one the vendor's own SDK reads (assemblyai 1.8.2).

The emulator is driven over its answer space: the deterministic rules for plain,
tool-calling and structured requests, scripted replies (text with any finish reason,
parallel tool calls, text beside calls, a context overflow), each usage style and
tool-call placement, native streams with and without the usage-only chunk, the faults
that reshape an answer, and every error, in both error envelopes. Each 200 body parses
as the SDK's ``LLMGatewayChatCompletion`` and each stream event as its
``LLMGatewayCompletionChunk``, and says the same as this package's own parse. Each error
in the gateway's envelopes reads, through the SDK's own reader, to the message, request
id and field list this package reads.

Not in the SDK's model, on purpose: the ``malformed_body`` fault's body, an error event
inside a stream, and the published spec's error envelope (the SDK reads its message as
an object); the emulator's default stays the spec's.
"""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from assemblyai.llm_gateway.v1 import LLMGatewayToolCall

from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk
from assemblyai_gateway.emulator import Fault, Reply, ScriptedToolCall
from assemblyai_gateway.errors import status_error_from_response
from tests.support.vendor_sdk import (
    VendorViolation,
    check_answer,
    sdk_chunk,
    sdk_completion,
    sdk_error,
)

if TYPE_CHECKING:
    from tests.test_assemblyai_gateway.emulator.conftest import Gateway

Json = dict[str, Any]
CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-4.1"
SCHEMA: Json = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "score": {"type": "number"}},
    "required": ["title", "score"],
}


def request_bodies(model: str, tools: list[Json]) -> list[Json]:
    """The requests whose rule-made answers cover the emulator's answer shapes."""
    return [
        {"model": model, "prompt": "plain"},
        {"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2},
        {"model": model, "prompt": "get_weather city: Lima", "tools": tools},
        {"model": model, "prompt": "get_weather city: Lima and send_email", "tools": tools},
        {"model": model, "prompt": "x", "tools": tools, "tool_choice": "none"},
        {
            "model": model,
            "prompt": "x",
            "tools": tools,
            "tool_choice": {"type": "function", "function": {"name": "send_email"}},
        },
        {
            "model": model,
            "prompt": "rate it",
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "r", "schema": SCHEMA},
            },
        },
        {"model": model, "prompt": "{{ transcript }}", "transcript_id": "tr_1"},
        {"model": "claude-opus-4-6", "prompt": "x", "fallbacks": [{"model": model}]},
        {"model": model, "prompt": "x", "post_processing_steps": [{"type": "json-repair"}]},
    ]


SCRIPTED = [
    Reply.text("Paris.", finish_reason="end_turn"),
    Reply.text("cut sho", finish_reason="MAX_TOKENS"),
    Reply.tool_call("get_weather", {"city": "Paris"}),
    Reply.tool_calls(
        ScriptedToolCall("get_weather", {"city": "Paris"}, id="toolu_1"),
        ScriptedToolCall("send_email", '{"to": "a@b.c", "subject": "hi"', id="toolu_2"),
        content="Checking both.",
    ),
]


def _agrees(body: Json) -> None:
    """The SDK and this package read the same answer from a 200 body."""
    sdk = sdk_completion(body)
    ours = ChatCompletion.model_validate(body)
    assert sdk.request_id == ours.request_id
    assert sdk.usage.prompt_tokens == ours.usage.input_tokens  # type: ignore[union-attr]
    assert sdk.usage.completion_tokens == ours.usage.output_tokens  # type: ignore[union-attr]
    assert len(sdk.choices) == len(ours.choices)
    for theirs, mine in zip(sdk.choices, ours.choices, strict=True):
        assert (theirs.message.content, theirs.finish_reason) == (
            mine.message.content,
            mine.finish_reason,
        )
        # The SDK reads calls in the message only; on the choice they stay an extra field.
        sdk_calls = theirs.message.tool_calls or [
            LLMGatewayToolCall.parse_obj(call) for call in getattr(theirs, "tool_calls", None) or []
        ]
        assert [(c.id, c.function.name, c.function.arguments) for c in sdk_calls] == [
            (c.id, c.function.name, c.function.arguments) for c in mine.tool_calls
        ]


@pytest.mark.parametrize(
    ("usage_style", "placement"),
    list(itertools.product(["input_output", "prompt_completion"], ["choice", "message"])),
)
def test_every_rule_made_and_scripted_answer_is_an_sdk_completion(
    gateway: Gateway, tools: list[Json], usage_style: Any, placement: Any
) -> None:
    gateway.emulator.usage_style = usage_style
    gateway.emulator.tool_call_placement = placement
    gateway.emulator.transcripts["tr_1"] = "a transcript"
    gateway.emulator.failing_models.add("claude-opus-4-6")
    for model in (CLAUDE, GPT, "gemini-2.5-flash"):
        for body in request_bodies(model, tools):
            _agrees(gateway.chat(body))
    gateway.emulator.script(*SCRIPTED)
    for _ in SCRIPTED:
        _agrees(gateway.chat({"model": CLAUDE, "prompt": "scripted", "tools": tools}))


@pytest.mark.parametrize(
    "fault",
    [
        Fault.invalid_tool_arguments(),
        Fault.broken_json_content(),
        Fault.empty_choices(),
        Fault.delay(0),
    ],
    ids=lambda fault: fault.kind,
)
def test_answers_reshaped_by_a_fault_are_sdk_completions(
    gateway: Gateway, tools: list[Json], fault: Fault
) -> None:
    gateway.emulator.inject(fault)

    body = gateway.chat({"model": GPT, "prompt": "get_weather city: Oslo", "tools": tools})

    _agrees(body)


def _stream(gateway: Gateway, body: Json) -> list[Json]:
    """Every event of a stream (each checked as an SDK chunk by the fixture)."""
    events, _ = gateway.stream(body)
    return events


@pytest.mark.parametrize("include_usage", [False, True])
def test_every_streamed_event_is_an_sdk_chunk(
    gateway: Gateway, tools: list[Json], include_usage: bool
) -> None:
    options = {"stream_options": {"include_usage": True}} if include_usage else {}
    gateway.emulator.transcripts["tr_1"] = "a transcript"
    gateway.emulator.script(*SCRIPTED)
    bodies = [
        *(
            {**body, **options}
            for body in request_bodies(GPT, tools)
            if body["model"] == GPT  # a fallback route from Claude does not stream
        ),
        *({"model": GPT, "prompt": "scripted", "tools": tools, **options} for _ in SCRIPTED),
    ]
    for body in bodies:
        events = _stream(gateway, body)
        ours = [ChatCompletionChunk.model_validate(event) for event in events]
        theirs = [sdk_chunk(event) for event in events]
        assert [len(chunk.choices) for chunk in theirs] == [len(c.choices) for c in ours]
        usage_only = [chunk for chunk in theirs if not chunk.choices]
        if include_usage:
            assert usage_only
            assert usage_only[-1].usage is not None
            assert usage_only[-1].usage.prompt_tokens == ours[-1].usage.input_tokens  # type: ignore[union-attr]
        else:
            assert usage_only == []


@pytest.mark.parametrize(
    "fault",
    [
        Fault.invalid_tool_arguments(),
        Fault.broken_json_content(),
        Fault.empty_choices(),
        Fault.truncate_stream(after_chunks=3),
        Fault.sse_error(after_chunks=2),
    ],
    ids=lambda fault: fault.kind,
)
def test_events_before_a_stream_fault_are_sdk_chunks(
    gateway: Gateway, tools: list[Json], fault: Fault
) -> None:
    gateway.emulator.inject(fault)
    body = {"model": GPT, "prompt": "get_weather city: Oslo", "tools": tools, "stream": True}
    headers = {"Authorization": gateway.emulator.api_key}
    events: list[Json] = []
    try:
        with gateway.client.stream("POST", "/chat/completions", json=body, headers=headers) as r:
            for line in r.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    events.append(json.loads(line[6:]))
    except httpx.TransportError:
        pass  # a truncated stream ends the connection without the last chunk

    chunks = [event for event in events if "error" not in event]
    assert chunks
    for event in chunks:
        sdk_chunk(event)


# ------------------------------------------------------------------------- errors


def _errors(gateway: Gateway) -> list[httpx.Response]:
    """One of each error the emulator sends on the chat route."""
    body = {"model": CLAUDE, "prompt": "x"}
    gateway.emulator.inject(Fault.rate_limit(retry_after=1))
    gateway.emulator.inject(Fault.status(503, "overloaded"))
    gateway.emulator.inject(Fault.sse_error(code=502))
    responses = [gateway.post(body), gateway.post(body), gateway.post(body)]
    gateway.emulator.script(Reply.context_overflow())
    responses.append(gateway.post(body))
    responses += [
        gateway.post({"model": CLAUDE, "prompt": "x", "temperature": 9, "max_tokens": 0}),
        gateway.post({"model": "no-such-model", "prompt": "x"}),
        gateway.post(body, headers={"Authorization": "wrong"}),
        gateway.client.post("/chat/completions", json=body),  # no key at all
        gateway.client.post(
            "/chat/completions",
            content=b"{not json",
            headers={"Authorization": gateway.emulator.api_key},
        ),
        gateway.client.post("/nowhere"),
        gateway.client.get("/chat/completions"),
    ]
    gateway.emulator.failing_models.add(CLAUDE)
    responses.append(gateway.post(body))  # every model failed
    return responses


def test_every_error_in_the_gateway_s_envelopes_reads_the_same_through_the_sdk(
    gateway: Gateway,
) -> None:
    gateway.emulator.error_envelope = "gateway"

    responses = _errors(gateway)

    statuses = [response.status_code for response in responses]
    assert statuses == [429, 503, 502, 400, 400, 400, 401, 401, 400, 404, 405, 500]
    for response in responses:
        check_answer(response, spec_errors=False)
        theirs, ours = sdk_error(response), status_error_from_response(response)
        assert ours.message.startswith(theirs.args[0])
        assert ours.request_id == theirs.request_id
        assert ours.errors == (theirs.errors or [])
        assert [str(item) for item in ours.field_errors] == (theirs.errors or [])
    field_lists = [response.json()["metadata"]["errors"] for response in responses[4:6]]
    assert all(field_lists)


def test_the_spec_envelope_is_the_one_the_sdk_cannot_read(gateway: Gateway) -> None:
    response = gateway.post({"model": CLAUDE, "prompt": "x", "temperature": 9})

    assert response.status_code == 400
    with pytest.raises(VendorViolation, match="message"):
        sdk_error(response)
    assert status_error_from_response(response).field_errors  # ours reads both


def test_the_sdk_check_refuses_what_the_sdk_cannot_parse() -> None:
    with pytest.raises(VendorViolation, match="usage"):
        sdk_completion({"request_id": "r", "choices": []})
    with pytest.raises(VendorViolation, match="created"):
        sdk_chunk({"id": "c", "object": "chat.completion.chunk", "model": "m", "choices": []})


def test_go_s_null_lists_read_as_empty_in_the_sdk_and_here() -> None:
    body = {
        "request_id": "r",
        "choices": None,
        "usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1},
    }
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": None,
    }

    assert sdk_completion(body).choices == []
    assert ChatCompletion.model_validate(body).choices == []
    assert sdk_chunk(chunk).choices == []
    assert ChatCompletionChunk.model_validate(chunk).choices == []
