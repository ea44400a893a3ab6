"""Why this model exists: pydantic-ai's stock OpenAI model fails against the gateway's answers.

The same agent, on ``OpenAIChatModel`` with an ``OpenAIProvider`` pointed at the emulator:

* as configured, the OpenAI SDK sends the key as ``Bearer <key>``; the gateway wants the
  raw key, so every call is a 401;
* with the raw key forced into the headers, the gateway's answer has no ``id``,
  ``object`` or ``model``, and pydantic-ai's validation of the whole response refuses it.

The docs page (docs/pydantic-ai.md) shows these failures; this test keeps them true.
"""

from __future__ import annotations

import asyncio

import pytest
from openai import AsyncOpenAI
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai import exceptions as pai_errors
from pydantic_ai.exceptions import ModelHTTPError, UnexpectedModelBehavior
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from assemblyai_gateway.emulator import GatewayEmulator, Reply
from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayModel, AssemblyAIGatewayProvider

# A model id no pydantic-ai release lists as deprecated (newer ones warn on gpt-5).
STOCK_MODEL = "gpt-5.2"

# Newer pydantic-ai raises its own class for a response it cannot validate.
INVALID_RESPONSE: type[Exception] = getattr(
    pai_errors, "ModelInvalidResponseError", UnexpectedModelBehavior
)


class Answer(BaseModel):
    city: str


def _agent(model: OpenAIChatModel | AssemblyAIGatewayModel) -> Agent[None, Answer]:
    agent = Agent(model, output_type=Answer)

    @agent.tool_plain
    def get_forecast(city: str) -> str:
        """The weather forecast for a city."""
        return "sunny"

    return agent


def _run_stock(client: AsyncOpenAI) -> None:
    """One run of the agent on the stock model over ``client`` (closed afterwards)."""
    agent = _agent(OpenAIChatModel(STOCK_MODEL, provider=OpenAIProvider(openai_client=client)))

    async def main() -> None:
        async with client:
            await agent.run("Weather in Paris?")

    asyncio.run(main())


def test_the_stock_model_sends_a_bearer_key_and_gets_a_401(
    gateway_emulator: GatewayEmulator,
) -> None:
    client = AsyncOpenAI(
        base_url=gateway_emulator.base_url, api_key=gateway_emulator.api_key, max_retries=0
    )
    with pytest.raises(ModelHTTPError) as caught:
        _run_stock(client)
    assert caught.value.status_code == 401
    assert "without the 'Bearer ' prefix" in str(caught.value.body)


def test_with_the_raw_key_the_stock_model_cannot_validate_the_answer(
    gateway_emulator: GatewayEmulator,
) -> None:
    gateway_emulator.script(Reply.tool_call("final_result", {"city": "Paris"}))
    client = AsyncOpenAI(
        base_url=gateway_emulator.base_url,
        api_key="unused",
        default_headers={"Authorization": gateway_emulator.api_key},
        max_retries=0,
    )
    with pytest.raises(UnexpectedModelBehavior) as caught:
        _run_stock(client)
    assert type(caught.value) is INVALID_RESPONSE
    assert "Invalid response from openai chat completions endpoint" in str(caught.value)
    assert gateway_emulator.requests[0].status == 200  # the gateway answered; the model refused


def test_the_same_agent_on_this_model_succeeds(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    gateway_emulator.script(Reply.tool_call("final_result", {"city": "Paris"}))
    agent = _agent(AssemblyAIGatewayModel("gpt-5", provider=emulator_provider))
    assert agent.run_sync("Weather in Paris?").output == Answer(city="Paris")
