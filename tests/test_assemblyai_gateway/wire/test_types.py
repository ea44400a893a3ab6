"""Wire models: shape normalisation, stable ids, unknown fields, the request body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from assemblyai_gateway._wire.types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    Delta,
    FunctionCall,
    JsonSchemaFormat,
    Message,
    NamedToolChoice,
    ResponseMessage,
    TextPart,
    ToolCall,
    Usage,
    stable_tool_call_id,
)


def _call(name: str, arguments: str, call_id: str | None = None) -> dict[str, Any]:
    call: dict[str, Any] = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id is not None:
        call["id"] = call_id
    return call


# ---------------------------------------------------------------------------- usage


def test_prompt_completion_usage_normalises_to_input_output() -> None:
    usage = Usage.model_validate({"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17})

    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (12, 5, 17)
    assert (usage.prompt_tokens, usage.completion_tokens) == (12, 5)
    assert "prompt_tokens" not in usage.model_dump()


def test_input_output_usage_is_read_as_is() -> None:
    usage = Usage.model_validate({"input_tokens": 7, "output_tokens": 3, "total_tokens": 10})

    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (7, 3, 10)
    assert (usage.prompt_tokens, usage.completion_tokens) == (7, 3)


@pytest.mark.parametrize(
    "raw",
    [
        {"prompt_tokens": 4, "completion_tokens": 6},
        {"input_tokens": 4, "output_tokens": 6},
        {"input_tokens": 4, "output_tokens": 6, "total_tokens": None},
    ],
)
def test_total_tokens_is_computed_when_missing(raw: dict[str, Any]) -> None:
    assert Usage.model_validate(raw).total_tokens == 10


def test_reported_total_is_kept_even_when_it_differs_from_the_sum() -> None:
    # Some providers count cached or reasoning tokens in the total only.
    usage = Usage.model_validate({"input_tokens": 4, "output_tokens": 6, "total_tokens": 25})

    assert usage.total_tokens == 25


def test_input_output_names_win_over_prompt_completion_names() -> None:
    usage = Usage.model_validate(
        {"input_tokens": 1, "output_tokens": 2, "prompt_tokens": 100, "completion_tokens": 200}
    )

    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (1, 2, 3)


def test_null_or_missing_usage_numbers_become_zero() -> None:
    usage = Usage.model_validate({"prompt_tokens": None, "output_tokens": None})

    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (0, 0, 0)


def test_unknown_usage_fields_are_kept() -> None:
    usage = Usage.model_validate(
        {"input_tokens": 1, "output_tokens": 2, "cache_read_input_tokens": 40}
    )

    assert usage.model_dump()["cache_read_input_tokens"] == 40


# ----------------------------------------------------------------------- tool calls


def test_tool_calls_on_the_choice_are_read() -> None:
    choice = Choice.model_validate(
        {
            "message": {"content": None},
            "tool_calls": [_call("get_weather", '{"city": "Paris"}', "c1")],
        }
    )

    assert [(c.id, c.function.name, c.function.arguments) for c in choice.tool_calls] == [
        ("c1", "get_weather", '{"city": "Paris"}')
    ]


def test_tool_calls_in_the_message_move_onto_the_choice() -> None:
    choice = Choice.model_validate(
        {"message": {"content": None, "tool_calls": [_call("get_weather", "{}", "c1")]}}
    )

    assert [c.id for c in choice.tool_calls] == ["c1"]
    assert choice.message.tool_calls is None


def test_the_same_call_in_both_placements_is_merged() -> None:
    call = _call("get_weather", '{"city": "Oslo"}', "c1")
    choice = Choice.model_validate({"message": {"tool_calls": [call]}, "tool_calls": [call]})

    assert [c.id for c in choice.tool_calls] == ["c1"]


def test_different_calls_in_both_placements_are_all_kept_choice_first() -> None:
    choice = Choice.model_validate(
        {
            "message": {"tool_calls": [_call("b", "{}", "c2"), _call("a", "{}", "c1")]},
            "tool_calls": [_call("a", "{}", "c1")],
        }
    )

    assert [(c.id, c.function.name) for c in choice.tool_calls] == [("c1", "a"), ("c2", "b")]


def test_the_same_id_less_call_in_both_placements_is_merged() -> None:
    # A body that mirrors one id-less call on the choice and in the message describes ONE
    # call; today the merge only dedupes by id, so the call is doubled under two ids.
    call = _call("get_weather", '{"city": "Oslo"}')
    choice = Choice.model_validate({"message": {"tool_calls": [call]}, "tool_calls": [call]})

    assert len(choice.tool_calls) == 1


def test_missing_tool_call_ids_get_stable_ids() -> None:
    body = {
        "choices": [
            {
                "message": {"content": None},
                "tool_calls": [_call("a", '{"x": 1}'), _call("b", '{"y": 2}', "given")],
            }
        ]
    }

    first = ChatCompletion.model_validate(body).choices[0].tool_calls
    again = ChatCompletion.model_validate(json.loads(json.dumps(body))).choices[0].tool_calls

    assert first[0].id == stable_tool_call_id(0, "a", '{"x": 1}')
    assert first[0].id.startswith("call_")
    assert first[1].id == "given"
    assert [c.id for c in first] == [c.id for c in again]


def test_null_tool_call_id_and_type_are_filled_in() -> None:
    choice = Choice.model_validate(
        {"tool_calls": [{"id": None, "type": None, "function": {"name": "f", "arguments": "{}"}}]}
    )

    assert choice.tool_calls[0].type == "function"
    assert choice.tool_calls[0].id == stable_tool_call_id(0, "f", "{}")


def test_stable_tool_call_id_is_deterministic_and_distinguishes_calls() -> None:
    one = stable_tool_call_id(0, "get_weather", '{"city": "Paris"}')

    assert one == stable_tool_call_id(0, "get_weather", '{"city": "Paris"}')
    assert (
        len(
            {
                one,
                stable_tool_call_id(1, "get_weather", '{"city": "Paris"}'),
                stable_tool_call_id(0, "get_time", '{"city": "Paris"}'),
                stable_tool_call_id(0, "get_weather", '{"city": "Rome"}'),
            }
        )
        == 4
    )
    assert one.startswith("call_")
    assert len(one) == len("call_") + 16


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"city": "Paris"}, {"city": "Paris"}),
        ([1, 2], [1, 2]),
        ('{"already": "text"}', {"already": "text"}),
    ],
)
def test_tool_call_arguments_become_json_text(arguments: Any, expected: Any) -> None:
    call = FunctionCall.model_validate({"name": "f", "arguments": arguments})

    assert isinstance(call.arguments, str)
    assert json.loads(call.arguments) == expected


def test_null_tool_call_arguments_become_empty_text() -> None:
    assert FunctionCall.model_validate({"name": "f", "arguments": None}).arguments == ""


# -------------------------------------------------------------------------- content


def test_null_content_stays_none() -> None:
    completion = ChatCompletion.model_validate(
        {"choices": [{"message": {"role": "assistant", "content": None}}]}
    )

    assert completion.choices[0].message.content is None


def test_list_of_text_parts_content_is_joined() -> None:
    message = ResponseMessage.model_validate(
        {"content": [{"type": "text", "text": "Hello, "}, {"type": "text", "text": "world"}]}
    )

    assert message.content == "Hello, world"


def test_list_of_text_parts_in_a_stream_delta_is_joined() -> None:
    delta = Delta.model_validate({"content": [{"type": "text", "text": "a"}, {"text": "b"}]})

    assert delta.content == "ab"


def test_missing_role_is_assistant() -> None:
    assert ResponseMessage.model_validate({"role": None, "content": "x"}).role == "assistant"


# ------------------------------------------------------------------- unknown fields


def _body_with_unknown_fields() -> dict[str, Any]:
    return {
        "request_id": "5d4b2d7e-0000-4000-8000-000000000001",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi", "refusal": None, "mood": "calm"},
                "finish_reason": "stop",
                "logprobs": {"content": []},
                "tool_calls": [_call("f", "{}", "c1") | {"provider_call_ref": "p-1"}],
            }
        ],
        "request": {"model": "claude-sonnet-4-5-20250929"},
        "usage": {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4},
        "http_status_code": 200,
        "response_time": 275510459,
        "llm_status_code": 200,
        "gateway_region": "us-west-2",
    }


def test_unknown_fields_are_kept_at_every_level() -> None:
    completion = ChatCompletion.model_validate(_body_with_unknown_fields())
    dumped = completion.model_dump()

    assert dumped["gateway_region"] == "us-west-2"
    assert dumped["choices"][0]["logprobs"] == {"content": []}
    assert dumped["choices"][0]["message"]["mood"] == "calm"
    assert "refusal" in dumped["choices"][0]["message"]
    assert dumped["choices"][0]["tool_calls"][0]["provider_call_ref"] == "p-1"


def test_completion_round_trips_through_model_dump_and_json() -> None:
    completion = ChatCompletion.model_validate(_body_with_unknown_fields())

    assert ChatCompletion.model_validate(completion.model_dump()) == completion
    assert ChatCompletion.model_validate_json(completion.model_dump_json()) == completion


def test_completion_with_message_tool_calls_round_trips_after_normalising() -> None:
    completion = ChatCompletion.model_validate(
        {"choices": [{"message": {"content": None, "tool_calls": [_call("f", "{}")]}}]}
    )

    again = ChatCompletion.model_validate(completion.model_dump())

    assert again == completion
    assert again.choices[0].tool_calls[0].id == completion.choices[0].tool_calls[0].id


def test_served_model_is_the_model_field_else_the_echoed_request_model() -> None:
    echoed = ChatCompletion.model_validate({"choices": [{}], "request": {"model": "gpt-5"}})
    explicit = ChatCompletion.model_validate(
        {"choices": [{}], "model": "gpt-5-mini", "request": {"model": "gpt-5"}}
    )
    neither = ChatCompletion.model_validate({"choices": [{}], "request": {"model": 7}})

    assert echoed.served_model == "gpt-5"
    assert explicit.served_model == "gpt-5-mini"
    assert neither.served_model is None


def test_response_id_prefers_request_id_over_openai_id() -> None:
    both = ChatCompletion.model_validate({"choices": [{}], "request_id": "r1", "id": "chatcmpl-1"})
    only_id = ChatCompletion.model_validate({"choices": [{}], "id": "chatcmpl-1"})

    assert both.response_id == "r1"
    assert only_id.response_id == "chatcmpl-1"


def test_chunk_with_null_choices_is_a_usage_only_chunk() -> None:
    chunk = ChatCompletionChunk.model_validate(
        {"choices": None, "usage": {"prompt_tokens": 2, "completion_tokens": 3}}
    )

    assert chunk.choices == []
    assert chunk.usage is not None
    assert chunk.usage.total_tokens == 5


# -------------------------------------------------------------------------- request


def _full_request() -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {
            "model": "claude-sonnet-4-5-20250929",
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": [{"type": "text", "text": "Weather?"}], "name": "ana"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [_call("get_weather", '{"city": "Paris"}', "call_1")],
                },
                {"role": "tool", "content": '{"temp": 21}', "tool_call_id": "call_1"},
            ],
            "max_tokens": 300,
            "temperature": 0.2,
            "stream": False,
            "stream_options": {"include_usage": True},
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "description": "Weather for a city",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                        },
                    },
                }
            ],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "weather",
                    "schema": {"type": "object", "properties": {"t": {"type": "number"}}},
                    "strict": True,
                },
            },
            "fallbacks": [{"model": "gemini-2.5-flash", "temperature": 0.0}],
            "fallback_config": {"retry": False, "depth": 1},
            "post_processing_steps": [{"type": "json-repair"}],
            "transcript_id": "tr_123",
            "top_p": 0.9,
        }
    )


def test_every_documented_request_field_reaches_the_payload() -> None:
    payload = _full_request().to_payload()

    assert payload["model"] == "claude-sonnet-4-5-20250929"
    assert payload["max_tokens"] == 300
    assert payload["temperature"] == 0.2
    assert payload["stream"] is False
    assert payload["stream_options"] == {"include_usage": True}
    assert payload["tools"][0]["function"]["name"] == "get_weather"
    assert payload["tools"][0]["function"]["parameters"]["required"] == ["city"]
    assert payload["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert payload["fallbacks"] == [{"model": "gemini-2.5-flash", "temperature": 0.0}]
    assert payload["fallback_config"] == {"retry": False, "depth": 1}
    assert payload["post_processing_steps"] == [{"type": "json-repair"}]
    assert payload["transcript_id"] == "tr_123"
    assert payload["messages"][1] == {
        "role": "user",
        "content": [{"type": "text", "text": "Weather?"}],
        "name": "ana",
    }
    assert payload["messages"][3] == {
        "role": "tool",
        "content": '{"temp": 21}',
        "tool_call_id": "call_1",
    }


def test_response_format_json_schema_uses_the_schema_alias() -> None:
    payload = _full_request().to_payload()
    json_schema = payload["response_format"]["json_schema"]

    assert payload["response_format"]["type"] == "json_schema"
    assert json_schema["schema"] == {"type": "object", "properties": {"t": {"type": "number"}}}
    assert "schema_" not in json_schema
    assert json_schema["name"] == "weather"
    assert json_schema["strict"] is True


def test_json_schema_format_accepts_the_field_name_too() -> None:
    by_name = JsonSchemaFormat(name="n", schema_={"type": "object"})
    by_alias = JsonSchemaFormat.model_validate({"name": "n", "schema": {"type": "object"}})

    assert by_name == by_alias
    assert by_name.model_dump(by_alias=True)["schema"] == {"type": "object"}


def test_unknown_request_fields_pass_through_to_the_json_body() -> None:
    request = _full_request()

    assert request.to_payload()["top_p"] == 0.9
    assert json.loads(request.to_json_bytes())["top_p"] == 0.9


def test_to_payload_omits_unset_fields() -> None:
    payload = ChatCompletionRequest(model="gpt-5", prompt="Hi").to_payload()

    assert payload == {"model": "gpt-5", "prompt": "Hi"}


def test_to_json_bytes_matches_to_payload() -> None:
    request = _full_request()

    assert json.loads(request.to_json_bytes()) == request.to_payload()


def test_assistant_tool_call_turn_keeps_null_content_in_the_payload() -> None:
    # gateway-notes: the history carries {"role":"assistant","content":null,"tool_calls":[...]}
    # and the spec marks `content` required on assistant messages; exclude_none drops it.
    request = _full_request()

    assistant = request.to_payload()["messages"][2]
    assistant_json = json.loads(request.to_json_bytes())["messages"][2]

    assert assistant["tool_calls"][0]["id"] == "call_1"
    assert "content" in assistant
    assert assistant["content"] is None
    assert assistant_json.get("content", "missing") is None


def test_request_messages_are_typed() -> None:
    request = _full_request()
    assert request.messages is not None

    assert isinstance(request.messages[1].content, list)
    assert request.messages[1].content == [TextPart(text="Weather?")]
    assert isinstance(request.tool_choice, NamedToolChoice)
    assert request.messages[2].tool_calls == [
        ToolCall(
            id="call_1", function=FunctionCall(name="get_weather", arguments='{"city": "Paris"}')
        )
    ]
    assert Message(role="user", content="x").model_dump(exclude_none=True) == {
        "role": "user",
        "content": "x",
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"model": ""}, "model"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"temperature": 2.5}, "temperature"),
        ({"temperature": -0.1}, "temperature"),
        ({"fallback_config": {"depth": 3}}, "depth"),
        ({"tool_choice": "sometimes"}, "tool_choice"),
    ],
)
def test_out_of_range_request_fields_fail_validation(overrides: dict[str, Any], field: str) -> None:
    raw = {"model": "gpt-5", "prompt": "Hi", **overrides}

    with pytest.raises(ValidationError) as info:
        ChatCompletionRequest.model_validate(raw)

    assert field in str(info.value)


@pytest.mark.parametrize("raw", [{"model": "gpt-5"}, {"model": "gpt-5", "messages": []}])
def test_a_request_needs_messages_or_prompt(raw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="messages"):
        ChatCompletionRequest.model_validate(raw)


def test_prompt_alone_is_a_valid_request() -> None:
    request = ChatCompletionRequest.model_validate({"model": "gpt-5", "prompt": ""})

    assert request.to_payload() == {"model": "gpt-5", "prompt": ""}
