"""The error tree and the mapping from non-2xx responses to typed errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assemblyai_gateway.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ContextWindowExceededError,
    GatewayError,
    InternalServerError,
    MissingAPIKeyError,
    ModelNotAvailableInRegionError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
    UnprocessableEntityError,
    UnsupportedContentError,
    status_error_from_response,
)
from assemblyai_gateway.testing import error_body


def _response(
    status: int, body: Any = None, *, text: str | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
    ],
)
def test_each_status_maps_to_its_error_class(status: int, cls: type[APIStatusError]) -> None:
    error = status_error_from_response(_response(status, error_body(status, "gateway says no")))

    assert type(error) is cls
    assert isinstance(error, APIStatusError)
    assert isinstance(error, APIError)
    assert isinstance(error, GatewayError)
    assert error.status_code == status
    assert error.message.startswith("gateway says no")
    assert str(error).startswith(f"Error code: {status} - gateway says no")


@pytest.mark.parametrize("status", [402, 405, 418, 451])
def test_an_unknown_4xx_is_a_plain_api_status_error(status: int) -> None:
    error = status_error_from_response(_response(status, error_body(status, "odd")))

    assert type(error) is APIStatusError
    assert error.status_code == status
    assert error.message == "odd"


def test_an_unlisted_5xx_is_an_internal_server_error() -> None:
    error = status_error_from_response(_response(529, error_body(529, "overloaded")))

    assert type(error) is InternalServerError
    assert error.status_code == 529


def test_bad_request_lists_the_failing_fields_on_the_error_and_in_str() -> None:
    fields = [
        {"field": "max_tokens", "message": "must be >= 1"},
        {"field": "messages", "message": "required"},
    ]
    error = status_error_from_response(_response(400, error_body(400, "Invalid request", fields)))

    assert isinstance(error, BadRequestError)
    assert error.errors == fields
    assert error.metadata == {"errors": fields}
    assert "max_tokens" in str(error)
    assert "messages" in str(error)
    assert "Invalid request" in str(error)


def test_the_decoded_body_is_kept() -> None:
    body = error_body(500, "boom") | {"request_id": "req-9"}
    error = status_error_from_response(_response(500, body))

    assert error.body == body


@pytest.mark.parametrize(
    ("status", "hint_word"),
    [(401, "ASSEMBLYAI_API_KEY"), (403, "region"), (404, "/v1"), (429, "max_retries")],
)
def test_actionable_hints_follow_the_gateway_message(status: int, hint_word: str) -> None:
    error = status_error_from_response(_response(status, error_body(status, "nope")))

    assert error.message.startswith("nope (")
    assert hint_word in error.message


def test_the_auth_hint_mentions_the_raw_key_without_bearer() -> None:
    error = status_error_from_response(_response(401, error_body(401, "Invalid API key")))

    assert "no 'Bearer'" in str(error)


def test_request_id_is_read_from_the_body() -> None:
    body = error_body(500, "boom") | {"request_id": "req-body"}
    error = status_error_from_response(_response(500, body, headers={"x-request-id": "req-hdr"}))

    assert error.request_id == "req-body"
    assert str(error).endswith("(request_id=req-body)")


@pytest.mark.parametrize("header", ["x-request-id", "request-id", "X-Request-ID"])
def test_request_id_is_read_from_the_headers(header: str) -> None:
    error = status_error_from_response(
        _response(503, error_body(503, "down"), headers={header: "req-hdr"})
    )

    assert error.request_id == "req-hdr"


def test_request_id_is_none_when_absent() -> None:
    error = status_error_from_response(_response(500, error_body(500, "boom")))

    assert error.request_id is None
    assert "request_id" not in str(error)


def test_response_headers_are_kept() -> None:
    error = status_error_from_response(
        _response(429, error_body(429, "slow"), headers={"retry-after": "3"})
    )

    assert error.headers["retry-after"] == "3"


def test_plain_text_error_body_becomes_the_message() -> None:
    error = status_error_from_response(_response(502, text="  Bad gateway from the proxy \n"))

    assert isinstance(error, InternalServerError)
    assert error.message == "Bad gateway from the proxy"
    assert error.body == "  Bad gateway from the proxy \n"


def test_long_html_error_body_is_truncated() -> None:
    html = "<html>" + "x" * 5000 + "</html>"
    error = status_error_from_response(_response(503, text=html))

    assert isinstance(error.body, str)
    assert len(error.body) == 500
    assert error.message.startswith("<html>xxx")


def test_empty_error_body_falls_back_to_the_reason_phrase() -> None:
    error = status_error_from_response(httpx.Response(503, content=b""))

    assert error.message == "Service Unavailable"
    assert error.body == ""


def test_unknown_status_without_body_or_reason_phrase_names_the_status() -> None:
    error = status_error_from_response(httpx.Response(599, content=b""))

    assert error.message == "HTTP 599"


def test_json_that_is_not_an_object_falls_back_to_the_reason_phrase() -> None:
    error = status_error_from_response(_response(500, [1, 2, 3]))

    assert error.message == "Internal Server Error"
    assert error.body == [1, 2, 3]


def test_invalid_utf8_error_body_does_not_raise() -> None:
    error = status_error_from_response(httpx.Response(500, content=b"\xff\xfe not utf-8"))

    assert isinstance(error, InternalServerError)
    assert "not utf-8" in error.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": {"message": "openai style", "type": "invalid_request_error"}}, "openai style"),
        ({"error": "a bare string"}, "a bare string"),
        ({"message": "top-level message"}, "top-level message"),
        ({"error": {"code": 500}, "message": "fallback message"}, "fallback message"),
    ],
)
def test_other_error_body_shapes_give_their_message(body: dict[str, Any], message: str) -> None:
    error = status_error_from_response(_response(500, body))

    assert error.message == message


def test_non_list_metadata_errors_are_ignored() -> None:
    body = {"error": {"code": 400, "message": "bad", "metadata": {"errors": "max_tokens"}}}
    error = status_error_from_response(_response(400, body))

    assert error.errors == []
    assert error.metadata == {"errors": "max_tokens"}


def test_long_error_lists_are_truncated_in_str() -> None:
    fields = [{"field": f"f{i}", "message": "x" * 50} for i in range(100)]
    error = status_error_from_response(_response(400, error_body(400, "bad", fields)))

    assert len(error.errors) == 100
    assert len(str(error)) < 700
    assert str(error).startswith(f"Error code: 400 - bad - errors: f0: {'x' * 50}; f1: ")
    assert str(error).endswith(" more")


# ------------------------------------------------------------------------ the tree


def test_configuration_errors_are_value_errors() -> None:
    for cls in (ConfigurationError, MissingAPIKeyError, ModelNotAvailableInRegionError):
        assert issubclass(cls, ValueError)
        assert issubclass(cls, GatewayError)
    assert issubclass(MissingAPIKeyError, ConfigurationError)
    assert issubclass(ModelNotAvailableInRegionError, ConfigurationError)
    assert issubclass(UnsupportedContentError, ValueError)


def test_timeouts_are_connection_errors() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert not issubclass(APIConnectionError, APIStatusError)


def test_api_error_str_adds_the_request_id() -> None:
    assert str(APIError("broke", request_id="r-1")) == "broke (request_id=r-1)"
    assert str(APIError("broke")) == "broke"
    assert APIError("broke").message == "broke"


def test_stream_error_keeps_status_and_body() -> None:
    error = StreamError("mid-stream", status_code=503, body={"error": {}}, request_id="r-2")

    assert isinstance(error, APIError)
    assert (error.status_code, error.body, error.request_id) == (503, {"error": {}}, "r-2")
    assert str(error) == "mid-stream (request_id=r-2)"


def test_response_validation_error_keeps_the_body() -> None:
    error = ResponseValidationError("not a completion", body="<html>")

    assert isinstance(error, APIError)
    assert error.body == "<html>"


# --- one rule for "the prompt does not fit the model's context window"

# What each provider says, as the gateway relays it (with the status it may come back with).
OVERFLOWS = {
    "claude": (400, error_body(400, "prompt is too long: 212345 tokens > 200000 maximum")),
    "claude, max_tokens": (
        400,
        error_body(
            400, "input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000"
        ),
    ),
    "gpt": (
        400,
        error_body(
            400,
            "This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 130000 tokens. Please reduce the length of the messages.",
        ),
    ),
    "gpt, error code only": (
        400,
        {
            "error": {
                "message": "Invalid request",
                "type": "invalid_request_error",
                "code": "context_length_exceeded",
            }
        },
    ),
    "gpt, responses": (
        400,
        error_body(400, "Your input exceeds the context window of this model."),
    ),
    "gpt-5": (400, error_body(400, "Input tokens exceed the configured limit of 272000 tokens.")),
    "gemini": (
        400,
        error_body(
            400,
            "The input token count (1200000) exceeds the maximum number of tokens allowed "
            "(1048576).",
        ),
    ),
    "relayed as a 500": (500, error_body(500, "upstream error: prompt is too long")),
    "provider error in metadata": (
        400,
        {
            "error": {
                "code": 400,
                "message": "Provider returned error",
                "metadata": {"raw": "ContextWindowExceededError: too many tokens"},
            }
        },
    ),
    "413": (413, {"error": {"code": 413, "message": "Request Entity Too Large"}}),
}


@pytest.mark.parametrize(("status", "body"), OVERFLOWS.values(), ids=OVERFLOWS.keys())
def test_every_provider_s_context_overflow_is_one_error(status: int, body: Any) -> None:
    error = status_error_from_response(_response(status, body))

    assert type(error) is ContextWindowExceededError
    assert isinstance(error, BadRequestError)  # an overflow is a bad request, whatever status
    assert error.status_code == status


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "max_tokens: must be at most 64000"),
        (401, "prompt is too long"),
        (429, "Request too large for gpt-4 in tokens per min (TPM): Limit 10000"),
        (500, "internal error"),
    ],
)
def test_other_errors_are_not_overflows(status: int, message: str) -> None:
    error = status_error_from_response(_response(status, error_body(status, message)))

    assert not isinstance(error, ContextWindowExceededError)
