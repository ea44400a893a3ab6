"""Every request ``ChatAssemblyAIGateway`` builds validates against the wire contract.

The contract is the vendor spec kept in ``tests/contract/`` with its documented
deviations (the gateway's newer fields among them) and our named extensions. Each
feature that shapes a request runs against the emulator, sync and async, and every body
the emulator received is checked; its answers are checked against the vendor's SDK.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from assemblyai_gateway.emulator import GatewayEmulator
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from tests.support.contract import Contract, load_contract
from tests.support.vendor_sdk import sdk_checked_clients

if TYPE_CHECKING:
    from tests.test_langchain_assemblyai_gateway.conftest import Runner

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


@tool
def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


@tool
def get_time(tz: str) -> str:
    """Get the time in a timezone."""
    return f"12:00 in {tz}"


Build = Callable[..., ChatAssemblyAIGateway]


@pytest.fixture
async def build(gateway_emulator: GatewayEmulator) -> AsyncIterator[Build]:
    """Models on the emulator whose every answer is read as the vendor SDK reads it."""
    import httpx

    clients: list[httpx.Client] = []
    async_clients: list[httpx.AsyncClient] = []

    def make(**params: Any) -> ChatAssemblyAIGateway:
        client, async_client = sdk_checked_clients()
        clients.append(client)
        async_clients.append(async_client)
        settings = {"model": CLAUDE, "max_retries": 0, **params}
        return ChatAssemblyAIGateway(
            **settings,
            base_url=gateway_emulator.base_url,
            api_key=gateway_emulator.api_key,
            http_client=client,
            http_async_client=async_client,
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
    SystemMessage("Be brief."),
    HumanMessage("Weather in Paris?"),
    AIMessage(
        "",
        tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}],
    ),
    ToolMessage("sunny", tool_call_id="call_1"),
    HumanMessage([{"type": "text", "text": "And "}, {"type": "text", "text": "tomorrow?"}]),
]


async def _every_feature(build: Build, run: Runner, emulator: GatewayEmulator) -> None:
    emulator.transcripts["tr_1"] = "Alice: ship it Friday."
    emulator.failing_models.add("claude-opus-4-6")
    llm = build(temperature=0.2, max_tokens=200, **NEWER_FIELDS)
    await run.invoke(llm, "Say hello")
    await run.invoke(llm, HISTORY, reasoning={"effort": "low"}, max_timeout=2.5, fail_fast=None)
    await run.invoke(llm.bind(zero_data_retention=False, reasoning={"effort": "high"}), "bound")
    await run.invoke(llm.bind_tools([get_weather, get_time], tool_choice="any"), "city: Paris")
    await run.invoke(llm.bind_tools([get_weather], tool_choice="get_weather"), "city: Oslo")
    await run.invoke(
        build(model=GPT).bind_tools([get_weather], parallel_tool_calls=False, strict=True),
        "get_weather city: Rome",
    )
    for method in ("json_schema", "function_calling", "json_mode"):
        structured = llm.with_structured_output(Forecast, method=method, include_raw=True)
        await run.invoke(structured, "city: Paris and days: 3")
    routed = build(
        model="claude-opus-4-6",
        fallbacks=[{"model": GPT, "max_tokens": 100}, "gemini-2.5-flash"],
        fallback_config={"retry": True, "depth": 2},
        post_processing_steps=["json-repair"],
        transcript_id="tr_1",
    )
    await run.invoke(routed, "Summarise {{ transcript }}")
    await run.stream(build(model=GPT, **NEWER_FIELDS), "stream it")
    await run.stream(build(model=GPT, stream_usage=False), "stream without usage")
    await run.stream(llm, "a pseudo-stream")


async def test_every_request_the_model_builds_is_inside_the_contract(
    build: Build, run: Runner, gateway_emulator: GatewayEmulator, contract: Contract
) -> None:
    await _every_feature(build, run, gateway_emulator)

    bodies = [record.json or {} for record in gateway_emulator.requests]
    assert len(bodies) == 13
    assert all(record.status == 200 for record in gateway_emulator.requests)
    for body in bodies:
        contract.check_request(body)
    assert {name: bodies[0][name] for name in NEWER_FIELDS} == NEWER_FIELDS
    assert bodies[1]["reasoning"] == {"effort": "low"}
