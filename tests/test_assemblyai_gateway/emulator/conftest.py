"""Fixtures for the emulator's tests: an httpx client bound to it and the vendor contract.

Every response that goes through :class:`Gateway` is checked against the vendor's
OpenAPI (``Response`` for 200s, ``ErrorResponse`` otherwise) when the reference
files are present next to the repository.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from assemblyai_gateway.emulator import GatewayEmulator

Json = dict[str, Any]

SPEC_NAME = "llm-gateway.openapi.yml"
SEED_NAME = "000_cafe25f0dd32789d.txt"


def find_reference_dir() -> Path | None:
    """``shared/reference`` beside the repository (or any of its parents)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if (candidate / SPEC_NAME).is_file():
            return candidate
    return None


def _normalise_enums(node: Any) -> Any:
    """The seed spec writes enums as ``[{value: x}]``; JSON Schema wants ``[x]``."""
    if isinstance(node, dict):
        result = {key: _normalise_enums(value) for key, value in node.items()}
        enum = result.get("enum")
        if isinstance(enum, list) and all(isinstance(e, dict) and "value" in e for e in enum):
            result["enum"] = [e["value"] for e in enum]
        return result
    if isinstance(node, list):
        return [_normalise_enums(item) for item in node]
    return node


class Contract:
    """Validators for the vendor's ``Response``/``ErrorResponse`` and the seed ``Response``."""

    def __init__(self, reference: Path) -> None:
        spec = yaml.safe_load((reference / SPEC_NAME).read_text(encoding="utf-8"))
        components = copy.deepcopy(spec["components"])
        # The spec types message.content as string, but the gateway sends null when
        # the answer is only tool calls (gateway-notes.md: "content may be null").
        components["schemas"]["ResponseMessage"]["properties"]["content"] = {
            "type": ["string", "null"]
        }
        # "required" is an emulator extension (OpenAI clients send it); the echo of the
        # request carries it back, so the echo's ToolChoice accepts it too.
        components["schemas"]["ToolChoice"]["oneOf"][0]["enum"].append("required")
        self.response = self._validator(components, "Response")
        self.error = self._validator(components, "ErrorResponse")
        self.seed_response: jsonschema.protocols.Validator | None = None
        seed_path = reference / SEED_NAME
        if seed_path.is_file():
            match = re.search(r"```yaml\n(.*?)```", seed_path.read_text(encoding="utf-8"), re.S)
            if match:
                seed = _normalise_enums(yaml.safe_load(match.group(1)))
                seed_components = seed["components"]
                seed_components["schemas"]["ResponseMessage"]["properties"]["content"] = {
                    "type": ["string", "null"]
                }
                seed_components["schemas"]["ToolChoice0"]["enum"].append("required")
                self.seed_response = self._validator(seed_components, "Response")

    @staticmethod
    def _validator(components: Json, name: str) -> jsonschema.protocols.Validator:
        schema = {"$ref": f"#/components/schemas/{name}", "components": components}
        return jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )

    def check(self, response: httpx.Response) -> None:
        """Validate a complete JSON response by its status."""
        if not response.headers.get("content-type", "").startswith("application/json"):
            return
        try:
            body = response.json()
        except json.JSONDecodeError:
            assert response.status_code == 200  # only a malformed_body fault sends this
            return
        if response.status_code == 200:
            if not (isinstance(body, dict) and "choices" in body):
                return  # a malformed_body fault, on purpose
            if "prompt_tokens" in body.get("usage", {}):
                # The seed spec names usage prompt/completion; the later one input/output.
                self.response.validate({k: v for k, v in body.items() if k != "usage"})
                if self.seed_response is not None:
                    self.seed_response.validate(body)
            else:
                self.response.validate(body)
        else:
            self.error.validate(body)
            assert body["error"]["code"] == response.status_code


@pytest.fixture(scope="session")
def contract() -> Contract | None:
    """The vendor contract, or None when ``shared/reference`` is not beside the repo."""
    reference = find_reference_dir()
    return Contract(reference) if reference is not None else None


@pytest.fixture
def vendor_contract(contract: Contract | None) -> Contract:
    """The vendor contract; skips the test when the reference files are absent."""
    if contract is None:
        pytest.skip(f"shared/reference/{SPEC_NAME} not found beside the repository")
    return contract


class Gateway:
    """A sync httpx client on the emulator that checks every answer against the contract."""

    def __init__(self, emulator: GatewayEmulator, client: httpx.Client, contract: Contract | None):
        self.emulator = emulator
        self.client = client
        self.contract = contract

    def post(self, body: object, *, headers: dict[str, str] | None = None) -> httpx.Response:
        merged = {"Authorization": self.emulator.api_key, **(headers or {})}
        response = self.client.post("/chat/completions", json=body, headers=merged)
        if self.contract is not None:
            self.contract.check(response)
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
    return events, done


@pytest.fixture(scope="session")
def session_client(gateway_emulator_session: GatewayEmulator) -> Iterator[httpx.Client]:
    """One keep-alive client for the session (building a client costs ~20 ms of TLS setup)."""
    with httpx.Client(base_url=gateway_emulator_session.base_url, timeout=5.0) as client:
        yield client


@pytest.fixture
def gateway(
    gateway_emulator: GatewayEmulator, session_client: httpx.Client, contract: Contract | None
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
