"""Every request ``AssemblyAIGateway`` builds validates against the wire contract.

The contract is the vendor spec kept in ``tests/contract/`` with its documented
deviations (the gateway's newer fields among them) and our named extensions. Each
feature that shapes a request runs against the emulator, sync and async, and every body
the emulator received is checked; its answers are checked against the vendor's SDK.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ToolCallBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from assemblyai_gateway.emulator import GatewayEmulator
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.contract import Contract, load_contract
from tests.support.vendor_sdk import sdk_checked_clients

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner

CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-4.1"
NEWER_FIELDS: dict[str, Any] = {
    "zero_data_retention": True,
    "model_region": "us-east-1",
    "fail_fast": True,
    "max_timeout": 30,
}


class Forecast(BaseModel):
    """A weather forecast."""

    city: str
    days: int


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


def get_time(tz: str) -> str:
    """Get the time in a timezone."""
    return f"12:00 in {tz}"


TOOLS = [FunctionTool.from_defaults(get_weather), FunctionTool.from_defaults(get_time)]
Build = Callable[..., AssemblyAIGateway]


@pytest.fixture
async def build(gateway_emulator: GatewayEmulator) -> AsyncIterator[Build]:
    """LLMs on the emulator whose every answer is read as the vendor SDK reads it."""
    clients: list[httpx.Client] = []
    async_clients: list[httpx.AsyncClient] = []

    def make(**fields: Any) -> AssemblyAIGateway:
        client, async_client = sdk_checked_clients()
        clients.append(client)
        async_clients.append(async_client)
        settings = {"model": CLAUDE, "max_retries": 0, **fields}
        return AssemblyAIGateway(
            **settings,
            base_url=gateway_emulator.base_url,
            api_key=gateway_emulator.api_key,
            http_client=client,
            async_http_client=async_client,
        )

    yield make
    for client in clients:
        client.close()
    for async_client in async_clients:
        await async_client.aclose()


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract()


HISTORY = [
    ChatMessage(role="system", content="Be brief."),
    ChatMessage(role="user", content="Weather in Paris?"),
    ChatMessage(
        role="assistant",
        blocks=[
            ToolCallBlock(
                tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"city": "Paris"}
            )
        ],
    ),
    ChatMessage(role="tool", content="sunny", additional_kwargs={"tool_call_id": "call_1"}),
    ChatMessage(role="user", blocks=[TextBlock(text="And "), TextBlock(text="tomorrow?")]),
]
PROMPT = PromptTemplate("Forecast for city: {city} and days: {days}")


async def _every_feature(build: Build, runner: Runner, emulator: GatewayEmulator) -> None:
    emulator.transcripts["tr_1"] = "Alice: ship it Friday."
    emulator.failing_models.add("claude-opus-4-6")
    llm = build(temperature=0.2, max_tokens=200, **NEWER_FIELDS)
    await runner.chat(llm, [ChatMessage(role="user", content="Say hello")])
    await runner.chat(llm, HISTORY, reasoning={"effort": "low"}, max_timeout=2.5, fail_fast=None)
    await runner.complete(llm, "complete me", zero_data_retention=False)
    await runner.chat_with_tools(llm, TOOLS, user_msg="get_weather city: Paris", tool_required=True)
    await runner.chat_with_tools(llm, TOOLS[:1], user_msg="city: Oslo", tool_choice="get_weather")
    gpt = build(model=GPT)
    await runner.chat_with_tools(
        gpt, TOOLS, user_msg="get_weather city: Rome", strict=True, parallel_tool_calls=False
    )
    await runner.predict_and_call(llm, TOOLS[:1], user_msg="get_weather city: Lima")
    for model in (CLAUDE, "gpt-oss-120b"):  # json_schema, then function calling
        await runner.structured_predict(build(model=model), Forecast, PROMPT, city="Oslo", days="4")
    routed = build(
        model="claude-opus-4-6",
        fallbacks=[{"model": GPT, "max_tokens": 100}, "gemini-2.5-flash"],
        fallback_config={"retry": True, "depth": 2},
        post_processing_steps=["json-repair"],
        transcript_id="tr_1",
    )
    await runner.chat(routed, [ChatMessage(role="user", content="Summarise {{ transcript }}")])
    await runner.stream_chat(
        build(model=GPT, **NEWER_FIELDS), [ChatMessage(role="user", content="go")]
    )
    await runner.stream_complete(llm, "a pseudo-stream")


async def test_every_request_the_llm_builds_is_inside_the_contract(
    build: Build, runner: Runner, gateway_emulator: GatewayEmulator, contract: Contract
) -> None:
    await _every_feature(build, runner, gateway_emulator)

    bodies = [record.json or {} for record in gateway_emulator.requests]
    assert len(bodies) == 12
    assert all(record.status == 200 for record in gateway_emulator.requests)
    for body in bodies:
        contract.check_request(body)
    assert {name: bodies[0][name] for name in NEWER_FIELDS} == NEWER_FIELDS
    assert bodies[1]["reasoning"] == {"effort": "low"}
