"""ModelSettings and the gateway's extras on the wire, through the core's per-call rule."""

from __future__ import annotations

import warnings
from typing import cast

import httpx
import pytest
from pydantic_ai import Agent
from pydantic_ai.exceptions import UserError
from pydantic_ai.settings import ModelSettings

from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import completion_body
from pydantic_ai_assemblyai_gateway import (
    AssemblyAIGatewayModel,
    AssemblyAIGatewayModelSettings,
    AssemblyAIGatewayProvider,
)
from pydantic_ai_assemblyai_gateway._settings import ClientOptions
from tests.test_pydantic_ai_assemblyai_gateway.conftest import RunAgent, ScriptedFactory


def test_model_settings_and_gateway_extras_are_request_fields(
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
    run_agent: RunAgent,
) -> None:
    gateway_emulator.transcripts["tr_1"] = "Ana: we ship on Friday."
    settings = AssemblyAIGatewayModelSettings(
        max_tokens=200,
        temperature=0.2,
        top_p=0.9,
        seed=7,
        assemblyai_fallbacks=["claude-haiku-4-5-20251001"],
        assemblyai_fallback_config={"depth": 1},
        assemblyai_transcript_id="tr_1",
        assemblyai_reasoning={"effort": "low"},
        assemblyai_zero_data_retention=True,
        extra_body={"top_k": 5},
    )
    model = AssemblyAIGatewayModel("claude-opus-4-6", provider=emulator_provider)
    agent: Agent[None, str] = Agent(model, model_settings=settings)

    outcome = run_agent(agent, "When do we ship? {{ transcript }}")

    assert "Friday" in outcome.output  # the transcript was put in by the gateway
    sent = gateway_emulator.requests[0].json
    assert sent is not None
    assert {key: sent[key] for key in settings if not key.startswith(("assemblyai_", "extra"))} == {
        "max_tokens": 200,
        "temperature": 0.2,
        "top_p": 0.9,
        "seed": 7,
    }
    assert sent["fallbacks"] == [{"model": "claude-haiku-4-5-20251001"}]
    assert sent["fallback_config"] == {"depth": 1}
    assert sent["transcript_id"] == "tr_1"
    assert sent["reasoning"] == {"effort": "low"}
    assert sent["zero_data_retention"] is True
    assert sent["top_k"] == 5


def test_per_run_settings_override_the_models(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    model = AssemblyAIGatewayModel(
        "gpt-5", provider=emulator_provider, settings={"temperature": 0.1, "max_tokens": 50}
    )
    Agent(model).run_sync("Hi", model_settings={"temperature": 0.9})
    sent = gateway_emulator.requests[0].json
    assert sent is not None
    assert (sent["temperature"], sent["max_tokens"]) == (0.9, 50)


@pytest.mark.parametrize(
    ("thinking", "reasoning"),
    [(True, {"effort": "medium"}), ("high", {"effort": "high"}), (False, None)],
)
def test_unified_thinking_becomes_the_gateways_reasoning(
    thinking: object,
    reasoning: object,
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
) -> None:
    model = AssemblyAIGatewayModel("claude-sonnet-4-5-20250929", provider=emulator_provider)
    Agent(model).run_sync("Think.", model_settings=cast(ModelSettings, {"thinking": thinking}))
    sent = gateway_emulator.requests[0].json
    assert sent is not None
    assert sent.get("reasoning") == reasoning


def test_the_gateways_reasoning_wins_over_thinking(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    model = AssemblyAIGatewayModel("claude-sonnet-4-5-20250929", provider=emulator_provider)
    settings = {"thinking": "high", "assemblyai_reasoning": {"effort": "minimal"}}
    Agent(model).run_sync("Think.", model_settings=cast(ModelSettings, settings))
    sent = gateway_emulator.requests[0].json
    assert sent is not None
    assert sent["reasoning"] == {"effort": "minimal"}


def test_timeout_max_retries_and_headers_configure_the_calls_client(
    scripted: ScriptedFactory,
) -> None:
    case = scripted(
        httpx.Response(503, json={"message": "busy"}), completion_body("ok"), max_retries=0
    )
    # max_retries is a ModelSettings key of newer pydantic-ai releases; honoured on all.
    settings = cast(
        ModelSettings, {"timeout": 12.5, "max_retries": 1, "extra_headers": {"x-team": "ops"}}
    )
    result = Agent(case.model()).run_sync("Hi", model_settings=settings)
    assert result.output == "ok"  # retried once, though the provider's client never retries
    assert [r.headers["x-team"] for r in case.transport.requests] == ["ops", "ops"]
    client = case.provider.client_for(
        ClientOptions(timeout=12.5, max_retries=1, headers=(("x-team", "ops"),))
    )
    assert (client.timeout.read, client.max_retries) == (12.5, 1)
    assert case.provider.client.max_retries == 0


def test_stop_sequences_are_not_sent_and_say_so(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    model = AssemblyAIGatewayModel("gpt-5", provider=emulator_provider)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Agent(model).run_sync("Count.", model_settings={"stop_sequences": ["5"]})
    assert any("stop_sequences" in str(w.message) for w in caught)
    sent = gateway_emulator.requests[0].json
    assert sent is not None
    assert "stop" not in sent
    assert "stop_sequences" not in sent


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"assemblyai_api_key": "leaked-key"}, "AssemblyAIGatewayProvider(api_key=...)"),
        ({"extra_body": {"base_url": "http://elsewhere"}}, "'base_url'"),
        ({"extra_body": {"messages": []}}, "the model builds"),
        ({"assemblyai_transcript": "tr_1"}, "did you mean 'transcript_id'"),
    ],
)
def test_the_per_call_rule_refuses_settings_before_sending(
    settings: dict[str, object],
    message: str,
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
) -> None:
    model = AssemblyAIGatewayModel("gpt-5", provider=emulator_provider)
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        Agent(model).run_sync("Hi", model_settings=cast(ModelSettings, settings))
    assert "leaked-key" not in str(caught.value)
    assert gateway_emulator.requests == []


def test_an_invalid_field_is_named_before_sending(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    model = AssemblyAIGatewayModel("gpt-5", provider=emulator_provider)
    with pytest.raises(UserError, match="temperature"):
        Agent(model).run_sync("Hi", model_settings={"temperature": 7.0})
    assert gateway_emulator.requests == []
