"""Every error envelope the gateway uses, its field list, and errors that pickle whole.

The gateway answers errors in three shapes: its route handlers' business errors
(``{"message", "code", "request_id", "metadata": {"errors": [...]}}``), its auth
layer's 401s (``{"error": "<text>", "status", "request_id"}``) and the published spec's
``{"error": {"code", "message", "metadata"}}``. Each becomes the same typed error, the
field list kept in the message and on the error.
"""

from __future__ import annotations

import doctest
import pickle
from typing import Any

import httpx
import pytest

from assemblyai_gateway._transport import error_envelopes as _error_envelopes
from assemblyai_gateway.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    FieldError,
    RateLimitError,
    ResponseValidationError,
    status_error_from_response,
)
from assemblyai_gateway.testing import ScriptedTransport, error_body
from tests.conftest import Complete, MakeClient

REQUEST = {"model": "gpt-5", "messages": [{"role": "user", "content": "Hi"}]}
FIELDS = ["temperature: must be between 0 and 2", "messages: is required"]


def _error(status: int, body: Any, **headers: str) -> APIStatusError:
    return status_error_from_response(httpx.Response(status, json=body, headers=headers))


# ----------------------------------------------------------------- business envelope


def test_a_business_error_keeps_its_field_list_on_the_error_and_in_its_message() -> None:
    body = error_body(
        400, "Invalid request", FIELDS, envelope="business", request_id="req-7", code="bad"
    )

    error = _error(400, body)

    assert type(error) is BadRequestError
    assert error.message == "Invalid request"
    assert error.errors == FIELDS
    assert error.field_errors == (
        FieldError("temperature", "must be between 0 and 2"),
        FieldError("messages", "is required"),
    )
    assert [item.raw for item in error.field_errors] == FIELDS
    assert error.code == "bad"
    assert error.request_id == "req-7"
    assert error.metadata == {"errors": FIELDS}
    assert str(error) == (
        "Error code: 400 - Invalid request - errors: temperature: must be between 0 and 2; "
        "messages: is required (request_id=req-7)"
    )


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"field": "max_tokens", "message": "must be >= 1"}, "max_tokens", "must be >= 1"),
        ({"loc": ["messages", 0, "content"], "msg": "required"}, "messages.0.content", "required"),
        ({"param": "tools", "error": "too many"}, "tools", "too many"),
        ({"path": "model", "detail": "unknown"}, "model", "unknown"),
        ({"field": "top_k"}, "top_k", "invalid"),
        ({"code": "E12", "value": 3}, None, '{"code": "E12", "value": 3}'),
        (42, None, "42"),
        ("messages[0].content: is required", "messages[0].content", "is required"),
        ("model is unknown", None, "model is unknown"),
        ("Key: 'Request.Model' Error: required", None, "Key: 'Request.Model' Error: required"),
    ],
)
def test_each_shape_of_a_field_list_entry_is_read(
    entry: Any, field: str | None, message: str
) -> None:
    error = _error(400, error_body(400, "Invalid request", [entry], envelope="business"))

    (read,) = error.field_errors
    assert (read.field, read.message, read.raw) == (field, message, entry)
    assert message in str(error)


def test_a_long_field_list_is_bounded_in_the_message_and_on_the_error() -> None:
    entries = [{"field": f"f{i}", "message": "y" * 700} for i in range(1000)]

    error = _error(400, error_body(400, "Invalid request", entries, envelope="business"))

    assert len(error.errors) == 1000  # as sent
    assert len(error.field_errors) == _error_envelopes.MAX_FIELD_ERRORS
    assert all(item.message.endswith("(200 more characters)") for item in error.field_errors)
    assert len(str(error)) < 800
    assert str(error).endswith("more")


def test_a_field_list_that_is_not_a_list_is_no_field_list() -> None:
    body = {"message": "Invalid request", "code": 400, "metadata": {"errors": "max_tokens"}}

    error = _error(400, body)

    assert (error.errors, error.field_errors) == ([], ())
    assert error.metadata == {"errors": "max_tokens"}


def test_a_business_error_naming_a_context_overflow_is_one() -> None:
    body = error_body(
        400, "Invalid request", ["prompt is too long: 210000 tokens"], envelope="business"
    )

    assert isinstance(_error(400, body), ContextWindowExceededError)


# --------------------------------------------------------------------- auth envelope


def test_the_auth_layer_s_401_is_read_as_before() -> None:
    body = error_body(401, "Invalid API key", envelope="auth", request_id="req-auth")

    error = _error(401, body)

    assert type(error) is AuthenticationError
    assert error.message.startswith("Invalid API key (")  # then the hint
    assert error.request_id == "req-auth"
    assert error.code == 401
    assert (error.errors, error.field_errors) == ([], ())


# --------------------------------------------------------------------- spec envelope


def test_the_spec_envelope_keeps_its_field_list_too() -> None:
    fields = [{"field": "max_tokens", "message": "must be >= 1"}]

    error = _error(400, error_body(400, "Invalid request", fields) | {"request_id": "r"})

    assert error.field_errors == (FieldError("max_tokens", "must be >= 1"),)
    assert error.code == 400
    assert "max_tokens: must be >= 1" in str(error)


def test_the_body_s_request_id_wins_over_the_header_s_in_every_envelope() -> None:
    for envelope in ("spec", "business", "auth"):
        body = error_body(500, "boom", envelope=envelope, request_id="in-body")
        assert _error(500, body, **{"x-request-id": "in-header"}).request_id == "in-body"


# -------------------------------------------------------------------- through a call


async def test_a_call_raises_the_field_list_and_never_the_key(
    make_client: MakeClient, complete: Complete, api_key: str
) -> None:
    body = error_body(400, "Invalid request", FIELDS, envelope="business", request_id="r1")
    transport = ScriptedTransport([httpx.Response(400, json=body)])

    with pytest.raises(BadRequestError) as info:
        await complete(make_client(transport), REQUEST)

    error = info.value
    assert [str(item) for item in error.field_errors] == FIELDS
    assert FIELDS[0] in str(error)
    texts = [str(error), repr(error), repr(vars(error)), repr(pickle.dumps(error))]
    assert all(api_key not in text for text in texts)


async def test_a_2xx_carrying_a_business_error_is_that_status_s_error(
    make_client: MakeClient, complete: Complete
) -> None:
    body = error_body(429, "slow down", envelope="business", request_id="r2")
    transport = ScriptedTransport([httpx.Response(200, json=body)])

    with pytest.raises(RateLimitError) as info:
        await complete(make_client(transport, max_retries=0), REQUEST)

    assert info.value.request_id == "r2"


async def test_a_2xx_with_an_error_message_but_no_status_is_not_a_completion(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([httpx.Response(200, json={"message": "odd", "code": "x"})])

    with pytest.raises(ResponseValidationError, match="error object: odd"):
        await complete(make_client(transport), REQUEST)


# --------------------------------------------------------------------------- pickling


def test_the_field_list_and_code_pickle_with_the_error() -> None:
    # Every class pickles whole (test_errors_pickle); here, the envelope's new attributes.
    body = error_body(400, "Invalid request", FIELDS, envelope="business", code="bad")
    error = _error(400, body)

    again = pickle.loads(pickle.dumps(error))

    assert type(again) is BadRequestError
    assert (again.field_errors, again.code, again.errors) == (error.field_errors, "bad", FIELDS)
    assert [item.raw for item in again.field_errors] == FIELDS
    assert str(again) == str(error)


def test_the_examples_run() -> None:
    result = doctest.testmod(_error_envelopes)
    assert (result.failed, result.attempted > 0) == (0, True)
