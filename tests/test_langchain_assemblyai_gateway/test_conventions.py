"""Histories from other providers and the conventions ChatOpenAI users expect.

Everything here goes through the public API over a scripted transport, and asserts on
the request body the gateway would receive.
"""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, ToolMessage
from langchain_core.messages.utils import count_tokens_approximately, trim_messages
from pydantic import BaseModel, ValidationError

from assemblyai_gateway import UnsupportedContentError
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway, _tokens
from tests.support.scripted_model import CLAUDE, ScriptedModel

Json = dict[str, Any]


class Built(ScriptedModel[ChatAssemblyAIGateway]):
    """A model on a scripted transport answering ``completion_body("ok")``."""

    def __init__(self, *steps: Json, **params: Any) -> None:
        super().__init__(ChatAssemblyAIGateway, *steps, **params)


@pytest.fixture
def built() -> Iterator[Built]:
    model = Built()
    yield model
    model.client.close()


# ------------------------------------------------------- histories from other providers

ANTHROPIC_TURN = AIMessage(
    content=[
        {"type": "thinking", "thinking": "The user wants the weather.", "signature": "sig"},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "Let me check."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Köln"}},
    ],
)
OPENAI_REASONING_TURN = AIMessage(
    content=[
        {"type": "reasoning", "reasoning": "Think about it.", "id": "rs_1"},
        {"type": "text", "text": "Done."},
    ],
)


def test_reasoning_and_thinking_blocks_are_dropped_from_assistant_turns(built: Built) -> None:
    built.llm.invoke([HumanMessage("Weather?"), OPENAI_REASONING_TURN, HumanMessage("Thanks")])

    assert built.body["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Done."}],
    }


def test_anthropic_tool_use_blocks_become_the_turns_tool_calls(built: Built) -> None:
    history = [
        HumanMessage("Weather in Köln?"),
        ANTHROPIC_TURN,
        ToolMessage("Sunny", tool_call_id="toolu_1"),
    ]

    built.llm.invoke(history)

    assert built.body["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "Let me check."}],
        "tool_calls": [
            {
                "id": "toolu_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Köln"}'},
            }
        ],
    }


def test_a_tool_use_block_already_in_tool_calls_is_sent_once(built: Built) -> None:
    turn = ANTHROPIC_TURN.model_copy(
        update={
            "tool_calls": [
                {
                    "name": "get_weather",
                    "args": {"city": "Köln"},
                    "id": "toolu_1",
                    "type": "tool_call",
                }
            ]
        }
    )

    built.llm.invoke([HumanMessage("Weather?"), turn, ToolMessage("Sunny", tool_call_id="toolu_1")])

    assert [call["id"] for call in built.body["messages"][1]["tool_calls"]] == ["toolu_1"]


@pytest.mark.parametrize(
    ("message", "block_type"),
    [
        (AIMessage(content=[{"type": "image", "url": "https://x/y.png"}]), "image"),
        (HumanMessage(content=[{"type": "thinking", "thinking": "x"}]), "thinking"),
        (HumanMessage(content=[{"type": "file", "file_id": "f"}]), "file"),
    ],
)
def test_any_other_block_is_a_clear_error_naming_it(
    built: Built, message: Any, block_type: str
) -> None:
    with pytest.raises(UnsupportedContentError, match=f"'{block_type}' content block"):
        built.llm.invoke([message])
    assert built.transport.requests == []


