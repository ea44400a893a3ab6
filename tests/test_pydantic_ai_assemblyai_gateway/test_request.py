"""The request mapper: pydantic-ai messages, tools and output modes -> the gateway's body."""

from __future__ import annotations

import pytest
from pydantic_ai.messages import (
    BinaryContent,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.tools import ToolDefinition

from assemblyai_gateway._wire.types import ChatCompletionRequest
from assemblyai_gateway.errors import UnsupportedContentError
from pydantic_ai_assemblyai_gateway._request import map_messages, tool_fields

SYSTEM = "assemblyai-gateway"


def test_a_conversation_maps_onto_the_four_roles() -> None:
    messages: list[ModelMessage] = [
        ModelRequest(parts=[SystemPromptPart("Be brief."), UserPromptPart("Weather?")]),
        ModelResponse(
            parts=[
                TextPart("Checking."),
                ToolCallPart("get_forecast", {"city": "Oslo"}, tool_call_id="call_1"),
            ]
        ),
        ModelRequest(parts=[ToolReturnPart("get_forecast", "rain", tool_call_id="call_1")]),
        ModelResponse(parts=[TextPart("Rain.")]),
    ]
    wire = map_messages(messages, ["Answer in English."], system=SYSTEM)
    assert wire == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "Answer in English."},
        {"role": "user", "content": "Weather?"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_forecast", "arguments": '{"city":"Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "rain"},
        {"role": "assistant", "content": "Rain."},
    ]
    ChatCompletionRequest.model_validate({"model": "gpt-5", "messages": wire})  # the core takes it


def test_a_tool_call_turn_without_text_has_null_content() -> None:
    wire = map_messages(
        [ModelResponse(parts=[ToolCallPart("f", "{}", tool_call_id="c")])], [], system=SYSTEM
    )
    assert wire[0]["content"] is None


# Deprecated in newer pydantic-ai (which sends retries as ToolReturnPart), still mapped.
@pytest.mark.filterwarnings("ignore:`RetryPromptPart` is deprecated")
def test_retry_prompts_become_tool_results_or_user_turns() -> None:
    tool_retry = RetryPromptPart("bad city", tool_name="get_forecast", tool_call_id="call_1")
    plain_retry = RetryPromptPart("answer in JSON")
    wire = map_messages([ModelRequest(parts=[tool_retry, plain_retry])], [], system=SYSTEM)
    assert wire[0]["role"] == "tool"
    assert wire[0]["tool_call_id"] == "call_1"
    assert "bad city" in wire[0]["content"]
    assert wire[1]["role"] == "user"
    assert "answer in JSON" in wire[1]["content"]


def test_own_thinking_is_sent_back_and_anothers_dropped() -> None:
    ours = ModelResponse(
        parts=[ThinkingPart("Plan first.", provider_name=SYSTEM), TextPart("Done.")]
    )
    theirs = ModelResponse(
        parts=[
            ThinkingPart("signed", signature="sig", provider_name="anthropic"),
            NativeToolCallPart("web_search", {"q": "x"}, provider_name="anthropic"),
            TextPart("Also done."),
        ]
    )
    wire = map_messages([ours, theirs], [], system=SYSTEM)
    assert wire == [
        {"role": "assistant", "content": "Done.", "thinking": "Plan first."},
        {"role": "assistant", "content": "Also done."},
    ]


def test_text_parts_and_text_files_are_sent_as_text() -> None:
    part = UserPromptPart(["Summarise:", BinaryContent(b"notes", media_type="text/plain")])
    wire = map_messages([ModelRequest(parts=[part])], [], system=SYSTEM)
    assert wire[0]["content"] == [
        {"type": "text", "text": "Summarise:"},
        {"type": "text", "text": "notes"},
    ]


def test_an_image_is_refused_naming_it() -> None:
    part = UserPromptPart(["What is this?", ImageUrl("https://example.com/cat.png")])
    with pytest.raises(UnsupportedContentError, match="ImageUrl"):
        map_messages([ModelRequest(parts=[part])], [], system=SYSTEM)


def _tool(name: str) -> ToolDefinition:
    return ToolDefinition(name=name, parameters_json_schema={"type": "object", "properties": {}})


def test_tools_and_a_free_choice_when_text_output_is_allowed() -> None:
    params = ModelRequestParameters(function_tools=[_tool("a"), _tool("b")])
    fields = tool_fields(None, params)
    assert [t["function"]["name"] for t in fields["tools"]] == ["a", "b"]
    assert fields["tool_choice"] == "auto"


def test_a_lone_output_tool_is_forced_by_name() -> None:
    params = ModelRequestParameters(
        output_tools=[_tool("final_result")], output_mode="tool", allow_text_output=False
    )
    assert tool_fields(None, params)["tool_choice"] == {
        "type": "function",
        "function": {"name": "final_result"},
    }


def test_a_restricted_choice_sends_only_the_chosen_tools() -> None:
    params = ModelRequestParameters(function_tools=[_tool("a"), _tool("b"), _tool("c")])
    fields = tool_fields({"tool_choice": ["b"]}, params)
    assert [t["function"]["name"] for t in fields["tools"]] == ["b"]
    assert fields["tool_choice"] == {"type": "function", "function": {"name": "b"}}


def test_no_tools_means_no_tool_fields() -> None:
    assert tool_fields(None, ModelRequestParameters()) == {}
