"""Fixtures for the pydantic-ai model: the emulator, a scripted transport, and one agent run
driven every way pydantic-ai offers (``run_sync``, ``run``, ``run_stream``, ``iter``).

* ``emulator_provider``: an :class:`AssemblyAIGatewayProvider` on the emulator.
* ``scripted``: ``scripted(*steps, **provider_kwargs)`` -> a provider on a
  :class:`~assemblyai_gateway.testing.ScriptedTransport` (returned as ``.transport``).
* ``run_mode`` + ``run_agent``: one agent run, in each of the four ways, so one test
  covers the sync, async, streamed and graph-iterated paths with the same fixtures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic_ai import Agent
from pydantic_ai.run import AgentRunResult

from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import ScriptedTransport, ScriptStep
from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayModel, AssemblyAIGatewayProvider
from tests.support.event_loops import close_the_loop_run_sync_left, run_sync_loop

TEST_KEY = "aai-fake-test-key-7c1e5d93b2a84f60"

FAMILIES = ("claude-sonnet-4-5-20250929", "gpt-5", "gemini-2.5-flash")
"""One model of each family the gateway serves (GPT streams natively; the others replay)."""

RUN_MODES = ("run_sync", "run", "run_stream", "iter")

__all__ = ["close_the_loop_run_sync_left"]  # autouse: imported to apply here


@pytest.fixture
def emulator_provider(
    gateway_emulator: GatewayEmulator, retry_waits: list[float]
) -> Iterator[AssemblyAIGatewayProvider]:
    """A provider on the emulator (its key and base URL, given explicitly); retry waits
    are recorded, not slept."""
    provider = AssemblyAIGatewayProvider(
        api_key=gateway_emulator.api_key, base_url=gateway_emulator.base_url
    )
    yield provider
    provider.client.close()


@dataclass
class Scripted:
    """A provider whose requests a :class:`ScriptedTransport` answers."""

    provider: AssemblyAIGatewayProvider
    transport: ScriptedTransport

    def model(self, name: str = FAMILIES[0], **kwargs: Any) -> AssemblyAIGatewayModel:
        """A model of this provider."""
        return AssemblyAIGatewayModel(name, provider=self.provider, **kwargs)


ScriptedFactory = Callable[..., Scripted]


@pytest.fixture
def scripted(retry_waits: list[float], no_api_key_env: None) -> ScriptedFactory:
    """``scripted(*steps, **provider_kwargs)``: a provider answered by ``steps``."""

    def build(*steps: ScriptStep, **kwargs: Any) -> Scripted:
        transport = ScriptedTransport(steps)
        kwargs.setdefault("api_key", TEST_KEY)
        provider = AssemblyAIGatewayProvider(
            http_client=httpx.AsyncClient(transport=transport), **kwargs
        )
        return Scripted(provider, transport)

    return build


@pytest.fixture(params=RUN_MODES)
def run_mode(request: pytest.FixtureRequest) -> str:
    """How ``run_agent`` drives the agent."""
    mode = request.param
    assert isinstance(mode, str)
    return mode


@dataclass(frozen=True)
class Outcome:
    """What a run gave, whichever way it was driven."""

    output: Any
    result: AgentRunResult[Any] | None
    messages: list[Any]
    usage: Any


RunAgent = Callable[..., Outcome]


async def _run_async(agent: Agent[Any, Any], mode: str, prompt: str, **kwargs: Any) -> Outcome:
    if mode == "run":
        result = await agent.run(prompt, **kwargs)
        return Outcome(result.output, result, result.all_messages(), result.usage)
    if mode == "run_stream":
        async with agent.run_stream(prompt, **kwargs) as stream:
            output = await stream.get_output()
        return Outcome(output, None, stream.all_messages(), stream.usage)
    async with agent.iter(prompt, **kwargs) as agent_run:
        async for _node in agent_run:
            pass
    finished = agent_run.result
    assert finished is not None
    return Outcome(finished.output, finished, finished.all_messages(), finished.usage)


@pytest.fixture
def run_agent(run_mode: str) -> RunAgent:
    """``run_agent(agent, prompt, **run_kwargs)``: one run, the way ``run_mode`` says."""

    def run(agent: Agent[Any, Any], prompt: str, **kwargs: Any) -> Outcome:
        if run_mode == "run_sync":
            with run_sync_loop():
                result = agent.run_sync(prompt, **kwargs)
            return Outcome(result.output, result, result.all_messages(), result.usage)
        return asyncio.run(_run_async(agent, run_mode, prompt, **kwargs))

    return run
