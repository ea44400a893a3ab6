"""The retry policy, unit by unit and through the sync and async client."""

from __future__ import annotations

import doctest
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest

from assemblyai_gateway._transport import retries
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway._transport.retries import (
    INITIAL_BACKOFF,
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    acall_with_retries,
    backoff_seconds,
    call_with_retries,
    is_retryable,
    retry_after_seconds,
    retry_delay,
    retry_may_succeed,
)
from assemblyai_gateway._wire.types import ChatCompletion
from assemblyai_gateway.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ContextWindowExceededError,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
)
from assemblyai_gateway.testing import ScriptedTransport, completion_body, error_body

MakeClient = Callable[..., GatewayClient]
Complete = Callable[[GatewayClient, Mapping[str, Any]], Awaitable[ChatCompletion]]

REQUEST = {"model": "claude-sonnet-4-5-20250929", "messages": [{"role": "user", "content": "Hi"}]}
JITTER = 0.25


def _status(status: int, message: str = "try later", **headers: str) -> httpx.Response:
    return httpx.Response(status, json=error_body(status, message), headers=headers)


def _in_backoff_band(wait: float, attempt: int) -> bool:
    # 0.5 s doubles to the 8 s cap at the fifth retry.
    base = MAX_BACKOFF if attempt >= 5 else INITIAL_BACKOFF * 2.0 ** (attempt - 1)
    return base <= wait <= base + JITTER


# ----------------------------------------------------------------- pure decisions


@pytest.mark.parametrize("status", [408, 409, 429, 500, 501, 502, 503, 504, 529])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable(APIStatusError("x", status_code=status)) is True


@pytest.mark.parametrize("status", [400, 401, 403, 404, 418, 422])
def test_client_errors_are_not_retryable(status: int) -> None:
    assert is_retryable(APIStatusError("x", status_code=status)) is False


def test_connection_and_timeout_errors_are_retryable() -> None:
    assert is_retryable(APIConnectionError("down")) is True
    assert is_retryable(APITimeoutError("slow")) is True


@pytest.mark.parametrize(
    "error",
    [
        StreamError("broke mid-stream"),
        ResponseValidationError("not a completion"),
        ConfigurationError("bad config"),
        ValueError("plain"),
        httpx.ConnectError("raw httpx errors are mapped before the policy sees them"),
    ],
)
def test_other_errors_are_not_retryable(error: BaseException) -> None:
    assert is_retryable(error) is False


@pytest.mark.parametrize("status", [400, 413, 500, 503])
def test_a_context_overflow_is_never_retried_whatever_its_status(status: int) -> None:
    overflow = ContextWindowExceededError("prompt is too long", status_code=status)
    assert is_retryable(overflow) is False
    assert retry_may_succeed(overflow) is False


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RateLimitError("x", status_code=429), True),
        (InternalServerError("x", status_code=503), True),
        (ConflictError("x", status_code=409), True),
        (APITimeoutError("slow"), True),
        (StreamError("the stream broke after 3 chunk(s)"), True),
        (StreamError("error event", status_code=503), True),
        (StreamError("error event", status_code=400), False),
        (AuthenticationError("x", status_code=401), False),
        (BadRequestError("x", status_code=400), False),
        (ResponseValidationError("not a completion"), False),
        (ConfigurationError("bad config"), False),
    ],
)
def test_whether_a_new_call_may_succeed(error: BaseException, expected: bool) -> None:
    # What frameworks read (LangChain's ModelError.is_retryable): the loop's rule, plus
    # streams, which the loop never retries once they yielded but a new call may.
    assert retry_may_succeed(error) is expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": " 1.5 "}, 1.5),
        ({"retry-after": "60"}, 60.0),
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After-Ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "4"}, 4.0),
    ],
)
def test_retry_after_values_are_read(headers: dict[str, str], expected: float) -> None:
    assert retry_after_seconds(headers) == pytest.approx(expected)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"retry-after": "61"},
        {"retry-after": "3600"},
        {"retry-after-ms": "60001"},
        {"retry-after": "-1"},
        {"retry-after-ms": "-250"},
        {"retry-after": "soon"},
        {"retry-after": ""},
        {"retry-after": "nan"},
        {"retry-after": "inf"},
        {"retry-after-ms": "garbage"},
    ],
)
def test_absent_out_of_range_or_garbage_retry_after_is_ignored(headers: dict[str, str]) -> None:
    assert retry_after_seconds(headers) is None


