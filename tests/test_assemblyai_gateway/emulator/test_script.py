"""Scripted replies: exact text, tool calls and a context overflow, from Python and JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assemblyai_gateway.emulator import (
    Fault,
    GatewayEmulator,
    Reply,
    ScriptedToolCall,
    count_tokens,
    load_script,
)
from assemblyai_gateway.errors import BadRequestError
from tests.test_assemblyai_gateway.emulator.conftest import Gateway

Json = dict[str, Any]
CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-4.1"
GEMINI = "gemini-2.5-flash"
BODY: Json = {"model": CLAUDE, "prompt": "What is the capital of France?"}


def test_a_text_reply_is_sent_exactly_and_counted(gateway: Gateway) -> None:
    gateway.emulator.script(Reply.text("Paris, of course."))
    answer = gateway.chat({**BODY, "max_tokens": 2})
    choice = answer["choices"][0]
    assert choice["message"]["content"] == "Paris, of course."  # never cut by max_tokens
    assert choice["finish_reason"] == "stop"
    assert answer["usage"]["output_tokens"] == count_tokens("Paris, of course.")
    assert answer["usage"]["input_tokens"] == count_tokens(BODY["prompt"])


def test_replies_are_used_in_order_then_the_rules_answer_again(gateway: Gateway) -> None:
    gateway.emulator.script(Reply.text("one"), Reply.text("two", finish_reason="length"))
    assert gateway.emulator.pending_replies == 2
    first, second, third = (gateway.chat(BODY)["choices"][0] for _ in range(3))
    assert first["message"]["content"] == "one"
    assert (second["message"]["content"], second["finish_reason"]) == ("two", "length")
    assert third["message"]["content"].startswith("Emulated answer to:")
    assert gateway.emulator.pending_replies == 0
    assert [r.reply.kind if r.reply else None for r in gateway.emulator.requests] == [
        "text",
        "text",
        None,
    ]


def test_a_tool_call_reply_needs_no_tools_in_the_request(gateway: Gateway) -> None:
    gateway.emulator.script(Reply.tool_call("get_weather", {"city": "Paris"}))
    choice = gateway.chat(BODY)["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    [call] = choice["tool_calls"]
    assert call["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert call["id"].startswith("call_1_")


def test_parallel_tool_calls_keep_their_ids_text_and_raw_arguments(gateway: Gateway) -> None:
    gateway.emulator.tool_call_placement = "message"
    gateway.emulator.script(
        Reply.tool_calls(
            ScriptedToolCall("add", {"a": 1, "b": 2}, id="call_add"),
            ScriptedToolCall("broken", '{"a": 1'),
            content="Let me compute.",
        )
    )
    message = gateway.chat(BODY)["choices"][0]["message"]
    assert message["content"] == "Let me compute."
    first, second = message["tool_calls"]
    assert first["id"] == "call_add"
    assert first["function"]["arguments"] == '{"a": 1, "b": 2}'
    assert second["function"]["arguments"] == '{"a": 1'  # sent exactly as scripted
    assert second["id"].startswith("call_2_")


def test_a_streamed_reply_carries_the_same_answer(gateway: Gateway) -> None:
    gateway.emulator.script(
        Reply.text("Streamed exactly."), Reply.tool_call("lookup", {"q": "gateway"})
    )
    events, done = gateway.stream({"model": GPT, "prompt": "hi"})
    assert done
    assert gateway.streamed_text(events) == "Streamed exactly."
    events, _ = gateway.stream({"model": GPT, "prompt": "hi"})
    choices = [choice for event in events for choice in event["choices"]]
    deltas = [call for choice in choices for call in choice["delta"].get("tool_calls", [])]
    assert deltas[0]["function"]["name"] == "lookup"
    assert "".join(d["function"]["arguments"] for d in deltas) == '{"q": "gateway"}'


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (CLAUDE, "prompt is too long: 200007 tokens > 200000 maximum"),
        (
            GPT,
            "This model's maximum context length is 1047576 tokens. However, your messages "
            "resulted in 1047583 tokens. Please reduce the length of the messages.",
        ),
        (
            GEMINI,
            "The input token count (1048583) exceeds the maximum number of tokens allowed "
            "(1048576).",
        ),
    ],
)
def test_a_context_overflow_is_the_400_the_provider_sends(
    gateway: Gateway, model: str, message: str
) -> None:
    gateway.emulator.script(Reply.context_overflow())
    error = gateway.error({**BODY, "model": model}, 400)
    assert error == {"code": 400, "message": message, "metadata": {"llm_status_code": 400}}


def test_a_context_overflow_reports_the_prompt_size_it_is_given(gateway: Gateway) -> None:
    gateway.emulator.script(Reply.context_overflow(prompt_tokens=250_000))
    error = gateway.error(BODY, 400)
    assert error["message"] == "prompt is too long: 250000 tokens > 200000 maximum"


def test_a_context_overflow_refuses_a_stream_before_it_starts(gateway: Gateway) -> None:
    gateway.emulator.script(Reply.context_overflow())
    response = gateway.post({"model": GPT, "prompt": "hi", "stream": True})
    assert response.status_code == 400
    assert "maximum context length" in response.json()["error"]["message"]


def test_requests_that_fail_before_a_model_answers_leave_the_reply_queued(
    gateway: Gateway,
) -> None:
    gateway.emulator.script(Reply.text("kept"))
    gateway.emulator.inject(Fault.status(503, "overloaded"))
    assert gateway.post(BODY).status_code == 503
    assert gateway.post(BODY, headers={"Authorization": "wrong"}).status_code == 401
    assert gateway.post({"model": CLAUDE}).status_code == 400
    gateway.emulator.failing_models.add(CLAUDE)
    assert gateway.post(BODY).status_code == 500
    assert gateway.emulator.pending_replies == 1
    served = gateway.chat({**BODY, "fallbacks": [{"model": GPT}]})
    assert (served["model"], served["choices"][0]["message"]["content"]) == (GPT, "kept")


def test_a_content_fault_reshapes_a_scripted_answer(gateway: Gateway) -> None:
    gateway.emulator.script(Reply.tool_call("add", {"a": 1}))
    gateway.emulator.inject(Fault.invalid_tool_arguments())
    [call] = gateway.chat(BODY)["choices"][0]["tool_calls"]
    assert call["function"]["arguments"] == '{"a": 1'


def test_reset_clears_the_script_and_settings_reset_restores_the_constructors() -> None:
    with GatewayEmulator(script=[Reply.text("first")]) as emulator:
        emulator.script(Reply.text("second"))
        assert emulator.pending_replies == 2
        emulator.reset()
        assert emulator.pending_replies == 0
        emulator.reset(settings=True)
        assert emulator.pending_replies == 1


def test_the_script_holds_replies_only() -> None:
    with pytest.raises(TypeError, match=r"Reply.text"):
        GatewayEmulator(script=["Paris"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"Reply.tool_call\(name, arguments\)"):
        Reply.tool_calls(("add", {"a": 1}))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not JSON"):
        Reply.tool_call("add", {"when": object()})
    with pytest.raises(ValueError, match="prompt_tokens must be >= 1"):
        Reply.context_overflow(prompt_tokens=0)


SCRIPT_FILE: list[Any] = [
    {"text": "Paris."},
    {"text": "Cut", "finish_reason": "length"},
    {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "call_w"}]},
    {"tool_calls": [{"name": "add"}, {"name": "mul", "arguments": "{}"}], "text": "Both."},
    {"context_overflow": True},
    {"context_overflow": {"prompt_tokens": 300000}},
]


def test_the_json_format_gives_the_same_replies_as_python(tmp_path: Path) -> None:
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(SCRIPT_FILE), encoding="utf-8")
    assert load_script(path) == [
        Reply.text("Paris."),
        Reply.text("Cut", finish_reason="length"),
        Reply.tool_call("get_weather", {"city": "Paris"}, id="call_w"),
        Reply.tool_calls(ScriptedToolCall("add"), ScriptedToolCall("mul", "{}"), content="Both."),
        Reply.context_overflow(),
        Reply.context_overflow(prompt_tokens=300000),
    ]


@pytest.mark.parametrize(
    ("script", "problem"),
    [
        ({"text": "x"}, "a script is a JSON list of replies, got dict"),
        (["x"], "reply 1: a reply is a JSON object, got str"),
        ([{"text": "ok"}, {"txt": "x"}], "reply 2: unknown key 'txt'"),
        ([{}], 'reply 1: a reply has "text", "tool_calls"'),
        ([{"text": 3}], "reply 1: Reply.text() takes a string, got int"),
        ([{"tool_calls": []}], 'reply 1: "tool_calls" is a non-empty list'),
        ([{"tool_calls": [{"arguments": {}}]}], 'reply 1: a tool call needs a "name"'),
        ([{"tool_calls": [{"name": "a", "args": {}}]}], 'reply 1: each tool call has "name"'),
        ([{"tool_calls": [{"name": "a", "arguments": [1]}]}], "must be a mapping or a string"),
        ([{"context_overflow": True, "text": "x"}], '"context_overflow" stands alone'),
        ([{"context_overflow": "yes"}], '"context_overflow" is true or {"prompt_tokens": N}'),
        ([{"context_overflow": {"prompt_tokens": "9"}}], "prompt_tokens must be an integer"),
    ],
)
def test_a_bad_script_file_names_the_reply_and_the_problem(
    tmp_path: Path, script: object, problem: str
) -> None:
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(script), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(problem)):
        load_script(path)


def test_a_script_file_that_is_not_json_says_so(tmp_path: Path) -> None:
    path = tmp_path / "replies.json"
    path.write_text("[{'text': 'single quotes'}]", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^not JSON: "):
        load_script(path)


def test_an_unknown_model_error_names_the_switch_that_allows_it(gateway: Gateway) -> None:
    error = gateway.error({**BODY, "model": "gpt-6"}, 400)
    [field] = error["metadata"]["errors"]
    assert field["field"] == "model"
    assert field["message"].startswith("unknown model 'gpt-6'")
    assert "--accept-any-model" in field["message"]
    assert "GatewayEmulator(accept_any_model=True)" in field["message"]


def test_an_agent_meets_the_scripted_answers_through_both_adapters(
    gateway_emulator: GatewayEmulator,
) -> None:
    from llama_index.core.llms import ChatMessage

    from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    from llama_index_assemblyai_gateway import AssemblyAIGateway

    turn = [
        Reply.tool_call("get_weather", {"city": "Paris"}, id="call_w"),
        Reply.text("18 degrees."),
        Reply.context_overflow(),
    ]
    gateway_emulator.script(*turn, *turn)

    chat = ChatAssemblyAIGateway(model=CLAUDE, max_retries=0)
    assert chat.invoke("weather?").tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_w", "type": "tool_call"}
    ]
    assert chat.invoke("and now?").content == "18 degrees."
    with pytest.raises(BadRequestError, match="prompt is too long"):
        chat.invoke("a long history")

    llm = AssemblyAIGateway(model=CLAUDE, max_retries=0)
    response = llm.chat([ChatMessage(role="user", content="weather?")])
    [call] = llm.get_tool_calls_from_response(response, error_on_no_tool_call=True)
    assert (call.tool_id, call.tool_name, call.tool_kwargs) == (
        "call_w",
        "get_weather",
        {"city": "Paris"},
    )
    assert llm.complete("and now?").text == "18 degrees."
    with pytest.raises(BadRequestError, match="prompt is too long"):
        llm.complete("a long history")
