"""Every kind of answer validates against the vendor's contract, kept in tests/contract/.

The ``gateway`` fixture checks every response it sees; these tests make the claim
explicit over a representative set, check the requests too, and pin down which
deviations from the spec are allowed. Nothing here skips: the contract is test data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from assemblyai_gateway.emulator import ErrorEnvelope, Fault, ToolCallPlacement, UsageStyle
from tests.support.contract import (
    CONTRACT_DIR,
    Contract,
    ContractViolation,
    contract_document,
    error_envelope,
    load_deviations,
)

if TYPE_CHECKING:
    from tests.test_assemblyai_gateway.emulator.conftest import Gateway

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
        {"model": CLAUDE, "prompt": "{{ transcript }}", "transcript_id": "tr_1"},
        {"model": "claude-opus-4-6", "prompt": "x", "fallbacks": [{"model": "gpt-5"}]},
    ]


@pytest.mark.parametrize("usage_style", ["input_output", "prompt_completion"])
@pytest.mark.parametrize("placement", ["choice", "message"])
def test_every_success_shape_validates_against_the_vendor_response_schema(
    gateway: Gateway,
    contract: Contract,
    tools: list[Json],
    usage_style: UsageStyle,
    placement: ToolCallPlacement,
) -> None:
    gateway.emulator.usage_style = usage_style
    gateway.emulator.tool_call_placement = placement
    gateway.emulator.transcripts["tr_1"] = "a transcript"
    gateway.emulator.failing_models.add("claude-opus-4-6")
    for body in representative_bodies(tools):
        contract.check_request(body)
        response = gateway.post(body)
        assert response.status_code == 200, response.text
        contract.check_response(response)
    gateway.emulator.inject(Fault.empty_choices())
    contract.check_response(gateway.post({"model": CLAUDE, "prompt": "x"}))


@pytest.mark.parametrize("envelope", ["spec", "gateway"])
def test_every_error_shape_validates_against_the_vendor_error_schema(
    gateway: Gateway, contract: Contract, envelope: ErrorEnvelope
) -> None:
    gateway.emulator.error_envelope = envelope
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
    wanted = {"spec": {"spec"}, "gateway": {"business", "auth"}}[envelope]
    for response in responses:
        contract.check_response(response)
        assert error_envelope(response.json()) in wanted


def test_the_contract_checker_rejects_a_wrong_shape(contract: Contract) -> None:
    with pytest.raises(ContractViolation, match="tool_calls"):
        contract.check_response_body(200, {"choices": [{"tool_calls": [{"id": "x"}]}]})
    with pytest.raises(ContractViolation, match="code"):
        contract.check_response_body(500, {"error": {"message": "no code"}})
    with pytest.raises(ContractViolation, match="usage"):
        contract.check_response_body(200, {"choices": [], "usage": {"input_tokens": 1}})


def test_the_contract_checker_rejects_a_wrong_envelope(contract: Contract) -> None:
    with pytest.raises(ContractViolation, match="request_id"):
        contract.check_response_body(400, {"message": "bad", "code": 400})
    body = {"message": "bad", "code": 400, "request_id": "r", "metadata": {"errors": [1]}}
    with pytest.raises(ContractViolation, match="errors"):
        contract.check_response_body(400, body)
    with pytest.raises(AssertionError, match="names 401"):
        contract.check_response_body(403, {"error": "no", "status": 401, "request_id": "r"})


def test_thinking_and_cache_control_in_a_request_validate(contract: Contract) -> None:
    ephemeral = {"type": "ephemeral"}
    contract.check_request(
        {
            "model": CLAUDE,
            "messages": [
                {
                    "role": "system",
                    "content": [{"type": "text", "text": "long", "cache_control": ephemeral}],
                },
                {"role": "user", "content": "hi", "cache_control": {**ephemeral, "ttl": "1h"}},
                {"role": "assistant", "content": "hello", "thinking": "the user greets"},
                {"role": "user", "content": "go on"},
            ],
            "reasoning": {"effort": "low"},
        }
    )
    bad = {"type": "text", "text": "x", "cache_control": {"type": "forever"}}
    with pytest.raises(ContractViolation, match="cache_control"):
        contract.check_request({"model": CLAUDE, "messages": [{"role": "user", "content": [bad]}]})


def test_usage_in_the_earlier_revisions_names_validates(contract: Contract) -> None:
    seed_usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    contract.check_response_body(200, {"choices": [], "usage": seed_usage})


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"model": CLAUDE, "prompt": "x", "stop": ["\n"]}, "'stop' was unexpected"),
        (
            {"model": CLAUDE, "messages": [{"role": "developer", "content": "x"}]},
            "messages/0",
        ),
        (
            {"model": CLAUDE, "prompt": "x", "response_format": {"type": "json_object"}},
            "'json_object' is not one of",
        ),
        (
            {
                "model": CLAUDE,
                "prompt": "x",
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "r", "schema": SCHEMA, "description": "d"},
                },
            },
            "'description' was unexpected",
        ),
        (
            {"model": CLAUDE, "messages": [{"role": "user", "content": [{"type": "image"}]}]},
            "messages/0",
        ),
    ],
)
def test_a_request_field_outside_the_contract_fails(
    contract: Contract, body: Json, problem: str
) -> None:
    with pytest.raises(ContractViolation, match=problem):
        contract.check_request(body)


def test_each_extension_is_what_lets_its_field_through() -> None:
    """Without the extension list, the fields it names fail against the bare spec."""
    documented_only = [d for d in load_deviations() if d.kind == "documented"]
    bare = Contract(contract_document(documented_only))
    tool = {"type": "function", "function": {"name": "f", "parameters": {}, "strict": True}}
    cases: dict[str, Json] = {
        'tool_choice: "required"': {"tools": [tool], "tool_choice": "required"},
        "stream_options": {"stream": True, "stream_options": {"include_usage": True}},
        "parallel_tool_calls": {"parallel_tool_calls": False},
        "tool strict": {"tools": [tool]},
        "text part cache_control": {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}
                    ],
                }
            ]
        },
    }
    extensions = {d.name for d in load_deviations() if d.kind == "extension"}
    assert extensions == set(cases)
    full = Contract(contract_document())
    for name, fields in cases.items():
        body = {"model": "gpt-4.1", "prompt": "x", **fields}
        with pytest.raises(ContractViolation, match=None) as refused:
            bare.check_request(body)
        assert "request outside the contract" in str(refused.value), name
        full.check_request(body)


def test_every_extension_states_when_why_and_for_which_models() -> None:
    for deviation in load_deviations():
        keys = {"when", "reason", "models"} if deviation.kind == "extension" else {"source"}
        missing = {key for key in keys if not str(deviation.entry.get(key, "")).strip()}
        assert not missing, f"{deviation.name}: missing {sorted(missing)}"


def test_the_contract_copy_names_its_source_and_revision() -> None:
    header = (CONTRACT_DIR / "chat-completions.openapi.yml").read_text(encoding="utf-8")
    assert "https://www.assemblyai.com/docs/api-reference/llm-gateway/create-chat-completion" in (
        header
    )
    assert "sha256" in header
    assert "version: 1.0.0" in header


def test_the_contract_schemas_are_valid_json_schema() -> None:
    document = contract_document()
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_docs_list_every_deviation_from_the_spec() -> None:
    page = (CONTRACT_DIR.parents[1] / "docs" / "compatibility.md").read_text(encoding="utf-8")
    page = page.replace("`", "")  # names are compared as text, without code spans
    for deviation in load_deviations():
        assert deviation.name in page, f"docs/compatibility.md does not name {deviation.name!r}"
