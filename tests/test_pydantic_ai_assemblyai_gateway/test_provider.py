"""The provider owns the client; profiles by family; the model id string form."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic_ai import Agent
from pydantic_ai.exceptions import UserError
from pydantic_ai.profiles.google import GoogleJsonSchemaTransformer
from pydantic_ai.profiles.openai import OpenAIJsonSchemaTransformer

from assemblyai_gateway import AdaptiveLimiter
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import completion_body
from pydantic_ai_assemblyai_gateway import (
    AssemblyAIGatewayModel,
    AssemblyAIGatewayProvider,
    GatewayModelIds,
    gateway_model_profile,
)
from tests.test_pydantic_ai_assemblyai_gateway.conftest import TEST_KEY, ScriptedFactory


def test_the_provider_builds_its_client_from_explicit_arguments(no_api_key_env: None) -> None:
    limiter = AdaptiveLimiter()
    provider = AssemblyAIGatewayProvider(
        api_key=TEST_KEY, region="eu", timeout=30, max_retries=5, limiter=limiter
    )
    client = provider.client
    assert provider.base_url == "https://llm-gateway.eu.assemblyai.com/v1"
    assert (client.timeout.read, client.max_retries, client.limiter) == (30.0, 5, limiter)
    assert client.is_eu


def test_the_key_is_never_shown(no_api_key_env: None) -> None:
    provider = AssemblyAIGatewayProvider(api_key=TEST_KEY)
    model = AssemblyAIGatewayModel("gpt-5", provider=provider)
    for text in (repr(provider), repr(model), repr(provider.client), str(vars(provider))):
        assert TEST_KEY not in text


def test_the_key_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, no_api_key_env: None
) -> None:
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", TEST_KEY)
    model = AssemblyAIGatewayModel("gpt-5")
    assert model.system == "assemblyai-gateway"
    assert model.model_id == "assemblyai-gateway:gpt-5"


def test_a_provider_named_by_another_string_is_refused(no_api_key_env: None) -> None:
    with pytest.raises(UserError, match="unknown provider 'openai'"):
        AssemblyAIGatewayModel("gpt-5", provider="openai")  # type: ignore[arg-type]


def test_the_key_is_sent_raw(scripted: ScriptedFactory) -> None:
    case = scripted(completion_body())
    Agent(case.model()).run_sync("Hi")
    assert case.transport.requests[0].headers["authorization"] == TEST_KEY


def test_models_sharing_a_provider_share_its_client(no_api_key_env: None) -> None:
    provider = AssemblyAIGatewayProvider(api_key=TEST_KEY)
    first = AssemblyAIGatewayModel("gpt-5", provider=provider)
    second = AssemblyAIGatewayModel("claude-opus-4-6", provider=provider)
    assert first.client is second.client is provider.client


def test_closing_the_provider_closes_its_pools_and_a_later_call_opens_new_ones(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    model = AssemblyAIGatewayModel("gpt-5", provider=emulator_provider)
    agent: Agent[None, str] = Agent(model)

    async def main() -> list[str]:
        outputs = []
        for _ in range(2):
            async with agent:
                outputs.append((await agent.run("Hi")).output)
            await emulator_provider.aclose()
        return outputs

    assert asyncio.run(main()) == ['Emulated answer to: "Hi"'] * 2


def test_an_injected_http_client_is_used_and_left_open(no_api_key_env: None) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=completion_body("x")))
    http_client = httpx.AsyncClient(transport=transport)
    provider = AssemblyAIGatewayProvider(api_key=TEST_KEY, http_client=http_client)

    async def main() -> str:
        async with Agent(AssemblyAIGatewayModel("gpt-5", provider=provider)) as agent:
            return (await agent.run("Hi")).output

    assert asyncio.run(main()) == "x"
    assert not http_client.is_closed


@pytest.mark.parametrize(
    ("model_name", "transformer"),
    [
        ("claude-sonnet-4-5-20250929", None),
        ("gpt-5", OpenAIJsonSchemaTransformer),
        ("gemini-2.5-flash", GoogleJsonSchemaTransformer),
        ("claude-some-new-model", None),
        ("gemini-9-ultra", GoogleJsonSchemaTransformer),
    ],
)
def test_each_family_gets_its_schema_transformer(model_name: str, transformer: object) -> None:
    assert gateway_model_profile(model_name).get("json_schema_transformer") is transformer


def test_the_profile_follows_the_catalog() -> None:
    gpt = gateway_model_profile("gpt-4.1")
    oss = gateway_model_profile("gpt-oss-20b")
    assert gpt["supports_json_schema_output"]
    assert not oss["supports_json_schema_output"]
    assert gpt["supports_tools"]
    assert gpt.get("context_window") == 1_047_576
    assert gpt["supported_native_tools"] == frozenset()
    assert gateway_model_profile("claude-opus-4-6")["supports_thinking"]


def test_a_models_profile_is_the_providers(no_api_key_env: None) -> None:
    model = AssemblyAIGatewayModel("gpt-5", provider=AssemblyAIGatewayProvider(api_key=TEST_KEY))
    assert model.profile["json_schema_transformer"] is OpenAIJsonSchemaTransformer
    tweaked = AssemblyAIGatewayModel(
        "gpt-5",
        provider=AssemblyAIGatewayProvider(api_key=TEST_KEY),
        profile={"default_structured_output_mode": "native"},
    )
    assert tweaked.profile["default_structured_output_mode"] == "native"


def test_pydantic_ai_has_no_registry_for_third_party_prefixes(
    gateway_emulator: GatewayEmulator,
) -> None:
    # pydantic-ai's infer_model knows its own prefixes only (older releases say so with a
    # ValueError, newer ones with a UserError).
    with pytest.raises((UserError, ValueError), match=r"Unknown (model|provider)"):
        Agent("assemblyai-gateway:gpt-5")


def test_the_model_id_capability_resolves_the_string_form(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    capability = GatewayModelIds(provider=emulator_provider)
    agent: Agent[None, str] = Agent(
        "assemblyai-gateway:gemini-2.5-flash", capabilities=[capability]
    )
    result = agent.run_sync("Hello")
    assert result.output == 'Emulated answer to: "Hello"'
    assert gateway_emulator.requests[0].json["model"] == "gemini-2.5-flash"  # type: ignore[index]
    # Per run too, and the same id gives the same model object.
    agent.run_sync("Hello", model="assemblyai-gateway:gpt-5")
    assert gateway_emulator.requests[1].json["model"] == "gpt-5"  # type: ignore[index]
    assert len(capability._models) == 2


def test_the_model_id_capability_builds_its_provider_from_the_environment(
    gateway_emulator: GatewayEmulator,
) -> None:
    agent: Agent[None, str] = Agent("assemblyai-gateway:gpt-5", capabilities=[GatewayModelIds()])
    assert asyncio.run(agent.run("Hi")).output == 'Emulated answer to: "Hi"'