def test_retry_after_http_date_is_relative_to_now() -> None:
    now = 1_767_225_600.0  # 2026-01-01T00:00:00Z
    in_ten = email.utils.formatdate(now + 10, usegmt=True)
    past = email.utils.formatdate(now - 10, usegmt=True)
    far = email.utils.formatdate(now + MAX_RETRY_AFTER + 30, usegmt=True)

    assert retry_after_seconds({"retry-after": in_ten}, now=now) == pytest.approx(10.0)
    assert retry_after_seconds({"retry-after": past}, now=now) is None
    assert retry_after_seconds({"retry-after": far}, now=now) is None


@pytest.mark.parametrize("retry", [1, 2, 3, 4, 5, 6, 60, 10_000])
def test_the_backoff_doubles_from_half_a_second_to_eight_with_bounded_jitter(retry: int) -> None:
    assert _in_backoff_band(backoff_seconds(retry), retry)


def test_the_decision_is_none_for_a_final_error_and_a_wait_otherwise() -> None:
    limited = RateLimitError("slow", status_code=429, headers={"retry-after": "2"})
    unusable = RateLimitError("slow", status_code=429, headers={"retry-after": "3600"})

    assert retry_delay(AuthenticationError("no", status_code=401), 1) is None
    assert retry_delay(ContextWindowExceededError("too long", status_code=400), 1) is None
    assert retry_delay(limited, 3) == 2.0
    assert _in_backoff_band(retry_delay(unusable, 3) or 0.0, 3)
    assert _in_backoff_band(retry_delay(APIConnectionError("down"), 2) or 0.0, 2)


def test_the_policy_is_exactly_max_retries_plus_one_attempts(retry_waits: list[float]) -> None:
    calls: list[int] = []

    def always_unavailable() -> None:
        calls.append(1)
        raise InternalServerError("down", status_code=503)

    with pytest.raises(InternalServerError):
        call_with_retries(always_unavailable, 3)

    assert len(calls) == 4
    assert len(retry_waits) == 3


def test_the_policy_reraises_non_retryable_errors_at_once(retry_waits: list[float]) -> None:
    calls: list[int] = []

    def unauthorised() -> None:
        calls.append(1)
        raise AuthenticationError("no", status_code=401)

    with pytest.raises(AuthenticationError):
        call_with_retries(unauthorised, 5)

    assert len(calls) == 1
    assert retry_waits == []


# ----------------------------------------------------------- through the client


async def test_429_then_success_is_retried_once(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([_status(429, "slow down"), completion_body("ok")])
    client = make_client(transport)

    completion = await complete(client, REQUEST)

    assert completion.choices[0].message.content == "ok"
    assert len(transport.requests) == 2
    assert len(retry_waits) == 1
    assert transport.open_responses == 0


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 409])
async def test_retryable_status_then_success(
    make_client: MakeClient, complete: Complete, retry_waits: list[float], status: int
) -> None:
    transport = ScriptedTransport([_status(status), completion_body("recovered")])
    client = make_client(transport)

    completion = await complete(client, REQUEST)

    assert completion.choices[0].message.content == "recovered"
    assert len(transport.requests) == 2
    assert len(retry_waits) == 1
    assert transport.open_responses == 0


