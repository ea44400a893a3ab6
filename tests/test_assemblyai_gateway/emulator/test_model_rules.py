"""The deterministic model rules documented on the emulator page (docs/emulator.md)."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from assemblyai_gateway.emulator import count_tokens, tokenize

if TYPE_CHECKING:
    from tests.test_assemblyai_gateway.emulator.conftest import Gateway

Json = dict[str, Any]
CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-4.1"


def user(text: str) -> Json:
    return {"role": "user", "content": text}


def content(response: Json) -> str | None:
    value: str | None = response["choices"][0]["message"]["content"]
    return value


def calls(response: Json) -> list[Json]:
    found: list[Json] = response["choices"][0].get("tool_calls", [])
    return found


def test_plain_request_answers_with_the_last_user_message(gateway: Gateway) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        user("first question"),
        {"role": "assistant", "content": "an answer"},
        user("What   is\nthe plan?"),
    ]
    response = gateway.chat({"model": CLAUDE, "messages": messages})
    assert content(response) == 'Emulated answer to: "What is the plan?"'
    assert response["choices"][0]["finish_reason"] == "stop"
    assert "tool_calls" not in response["choices"][0]


def test_answer_quotes_only_the_first_80_characters(gateway: Gateway) -> None:
    text = "word " * 40
    answer = content(gateway.chat({"model": CLAUDE, "prompt": text}))
    assert answer == f'Emulated answer to: "{" ".join(text.split())[:80]}"'


def test_text_parts_are_read_as_text(gateway: Gateway) -> None:
    parts = [{"type": "text", "text": "part one"}, {"type": "text", "text": "part two"}]
    response = gateway.chat({"model": CLAUDE, "messages": [{"role": "user", "content": parts}]})
    assert content(response) == 'Emulated answer to: "part one part two"'


def test_prompt_is_a_user_message_after_messages(gateway: Gateway) -> None:
    body = {"model": CLAUDE, "messages": [user("from messages")], "prompt": "from prompt"}
    assert content(gateway.chat(body)) == 'Emulated answer to: "from prompt"'


def test_the_same_request_gets_the_same_answer(gateway: Gateway) -> None:
    body = {"model": CLAUDE, "prompt": "determinism"}
    first, second = gateway.chat(body), gateway.chat(body)
    assert first["choices"] == second["choices"]
    assert first["request_id"] != second["request_id"]
    uuid.UUID(first["request_id"])


def test_max_tokens_truncates_the_answer_and_reports_length(gateway: Gateway) -> None:
    response = gateway.chat({"model": CLAUDE, "prompt": "a long question", "max_tokens": 3})
    assert content(response) == "Emulated answer to"
    assert response["choices"][0]["finish_reason"] == "length"
    assert response["usage"]["output_tokens"] == 3


def test_max_tokens_equal_to_the_answer_length_is_not_truncated(gateway: Gateway) -> None:
    full = content(gateway.chat({"model": CLAUDE, "prompt": "hi"}))
    assert full is not None
    response = gateway.chat({"model": CLAUDE, "prompt": "hi", "max_tokens": count_tokens(full)})
    assert (content(response), response["choices"][0]["finish_reason"]) == (full, "stop")


def test_tokenizer_counts_words_and_punctuation() -> None:
    assert tokenize("Don't stop-me, 42!") == ["Don", "'", "t", "stop", "-", "me", ",", "42", "!"]


def test_usage_counts_input_and_output_with_the_documented_tokenizer(gateway: Gateway) -> None:
    messages = [{"role": "system", "content": "Be brief."}, user("Hello, world!")]
    response = gateway.chat({"model": CLAUDE, "messages": messages})
    answer = content(response)
    assert answer is not None
    prompt = count_tokens("Be brief.") + count_tokens("Hello, world!")
    assert response["usage"] == {
        "input_tokens": prompt,
        "output_tokens": count_tokens(answer),
        "prompt_tokens": prompt,  # the names the gateway's SDK requires, beside the spec's
        "completion_tokens": count_tokens(answer),
        "total_tokens": count_tokens("Be brief.Hello, world!") + count_tokens(answer),
    }


def test_prompt_completion_usage_style_matches_the_seed_spec(gateway: Gateway) -> None:
    gateway.emulator.usage_style = "prompt_completion"
    usage = gateway.chat({"model": CLAUDE, "prompt": "Hello"})["usage"]
    assert set(usage) == {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_response_echoes_the_request_without_prompt_or_messages(gateway: Gateway) -> None:
    body = {"model": CLAUDE, "prompt": "x", "max_tokens": 50, "temperature": 0.5, "top_p": 1}
    response = gateway.chat(body)
    assert response["request"] == {
        "model": CLAUDE,
        "max_tokens": 50,
        "temperature": 0.5,
        "top_p": 1,
    }
    assert response["model"] == CLAUDE
    assert (response["http_status_code"], response["llm_status_code"]) == (200, 200)
    assert isinstance(response["response_time"], int)
    assert response["response_time"] > 0


# -- tools -------------------------------------------------------------------------------


def test_forced_tool_choice_calls_that_tool_with_schema_valid_arguments(
    gateway: Gateway, tools: list[Json]
) -> None:
    choice = {"type": "function", "function": {"name": "send_email"}}
    response = gateway.chat(
        {"model": CLAUDE, "prompt": "nothing relevant", "tools": tools, "tool_choice": choice}
    )
    [call] = calls(response)
    assert call["function"]["name"] == "send_email"
    assert call["type"] == "function"
    jsonschema.validate(
        json.loads(call["function"]["arguments"]), tools[1]["function"]["parameters"]
    )
    assert content(response) is None
    assert response["choices"][0]["finish_reason"] == "tool_calls"


def test_required_tool_choice_calls_the_first_tool(gateway: Gateway, tools: list[Json]) -> None:
    body = {"model": GPT, "prompt": "no names here", "tools": tools, "tool_choice": "required"}
    assert [c["function"]["name"] for c in calls(gateway.chat(body))] == ["get_weather"]


def test_none_tool_choice_never_calls_tools(gateway: Gateway, tools: list[Json]) -> None:
    body = {"model": GPT, "prompt": "get_weather please", "tools": tools, "tool_choice": "none"}
    response = gateway.chat(body)
    assert calls(response) == []
    assert content(response) == 'Emulated answer to: "get_weather please"'


@pytest.mark.parametrize("tool_choice", ["auto", None])
def test_auto_calls_every_named_tool_in_order_of_appearance(
    gateway: Gateway, tools: list[Json], tool_choice: str | None
) -> None:
    body: Json = {
        "model": CLAUDE,
        "prompt": "Please SEND EMAIL to=bob@example.com, then get_weather city: Paris",
        "tools": tools,
    }
    if tool_choice is not None:
        body["tool_choice"] = tool_choice
    found = calls(gateway.chat(body))
    assert [c["function"]["name"] for c in found] == ["send_email", "get_weather"]
    email, weather = (json.loads(c["function"]["arguments"]) for c in found)
    assert email == {"to": "bob@example.com", "subject": "subject"}
    assert weather == {"city": "Paris", "unit": "celsius", "days": 1}
    assert len({c["id"] for c in found}) == 2


def test_hints_after_a_tool_name_belong_to_that_tool_first(
    gateway: Gateway, tools: list[Json]
) -> None:
    prompt = "get_weather city: Paris days: 2, and send_email to=a@x.io, then days: 5"
    found = calls(gateway.chat({"model": CLAUDE, "prompt": prompt, "tools": tools}))
    weather = json.loads(found[0]["function"]["arguments"])
    assert weather["city"] == "Paris"
    assert weather["days"] == 2  # not the 5 written after send_email
    assert json.loads(found[1]["function"]["arguments"])["to"] == "a@x.io"


def test_hints_written_anywhere_still_fill_the_other_arguments(
    gateway: Gateway, tools: list[Json]
) -> None:
    prompt = "city: Oslo, then get_weather days: 3"
    [call] = calls(gateway.chat({"model": CLAUDE, "prompt": prompt, "tools": tools}))
    assert json.loads(call["function"]["arguments"])["city"] == "Oslo"
    assert json.loads(call["function"]["arguments"])["days"] == 3


def test_tool_names_match_only_as_whole_words(gateway: Gateway, tools: list[Json]) -> None:
    body = {"model": CLAUDE, "prompt": "my get_weathers are fine", "tools": tools}
    assert calls(gateway.chat(body)) == []


def test_hints_respect_the_schema(gateway: Gateway, tools: list[Json]) -> None:
    prompt = 'get_weather city="New York" unit=kelvin days: 30'
    [call] = calls(gateway.chat({"model": CLAUDE, "prompt": prompt, "tools": tools}))
    # kelvin is not in the enum and 30 is above the maximum: the schema wins.
    assert json.loads(call["function"]["arguments"]) == {
        "city": "New York",
        "unit": "celsius",
        "days": 7,
    }


def test_tool_call_ids_are_deterministic_and_unique(gateway: Gateway, tools: list[Json]) -> None:
    body = {"model": CLAUDE, "prompt": "get_weather and send_email", "tools": tools}
    first = [c["id"] for c in calls(gateway.chat(body))]
    second = [c["id"] for c in calls(gateway.chat(body))]
    assert first == second
    assert len(set(first)) == 2
    assert all(call_id.startswith(("call_1_", "call_2_")) for call_id in first)


def test_tool_results_end_the_loop_with_a_text_answer(gateway: Gateway, tools: list[Json]) -> None:
    first = gateway.chat({"model": CLAUDE, "prompt": "get_weather and send_email", "tools": tools})
    tool_calls = calls(first)
    messages = [
        user("get_weather and send_email"),
        {"role": "assistant", "content": None, "tool_calls": tool_calls},
        {"role": "tool", "tool_call_id": tool_calls[0]["id"], "content": "Sunny,  21C"},
        {"role": "tool", "tool_call_id": tool_calls[1]["id"], "content": "sent"},
    ]
    response = gateway.chat({"model": CLAUDE, "messages": messages, "tools": tools})
    assert calls(response) == []
    assert (
        content(response) == "Based on the tool results: get_weather: Sunny, 21C; send_email: sent"
    )
    assert response["choices"][0]["finish_reason"] == "stop"


def test_tool_calls_can_be_placed_inside_the_message(gateway: Gateway, tools: list[Json]) -> None:
    gateway.emulator.tool_call_placement = "message"
    response = gateway.chat({"model": CLAUDE, "prompt": "get_weather", "tools": tools})
    choice = response["choices"][0]
    assert "tool_calls" not in choice
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


# -- structured output -------------------------------------------------------------------

MATH_SCHEMA: Json = {
    "type": "object",
    "properties": {
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
                "required": ["explanation", "output"],
                "additionalProperties": False,
            },
        },
        "final_answer": {"type": "string"},
    },
    "required": ["steps", "final_answer"],
    "additionalProperties": False,
}


def test_json_schema_response_format_returns_valid_json(gateway: Gateway) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "math_reasoning", "schema": MATH_SCHEMA, "strict": True},
    }
    body = {"model": "gemini-2.5-flash-lite", "prompt": "solve 8x + 7 = -23"}
    text = content(gateway.chat({**body, "response_format": response_format}))
    assert text is not None
    value = json.loads(text)
    jsonschema.validate(value, MATH_SCHEMA)
    assert value == {
        "steps": [{"explanation": "explanation", "output": "output"}],
        "final_answer": "final answer",
    }


def test_json_schema_output_uses_hints_from_the_user_message(gateway: Gateway) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    response_format = {"type": "json_schema", "json_schema": {"name": "p", "schema": schema}}
    body = {"model": GPT, "prompt": "extract: name: Alice", "response_format": response_format}
    assert json.loads(content(gateway.chat(body)) or "") == {"name": "Alice"}


def test_json_object_response_format_wraps_the_answer(gateway: Gateway) -> None:
    body = {"model": GPT, "prompt": "hi", "response_format": {"type": "json_object"}}
    assert json.loads(content(gateway.chat(body)) or "") == {"answer": 'Emulated answer to: "hi"'}


def test_text_response_format_is_plain_text(gateway: Gateway) -> None:
    body = {"model": GPT, "prompt": "hi", "response_format": {"type": "text"}}
    assert content(gateway.chat(body)) == 'Emulated answer to: "hi"'


# -- gateway extras ----------------------------------------------------------------------


def test_only_the_first_exact_transcript_tag_is_replaced_as_the_gateway_does(
    gateway: Gateway,
) -> None:
    gateway.emulator.transcripts["tr_1"] = "Alice: ship it Friday."
    body = {
        "model": CLAUDE,
        "transcript_id": "tr_1",
        "messages": [
            {"role": "system", "content": "Context: {{transcript}}"},
            {"role": "user", "content": [{"type": "text", "text": "Sum {{ transcript }}"}]},
            {"role": "assistant", "content": "Noted."},
            {"role": "user", "content": "Again {{ transcript }} and {{ transcript }}"},
        ],
    }
    response = gateway.chat(body)
    # The last user message is left alone: only the first tag of the first message
    # holding one is replaced; {{transcript}} (no spaces) is not the gateway's tag.
    assert content(response) == 'Emulated answer to: "Again {{ transcript }} and {{ transcript }}"'
    expected_input = (
        count_tokens("Context: {{transcript}}")
        + count_tokens("Sum Alice: ship it Friday.")
        + count_tokens("Noted.")
        + count_tokens("Again {{ transcript }} and {{ transcript }}")
    )
    assert response["usage"]["input_tokens"] == expected_input
    assert response["request"]["transcript_id"] == "tr_1"


def test_the_transcript_tag_in_the_prompt_is_replaced_once(gateway: Gateway) -> None:
    gateway.emulator.transcripts["tr_1"] = "Alice: ship it Friday."
    body = {"model": CLAUDE, "transcript_id": "tr_1", "prompt": "{{ transcript }} {{ transcript }}"}
    assert content(gateway.chat(body)) == (
        'Emulated answer to: "Alice: ship it Friday. {{ transcript }}"'
    )


def test_a_request_beyond_the_context_window_is_refused_as_the_provider_refuses_it(
    gateway: Gateway,
) -> None:
    words = " ".join(["word"] * 200_001)  # Claude's window is 200,000 tokens
    error = gateway.error({"model": CLAUDE, "prompt": words}, 400)
    assert error["message"].startswith("prompt is too long: 200001 tokens > 200000 maximum")
    near = " ".join(["word"] * 199_000)
    squeezed = gateway.error({"model": CLAUDE, "prompt": near, "max_tokens": 2000}, 400)
    assert "exceed context limit: 199000 + 2000 > 200000" in squeezed["message"]
    fits = gateway.chat({"model": CLAUDE, "prompt": near, "max_tokens": 1000})
    assert fits["usage"]["input_tokens"] == 199_000


def test_fallback_serves_when_the_primary_model_fails(gateway: Gateway) -> None:
    gateway.emulator.failing_models.add(CLAUDE)
    body = {
        "model": CLAUDE,
        "prompt": "hi",
        "max_tokens": 100,
        "fallbacks": [{"model": "gpt-4.1", "max_tokens": 2}],
    }
    response = gateway.chat(body)
    assert response["model"] == response["request"]["model"] == "gpt-4.1"
    assert response["request"]["max_tokens"] == 2
    assert response["choices"][0]["finish_reason"] == "length"


def test_fallbacks_are_tried_in_order(gateway: Gateway) -> None:
    gateway.emulator.failing_models.update({CLAUDE, "gpt-4.1"})
    body = {
        "model": CLAUDE,
        "prompt": "hi",
        "fallbacks": [{"model": "gpt-4.1"}, {"model": "gpt-5"}],
    }
    assert gateway.chat(body)["model"] == "gpt-5"


def test_all_models_failing_gives_500_naming_the_models_tried(gateway: Gateway) -> None:
    gateway.emulator.failing_models.update({CLAUDE, "gpt-4.1", "gpt-5"})
    body = {
        "model": CLAUDE,
        "prompt": "hi",
        "fallbacks": [{"model": "gpt-4.1"}, {"model": "gpt-5"}, {"model": "gemini-2.5-pro"}],
        "fallback_config": {"retry": True, "depth": 2},
    }
    error = gateway.error(body, 500)
    assert error["message"] == f"All models failed: {CLAUDE}, gpt-4.1, gpt-5"
    assert error["metadata"] == {
        "llm_status_code": 500,
        "models_tried": [CLAUDE, "gpt-4.1", "gpt-5"],
    }


def test_fallback_depth_limits_the_fallbacks_tried(gateway: Gateway) -> None:
    gateway.emulator.failing_models.update({CLAUDE, "gpt-4.1"})
    body = {
        "model": CLAUDE,
        "prompt": "hi",
        "fallbacks": [{"model": "gpt-4.1"}, {"model": "gpt-5"}],
        "fallback_config": {"depth": 1},
    }
    assert gateway.error(body, 500)["metadata"]["models_tried"] == [CLAUDE, "gpt-4.1"]


def test_a_failing_model_without_fallbacks_gives_500(gateway: Gateway) -> None:
    gateway.emulator.failing_models.add(CLAUDE)
    assert (
        gateway.error({"model": CLAUDE, "prompt": "hi"}, 500)["metadata"]["llm_status_code"] == 500
    )


def test_json_repair_step_leaves_valid_content_unchanged(gateway: Gateway) -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    body = {
        "model": GPT,
        "prompt": "x",
        "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": schema}},
        "post_processing_steps": [{"type": "json-repair"}],
    }
    assert json.loads(content(gateway.chat(body)) or "") == {"ok": True}
