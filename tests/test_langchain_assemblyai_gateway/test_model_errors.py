"""Every error a call raises is its core class and a langchain-core ``ModelError`` at once.

``ChatOpenAI`` raises langchain-core's types so agent middleware can tell what to retry
and when to shorten; the same error reaches the caller here through ``invoke``,
``stream`` and their async twins, keeping every field of the core error.
"""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from assemblyai_gateway import errors
from assemblyai_gateway.testing import BrokenStream, error_body, text_sse
from langchain_assemblyai_gateway import ChatAssemblyAIGateway

STATUSES = {
    "400": (400, "Invalid request", errors.BadRequestError, ModelInvalidRequestError, False),
    "401": (401, "Invalid API key", errors.AuthenticationError, ModelAuthenticationError, False),
    "403": (403, "Forbidden", errors.PermissionDeniedError, ModelPermissionDeniedError, False),
    "404": (404, "Unknown model", errors.NotFoundError, ModelNotFoundError, False),
    "409": (409, "Conflict", errors.ConflictError, ModelError, True),
    "422": (422, "Unprocessable", errors.UnprocessableEntityError, ModelInvalidRequestError, False),
    "429": (429, "Rate limit exceeded", errors.RateLimitError, ModelRateLimitError, True),
    "503": (503, "Overloaded", errors.InternalServerError, ModelAPIError, True),
    "overflow": (
        400,
        "prompt is too long: 212345 tokens > 200000 maximum",
        errors.ContextWindowExceededError,
        ContextOverflowError,
        False,
    ),
}


async def _call(run: Any, model: ChatAssemblyAIGateway, streamed: bool) -> None:
    if streamed:
        await run.stream(model, "Hi")
    else:
        await run.invoke(model, "Hi")


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize(
    ("status", "message", "core", "model_type", "retryable"), STATUSES.values(), ids=STATUSES.keys()
)
async def test_each_status_is_its_core_class_and_its_langchain_type(
    make_model: Any,
    run: Any,
    streamed: bool,
    status: int,
    message: str,
    core: type[errors.APIStatusError],
    model_type: type[ModelError],
    retryable: bool,
) -> None:
    body = error_body(status, message) | {"request_id": "req-err"}
    model, _ = make_model([httpx.Response(status, json=body)], max_retries=0)

    with pytest.raises(core) as caught:
        await _call(run, model, streamed)

    error = caught.value
    assert type(error).__name__ == core.__name__
    assert isinstance(error, model_type)
    assert error.is_retryable is retryable
    assert (error.status_code, error.request_id) == (status, "req-err")
    assert error.message.startswith(message)
    assert str(error).startswith(f"Error code: {status} - {message}")


@pytest.mark.parametrize(
    ("failure", "core", "model_type"),
    [
        (httpx.ConnectError("refused"), errors.APIConnectionError, ModelConnectionError),
        (httpx.ReadTimeout("slow"), errors.APITimeoutError, ModelTimeoutError),
    ],
)
async def test_transport_failures_are_retryable_model_errors(
    make_model: Any,
    run: Any,
    failure: Exception,
    core: type[errors.APIError],
    model_type: type[ModelError],
) -> None:
    model, _ = make_model([failure], max_retries=0)

    with pytest.raises(core) as caught:
        await run.invoke(model, "Hi")

    assert isinstance(caught.value, model_type)
    assert caught.value.is_retryable is True


async def test_a_broken_stream_is_a_retryable_api_error(make_model: Any, run: Any) -> None:
    body = text_sse("Hel", "lo", " there")
    model, _ = make_model([BrokenStream(body, keep_bytes=len(body) // 2)], model="gpt-5")

    with pytest.raises(errors.StreamError) as caught:
        await run.stream(model, "Hi")

    assert isinstance(caught.value, ModelAPIError)
    assert caught.value.is_retryable is True


async def test_errors_before_sending_are_invalid_requests(make_model: Any, run: Any) -> None:
    model, transport = make_model([])

    with pytest.raises(errors.InvalidRequestError) as caught:
        await run.invoke(model, "Hi", max_tokens=0)

    assert isinstance(caught.value, ModelInvalidRequestError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.is_retryable is False
    assert transport.requests == []


async def test_a_missing_key_is_an_authentication_error(run: Any) -> None:
    model = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929")

    with pytest.raises(errors.MissingAPIKeyError) as caught:
        await run.invoke(model, "Hi")

    assert isinstance(caught.value, ModelAuthenticationError)
    assert caught.value.is_retryable is False


async def test_the_error_keeps_its_cause_and_shows_once(make_model: Any) -> None:
    model, _ = make_model([httpx.ConnectError("refused")], max_retries=0)

    with pytest.raises(errors.APIConnectionError) as caught:
        model.invoke("Hi")

    error = caught.value
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert error.__suppress_context__  # the same error under its core class is not shown
    assert "refused" in str(error)


def test_subclasses_keep_their_own_class() -> None:
    # ToolChoiceError is a ConfigurationError: raised through the model it stays one.
    from langchain_assemblyai_gateway._errors import as_model_error

    error = as_model_error(errors.ToolChoiceError("no such tool"))

    assert isinstance(error, errors.ToolChoiceError)
    assert isinstance(error, ModelInvalidRequestError)
    assert as_model_error(error) is error


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize("envelope", ["business", "spec"])
async def test_a_400_s_field_list_reaches_the_caller(
    make_model: Any, run: Any, streamed: bool, envelope: Any
) -> None:
    fields = ["temperature: must be between 0 and 2", "messages: is required"]
    body = error_body(400, "Invalid request", fields, envelope=envelope, request_id="req-f")
    model, _ = make_model([httpx.Response(400, json=body)], max_retries=0)

    with pytest.raises(ModelInvalidRequestError) as caught:
        await _call(run, model, streamed)

    error = caught.value
    assert isinstance(error, errors.BadRequestError)
    assert [str(item) for item in error.field_errors] == fields
    assert error.errors == fields
    assert all(field in str(error) for field in fields)
    assert error.request_id == "req-f"


async def test_the_auth_layer_s_401_is_an_authentication_error(make_model: Any, run: Any) -> None:
    body = error_body(401, "Invalid API key", envelope="auth", request_id="req-a")
    model, _ = make_model([httpx.Response(401, json=body)], max_retries=0)

    with pytest.raises(ModelAuthenticationError) as caught:
        await run.invoke(model, "Hi")

    assert isinstance(caught.value, errors.AuthenticationError)
    assert caught.value.message.startswith("Invalid API key")
    assert caught.value.request_id == "req-a"


async def test_a_raised_error_pickles_as_both_types(make_model: Any, run: Any) -> None:
    body = error_body(400, "Invalid request", ["max_tokens: too big"], envelope="business")
    model, _ = make_model([httpx.Response(400, json=body)], max_retries=0)
    with pytest.raises(ModelInvalidRequestError) as caught:
        await run.invoke(model, "Hi")

    again = pickle.loads(pickle.dumps(caught.value))

    assert type(again) is type(caught.value)
    assert isinstance(again, errors.BadRequestError)
    assert isinstance(again, ModelInvalidRequestError)
    assert vars(again) == vars(caught.value)
    assert str(again) == str(caught.value)