async def test_an_overflow_relayed_as_a_5xx_is_sent_once(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([_status(503, "prompt is too long: 250000 tokens > 200000")])
    client = make_client(transport)

    with pytest.raises(ContextWindowExceededError):
        await complete(client, REQUEST)

    assert len(transport.requests) == 1
    assert retry_waits == []


async def test_exhausted_retries_raise_the_last_error(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport(
        [_status(500, "first"), _status(502, "second"), _status(503, "third")]
    )
    client = make_client(transport, max_retries=2)

    with pytest.raises(InternalServerError) as info:
        await complete(client, REQUEST)

    assert info.value.status_code == 503
    assert info.value.message == "third"
    assert len(transport.requests) == 3
    assert len(retry_waits) == 2
    assert transport.open_responses == 0


async def test_exhausted_429_raises_rate_limit_error(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([_status(429, "rate limited", **{"retry-after": "1"})])
    client = make_client(transport, max_retries=1)

    with pytest.raises(RateLimitError) as info:
        await complete(client, REQUEST)

    assert info.value.status_code == 429
    assert "rate limited" in str(info.value)
    assert len(transport.requests) == 2


async def test_max_retries_zero_means_exactly_one_attempt(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([_status(503), completion_body()])
    client = make_client(transport, max_retries=0)

    with pytest.raises(InternalServerError):
        await complete(client, REQUEST)

    assert len(transport.requests) == 1
    assert retry_waits == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_errors_are_not_retried(
    make_client: MakeClient, complete: Complete, retry_waits: list[float], status: int
) -> None:
    transport = ScriptedTransport([_status(status, "no"), completion_body()])
    client = make_client(transport, max_retries=5)

    with pytest.raises(APIStatusError) as info:
        await complete(client, REQUEST)

    assert info.value.status_code == status
    assert len(transport.requests) == 1
    assert retry_waits == []
    assert transport.open_responses == 0


async def test_a_bad_2xx_body_is_not_retried(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([{"not": "a completion"}, completion_body()])
    client = make_client(transport)

    with pytest.raises(ResponseValidationError):
        await complete(client, REQUEST)

    assert len(transport.requests) == 1
    assert retry_waits == []


async def test_connection_error_then_success(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([httpx.ConnectError("connection refused"), completion_body("up")])
    client = make_client(transport)

    completion = await complete(client, REQUEST)

    assert completion.choices[0].message.content == "up"
    assert len(transport.requests) == 2
    assert len(retry_waits) == 1
    assert _in_backoff_band(retry_waits[0], 1)


async def test_exhausted_connection_errors_raise_api_connection_error(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([httpx.ConnectError("connection refused")])
    client = make_client(transport, max_retries=1)

    with pytest.raises(APIConnectionError) as info:
        await complete(client, REQUEST)

    assert not isinstance(info.value, APITimeoutError)
    assert "ConnectError" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert len(transport.requests) == 2


async def test_timeout_is_an_api_timeout_error_and_is_retried(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([httpx.ReadTimeout("read timed out"), completion_body("late")])
    client = make_client(transport)

    completion = await complete(client, REQUEST)

    assert completion.choices[0].message.content == "late"
    assert len(transport.requests) == 2
    assert len(retry_waits) == 1


async def test_exhausted_timeouts_raise_api_timeout_error(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([httpx.ReadTimeout("read timed out")])
    client = make_client(transport, max_retries=2)

    with pytest.raises(APITimeoutError) as info:
        await complete(client, REQUEST)

    assert isinstance(info.value, APIConnectionError)
    assert "timed out" in str(info.value)
    assert len(transport.requests) == 3


# ----------------------------------------------------------------------- waits


async def test_retry_after_seconds_header_is_honoured(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([_status(429, **{"retry-after": "2"}), completion_body()])

    await complete(make_client(transport), REQUEST)

    assert retry_waits == [2.0]


async def test_retry_after_ms_header_is_honoured(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([_status(503, **{"retry-after-ms": "250"}), completion_body()])

    await complete(make_client(transport), REQUEST)

    assert retry_waits == [0.25]


async def test_retry_after_http_date_is_honoured(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    transport = ScriptedTransport([_status(429, **{"retry-after": when}), completion_body()])

    await complete(make_client(transport), REQUEST)

    assert len(retry_waits) == 1
    # The date has one-second resolution and the clock moves on: about 29-30 s.
    assert 20.0 < retry_waits[0] <= 30.0


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "120"},
        {"retry-after-ms": "90000"},
        {"retry-after": "-3"},
        {"retry-after": "whenever"},
    ],
)
async def test_unusable_retry_after_falls_back_to_backoff(
    make_client: MakeClient, complete: Complete, retry_waits: list[float], headers: dict[str, str]
) -> None:
    transport = ScriptedTransport([_status(429, **headers), completion_body()])

    await complete(make_client(transport), REQUEST)

    assert len(retry_waits) == 1
    assert _in_backoff_band(retry_waits[0], 1)
    assert retry_waits[0] <= MAX_BACKOFF + JITTER


async def test_a_capped_retry_after_never_waits_longer_than_the_backoff_cap(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([_status(429, **{"retry-after": "3600"})])
    client = make_client(transport, max_retries=7)

    with pytest.raises(RateLimitError):
        await complete(client, REQUEST)

    assert len(retry_waits) == 7
    assert all(wait <= MAX_BACKOFF + JITTER for wait in retry_waits)


async def test_backoff_grows_exponentially_to_the_cap_with_bounded_jitter(
    make_client: MakeClient, complete: Complete, retry_waits: list[float]
) -> None:
    transport = ScriptedTransport([_status(500)])
    client = make_client(transport, max_retries=7)

    with pytest.raises(InternalServerError):
        await complete(client, REQUEST)

    bases = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(retry_waits) == len(bases)
    for wait, base in zip(retry_waits, bases, strict=True):
        assert base <= wait <= base + JITTER
    assert len(transport.requests) == 8
    assert transport.open_responses == 0


async def test_conflict_is_retried_then_surfaces_as_conflict_error(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([_status(409, "busy")])
    client = make_client(transport, max_retries=1)

    with pytest.raises(ConflictError):
        await complete(client, REQUEST)

    assert len(transport.requests) == 2


async def test_each_retry_is_logged_with_the_error_and_the_wait(
    make_client: MakeClient,
    complete: Complete,
    retry_waits: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = ScriptedTransport([_status(429, **{"retry-after": "2"}), completion_body()])
    caplog.set_level(logging.INFO, logger="assemblyai_gateway")

    await complete(make_client(transport), REQUEST)

    messages = [r.getMessage() for r in caplog.records if r.name == "assemblyai_gateway"]
    retry_lines = [m for m in messages if m.startswith("retrying")]
    assert len(retry_lines) == 1
    assert "RateLimitError" in retry_lines[0]
    assert "2.00s" in retry_lines[0]


def test_sleeps_are_looked_up_per_call_so_tests_can_patch_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[float] = []
    monkeypatch.setattr(retries, "_sleep", seen.append)
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise APIConnectionError("down")
        return "done"

    assert call_with_retries(flaky, 2) == "done"
    assert len(seen) == 2


def test_bad_request_is_never_retried_by_the_policy(retry_waits: list[float]) -> None:
    attempts: list[int] = []

    def invalid() -> None:
        attempts.append(1)
        raise BadRequestError("bad", status_code=400)

    with pytest.raises(BadRequestError):
        call_with_retries(invalid, 3)

    assert attempts == [1]


async def test_the_async_loop_makes_the_same_attempts_and_waits(retry_waits: list[float]) -> None:
    calls: list[int] = []

    async def always_unavailable() -> None:
        calls.append(1)
        raise InternalServerError("down", status_code=503)

    with pytest.raises(InternalServerError):
        await acall_with_retries(always_unavailable, 3)

    assert len(calls) == 4
    assert [_in_backoff_band(wait, n) for n, wait in enumerate(retry_waits, 1)] == [True] * 3


def test_the_last_error_is_raised_alone_without_the_earlier_ones_chained(
    retry_waits: list[float],
) -> None:
    failures = iter([APIConnectionError("first"), APIConnectionError("second")])

    def failing() -> None:
        raise next(failures)

    with pytest.raises(APIConnectionError, match="second") as info:
        call_with_retries(failing, 1)

    assert info.value.__context__ is None
    assert len(retry_waits) == 1


def test_the_policys_examples_run() -> None:
    assert doctest.testmod(retries).failed == 0
