"""Every fault of the emulator's fault script, for both adapters, sync and async, invoke
and stream (gpt-5 over SSE and pseudo-streamed Claude).

Each test runs once per adapter (``adapter``) and per way of calling (``call``:
invoke/ainvoke with Claude, stream/astream with gpt-5 and with Claude). Retry waits
are recorded by ``retry_waits`` instead of slept; only the emulator's own ``delay``
faults take wall-clock time. Every test ends with ``adapter.assert_no_leaks()``: no
response left open, and no socket to the emulator once the pools are closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    catalog,
)
from assemblyai_gateway.emulator import Fault, GatewayEmulator
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from tests.support.readme import python_examples

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, CallSpec, Kit

BROKEN_ARGUMENTS = '{"city": "Paris"'  # what Fault.invalid_tool_arguments() leaves


def _statuses(emulator: GatewayEmulator) -> list[int | None]:
    return [record.status for record in emulator.requests]


def _is_backoff(wait: float, attempt: int) -> bool:
    """The jittered exponential backoff: 0.5 s * 2**(attempt-1), plus up to 0.25 s."""
    base = 0.5 * 2.0 ** (attempt - 1)
    return base <= wait <= base + 0.25


# ---------------------------------------------------------------- retried, then success


@pytest.mark.parametrize(
    ("fault", "expected_wait"),
    [
        (Fault.rate_limit(retry_after=2), 2.0),
        (Fault.rate_limit(retry_after_ms=250), 0.25),
        (Fault.rate_limit(retry_after=0), 0.0),
        (Fault.rate_limit(retry_after=60), 60.0),
    ],
    ids=["retry-after-seconds", "retry-after-ms", "retry-after-zero", "retry-after-max"],
)
async def test_429_with_retry_after_then_success(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
    fault: Fault,
    expected_wait: float,
) -> None:
    llm = adapter.make(call.model, max_retries=2)
    emulator.inject(fault)

    reply = (await adapter.call(llm, call.way)).ok()

    assert reply.text == kit.ANSWER
    assert retry_waits == [expected_wait]
    assert _statuses(emulator) == [429, 200]
    await adapter.assert_no_leaks()


async def test_429_with_retry_after_beyond_60_s_falls_back_to_backoff(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    llm = adapter.make(call.model, max_retries=1)
    emulator.inject(Fault.rate_limit(retry_after=3600))

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    assert len(retry_waits) == 1
    assert _is_backoff(retry_waits[0], attempt=1)
    assert _statuses(emulator) == [429, 200]
    await adapter.assert_no_leaks()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_then_success(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
    status: int,
) -> None:
    llm = adapter.make(call.model, max_retries=1)
    emulator.inject(Fault.status(status, "upstream trouble"))

    reply = (await adapter.call(llm, call.way)).ok()

    assert reply.text == kit.ANSWER
    assert _statuses(emulator) == [status, 200]
    assert len(retry_waits) == 1
    assert _is_backoff(retry_waits[0], attempt=1)
    await adapter.assert_no_leaks()


async def test_backoff_grows_between_attempts(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    llm = adapter.make(call.model, max_retries=4)
    emulator.inject(Fault.status(503, "overloaded"), times=4)

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    assert _statuses(emulator) == [503, 503, 503, 503, 200]
    assert len(retry_waits) == 4
    assert all(_is_backoff(wait, attempt) for attempt, wait in enumerate(retry_waits, 1))
    await adapter.assert_no_leaks()


async def test_dropped_connection_before_the_response_then_success(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    llm = adapter.make(call.model, max_retries=1)
    emulator.inject(Fault.drop_connection())

    reply = (await adapter.call(llm, call.way)).ok()

    assert reply.text == kit.ANSWER
    assert _statuses(emulator) == [None, 200]  # None: the emulator hung up without a byte
    assert len(retry_waits) == 1
    assert _is_backoff(retry_waits[0], attempt=1)
    await adapter.assert_no_leaks()


async def test_dropped_connection_without_retries_is_a_connection_error(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    llm = adapter.make(call.model, max_retries=0)
    emulator.inject(Fault.drop_connection())

    error = (await adapter.call(llm, call.way)).failed()

    assert type(error) is APIConnectionError
    assert "could not reach the gateway" in str(error)
    assert _statuses(emulator) == [None]
    assert retry_waits == []
    await adapter.assert_no_leaks()


# ------------------------------------------------------------------- retries exhausted


async def test_max_retries_exhausted_on_429_raises_rate_limit_error_with_the_last_answer(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    llm = adapter.make(call.model, max_retries=2)
    for attempt in (1, 2, 3):
        headers = {"retry-after-ms": "10", "x-request-id": f"req-429-{attempt}"}
        emulator.inject(Fault.status(429, f"quota exhausted ({attempt}/3)", headers=headers))

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, RateLimitError)
    assert error.status_code == 429
    assert error.message.startswith("quota exhausted (3/3)")
    assert "raise max_retries" in error.message  # the hint a user can act on
    assert error.request_id == "req-429-3"
    assert str(error).startswith("Error code: 429 - quota exhausted (3/3)")
    assert str(error).endswith("(request_id=req-429-3)")
    assert error.headers["retry-after-ms"] == "10"
    assert _statuses(emulator) == [429, 429, 429]
    assert retry_waits == [0.01, 0.01]
    await adapter.assert_no_leaks()


async def test_max_retries_exhausted_on_5xx_raises_internal_server_error_with_the_last_status(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    llm = adapter.make(call.model, max_retries=2)
    for status in (500, 502, 503):
        emulator.inject(Fault.status(status, f"upstream failed with {status}"))

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, InternalServerError)
    assert error.status_code == 503
    assert error.message == "upstream failed with 503"
    # The emulator's plain status faults carry no request id (header or body).
    assert error.request_id is None
    assert error.body == {
        "error": {"code": 503, "message": "upstream failed with 503", "metadata": {}}
    }
    assert str(error) == "Error code: 503 - upstream failed with 503"
    assert _statuses(emulator) == [500, 502, 503]
    assert len(retry_waits) == 2
    await adapter.assert_no_leaks()


async def test_max_retries_exhausted_on_dropped_connections_raises_a_connection_error(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    llm = adapter.make(call.model, max_retries=2)
    emulator.inject(Fault.drop_connection(), times=3)

    error = (await adapter.call(llm, call.way)).failed()

    assert type(error) is APIConnectionError
    assert _statuses(emulator) == [None, None, None]
    assert len(retry_waits) == 2
    await adapter.assert_no_leaks()


# ------------------------------------------------------------------- never retried


async def test_400_names_the_invalid_field_and_is_not_retried(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    # Passes the client's own checks (>= 1) but exceeds every model's output limit.
    llm = adapter.make(call.model, max_retries=2, max_tokens=10_000_000)

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, BadRequestError)
    assert error.status_code == 400
    assert [item["field"] for item in error.errors] == ["max_tokens"]
    assert error.metadata["errors"] == error.errors
    assert "max_tokens" in str(error)
    assert "must be at most" in str(error)
    assert len(emulator.requests) == 1
    assert retry_waits == []
    await adapter.assert_no_leaks()


async def test_401_mentions_the_key_and_is_not_retried(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    wrong_key = "sk-aai-REVOKED-000000"
    llm = adapter.make(call.model, max_retries=2, api_key=wrong_key)

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, AuthenticationError)
    assert error.status_code == 401
    assert "Invalid API key" in str(error)
    assert "ASSEMBLYAI_API_KEY" in str(error)
    assert "no 'Bearer'" in str(error)
    assert wrong_key not in str(error)
    assert [(r.auth_present, r.auth_valid) for r in emulator.requests] == [(True, False)]
    assert retry_waits == []
    await adapter.assert_no_leaks()


async def test_403_mentions_the_key_and_the_model_and_is_not_retried(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    llm = adapter.make(call.model, max_retries=2)
    emulator.inject(Fault.status(403, "Forbidden"), times=3)

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, PermissionDeniedError)
    assert error.status_code == 403
    assert "this key may not use the requested model or region" in str(error)
    assert len(emulator.requests) == 1
    assert emulator.pending_faults == 2
    assert retry_waits == []
    await adapter.assert_no_leaks()


async def test_404_points_at_the_model_id_and_base_url_and_is_not_retried(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, retry_waits: list[float]
) -> None:
    # A base URL without /v1: the request reaches the emulator at the wrong path.
    llm = adapter.make(call.model, max_retries=2, base_url=emulator.base_url.removesuffix("/v1"))

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, NotFoundError)
    assert error.status_code == 404
    assert "check the model id and the base URL (it should end in /v1)" in str(error)
    assert [r.path for r in emulator.requests] == ["/chat/completions"]
    assert retry_waits == []
    await adapter.assert_no_leaks()


# ---------------------------------------------------------------------------- timeout


async def test_a_response_slower_than_the_timeout_raises_api_timeout_error(
    adapter: AdapterDriver,
    call: CallSpec,
    slow_emulator: GatewayEmulator,
    retry_waits: list[float],
) -> None:
    # A separate emulator: the delayed answer is logged after the test moved on.
    slow_emulator.reset()
    llm = adapter.make(call.model, max_retries=0, timeout=0.2, emulator=slow_emulator)
    slow_emulator.inject(Fault.delay(1.0))

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, APITimeoutError)
    assert "timed out" in str(error)
    assert slow_emulator.pending_faults == 0  # the request reached the emulator
    assert retry_waits == []
    await adapter.assert_no_leaks(slow_emulator)


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
    # tests/test_assemblyai_gateway/test_client.py) is that a started 200 stream is
    # never resent, even before its first chunk.
    llm = adapter.make(sse_call.model, max_retries=max_retries)
    emulator.inject(Fault.truncate_stream(after_chunks=0))

    outcome = await adapter.call(llm, sse_call.way)

    assert isinstance(outcome.failed(), StreamError)
    assert outcome.delivered_text == ""
    assert len(emulator.requests) == 1
    assert retry_waits == []
    await adapter.assert_no_leaks()


async def test_a_half_sent_non_streamed_body_is_a_retried_connection_error(
    adapter: AdapterDriver,
    plain_call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    call = plain_call
    llm = adapter.make(call.model, max_retries=1)
    # Non-streamed: Content-Length announced, half the body sent, then the socket closes.
    emulator.inject(Fault.truncate_stream())

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    assert _statuses(emulator) == [200, 200]
    assert len(retry_waits) == 1
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


async def test_an_sse_error_fault_on_a_non_streamed_call_is_a_retried_status(
    adapter: AdapterDriver,
    plain_call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    call = plain_call
    llm = adapter.make(call.model, max_retries=1)
    emulator.inject(Fault.sse_error(code=502))

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    assert _statuses(emulator) == [502, 200]
    assert len(retry_waits) == 1
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

    error = (await adapter.call(llm, call.way)).failed()

    if call.is_sse:
        # One SSE event whose data is not JSON: the decoder's documented StreamError.
        assert isinstance(error, StreamError)
        assert "not JSON" in str(error)
    else:
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


# ---------------------------------------------------------------------- README section


def _readme_examples() -> list[str]:
    return python_examples("Reliability and security")


def test_the_readme_section_has_examples() -> None:
    assert len(_readme_examples()) >= 3


@pytest.mark.parametrize("index", range(len(_readme_examples())))
def test_readme_reliability_example_runs(
    emulator: GatewayEmulator,
    retry_waits: list[float],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    index: int,
) -> None:
    # The catalog example registers models process-wide: give it a scratch table.
    monkeypatch.setattr(catalog, "_CATALOG", dict(catalog._CATALOG))
    code = _readme_examples()[index]
    exec(compile(code, f"<README reliability example {index}>", "exec"), {"__name__": "__main__"})
    assert capsys.readouterr().out
