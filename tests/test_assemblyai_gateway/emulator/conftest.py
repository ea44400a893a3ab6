"""Fixtures for the emulator's tests: an httpx client bound to it and the vendor contract.

Every response that goes through :class:`Gateway` is checked against the vendor's
OpenAPI (``Response`` for 200s, an error envelope otherwise), from the copy kept in
``tests/contract/``, and against the vendor's own SDK (its ``LLMGatewayChatCompletion``,
``LLMGatewayCompletionChunk`` and error reading, see ``tests/support/vendor_sdk.py``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.contract import Contract, load_contract
from tests.support.vendor_sdk import check_answer, sdk_chunk

Json = dict[str, Any]


@pytest.fixture(scope="session")
def contract() -> Contract:
    """The vendor contract from tests/contract/ (always present: it is test data)."""
    return load_contract()


class Gateway:
    """A sync httpx client on the emulator that checks every answer against the contract."""

    def __init__(self, emulator: GatewayEmulator, client: httpx.Client, contract: Contract):
        self.emulator = emulator
        self.client = client
        self.contract = contract

    def post(self, body: object, *, headers: dict[str, str] | None = None) -> httpx.Response:
        merged = {"Authorization": self.emulator.api_key, **(headers or {})}
        response = self.client.post("/chat/completions", json=body, headers=merged)
        self.contract.check_response(response)
        check_answer(response)
        return response

    def chat(self, body: Json) -> Json:
        """POST and return the 200 body."""
        response = self.post(body)
        assert response.status_code == 200, response.text
        result: Json = response.json()
        return result

    def error(self, body: object, status: int, **kwargs: Any) -> Json:
        """POST and return the error object of a ``status`` answer."""
        response = self.post(body, **kwargs)
        assert response.status_code == status, response.text
        error: Json = response.json()["error"]
        return error

    def stream(self, body: Json) -> tuple[list[Json], bool]:
        """POST with SSE and return the parsed events and whether ``[DONE]`` arrived."""
        return parse_sse(self.client, {**body, "stream": True}, self.emulator.api_key)

    @staticmethod
    def streamed_text(events: list[Json]) -> str:
        """The content deltas of ``events`` joined together."""
        return "".join(
            choice["delta"].get("content") or "" for event in events for choice in event["choices"]
        )


def parse_sse(client: httpx.Client, body: Json, api_key: str) -> tuple[list[Json], bool]:
    events: list[Json] = []
    done = False
    headers = {"Authorization": api_key}
    with client.stream("POST", "/chat/completions", json=body, headers=headers) as response:
        assert response.status_code == 200, response.read().decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            data = line[len("data: ") :]
            if data == "[DONE]":
                done = True
            else:
                events.append(json.loads(data))
                if "error" not in events[-1]:  # an error event: not in the SDK's model
                    sdk_chunk(events[-1])
    return events, done


@pytest.fixture(scope="session")
def session_client(gateway_emulator_session: GatewayEmulator) -> Iterator[httpx.Client]:
    """One keep-alive client for the session (building a client costs ~20 ms of TLS setup)."""
    with httpx.Client(base_url=gateway_emulator_session.base_url, timeout=5.0) as client:
        yield client


@pytest.fixture
def gateway(
    gateway_emulator: GatewayEmulator, session_client: httpx.Client, contract: Contract
) -> Gateway:
    """The session emulator (reset for this test) behind a contract-checking client."""
    return Gateway(gateway_emulator, session_client, contract)


USER_TOOLS: list[Json] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                    "days": {"type": "integer", "minimum": 1, "maximum": 7},
                },
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "send_email",
            "description": "Send an email",
            "parameters": {
                "type": "object",
                "properties": {
                    "to": {"type": "string", "format": "email"},
                    "subject": {"type": "string"},
                },
                "required": ["to", "subject"],
            },
        },
    },
]


@pytest.fixture
def tools() -> list[Json]:
    """Two tools: get_weather(city, unit, days) and send_email(to, subject)."""
    return copy.deepcopy(USER_TOOLS)
