"""Histories from other providers and what LlamaIndex OpenAI users expect.

Everything goes through the public API over a scripted transport, and asserts on the
request body the gateway would receive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel

from assemblyai_gateway import UnsupportedContentError
from assemblyai_gateway.testing import ScriptedTransport, completion_body, tool_call
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.scripted_model import CLAUDE, ScriptedModel

Json = dict[str, Any]
HI = ChatMessage(role="user", content="Hi")


class Built(ScriptedModel[AssemblyAIGateway]):
    """An LLM on a scripted transport."""

    def __init__(self, *steps: Json, **params: Any) -> None:
        super().__init__(AssemblyAIGateway, *steps, **params)


@pytest.fixture
def built() -> Iterator[Built]:
    model = Built()
    yield model
    model.client.close()


# ------------------------------------------------------- histories from other providers


def test_thinking_blocks_are_dropped_from_assistant_turns(built: Built) -> None:
    turn = ChatMessage(
        role="assistant",
        blocks=[ThinkingBlock(content="Let me think."), TextBlock(text="Done.")],
    )

    built.llm.chat([HI, turn, ChatMessage(role="user", content="Thanks")])

    assert built.body["messages"][1] == {"role": "assistant", "content": "Done."}


def test_anthropic_tool_use_calls_in_additional_kwargs_become_tool_calls(built: Built) -> None:
    """llama-index-llms-anthropic keeps tool_use blocks in additional_kwargs["tool_calls"]."""
    turn = ChatMessage(
        role="assistant",
        content="Checking.",
        additional_kwargs={
            "tool_calls": [
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "get_weather",
                    "input": {"city": "Köln"},
                }
            ]
        },
    )
    answer = ChatMessage(
        role="tool", content="Sunny", additional_kwargs={"tool_call_id": "toolu_1"}
    )

    built.llm.chat([HI, turn, answer])

    assert built.body["messages"][1] == {
        "role": "assistant",
        "content": "Checking.",
        "tool_calls": [
            {
                "id": "toolu_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Köln"}'},
            }
        ],
    }


def test_any_other_block_is_a_clear_error_naming_it(built: Built) -> None:
    image = ChatMessage(role="user", blocks=[ImageBlock(url="https://example.com/a.png")])

    with pytest.raises(UnsupportedContentError, match="ImageBlock"):
        built.llm.chat([image])
    assert built.transport.requests == []


def test_the_developer_role_is_sent_as_system(built: Built) -> None:
    built.llm.chat([ChatMessage(role=MessageRole.DEVELOPER, content="Be brief."), HI])

    assert built.body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_non_ascii_tool_arguments_in_history_are_sent_as_they_are(built: Built) -> None:
    turn = ChatMessage(
        role="assistant",
        blocks=[
            ToolCallBlock(tool_call_id="c1", tool_name="greet", tool_kwargs={"to": "Zoë 你好"})
        ],
    )
    answer = ChatMessage(role="tool", content="done", additional_kwargs={"tool_call_id": "c1"})

    built.llm.chat([HI, turn, answer])

    arguments = built.body["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert arguments == '{"to": "Zoë 你好"}'


# ---------------------------------------------------- what LlamaIndex OpenAI users expect


def test_a_misspelt_argument_is_refused_with_a_suggestion() -> None:
    with pytest.raises(TypeError, match=r"'temprature' \(did you mean 'temperature'\?\)"):
        AssemblyAIGateway(model=CLAUDE, temprature=0.3)


def test_an_unknown_argument_moves_to_additional_kwargs_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="'user_tag' is not a parameter of AssemblyAIGateway"):
        llm = AssemblyAIGateway(model=CLAUDE, user_tag="a", additional_kwargs={"seed": 1})

    assert llm.additional_kwargs == {"seed": 1, "user_tag": "a"}


def test_the_peers_api_base_means_base_url() -> None:
    transport = ScriptedTransport([completion_body("ok", model=CLAUDE)])
    llm = AssemblyAIGateway(
        model=CLAUDE,
        api_key="k",
        api_base="http://127.0.0.1:9/v1",
        http_client=httpx.Client(transport=transport),
    )

    llm.chat([HI])

    assert llm.base_url == "http://127.0.0.1:9/v1"
    assert str(transport.requests[0].url) == "http://127.0.0.1:9/v1/chat/completions"


def test_api_base_and_base_url_together_are_refused() -> None:
    with pytest.raises(TypeError, match="api_base"):
        AssemblyAIGateway(model=CLAUDE, api_base="http://a/v1", base_url="http://b/v1")


# ------------------------------------------------------------------- structured output


class Forecast(BaseModel):
    """A forecast."""

    city: str
    days: int


def test_structured_predict_with_a_fallback_without_json_schema_uses_a_tool() -> None:
    call = tool_call("Forecast", {"city": "Oslo", "days": 2}, "call_1")
    model = Built(
        completion_body(None, tool_calls=[call], model=CLAUDE),
        fallbacks=[{"model": "gpt-oss-120b"}],
    )

    result = model.llm.structured_predict(Forecast, PromptTemplate("Forecast for Oslo"))

    assert result == Forecast(city="Oslo", days=2)
    assert "response_format" not in model.body
    assert model.body["tool_choice"] == {"type": "function", "function": {"name": "Forecast"}}
