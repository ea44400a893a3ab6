"""The combination matrix, end to end on the emulator, with the wire contract checked.

Every combination of

* model family: Claude, Gemini, GPT, gpt-oss;
* fallback: none, or a model of another family (the primary then fails, so it serves);
* call: invoke, stream, astream;
* request: plain, tools, structured;
* framework: LangChain and LlamaIndex

runs against the emulator (which enforces the documented rules for the primary and for
every fallback). Each test checks the answer, then the request the emulator received:
it validates against the contract in ``tests/contract/``, it carries ``stream`` only
when every model it can reach streams natively, and ``response_format`` only when every
one of them takes json_schema. Every JSON response is validated against the contract and
read as the vendor's SDK reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from assemblyai_gateway.catalog import route_capabilities
from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.contract import Contract, load_contract
from tests.support.framework_drivers import DRIVERS, PROMPTS, Call, Driver, Outcome, RequestKind
from tests.support.vendor_sdk import check_answer

Json = dict[str, Any]

FAMILIES = {
    "claude": "claude-sonnet-4-5-20250929",
    "gemini": "gemini-2.5-flash",
    "gpt": "gpt-4.1",
    "gpt-oss": "gpt-oss-120b",
}
# Each family falls back to another one, so every capability gap is crossed somewhere:
# SSE to no SSE (gpt -> claude), no SSE to SSE (claude -> gpt), json_schema to none
# (gemini -> gpt-oss) and none to json_schema (gpt-oss -> gemini).
FALLBACK_FAMILY = {"claude": "gpt", "gemini": "gpt-oss", "gpt": "claude", "gpt-oss": "gemini"}

CALLS: tuple[Call, ...] = ("invoke", "stream", "astream")
REQUESTS: tuple[RequestKind, ...] = ("plain", "tools", "structured")


class Forecast(BaseModel):
    """A weather forecast."""

    city: str
    days: int


@dataclass(frozen=True)
class Case:
    family: str
    with_fallback: bool
    call: Call
    request: RequestKind

    @property
    def model(self) -> str:
        return FAMILIES[self.family]

    @property
    def fallback(self) -> str | None:
        return FAMILIES[FALLBACK_FAMILY[self.family]] if self.with_fallback else None

    @property
    def served_by(self) -> str:
        return self.fallback or self.model

    @property
    def id(self) -> str:
        fallback = f"to-{FALLBACK_FAMILY[self.family]}" if self.with_fallback else "alone"
        return f"{self.family}-{fallback}-{self.call}-{self.request}"


CASES = [
    Case(family, with_fallback, call, request)
    for family in FAMILIES
    for with_fallback in (False, True)
    for call in CALLS
    for request in REQUESTS
]


@pytest.fixture(params=DRIVERS, ids=[driver.name for driver in DRIVERS])
def driver(request: pytest.FixtureRequest) -> Driver:
    chosen: Driver = request.param
    return chosen


@pytest.fixture
def contract() -> Contract:
    return load_contract()


@pytest.fixture
def checked_clients(contract: Contract) -> Iterator[tuple[httpx.Client, httpx.AsyncClient]]:
    """httpx clients that validate every JSON answer against the contract as it arrives."""

    def check(response: httpx.Response) -> None:
        if response.headers.get("content-type", "").startswith("application/json"):
            response.read()
            contract.check_response(response)
            check_answer(response)

    async def acheck(response: httpx.Response) -> None:
        if response.headers.get("content-type", "").startswith("application/json"):
            await response.aread()
            contract.check_response(response)
            check_answer(response)

    sync_client = httpx.Client(event_hooks={"response": [check]})
    async_client = httpx.AsyncClient(event_hooks={"response": [acheck]})
    yield sync_client, async_client
    sync_client.close()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_combination(
    case: Case,
    driver: Driver,
    gateway_emulator: GatewayEmulator,
    checked_clients: tuple[httpx.Client, httpx.AsyncClient],
    contract: Contract,
) -> None:
    if case.fallback is not None:
        gateway_emulator.failing_models.add(case.model)
    sync_client, async_client = checked_clients
    llm = driver.build(case.model, case.fallback, sync_client, async_client)
    try:
        outcome = await driver.run(llm, case.call, case.request, Forecast)
    finally:
        await async_client.aclose()

    assert_outcome(case, outcome)
    answered = [record for record in gateway_emulator.requests if record.status == 200]
    assert len(answered) == 1, [(r.status, r.json) for r in gateway_emulator.requests]
    assert len(gateway_emulator.requests) == 1
    assert_request(case, answered[0].json or {}, contract)


def assert_outcome(case: Case, outcome: Outcome) -> None:
    if not (case.request == "structured" and outcome.served_by is None):
        assert outcome.served_by == case.served_by
    if case.request == "plain":
        assert outcome.text == f'Emulated answer to: "{PROMPTS["plain"]}"'
        assert outcome.tool_calls == []
    elif case.request == "tools":
        assert outcome.tool_calls == [("get_weather", {"city": "Paris"})]
    else:
        assert outcome.parsed == Forecast(city="Paris", days=3)


def assert_request(case: Case, body: Json, contract: Contract) -> None:
    contract.check_request(body)
    route = route_capabilities(case.model, [case.fallback] if case.fallback else [])
    assert body["model"] == case.model
    if case.fallback is not None:
        assert body["fallbacks"] == [{"model": case.fallback}]
    else:
        assert "fallbacks" not in body
    if case.call == "invoke" or not route.native_streaming:
        assert "stream" not in body
        assert "stream_options" not in body
    else:
        assert body["stream"] is True
    if case.request == "structured" and route.supports_json_schema:
        assert body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["schema"]["required"] == ["city", "days"]
    else:
        assert "response_format" not in body
    if case.request == "structured" and not route.supports_json_schema:
        assert [tool["function"]["name"] for tool in body["tools"]] == ["Forecast"]
        assert body["tool_choice"] == {"type": "function", "function": {"name": "Forecast"}}
    if case.request == "tools":
        assert [tool["function"]["name"] for tool in body["tools"]] == ["get_weather"]
