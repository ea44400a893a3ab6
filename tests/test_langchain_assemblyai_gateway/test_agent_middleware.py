"""LangChain's agent middleware reads our errors and sends our schemas as it does ChatOpenAI's.

* ``ModelRetryMiddleware`` retries what ``ModelError.is_retryable`` allows: a 401 is
  sent once, a 429 is sent again.
* ``SummarizationMiddleware`` shortens a summary request the model answered with
  ``ContextOverflowError`` and carries on, instead of sending it three times.
* ``ProviderStrategy(strict=True)`` reaches the wire as a strict-valid json_schema.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import ModelRetryMiddleware, SummarizationMiddleware
from langchain.agents.structured_output import ProviderStrategy
from langchain_core.exceptions import ContextOverflowError, ModelAuthenticationError
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, Field

from assemblyai_gateway import AuthenticationError, ContextWindowExceededError
from assemblyai_gateway.testing import completion_body, error_body
from tests.support.strict_schema import strict_schema_problems

CLAUDE_OVERFLOW = "prompt is too long: 212345 tokens > 200000 maximum"


def _retrying(on_failure: Any = "error") -> ModelRetryMiddleware:
    return ModelRetryMiddleware(
        max_retries=2, initial_delay=0.0, jitter=False, on_failure=on_failure
    )


async def test_model_retry_middleware_sends_a_401_once(make_model: Any, run: Any) -> None:
    model, transport = make_model([httpx.Response(401, json=error_body(401, "Invalid API key"))])
    agent = create_agent(model, [], middleware=[_retrying()])

    with pytest.raises(AuthenticationError) as caught:
        await run.invoke(agent, {"messages": [HumanMessage("Hi")]})

    assert len(transport.requests) == 1
    assert isinstance(caught.value, ModelAuthenticationError)
    assert caught.value.is_retryable is False


async def test_model_retry_middleware_sends_a_429_again(make_model: Any, run: Any) -> None:
    steps = [
        httpx.Response(429, json=error_body(429, "Rate limit exceeded")),
        completion_body("Hello after the wait"),
    ]
    model, transport = make_model(steps, max_retries=0)
    agent = create_agent(model, [], middleware=[_retrying()])

    state = await run.invoke(agent, {"messages": [HumanMessage("Hi")]})

    assert state["messages"][-1].content == "Hello after the wait"
    assert len(transport.requests) == 2


# --- SummarizationMiddleware: an overflowing summary request is shortened, once

# The scripted model's context: a request longer than this many characters overflows.
_CONTEXT_CHARS = 9_000


def _answer_within_context(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    text = "".join(str(message.get("content") or "") for message in body["messages"])
    if len(text) > _CONTEXT_CHARS:
        return httpx.Response(400, json=error_body(400, CLAUDE_OVERFLOW))
    if len(body["messages"]) == 1:  # the summary request: one prompt holding the history
        return httpx.Response(200, json=completion_body("The user asked about owls."))
    return httpx.Response(200, json=completion_body("Owls hunt at night."))


async def test_summarization_middleware_shortens_an_overflowing_summary(
    make_model: Any, run: Any
) -> None:
    model, transport = make_model([_answer_within_context])
    summarizing = SummarizationMiddleware(model, trigger=("messages", 6), keep=("messages", 2))
    agent = create_agent(model, [], middleware=[summarizing])
    history: list[Any] = []
    for turn in range(4):
        history += [HumanMessage(f"Question {turn}: " + "owl " * 600), AIMessage("Noted.")]
    history.append(HumanMessage("And when do owls hunt?"))

    state = await run.invoke(agent, {"messages": history})

    assert state["messages"][-1].content == "Owls hunt at night."
    sizes = [len(request.content) for request in transport.requests]
    statuses = [_answer_within_context(request).status_code for request in transport.requests]
    # The summary request overflowed once, was sent again shorter, then the agent went on.
    assert statuses == [400, 200, 200]
    assert sizes[1] < sizes[0]


async def test_an_overflow_is_a_context_overflow_error(make_model: Any, run: Any) -> None:
    model, transport = make_model([httpx.Response(400, json=error_body(400, CLAUDE_OVERFLOW))])

    with pytest.raises(ContextOverflowError) as caught:
        await run.invoke(model, "a very long prompt")

    assert isinstance(caught.value, ContextWindowExceededError)
    assert caught.value.is_retryable is False
    assert len(transport.requests) == 1


# --- ProviderStrategy(strict=True): the schema on the wire is strict-valid


class Address(BaseModel):
    street: str
    city: str | None = None


class Contact(BaseModel):
    """A person to call back."""

    name: str
    phone: str | None = Field(default=None, description="with the country code")
    addresses: list[Address] = []
    primary: Address | None = None


async def test_provider_strategy_strict_sends_a_strict_valid_schema(
    make_model: Any, run: Any
) -> None:
    answer: dict[str, Any] = {"name": "Ana", "phone": None, "addresses": [], "primary": None}
    model, transport = make_model([completion_body(json.dumps(answer))])
    agent = create_agent(model, [], response_format=ProviderStrategy(Contact, strict=True))

    state = await run.invoke(agent, {"messages": [HumanMessage("Ana, no phone.")]})

    assert state["structured_response"] == Contact(name="Ana")
    json_schema = transport.json_bodies[0]["response_format"]["json_schema"]
    assert json_schema["strict"] is True
    assert strict_schema_problems(json_schema["schema"]) == []