def test_the_developer_role_is_sent_as_system(built: Built) -> None:
    built.llm.invoke([ChatMessage(role="developer", content="Be brief."), HumanMessage("Hi")])

    assert built.body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_non_ascii_tool_arguments_in_history_are_sent_as_they_are(built: Built) -> None:
    turn = AIMessage("", tool_calls=[{"name": "greet", "args": {"to": "Zoë 你好"}, "id": "c1"}])

    built.llm.invoke([HumanMessage("Hi"), turn, ToolMessage("done", tool_call_id="c1")])

    arguments = built.body["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert arguments == '{"to": "Zoë 你好"}'


# --------------------------------------------------------- what ChatOpenAI users expect


def test_model_name_reads_the_model() -> None:
    llm = ChatAssemblyAIGateway(model="gpt-5", api_key="k")
    assert llm.model_name == "gpt-5"
    assert ChatAssemblyAIGateway(model_name="gpt-4.1", api_key="k").model_name == "gpt-4.1"


def test_per_call_request_fields_reach_the_body(built: Built) -> None:
    built.llm.invoke("Hi", seed=7, top_p=0.5)

    assert (built.body["seed"], built.body["top_p"]) == (7, 0.5)


def test_bound_request_fields_reach_the_body(built: Built) -> None:
    built.llm.bind(seed=3, presence_penalty=0.1).invoke("Hi")

    assert (built.body["seed"], built.body["presence_penalty"]) == (3, 0.1)


@pytest.mark.parametrize("field", ["messages", "prompt"])
def test_fields_the_model_owns_are_refused_per_call(built: Built, field: str) -> None:
    owned: dict[str, Any] = {field: "x"}
    with pytest.raises(TypeError, match=field):
        built.llm.invoke("Hi", **owned)
    assert built.transport.requests == []


@pytest.mark.parametrize("temperature", [-0.1, 2.5])
def test_a_temperature_out_of_range_is_refused_at_construction(temperature: float) -> None:
    with pytest.raises(ValidationError, match="temperature"):
        ChatAssemblyAIGateway(model=CLAUDE, api_key="k", temperature=temperature)


def test_token_counts_work_offline_and_are_approximate() -> None:
    llm = ChatAssemblyAIGateway(model=CLAUDE, api_key="k")
    messages = [HumanMessage("Hello there, how are you?"), AIMessage("Fine, thanks.")]

    assert llm.get_num_tokens_from_messages(messages) == count_tokens_approximately(messages)
    assert llm.get_num_tokens("Hello there") == 3  # 11 characters, about 4 a token
    trimmed = trim_messages(messages, max_tokens=10, token_counter=llm, strategy="last")
    assert trimmed == [messages[-1]]


def test_the_gateways_request_echo_is_kept_in_response_metadata(built: Built) -> None:
    reply = built.llm.invoke("Hi")

    assert reply.response_metadata["request"] == {"model": CLAUDE}


# ------------------------------------------------------------------- structured output


class Joke(BaseModel):
    """A joke."""

    setup: str


def test_a_schema_description_goes_into_the_schema() -> None:
    built = Built(completion_body('{"setup": "cats"}', model=CLAUDE))
    assert built.llm.with_structured_output(Joke).invoke("Tell one") == Joke(setup="cats")

    config = built.body["response_format"]["json_schema"]
    assert set(config) == {"name", "schema"}
    assert config["schema"]["description"] == "A joke."


def test_json_mode_is_sent_as_an_open_object_schema() -> None:
    transport = ScriptedTransport([completion_body('{"a": 1}', model=CLAUDE)])
    model = ChatAssemblyAIGateway(
        model=CLAUDE, api_key="k", http_client=httpx.Client(transport=transport)
    )

    assert model.with_structured_output(method="json_mode").invoke("Give JSON") == {"a": 1}

    body = transport.json_bodies[0]
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "json_object",
            "schema": {"type": "object", "additionalProperties": True},
        },
    }
    assert body["messages"][0]["role"] == "system"


def test_json_mode_with_a_fallback_without_json_schema_sends_only_the_instruction() -> None:
    transport = ScriptedTransport([completion_body('{"a": 1}', model=CLAUDE)])
    model = ChatAssemblyAIGateway(
        model=CLAUDE,
        api_key="k",
        fallbacks=["gpt-oss-120b"],
        http_client=httpx.Client(transport=transport),
    )

    assert model.with_structured_output(method="json_mode").invoke("Give JSON") == {"a": 1}

    body = transport.json_bodies[0]
    assert "response_format" not in body
    assert body["messages"][0]["role"] == "system"


def test_structured_output_with_a_fallback_without_json_schema_uses_a_tool() -> None:
    transport = ScriptedTransport([completion_body("", model=CLAUDE)])
    model = ChatAssemblyAIGateway(
        model=CLAUDE,
        api_key="k",
        fallbacks=[{"model": "gpt-oss-20b"}],
        http_client=httpx.Client(transport=transport),
    )

    model.with_structured_output(Joke, include_raw=True).invoke("Tell one")

    body = transport.json_bodies[0]
    assert "response_format" not in body
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Joke"}}


def test_the_token_count_examples_run() -> None:
    result = doctest.testmod(_tokens)
    assert (result.failed, result.attempted > 0) == (0, True)
