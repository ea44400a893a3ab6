"""Every kind of answer validates against the vendor's OpenAPI (and the seed spec).

The ``gateway`` fixture checks every response it sees; these tests make the claim
explicit over a representative set, and skip with a reason when the reference
files are not beside the repository.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from assemblyai_gateway.emulator import Fault, ToolCallPlacement, UsageStyle

if TYPE_CHECKING:
    from .conftest import Contract, Gateway

Json = dict[str, Any]
CLAUDE = "claude-sonnet-4-5-20250929"

SCHEMA: Json = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "score": {"type": "number"}},
    "required": ["title", "score"],
}


def representative_bodies(tools: list[Json]) -> list[Json]:
    return [
        {"model": CLAUDE, "prompt": "plain"},
        {"model": CLAUDE, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2},
        {"model": CLAUDE, "prompt": "get_weather city: Lima", "tools": tools},
        {"model": CLAUDE, "prompt": "x", "tools": tools, "tool_choice": "none"},
        {
            "model": CLAUDE,
            "prompt": "x",
            "tools": tools,
            "tool_choice": {"type": "function", "function": {"name": "send_email"}},
        },
        {
            "model": "gemini-2.5-flash",
            "prompt": "rate it",
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "r", "schema": SCHEMA},
            },
        },
        {"model": "gpt-4.1", "prompt": "x", "response_format": {"type": "json_object"}},
        {"model": CLAUDE, "prompt": "{{ transcript }}", "transcript_id": "tr_1"},
        {"model": "claude-opus-4-6", "prompt": "x", "fallbacks": [{"model": "gpt-5"}]},
    ]


@pytest.mark.parametrize("usage_style", ["input_output", "prompt_completion"])
@pytest.mark.parametrize("placement", ["choice", "message"])
def test_every_success_shape_validates_against_the_vendor_response_schema(
    gateway: Gateway,
    vendor_contract: Contract,
    tools: list[Json],
    usage_style: UsageStyle,
    placement: ToolCallPlacement,
) -> None:
    gateway.emulator.usage_style = usage_style
    gateway.emulator.tool_call_placement = placement
    gateway.emulator.transcripts["tr_1"] = "a transcript"
    gateway.emulator.failing_models.add("claude-opus-4-6")
    for body in representative_bodies(tools):
        response = gateway.post(body)
        assert response.status_code == 200, response.text
        vendor_contract.check(response)
    gateway.emulator.inject(Fault.empty_choices())
    vendor_contract.check(gateway.post({"model": CLAUDE, "prompt": "x"}))


def test_every_error_shape_validates_against_the_vendor_error_schema(
    gateway: Gateway, vendor_contract: Contract
) -> None:
    body = {"model": CLAUDE, "prompt": "x"}
    gateway.emulator.inject(Fault.rate_limit(retry_after=1))
    gateway.emulator.inject(Fault.status(503, "overloaded"))
    gateway.emulator.inject(Fault.sse_error(code=502))
    responses = [gateway.post(body), gateway.post(body), gateway.post(body)]
    gateway.emulator.failing_models.add(CLAUDE)
    responses += [
        gateway.post(body),  # 500: every model failed
        gateway.post({"model": CLAUDE}),
        gateway.post(body, headers={"Authorization": "wrong"}),
        gateway.client.post("/nowhere"),
        gateway.client.get("/chat/completions"),
    ]
    assert [r.status_code for r in responses] == [429, 503, 502, 500, 400, 401, 404, 405]
    for response in responses:
        vendor_contract.check(response)


def test_the_contract_checker_rejects_a_wrong_shape(vendor_contract: Contract) -> None:
    with pytest.raises(jsonschema.ValidationError):
        vendor_contract.response.validate({"choices": [{"tool_calls": [{"id": "x"}]}]})
    with pytest.raises(jsonschema.ValidationError):
        vendor_contract.error.validate({"error": {"message": "no code"}})


def test_seed_spec_is_checked_for_prompt_completion_usage(vendor_contract: Contract) -> None:
    assert vendor_contract.seed_response is not None
    with pytest.raises(jsonschema.ValidationError):
        vendor_contract.seed_response.validate({"usage": {"input_tokens": 1}})
