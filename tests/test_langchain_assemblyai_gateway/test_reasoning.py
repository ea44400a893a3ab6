"""Reasoning both ways, and usage details, in ChatAssemblyAIGateway (sync, async, streamed).

The answers are SDK-shaped (tests/support/reasoning_cases.py, shared with the LlamaIndex
adapter's tests).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.errors import InvalidRequestError
from assemblyai_gateway.testing import completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from tests.support.reasoning_cases import (
    ANSWER,
    CACHE_CREATION,
    CACHE_READ,
    REASONING_TOKENS,
    THINKING,
    USAGE,
    thinking_completion,
    thinking_sse,
    thinking_tool_completion,
    thinking_tool_sse,
)
from tests.test_langchain_assemblyai_gateway.conftest import CLAUDE, GPT

EXPECTED_USAGE = {
    "input_tokens": USAGE[0],
    "output_tokens": USAGE[1],
    "total_tokens": sum(USAGE),
    "input_token_details": {"cache_read": CACHE_READ, "cache_creation": CACHE_CREATION},
    "output_token_details": {"reasoning": REASONING_TOKENS},
}


# ----------------------------------------------------------------------------- reasoning in


@pytest.mark.parametrize(
    ("settings", "call", "sent"),
    [
        ({"reasoning": "high"}, {}, {"effort": "high"}),
        ({"reasoning_effort": "low"}, {}, {"effort": "low"}),
        ({"reasoning": {"effort": "medium", "max_tokens": 2048}}, {}, None),
        ({"reasoning_effort": "low"}, {"reasoning": "high"}, {"effort": "high"}),
        ({}, {"reasoning_effort": "medium"}, {"effort": "medium"}),
        ({"reasoning": "high"}, {"reasoning": None}, "absent"),
        ({}, {}, "absent"),
    ],
)
async def test_the_reasoning_setting_goes_on_the_wire_as_the_gateways_object(
    make_model: Any, run: Any, settings: dict[str, Any], call: dict[str, Any], sent: Any
) -> None:
    model, transport = make_model([completion_body("ok")], **settings)
    await run.invoke(model, "Hi", **call)

    body = transport.json_bodies[0]
    assert "reasoning_effort" not in body
    if sent == "absent":
        assert "reasoning" not in body
    else:
        assert body["reasoning"] == (sent or settings["reasoning"])


async def test_a_bound_effort_is_sent_too(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model.bind(reasoning_effort="high"), "Hi")

    assert transport.json_bodies[0]["reasoning"] == {"effort": "high"}


async def test_disagreeing_reasoning_and_effort_raise_before_sending(
    make_model: Any, run: Any
) -> None:
    model, transport = make_model([completion_body("ok")], reasoning="high")
    with pytest.raises(InvalidRequestError, match="'reasoning_effort' for 'low'"):
        await run.invoke(model, "Hi", reasoning="high", reasoning_effort="low")

    assert transport.json_bodies == []


def test_disagreeing_settings_are_refused_at_the_first_call(make_model: Any) -> None:
    model, _ = make_model([completion_body("ok")], reasoning="high", reasoning_effort="low")

    with pytest.raises(InvalidRequestError, match="in the model's settings"):
        model.invoke("Hi")


# ---------------------------------------------------------------------------- thinking out


async def test_thinking_becomes_reasoning_content_and_a_reasoning_block(
    make_model: Any, run: Any
) -> None:
    model, _ = make_model([thinking_completion()])
    message = await run.invoke(model, "Capital of France?")

    assert message.content == ANSWER
    assert message.additional_kwargs["reasoning_content"] == THINKING
    assert message.content_blocks == [
        {"type": "reasoning", "reasoning": THINKING},
        {"type": "text", "text": ANSWER},
    ]
    assert message.usage_metadata == EXPECTED_USAGE


async def test_with_output_version_v1_the_content_is_the_blocks(make_model: Any, run: Any) -> None:
    model, _ = make_model([thinking_completion()], output_version="v1")
    message = await run.invoke(model, "Capital of France?")

    assert message.content == [
        {"type": "reasoning", "reasoning": THINKING},
        {"type": "text", "text": ANSWER},
    ]
    assert message.text == ANSWER


@pytest.mark.parametrize(
    ("model_id", "answer"),
    [(GPT, thinking_sse()), (CLAUDE, thinking_completion())],
    ids=["native-sse", "pseudo-stream"],
)
async def test_streamed_thinking_adds_up_to_what_invoke_returns(
    make_model: Any, run: Any, merge_chunks: Any, model_id: str, answer: Any
) -> None:
    model, _ = make_model([answer], model=model_id)
    chunks = await run.stream(model, "Capital of France?")
    full = merge_chunks(chunks)

    assert full.content == ANSWER
    assert full.additional_kwargs["reasoning_content"] == THINKING
    assert full.content_blocks[0] == {"type": "reasoning", "reasoning": THINKING}
    assert full.usage_metadata == EXPECTED_USAGE
    # The reasoning streams as it comes: it is not held back for the last chunk.
    assert chunks[0].additional_kwargs.get("reasoning_content")


async def test_v1_streamed_reasoning_merges_to_one_block_before_the_text(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    model, _ = make_model([thinking_sse()], model=GPT, output_version="v1")
    full = merge_chunks(await run.stream(model, "Capital of France?"))

    assert [(b["type"], b.get("reasoning", b.get("text"))) for b in full.content_blocks] == [
        ("reasoning", THINKING),
        ("text", ANSWER),
    ]


async def test_a_stop_sequence_cuts_the_text_never_the_reasoning(
    make_model: Any, run: Any, merge_chunks: Any
) -> None:
    model, _ = make_model([thinking_sse()], model=GPT)
    full = merge_chunks(await run.stream(model, "Capital of France?", stop=["is"]))

    assert full.content == "Par"
    assert full.additional_kwargs["reasoning_content"] == THINKING


# ------------------------------------------------------------------------------ round trip


@pytest.mark.parametrize(
    ("model_id", "answer", "stream"),
    [
        (CLAUDE, thinking_tool_completion(), False),
        (CLAUDE, thinking_tool_completion(), True),
        (GPT, thinking_tool_sse(), True),
    ],
    ids=["invoke", "pseudo-stream", "native-sse"],
)
@pytest.mark.parametrize("output_version", ["v0", "v1"])
async def test_the_thinking_goes_back_with_the_tool_call_turn(
    make_model: Any,
    run: Any,
    merge_chunks: Any,
    model_id: str,
    answer: Any,
    stream: bool,
    output_version: str,
) -> None:
    model, transport = make_model(
        [answer, completion_body("Sunny.")], model=model_id, output_version=output_version
    )
    question = HumanMessage("Weather in Paris?")
    if stream:
        turn = merge_chunks(await run.stream(model, [question]))
    else:
        turn = await run.invoke(model, [question])
    result = ToolMessage("sunny", tool_call_id="call_weather")
    await run.invoke(model, [question, turn, result])

    assistant = transport.json_bodies[1]["messages"][1]
    assert assistant["thinking"] == THINKING
    assert assistant["tool_calls"][0]["id"] == "call_weather"
    assert THINKING not in str(assistant["content"])


@pytest.mark.parametrize(
    "foreign",
    [
        AIMessage(
            content=[
                {"type": "thinking", "thinking": "Claude's own.", "signature": "sig-1"},
                {"type": "redacted_thinking", "data": "opaque"},
                {"type": "text", "text": "Paris."},
            ],
            response_metadata={"model_provider": "anthropic"},
        ),
        AIMessage(
            content="Paris.",
            additional_kwargs={"reasoning_content": "DeepSeek's own."},
            response_metadata={"model_provider": "deepseek"},
        ),
        AIMessage(
            content=[
                {"type": "reasoning", "reasoning": "OpenAI's summary.", "id": "rs_1"},
                {"type": "text", "text": "Paris."},
            ],
            response_metadata={"model_provider": "openai", "output_version": "v1"},
        ),
        AIMessage(content="Paris.", additional_kwargs={"reasoning_content": "unknown source"}),
    ],
    ids=["anthropic", "deepseek", "openai-v1", "no-provider"],
)
async def test_other_providers_reasoning_is_never_sent(
    make_model: Any, run: Any, foreign: AIMessage
) -> None:
    model, transport = make_model([completion_body("ok")])
    await run.invoke(model, [HumanMessage("Capital?"), foreign, HumanMessage("Sure?")])

    assistant = transport.json_bodies[0]["messages"][1]
    assert "thinking" not in assistant
    # Only the visible text: the reasoning is not smuggled in as text either.
    assert assistant["content"] in ("Paris.", [{"type": "text", "text": "Paris."}])


def test_a_tool_loop_with_reasoning_sends_the_thinking_back_to_the_emulator(
    gateway_emulator: GatewayEmulator,
) -> None:
    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        return f"sunny in {city}"

    model = ChatAssemblyAIGateway(
        model=CLAUDE,
        api_key=gateway_emulator.api_key,
        base_url=gateway_emulator.base_url,
        reasoning_effort="low",
    ).bind_tools([get_weather])
    question = HumanMessage("Use get_weather with city: Paris")
    turn = model.invoke([question])
    assert turn.tool_calls
    result = ToolMessage(get_weather("Paris"), tool_call_id=turn.tool_calls[0]["id"])
    final = model.invoke([question, turn, result])

    sent = gateway_emulator.requests[-1].json
    assert sent is not None
    assert sent["messages"][1]["thinking"] == turn.additional_kwargs["reasoning_content"]
    assert final.additional_kwargs["reasoning_content"].startswith("Reasoning (low effort)")
