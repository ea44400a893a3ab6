"""AssemblyAIGatewayModel in agents: output modes, tool retries, thinking, usage, the limiter."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, field_validator
from pydantic_ai import Agent, ModelRetry, NativeOutput, PromptedOutput, ToolOutput
from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import ModelResponse, ThinkingPart

from assemblyai_gateway import AdaptiveLimiter
from assemblyai_gateway.emulator import GatewayEmulator, Reply
from assemblyai_gateway.testing import chunk_body, completion_body, sse_body
from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayModel, AssemblyAIGatewayProvider
from tests.test_pydantic_ai_assemblyai_gateway.conftest import FAMILIES, RunAgent, ScriptedFactory


class Invoice(BaseModel):
    customer: str
    total: int


@pytest.mark.parametrize("model_name", FAMILIES)
def test_tool_output_is_a_forced_output_tool(
    model_name: str,
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
    run_agent: RunAgent,
) -> None:
    # No script: with only the output tool bound, the emulator's rules call it with
    # arguments built from the schema and the values the prompt spells out.
    agent = Agent(
        AssemblyAIGatewayModel(model_name, provider=emulator_provider),
        output_type=ToolOutput(Invoice, name="record_invoice"),
    )
    outcome = run_agent(agent, "Record it: customer: Acme, total: 42")
    assert outcome.output == Invoice(customer="Acme", total=42)
    sent = gateway_emulator.requests[0].json
    assert sent is not None
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "record_invoice"}}


@pytest.mark.parametrize("model_name", FAMILIES)
def test_native_output_sends_a_json_schema_response_format(
    model_name: str,
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
    run_agent: RunAgent,
) -> None:
    agent = Agent(
        AssemblyAIGatewayModel(model_name, provider=emulator_provider),
        output_type=NativeOutput(Invoice),
    )
    outcome = run_agent(agent, "Extract: customer: Acme, total: 42")
    assert outcome.output == Invoice(customer="Acme", total=42)
    sent = gateway_emulator.requests[0].json
    assert sent is not None
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["name"] == "Invoice"
    assert set(sent["response_format"]["json_schema"]["schema"]["properties"]) == {
        "customer",
        "total",
    }
    assert "tools" not in sent


def test_native_output_is_refused_where_the_catalog_says_no_json_schema(
    emulator_provider: AssemblyAIGatewayProvider,
) -> None:
    agent = Agent(
        AssemblyAIGatewayModel("gpt-oss-120b", provider=emulator_provider),
        output_type=NativeOutput(Invoice),
    )
    with pytest.raises(UserError, match="Native structured output is not supported"):
        agent.run_sync("Extract the invoice.")


@pytest.mark.parametrize("model_name", FAMILIES)
def test_prompted_output_asks_through_the_instructions(
    model_name: str,
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
    run_agent: RunAgent,
) -> None:
    gateway_emulator.script(Reply.text('{"customer": "Acme", "total": 42}'))
    agent = Agent(
        AssemblyAIGatewayModel(model_name, provider=emulator_provider),
        output_type=PromptedOutput(Invoice),
    )
    outcome = run_agent(agent, "Extract the invoice.")
    assert outcome.output == Invoice(customer="Acme", total=42)
    sent = gateway_emulator.requests[0].json
    assert sent is not None
    assert "response_format" not in sent
    assert "tools" not in sent
    assert sent["messages"][0]["role"] == "system"
    assert '"customer"' in sent["messages"][0]["content"]  # the schema, in the instructions


class Order(BaseModel):
    quantity: int

    @field_validator("quantity")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("quantity must be positive")
        return value


def test_a_tool_argument_validation_error_is_sent_back_and_the_call_retried(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    gateway_emulator.script(
        Reply.tool_call("place_order", {"order": {"quantity": 0}}, id="call_bad"),
        Reply.tool_call("place_order", {"order": {"quantity": 3}}, id="call_good"),
        Reply.text("Ordered 3."),
    )
    placed: list[int] = []
    agent: Agent[None, str] = Agent(AssemblyAIGatewayModel("gpt-5", provider=emulator_provider))

    @agent.tool_plain(retries=2)
    def place_order(order: Order) -> str:
        """Place an order."""
        placed.append(order.quantity)
        return "placed"

    assert agent.run_sync("Order some.").output == "Ordered 3."
    assert placed == [3]
    retry = gateway_emulator.requests[1].json
    assert retry is not None
    tool_turn = retry["messages"][-1]
    assert tool_turn["role"] == "tool"
    assert tool_turn["tool_call_id"] == "call_bad"
    assert "quantity must be positive" in tool_turn["content"]


def test_model_retry_from_a_tool_reaches_the_model_as_the_tool_result(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    gateway_emulator.script(
        Reply.tool_call("lookup", {"name": "acme"}, id="call_1"),
        Reply.tool_call("lookup", {"name": "Acme Corp"}, id="call_2"),
        Reply.text("Found it."),
    )
    agent: Agent[None, str] = Agent(
        AssemblyAIGatewayModel("claude-opus-4-6", provider=emulator_provider)
    )

    @agent.tool_plain(retries=1)
    def lookup(name: str) -> str:
        """Look a customer up."""
        if name != "Acme Corp":
            raise ModelRetry("use the customer's full legal name")
        return "customer 7"

    assert agent.run_sync("Find Acme.").output == "Found it."
    second = gateway_emulator.requests[1].json
    assert second is not None
    assert second["messages"][-1]["tool_call_id"] == "call_1"
    assert "use the customer's full legal name" in second["messages"][-1]["content"]
    third = gateway_emulator.requests[2].json
    assert third is not None
    assert third["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_2",
        "content": "customer 7",
    }


THOUGHT = "The user wants a greeting; keep it short."


def test_thinking_in_the_answer_becomes_a_thinking_part_and_is_sent_back(
    scripted: ScriptedFactory,
) -> None:
    body = completion_body("Hello!", model="claude-opus-4-6")
    body["choices"][0]["message"]["thinking"] = THOUGHT
    case = scripted(body, completion_body("Again!", model="claude-opus-4-6"))
    agent: Agent[None, str] = Agent(case.model("claude-opus-4-6"))

    first = agent.run_sync("Greet me.")
    response = first.all_messages()[-1]
    assert isinstance(response, ModelResponse)
    assert response.parts[0] == ThinkingPart(content=THOUGHT, provider_name="assemblyai-gateway")
    assert first.output == "Hello!"

    agent.run_sync("Again.", message_history=first.all_messages())
    assistant = case.transport.json_bodies[1]["messages"][1]
    assert assistant == {"role": "assistant", "content": "Hello!", "thinking": THOUGHT}


def test_streamed_thinking_becomes_a_thinking_part(scripted: ScriptedFactory) -> None:
    import asyncio

    thinking_chunks = [chunk_body(role="assistant", model="gpt-5")]
    for piece in ("The user ", "wants a greeting."):
        chunk = chunk_body(model="gpt-5")
        chunk["choices"][0]["delta"]["thinking"] = piece
        thinking_chunks.append(chunk)
    stream = sse_body(
        [
            *thinking_chunks,
            chunk_body("Hi", model="gpt-5"),
            chunk_body(finish_reason="stop", model="gpt-5"),
            chunk_body(usage=(9, 4), choices=False, model="gpt-5"),
        ]
    )
    case = scripted(stream)
    agent: Agent[None, str] = Agent(case.model("gpt-5"))

    async def main() -> ModelResponse:
        async with agent.run_stream("Greet me.") as run:
            await run.get_output()
        message = run.all_messages()[-1]
        assert isinstance(message, ModelResponse)
        return message

    response = asyncio.run(main())
    assert [part.part_kind for part in response.parts] == ["thinking", "text"]
    assert response.parts[0].content == "The user wants a greeting."  # type: ignore[union-attr]
    assert response.usage.input_tokens == 9
    assert response.usage.output_tokens == 4
    assert response.finish_reason == "stop"


def test_usage_carries_cache_and_reasoning_tokens(scripted: ScriptedFactory) -> None:
    details = {
        "prompt_tokens_details": {
            "cached_tokens": 1000,
            "cache_creation": {"ephemeral_5m_input_tokens": 150},
        },
        "completion_tokens_details": {"reasoning_tokens": 60},
    }
    body = completion_body("Done.", usage=(1200, 80), usage_details=details)
    case = scripted(body)
    result = Agent(case.model()).run_sync("Summarise.")
    response = result.all_messages()[-1]
    assert isinstance(response, ModelResponse)
    usage = response.usage
    assert (usage.input_tokens, usage.output_tokens) == (1200, 80)
    assert (usage.cache_read_tokens, usage.cache_write_tokens) == (1000, 150)
    assert usage.details == {"reasoning_tokens": 60}
    assert result.usage.cache_read_tokens == 1000


def test_the_response_carries_the_gateway_metadata(scripted: ScriptedFactory) -> None:
    case = scripted(
        completion_body("Hi", model="gpt-5", request_id="req-42", finish_reason="end_turn")
    )
    result = Agent(case.model("claude-opus-4-6")).run_sync("Hi")
    response = result.all_messages()[-1]
    assert isinstance(response, ModelResponse)
    assert response.provider_response_id == "req-42"
    assert response.model_name == "gpt-5"  # the model that served it (a fallback here)
    assert response.finish_reason == "stop"
    assert response.provider_details is not None
    assert response.provider_details["finish_reason"] == "end_turn"
    assert response.provider_details["response_time_ns"] == 275510459


def test_a_shared_limiter_hears_every_request(
    gateway_emulator: GatewayEmulator, run_agent: RunAgent
) -> None:
    limiter = AdaptiveLimiter(max_concurrency=4)
    provider = AssemblyAIGatewayProvider(
        api_key=gateway_emulator.api_key, base_url=gateway_emulator.base_url, limiter=limiter
    )
    agent: Agent[None, str] = Agent(AssemblyAIGatewayModel("gpt-5", provider=provider))
    run_agent(agent, "Hello there")
    stats = limiter.stats()
    assert stats.successes == 1
    assert stats.tokens_used > 0
    assert stats.in_flight == 0


def test_tool_arguments_that_are_not_json_are_retried_with_pydantic_ais_message(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    gateway_emulator.script(
        Reply.tool_call("add", '{"a": 1, "b":', id="call_broken"),
        Reply.tool_call("add", {"a": 1, "b": 2}, id="call_ok"),
        Reply.text("3"),
    )
    agent: Agent[None, str] = Agent(
        AssemblyAIGatewayModel("gemini-2.5-pro", provider=emulator_provider)
    )

    @agent.tool_plain
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    assert agent.run_sync("Add 1 and 2.").output == "3"
    retry_turn = gateway_emulator.requests[1].json
    assert retry_turn is not None
    assert retry_turn["messages"][-1]["tool_call_id"] == "call_broken"
    sent_back = json.loads(gateway_emulator.requests[2].json["messages"][-1]["content"])  # type: ignore[index]
    assert sent_back == 3


def test_thinking_survives_a_replayed_stream(scripted: ScriptedFactory) -> None:
    import asyncio

    body = completion_body("Hello!", model="claude-opus-4-6")
    body["choices"][0]["message"]["thinking"] = THOUGHT
    case = scripted(body)
    agent: Agent[None, str] = Agent(case.model("claude-opus-4-6"))

    async def main() -> ModelResponse:
        async with agent.run_stream("Greet me.") as run:
            await run.get_output()
        message = run.all_messages()[-1]
        assert isinstance(message, ModelResponse)
        return message

    response = asyncio.run(main())
    assert "stream" not in case.transport.json_bodies[0]  # Claude: one request, replayed
    assert response.parts[0] == ThinkingPart(content=THOUGHT, provider_name="assemblyai-gateway")
    assert response.parts[1].content == "Hello!"  # type: ignore[union-attr]
