"""Gateway errors as pydantic-ai's: ModelHTTPError with status and body; FallbackModel moves on."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pydantic_ai import Agent
from pydantic_ai import exceptions as pai_errors
from pydantic_ai.exceptions import ModelAPIError, ModelHTTPError, UserError
from pydantic_ai.models.fallback import FallbackModel

from assemblyai_gateway import errors
from assemblyai_gateway.emulator import Fault, GatewayEmulator, Reply
from assemblyai_gateway.testing import BrokenStream, completion_body, error_body, text_sse
from pydantic_ai_assemblyai_gateway import (
    AssemblyAIGatewayModel,
    AssemblyAIGatewayProvider,
    as_pydantic_ai_error,
)
from tests.test_pydantic_ai_assemblyai_gateway.conftest import TEST_KEY, RunAgent, ScriptedFactory


def _category(name: str) -> type[Exception] | None:
    found = getattr(pai_errors, name, None)
    return found if isinstance(found, type) else None


@pytest.mark.parametrize(
    ("status", "category"),
    [
        (400, "ModelRequestRejectedError"),
        (401, "ModelAuthenticationError"),
        (403, "ModelAuthenticationError"),
        (404, "ModelNotFoundError"),
        (422, "ModelRequestRejectedError"),
        (429, "ModelRateLimitError"),
        (500, "ModelServerError"),
        (503, "ModelUnavailableError"),
    ],
)
def test_a_status_error_is_a_model_http_error_with_its_status_and_body(
    status: int, category: str, scripted: ScriptedFactory
) -> None:
    case = scripted(httpx.Response(status, json=error_body(status, "nope")), max_retries=0)
    with pytest.raises(ModelHTTPError) as caught:
        Agent(case.model()).run_sync("Hi")
    error = caught.value
    assert error.status_code == status
    assert error.body == error_body(status, "nope")
    assert error.model_name == "claude-sonnet-4-5-20250929"
    assert isinstance(error.__cause__, errors.APIStatusError)
    expected = _category(category)
    if expected is not None:  # pydantic-ai releases with error categories
        assert isinstance(error, expected)
    assert TEST_KEY not in str(error)
    assert TEST_KEY not in repr(error.body)


def test_a_context_overflow_is_pydantic_ais_context_window_error(
    gateway_emulator: GatewayEmulator, emulator_provider: AssemblyAIGatewayProvider
) -> None:
    gateway_emulator.script(Reply.context_overflow())
    with pytest.raises(ModelHTTPError) as caught:
        Agent(AssemblyAIGatewayModel("claude-opus-4-6", provider=emulator_provider)).run_sync("Hi")
    assert caught.value.status_code == 400
    assert isinstance(caught.value.__cause__, errors.ContextWindowExceededError)
    overflow = _category("ModelContextWindowExceededError")
    if overflow is not None:
        assert isinstance(caught.value, overflow)


def test_fallback_model_moves_on_when_the_gateway_fails(
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
    run_agent: RunAgent,
) -> None:
    gateway_emulator.failing_models.add("claude-opus-4-6")
    primary = AssemblyAIGatewayModel("claude-opus-4-6", provider=emulator_provider)
    backup = AssemblyAIGatewayModel("gpt-5", provider=emulator_provider)
    agent: Agent[None, str] = Agent(FallbackModel(primary, backup))

    outcome = run_agent(agent, "Hello")

    assert outcome.output == 'Emulated answer to: "Hello"'
    models = [r.json["model"] for r in gateway_emulator.requests if r.json]
    assert models[0] == "claude-opus-4-6"
    assert models[-1] == "gpt-5"


def test_fallback_model_moves_on_when_a_stream_cannot_start(
    scripted: ScriptedFactory,
) -> None:
    failing = scripted(httpx.Response(529, json={"message": "overloaded"}), max_retries=0)
    working = scripted(text_sse("All ", "good."))
    agent: Agent[None, str] = Agent(FallbackModel(failing.model("gpt-5"), working.model("gpt-5")))

    async def main() -> str:
        async with agent.run_stream("Hi") as stream:
            return await stream.get_output()

    assert asyncio.run(main()) == "All good."
    assert len(failing.transport.requests) == 1


def test_a_stream_broken_mid_way_is_a_connection_error(scripted: ScriptedFactory) -> None:
    body = text_sse("Hello ", "there, ", "friend.")
    case = scripted(BrokenStream(body, keep_bytes=len(body) // 2), max_retries=0)
    agent: Agent[None, str] = Agent(case.model("gpt-5"))

    async def main() -> Any:
        async with agent.run_stream("Hi") as stream:
            return await stream.get_output()

    with pytest.raises(ModelAPIError) as caught:
        asyncio.run(main())
    assert isinstance(caught.value.__cause__, errors.StreamError)
    connection = _category("ModelConnectionError")
    if connection is not None:
        assert isinstance(caught.value, connection)
    assert case.transport.open_responses == 0


def test_an_unreachable_gateway_is_a_model_api_error(no_api_key_env: None) -> None:
    provider = AssemblyAIGatewayProvider(
        api_key=TEST_KEY,
        http_client=httpx.AsyncClient(
            transport=httpx.MockTransport(
                lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused"))
            )
        ),
        max_retries=0,
    )
    with pytest.raises(ModelAPIError) as caught:
        Agent(AssemblyAIGatewayModel("gpt-5", provider=provider)).run_sync("Hi")
    assert isinstance(caught.value.__cause__, errors.APIConnectionError)


def test_a_body_that_is_not_a_completion_is_an_invalid_response(scripted: ScriptedFactory) -> None:
    case = scripted({"unexpected": True}, max_retries=0)
    with pytest.raises(ModelAPIError) as caught:
        Agent(case.model()).run_sync("Hi")
    assert isinstance(caught.value.__cause__, errors.ResponseValidationError)


def test_a_us_only_model_on_the_eu_endpoint_is_refused_so_fallback_can_move_on(
    no_api_key_env: None,
) -> None:
    provider = AssemblyAIGatewayProvider(api_key=TEST_KEY, region="eu")
    with pytest.raises(ModelAPIError) as caught:
        Agent(AssemblyAIGatewayModel("gpt-5", provider=provider)).run_sync("Hi")
    assert isinstance(caught.value.__cause__, errors.ModelNotAvailableInRegionError)


def test_retries_run_in_the_core_before_pydantic_ai_sees_an_error(
    gateway_emulator: GatewayEmulator,
    emulator_provider: AssemblyAIGatewayProvider,
    retry_waits: list[float],
) -> None:
    gateway_emulator.inject(Fault.status(503, "overloaded"))
    result = Agent(AssemblyAIGatewayModel("gpt-5", provider=emulator_provider)).run_sync("Hi")
    assert result.output == 'Emulated answer to: "Hi"'
    assert len(retry_waits) == 1


def test_a_missing_key_is_a_user_error_naming_the_variable(no_api_key_env: None) -> None:
    with pytest.raises(UserError, match="ASSEMBLYAI_API_KEY"):
        AssemblyAIGatewayModel("gpt-5")


@pytest.mark.parametrize(
    "error",
    [
        errors.UnsupportedContentError("an image"),
        errors.InvalidRequestError("invalid gateway request: temperature"),
        errors.MisplacedClientSettingError("api_key per call"),
    ],
)
def test_errors_raised_before_sending_are_user_errors(error: errors.GatewayError) -> None:
    converted = as_pydantic_ai_error(error, "gpt-5")
    assert isinstance(converted, UserError)
    assert str(converted) == str(error)


def test_a_stream_error_event_with_a_status_is_an_http_error_in_stream() -> None:
    error = errors.StreamError("rate limited", status_code=429, body={"error": "slow"})
    converted = as_pydantic_ai_error(error, "gpt-5")
    assert isinstance(converted, ModelHTTPError)
    assert (converted.status_code, converted.body) == (429, {"error": "slow"})


def test_a_completion_is_still_mapped_after_an_error_was_retried(scripted: ScriptedFactory) -> None:
    case = scripted(httpx.Response(429, json=error_body(429, "slow")), completion_body("fine"))
    assert Agent(case.model()).run_sync("Hi").output == "fine"
