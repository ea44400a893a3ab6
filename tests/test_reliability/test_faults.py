"""Every fault of the emulator's fault script, for both adapters, sync and async, invoke
and stream (gpt-5 over SSE and pseudo-streamed Claude).

Each test runs once per adapter (``adapter``) and per way of calling (``call``:
invoke/ainvoke with Claude, stream/astream with gpt-5 and with Claude). Retry waits
are recorded by ``retry_waits`` instead of slept; only the emulator's own ``delay``
faults take wall-clock time. Every test ends with ``adapter.assert_no_leaks()``: no
response left open, and no socket to the emulator once the pools are closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from assemblyai_gateway import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
)
from assemblyai_gateway.emulator import Fault, GatewayEmulator
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from tests.support.reliability import HELD, core_class

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, CallSpec, Kit

BROKEN_ARGUMENTS = '{"city": "Paris"'  # what Fault.invalid_tool_arguments() leaves


def _statuses(emulator: GatewayEmulator) -> list[int | None]:
    return [record.status for record in emulator.requests]


def _is_backoff(wait: float, attempt: int) -> bool:
    """The jittered exponential backoff: 0.5 s * 2**(attempt-1), plus up to 0.25 s."""
    base = 0.5 * 2.0 ** (attempt - 1)
    return base <= wait <= base + 0.25


# ------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Recovery:
    """Faults the client retries through, ending in the emulator's answer.

    ``waits`` is the exact list of waits asked for, or how many jittered backoff waits
    (attempt 1, 2, ...) there must be.
    """

    id: str
    faults: tuple[tuple[Fault, int], ...]
    max_retries: int
    statuses: tuple[int | None, ...]
    waits: tuple[float, ...] | int


def _once(fault: Fault) -> tuple[tuple[Fault, int], ...]:
    return ((fault, 1),)


RECOVERIES = [
    Recovery(
        "429-retry-after-seconds", _once(Fault.rate_limit(retry_after=2)), 2, (429, 200), (2.0,)
    ),
    Recovery(
        "429-retry-after-ms", _once(Fault.rate_limit(retry_after_ms=250)), 2, (429, 200), (0.25,)
    ),
    Recovery("429-retry-after-zero", _once(Fault.rate_limit(retry_after=0)), 2, (429, 200), (0.0,)),
    Recovery(
        "429-retry-after-max", _once(Fault.rate_limit(retry_after=60)), 2, (429, 200), (60.0,)
    ),
    # A Retry-After beyond 60 s is not honoured: the backoff applies instead.
    Recovery(
        "429-retry-after-beyond-60s", _once(Fault.rate_limit(retry_after=3600)), 1, (429, 200), 1
    ),
    *(
        Recovery(
            f"{status}-then-success",
            _once(Fault.status(status, "upstream trouble")),
            1,
            (status, 200),
            1,
        )
        for status in (500, 502, 503, 504)
    ),
    Recovery(
        "backoff-grows", ((Fault.status(503, "overloaded"), 4),), 4, (503, 503, 503, 503, 200), 4
    ),
    # None: the emulator hung up without a byte.
    Recovery("dropped-connection", _once(Fault.drop_connection()), 1, (None, 200), 1),
]

# Faults only a non-streamed call recovers from.
PLAIN_RECOVERIES = [
    # Content-Length announced, half the body sent, then the socket closes.
    Recovery("half-sent-body", _once(Fault.truncate_stream()), 1, (200, 200), 1),
    Recovery("sse-error-fault-as-a-status", _once(Fault.sse_error(code=502)), 1, (502, 200), 1),
]


def _rate_limit_details(error: Any, emulator: GatewayEmulator) -> None:
    assert error.message.startswith("quota exhausted (3/3)")
    assert "raise max_retries" in error.message  # the hint a user can act on
    assert error.request_id == "req-429-3"
    assert str(error).startswith("Error code: 429 - quota exhausted (3/3)")
    assert str(error).endswith("(request_id=req-429-3)")
    assert error.headers["retry-after-ms"] == "10"


def _last_5xx_details(error: Any, emulator: GatewayEmulator) -> None:
    assert error.message == "upstream failed with 503"
    # The emulator's plain status faults carry no request id (header or body).
    assert error.request_id is None
    assert error.body == {
        "error": {"code": 503, "message": "upstream failed with 503", "metadata": {}}
    }
    assert str(error) == "Error code: 503 - upstream failed with 503"


def _invalid_field_details(error: Any, emulator: GatewayEmulator) -> None:
    assert [item["field"] for item in error.errors] == ["max_tokens"]
    assert error.metadata["errors"] == error.errors


def _key_rejected(error: Any, emulator: GatewayEmulator) -> None:
    assert REVOKED_KEY not in str(error)
    assert [(r.auth_present, r.auth_valid) for r in emulator.requests] == [(True, False)]


def _later_faults_unused(error: Any, emulator: GatewayEmulator) -> None:
    assert emulator.pending_faults == 2


def _wrong_path(error: Any, emulator: GatewayEmulator) -> None:
    assert [r.path for r in emulator.requests] == ["/chat/completions"]


@dataclass(frozen=True)
class Failure:
    """A call that ends in a typed error: after retries ran out, or never retried."""

    id: str
    faults: tuple[tuple[Fault, int], ...]
    max_retries: int
    error: type[Exception]
    status_code: int | None
    says: tuple[str, ...]
    statuses: tuple[int | None, ...]
    waits: tuple[float, ...] | int
    settings: Callable[[GatewayEmulator], dict[str, Any]] = lambda _emulator: {}
    exact_type: bool = False
    details: Callable[[Any, GatewayEmulator], None] | None = None


REVOKED_KEY = "sk-aai-REVOKED-000000"

FAILURES = [
    Failure(
        "dropped-connection-without-retries",
        _once(Fault.drop_connection()),
        0,
        APIConnectionError,
        None,
        ("could not reach the gateway",),
        (None,),
        (),
        exact_type=True,
    ),
    # ------------------------------------------------------------ retries exhausted
    Failure(
        "429-until-retries-run-out",
        tuple(
            (
                Fault.status(
                    429,
                    f"quota exhausted ({attempt}/3)",
                    headers={"retry-after-ms": "10", "x-request-id": f"req-429-{attempt}"},
                ),
                1,
            )
            for attempt in (1, 2, 3)
        ),
        2,
        RateLimitError,
        429,
        (),
        (429, 429, 429),
        (0.01, 0.01),
        details=_rate_limit_details,
    ),
    Failure(
        "5xx-until-retries-run-out",
        tuple(
            (Fault.status(status, f"upstream failed with {status}"), 1)
            for status in (500, 502, 503)
        ),
        2,
        InternalServerError,
        503,
        (),
        (500, 502, 503),
        2,
        details=_last_5xx_details,
    ),
    Failure(
        "dropped-connections-until-retries-run-out",
        ((Fault.drop_connection(), 3),),
        2,
        APIConnectionError,
        None,
        (),
        (None, None, None),
        2,
        exact_type=True,
    ),
    # ----------------------------------------------------------------- never retried
    Failure(
        "400-names-the-invalid-field",
        (),
        2,
        BadRequestError,
        400,
        ("max_tokens", "must be at most"),
        (400,),
        (),
        # Passes the client's own checks (>= 1) but exceeds every model's output limit.
        settings=lambda _emulator: {"max_tokens": 10_000_000},
        details=_invalid_field_details,
    ),
    Failure(
        "401-mentions-the-key",
        (),
        2,
        AuthenticationError,
        401,
        ("Invalid API key", "ASSEMBLYAI_API_KEY", "no 'Bearer'"),
        (401,),
        (),
        settings=lambda _emulator: {"api_key": REVOKED_KEY},
        details=_key_rejected,
    ),
    Failure(
        "403-mentions-the-key-and-the-model",
        ((Fault.status(403, "Forbidden"), 3),),
        2,
        PermissionDeniedError,
        403,
        ("this key may not use the requested model or region",),
        (403,),
        (),
        details=_later_faults_unused,
    ),
    Failure(
        "404-points-at-the-model-id-and-base-url",
        (),
        2,
        NotFoundError,
        404,
        ("check the model id and the base URL (it should end in /v1)",),
        (404,),
        (),
        # A base URL without /v1: the request reaches the emulator at the wrong path.
        settings=lambda emulator: {"base_url": emulator.base_url.removesuffix("/v1")},
        details=_wrong_path,
    ),
]


def _inject(emulator: GatewayEmulator, faults: tuple[tuple[Fault, int], ...]) -> None:
    for fault, times in faults:
        emulator.inject(fault, times=times)


def _assert_waits(waits: list[float], expected: tuple[float, ...] | int) -> None:
    if isinstance(expected, tuple):
        assert waits == list(expected)
    else:
        assert len(waits) == expected
        assert all(_is_backoff(wait, attempt) for attempt, wait in enumerate(waits, 1))


# ---------------------------------------------------------------- retried, then success


async def _recovers(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
    case: Recovery,
) -> None:
    llm = adapter.make(call.model, max_retries=case.max_retries)
    _inject(emulator, case.faults)

    reply = (await adapter.call(llm, call.way)).ok()

    assert reply.text == kit.ANSWER
    assert _statuses(emulator) == list(case.statuses)
    _assert_waits(retry_waits, case.waits)
    await adapter.assert_no_leaks()


@pytest.mark.parametrize("case", RECOVERIES, ids=[case.id for case in RECOVERIES])
async def test_a_retried_fault_ends_in_the_answer(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
    case: Recovery,
) -> None:
    await _recovers(adapter, call, emulator, retry_waits, kit, case)


@pytest.mark.parametrize("case", PLAIN_RECOVERIES, ids=[case.id for case in PLAIN_RECOVERIES])
async def test_a_non_streamed_call_retries_a_broken_answer(
    adapter: AdapterDriver,
    plain_call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
    case: Recovery,
) -> None:
    await _recovers(adapter, plain_call, emulator, retry_waits, kit, case)


# ------------------------------------------------------- retries exhausted, never retried


@pytest.mark.parametrize("case", FAILURES, ids=[case.id for case in FAILURES])
async def test_a_failing_call_raises_the_typed_error(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    case: Failure,
) -> None:
    llm = adapter.make(call.model, max_retries=case.max_retries, **case.settings(emulator))
    _inject(emulator, case.faults)

    error = (await adapter.call(llm, call.way)).failed()

    if case.exact_type:
        assert core_class(error) is case.error
    assert isinstance(error, case.error)
    if case.status_code is not None:
        assert getattr(error, "status_code", None) == case.status_code
    for words in case.says:
        assert words in str(error)
    assert _statuses(emulator) == list(case.statuses)
    _assert_waits(retry_waits, case.waits)
    if case.details is not None:
        case.details(error, emulator)
    await adapter.assert_no_leaks()


# ---------------------------------------------------------------------------- timeout


async def test_a_response_slower_than_the_timeout_raises_api_timeout_error(
    adapter: AdapterDriver,
    call: CallSpec,
    held_emulator: GatewayEmulator,
    retry_waits: list[float],
) -> None:
    # The answer is held until the emulator stops, after the test: the timeout is the
    # only way the call can end, however late either side runs.
    llm = adapter.make(call.model, max_retries=0, timeout=0.2, emulator=held_emulator)
    held_emulator.inject(Fault.delay(HELD))

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, APITimeoutError)
    assert "timed out" in str(error)
    # The request reached the emulator (it may read it after the client gave up).
    await asyncio.to_thread(held_emulator.wait_for_requests, 1)
    assert held_emulator.pending_faults == 0
    assert retry_waits == []
    await adapter.assert_no_leaks(held_emulator)


async def test_a_delay_within_the_timeout_just_succeeds(
    adapter: AdapterDriver,
    call: CallSpec,
    slow_emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    slow_emulator.reset()
    llm = adapter.make(call.model, max_retries=0, timeout=5.0, emulator=slow_emulator)
    slow_emulator.inject(Fault.delay(0.05))

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    assert retry_waits == []
    await adapter.assert_no_leaks(slow_emulator)


# -------------------------------------------------------------------- broken streams


async def test_a_truncated_sse_stream_raises_stream_error_after_the_delivered_chunks(
    adapter: AdapterDriver,
    sse_call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    llm = adapter.make(sse_call.model, max_retries=2)
    emulator.inject(Fault.truncate_stream(after_chunks=4))

    outcome = await adapter.call(llm, sse_call.way)

    error = outcome.failed()
    assert isinstance(error, StreamError)
    assert "stream" in str(error)
    assert error.request_id is not None  # read from the chunks that did arrive
    # Some text arrived first, and it is a true prefix of the answer: no silent success.
    assert outcome.delivered_text
    assert kit.ANSWER.startswith(outcome.delivered_text)
    assert outcome.delivered_text != kit.ANSWER
    # Nothing is retried once a chunk was delivered.
    assert len(emulator.requests) == 1
    assert retry_waits == []
    await adapter.assert_no_leaks()


@pytest.mark.parametrize("max_retries", [0, 2])
async def test_an_sse_stream_cut_right_after_its_headers_is_a_stream_error(
    adapter: AdapterDriver,
    sse_call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    max_retries: int,
) -> None:
    # 200 and SSE headers, then the connection closes. The core's policy (pinned by
    # tests/test_assemblyai_gateway/transport/test_client.py) is that a started 200 stream is
    # never resent, even before its first chunk.
    llm = adapter.make(sse_call.model, max_retries=max_retries)
    emulator.inject(Fault.truncate_stream(after_chunks=0))

    outcome = await adapter.call(llm, sse_call.way)

    assert isinstance(outcome.failed(), StreamError)
    assert outcome.delivered_text == ""
    assert len(emulator.requests) == 1
    assert retry_waits == []
    await adapter.assert_no_leaks()


async def test_an_sse_error_event_raises_stream_error(
    adapter: AdapterDriver,
    sse_call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    llm = adapter.make(sse_call.model, max_retries=2)
    emulator.inject(Fault.sse_error(after_chunks=3, message="upstream failed", code=502))

    outcome = await adapter.call(llm, sse_call.way)

    error = outcome.failed()
    assert isinstance(error, StreamError)
    assert "error event mid-stream: upstream failed" in str(error)
    assert error.status_code == 502
    assert error.request_id is not None
    assert outcome.delivered_text
    assert kit.ANSWER.startswith(outcome.delivered_text)
    assert len(emulator.requests) == 1
    assert retry_waits == []
    await adapter.assert_no_leaks()


# ------------------------------------------------------------------------ bad bodies


async def test_a_200_body_that_is_not_a_completion_raises_response_validation_error(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    llm = adapter.make(call.model, max_retries=2)
    emulator.inject(Fault.malformed_body())  # 200 {"unexpected": true}

    error = (await adapter.call(llm, call.way)).failed()

    if call.is_sse:
        # One `data: {"unexpected": true}` event, then [DONE]: a stream that never
        # carried a choice must not pass for an empty answer.
        assert isinstance(error, (ResponseValidationError, StreamError))
    else:
        assert isinstance(error, ResponseValidationError)
        assert "not a chat completion" in str(error)
        assert "choices" in str(error)  # names the missing field
        assert error.body == '{"unexpected": true}'
    assert len(emulator.requests) == 1
    assert retry_waits == []
    await adapter.assert_no_leaks()


async def test_a_200_body_that_is_not_json_raises_a_typed_error(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    llm = adapter.make(call.model, max_retries=2)
    emulator.inject(Fault.malformed_body(invalid_json=True))

    outcome = await adapter.call(llm, call.way)

    if call.is_sse:
        # A stream of which no event parses is sent again as one ordinary request and
        # replayed (the streaming rule, assemblyai_gateway._transport.stream_choice): no retry.
        assert outcome.ok()
        assert [(r.json or {}).get("stream") for r in emulator.requests] == [True, None]
    else:
        error = outcome.failed()
        assert isinstance(error, ResponseValidationError)
        assert "not a chat completion" in str(error)
        assert "Invalid JSON" in str(error)
        assert len(emulator.requests) == 1
    assert retry_waits == []
    await adapter.assert_no_leaks()


async def test_empty_choices_raise_response_validation_error(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    llm = adapter.make(call.model, max_retries=2)
    emulator.inject(Fault.empty_choices())  # SSE: one chunk with "choices": [], then [DONE]

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, ResponseValidationError)
    assert "no choices" in str(error)
    assert len(emulator.requests) == 1
    assert retry_waits == []
    await adapter.assert_no_leaks()


async def test_invalid_tool_call_json_is_kept_and_flagged_never_raised(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    llm = adapter.make(call.model, max_retries=0)
    emulator.inject(Fault.invalid_tool_arguments())

    outcome = await adapter.call(llm, call.way, kit.TOOL_PROMPT, tools=[kit.get_weather])

    reply = outcome.ok()
    # The raw argument text survives unchanged, whatever the path.
    assert reply.raw_arguments == [BROKEN_ARGUMENTS]
    if adapter.name == "llama_index":
        # Documented: the raw text stays in ToolCallBlock.tool_kwargs (a str), and
        # get_tool_calls_from_response gives tool_kwargs={}.
        assert reply.tool_calls == [("get_weather", {})]
    elif not call.is_stream:
        assert reply.tool_calls == []
        assert reply.invalid_tool_calls == [("get_weather", BROKEN_ARGUMENTS)]
        assert "not valid JSON" in str(reply.native.invalid_tool_calls[0]["error"])
    else:
        # Summing AIMessageChunks re-parses tool_call_chunks with LangChain's lenient
        # partial-JSON parser (langchain-core, as for ChatOpenAI): the call is kept
        # exactly once, as a call or an invalid call, with its raw text in the chunks.
        assert len(reply.tool_calls) + len(reply.invalid_tool_calls) == 1
    assert len(emulator.requests) == 1
    await adapter.assert_no_leaks()


@pytest.mark.parametrize("model", ["claude-sonnet-4-5-20250929", "gpt-5"])
async def test_langchain_streaming_invoke_keeps_invalid_tool_arguments_without_raising(
    emulator: GatewayEmulator, kit: type[Kit], model: str
) -> None:
    # With `streaming=True` (or any streaming callback, e.g. LangGraph's "messages"
    # mode) langchain-core itself streams and sums the chunks, re-parsing arguments
    # with its lenient partial-JSON parser; plain invoke parses strictly. Either way
    # the call is kept exactly once and nothing raises.
    llm = ChatAssemblyAIGateway(
        model=model, api_key=kit.SECRET_KEY, base_url=emulator.base_url, max_retries=0
    )
    streaming = llm.model_copy(update={"streaming": True})
    try:
        emulator.inject(Fault.invalid_tool_arguments())
        plain = llm.bind_tools([kit.get_weather]).invoke(kit.TOOL_PROMPT)
        emulator.inject(Fault.invalid_tool_arguments())
        streamed = streaming.bind_tools([kit.get_weather]).invoke(kit.TOOL_PROMPT)
    finally:
        await llm.aclose()
        await streaming.aclose()

    assert plain.tool_calls == []
    assert [(c["name"], c["args"]) for c in plain.invalid_tool_calls] == [
        ("get_weather", BROKEN_ARGUMENTS)
    ]
    names = [c["name"] for c in streamed.tool_calls + streamed.invalid_tool_calls]
    assert names == ["get_weather"]
    assert [r.fault for r in emulator.requests] == [Fault.invalid_tool_arguments()] * 2
