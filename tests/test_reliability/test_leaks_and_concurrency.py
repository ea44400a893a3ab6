"""No response or connection outlives a fault, a cancellation or an event loop, and a
thousand concurrent calls with injected faults all end, each in an answer or a typed
error.

How leaks are counted (decided here, used by every test of this suite):

* with a :class:`ScriptedTransport`: its ``open_responses`` (responses handed out and
  not closed) must be 0 once a call has ended, however it ended;
* against the emulator: every response of the pools the models own is counted as it
  is opened and closed (``responses`` fixture, wrapping httpx's default transports),
  and must balance; then, once the pools are closed (or their event loop has ended), no
  TCP socket of this process may still be connected to the emulator's port
  (``/proc/self/net/tcp{,6}``, matched to this process's fds).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from assemblyai_gateway import GatewayError
from assemblyai_gateway.emulator import Fault, GatewayEmulator
from assemblyai_gateway.testing import (
    BrokenStream,
    ScriptedTransport,
    ScriptStep,
    chunk_body,
    completion_body,
    error_body,
    sse_body,
    tool_call,
)

if TYPE_CHECKING:
    from tests.support.reliability import (
        AdapterDriver,
        CallSpec,
        Kit,
        ResponseCounter,
    )

CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-5"

# ------------------------------------------------------------- scripted fault matrix

Script = Callable[[bool], list[ScriptStep]]


def _success(sse: bool) -> ScriptStep:
    if sse:
        return sse_body(
            [
                chunk_body("", role="assistant"),
                chunk_body("Hello"),
                chunk_body(finish_reason="stop"),
            ]
        )
    return completion_body("Hello")


def _sse_or_json(sse: bool, sse_text: bytes, payload: dict[str, Any]) -> ScriptStep:
    if sse:
        return sse_text
    return payload


def _broken(sse: bool) -> ScriptStep:
    body = sse_body([chunk_body("", role="assistant"), chunk_body("Hel"), chunk_body("lo")])
    if not sse:
        body = json.dumps(completion_body("Hello")).encode()
    return BrokenStream(body, keep_bytes=len(body) // 2)


def _bad_tool_args(sse: bool) -> ScriptStep:
    call = tool_call("get_weather", '{"city": "Paris"')
    if sse:
        delta = {"index": 0, **call}
        return sse_body([chunk_body(tool_calls=[delta]), chunk_body(finish_reason="tool_calls")])
    return completion_body(None, tool_calls=[call])


SCRIPTS: dict[str, Script] = {
    "429-then-success": lambda sse: [
        httpx.Response(429, json=error_body(429, "slow down"), headers={"retry-after-ms": "1"}),
        _success(sse),
    ],
    "503-exhausted": lambda sse: [httpx.Response(503, json=error_body(503, "busy"))],
    "connect-error": lambda sse: [httpx.ConnectError("connection refused")],
    "connect-error-then-success": lambda sse: [httpx.ConnectError("reset"), _success(sse)],
    "read-timeout": lambda sse: [httpx.ReadTimeout("read timed out")],
    "400": lambda sse: [
        httpx.Response(400, json=error_body(400, "Invalid request", [{"field": "max_tokens"}]))
    ],
    "401": lambda sse: [httpx.Response(401, json=error_body(401, "Invalid API key"))],
    "404-text": lambda sse: [httpx.Response(404, text="not found")],
    "broken-body": lambda sse: [_broken(sse)],
    "sse-error-event": lambda sse: [
        _sse_or_json(
            sse,
            sse_body([chunk_body("Hel"), error_body(500, "boom")], done=False),
            completion_body("Hello"),
        )
    ],
    "not-a-completion": lambda sse: [
        _sse_or_json(sse, b'data: {"unexpected": true}\n\ndata: [DONE]\n\n', {"unexpected": True})
    ],
    "not-json": lambda sse: [
        _sse_or_json(sse, b"data: <html>\n\n", {}) if sse else httpx.Response(200, text="<html>")
    ],
    "empty-choices": lambda sse: [
        _sse_or_json(sse, sse_body([chunk_body(choices=False)]), completion_body(choices=[]))
    ],
    "invalid-tool-arguments": lambda sse: [_bad_tool_args(sse)],
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
async def test_no_response_is_left_open_after_any_fault(
    adapter: AdapterDriver,
    call: CallSpec,
    retry_waits: list[float],
    kit: type[Kit],
    script: str,
) -> None:
    transport = ScriptedTransport(SCRIPTS[script](call.is_sse), split_sse_every=7)
    llm = adapter.with_http_clients(call.model, transport, max_retries=1)
    tools = [kit.get_weather] if script == "invalid-tool-arguments" else []

    outcome = await adapter.call(llm, call.way, kit.TOOL_PROMPT, tools=tools)

    if outcome.error is not None:
        assert isinstance(outcome.error, GatewayError), repr(outcome.error)
    assert transport.requests, "the call never reached the transport"
    assert transport.open_responses == 0, (
        f"{transport.open_responses} response(s) left open after {script!r}"
    )


@pytest.mark.parametrize("way", ["stream", "astream"])
@pytest.mark.parametrize("model", [GPT, CLAUDE])
async def test_closing_a_stream_early_closes_the_response(
    adapter: AdapterDriver, way: str, model: str, kit: type[Kit]
) -> None:
    sse = model == GPT
    body: ScriptStep = (
        sse_body([chunk_body("", role="assistant")] + [chunk_body(f"w{i} ") for i in range(20)])
        if sse
        else completion_body("a long answer")
    )
    transport = ScriptedTransport([body], split_sse_every=16)
    llm = adapter.with_http_clients(model, transport)

    if way == "stream":
        sync_items = adapter_sync_stream(adapter, llm)
        next(sync_items)
        sync_items.close()
    else:
        async_items = adapter.aiter_pieces(llm)  # closes the framework's stream (aclosing)
        await async_items.__anext__()
        await async_items.aclose()
        if adapter.name == "llama_index":
            # llama-index-core's callback wrapper around astream_chat does not aclose()
            # the adapter's generator; the loop's async-generator finalizer does, as soon
            # as the wrapper lets go of it (a few loop turns later).
            await kit.within_loop_turns(lambda: transport.open_responses == 0)

    assert transport.opened == 1
    assert transport.open_responses == 0


def adapter_sync_stream(adapter: AdapterDriver, llm: Any) -> Any:
    """The framework's own sync stream generator (so closing it is the user's close)."""
    if adapter.name == "langchain":
        return llm.stream("Say hello")
    return llm.stream_chat([ChatMessage(role="user", content="Say hello")])


# --------------------------------------------------------------------- cancellation


class _BlockingSSE(httpx.AsyncBaseTransport):
    """Sends the first SSE events at once, then never sends the next one."""

    def __init__(self, head: bytes) -> None:
        self.head = head
        self.opened = 0
        self.closed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.opened += 1
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_BlockingStream(self)
        )


class _BlockingStream(httpx.AsyncByteStream):
    def __init__(self, owner: _BlockingSSE) -> None:
        self._owner = owner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._owner.head
        await asyncio.Event().wait()  # the next chunk never comes
        yield b""

    async def aclose(self) -> None:
        self._owner.closed += 1


async def test_cancelling_a_task_mid_stream_closes_the_response(adapter: AdapterDriver) -> None:
    head = sse_body(
        [chunk_body("", role="assistant"), chunk_body("Hello"), chunk_body(" world")], done=False
    )
    transport = _BlockingSSE(head)
    llm = adapter.with_http_clients(GPT, transport)
    received: list[str] = []
    first = asyncio.Event()

    async def consume() -> None:
        async for piece in adapter.aiter_pieces(llm):
            received.append(piece)
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), timeout=10)
    for _ in range(10):  # let the consumer go back to waiting for the next chunk
        await asyncio.sleep(0)
    assert not task.done()
    assert transport.closed == 0

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert received
    assert transport.opened == 1
    assert transport.closed == 1


async def test_cancelling_a_task_mid_request_closes_its_connection(
    adapter: AdapterDriver,
    held_emulator: GatewayEmulator,
    responses: ResponseCounter,
    kit: type[Kit],
) -> None:
    llm = adapter.make(CLAUDE, max_retries=0, emulator=held_emulator)
    held_emulator.inject(Fault.delay(kit.HELD))  # answered only after the test
    port = held_emulator.port

    task = asyncio.create_task(adapter.call(llm, "ainvoke"))
    # The emulator has read the request (and holds it), so its socket is open.
    await asyncio.to_thread(held_emulator.wait_for_requests, 1)
    assert kit.open_client_sockets(port) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    # The cancelled request's connection is closed, not parked in the pool.
    assert kit.open_client_sockets(port) == 0
    assert responses.open_responses == 0
    # The pool still works.
    assert (await adapter.call(llm, "ainvoke")).ok().text == kit.ANSWER
    await adapter.assert_no_leaks(held_emulator)


# ---------------------------------------------------------------------- concurrency

CALLS_PER_ADAPTER = 500
HANG_GUARD_SECONDS = 120  # a guard against hangs, not a performance threshold


def _fault_script(count: int) -> list[Fault]:
    """``count`` entries, every tenth a fault (429 / 500 / dropped connection)."""
    faults = [
        Fault.rate_limit(retry_after_ms=5),
        Fault.status(500, "boom"),
        Fault.drop_connection(),
    ]
    no_fault = Fault.delay(0)
    return [faults[(i // 10) % 3] if i % 10 == 0 else no_fault for i in range(count)]


@pytest.mark.slow
async def test_1000_concurrent_calls_with_injected_faults_all_end_typed(
    emulator: GatewayEmulator,
    responses: ResponseCounter,
    retry_waits: list[float],
    kit: type[Kit],
) -> None:
    drivers = [driver(emulator, responses) for driver in kit.DRIVERS.values()]
    try:
        await _thousand_calls(drivers, emulator, responses, kit)
    finally:
        for driver in drivers:
            await driver.aclose_all()
    # No connection outlives the pools.
    assert kit.open_client_sockets(emulator.port) == 0


async def _thousand_calls(
    drivers: list[AdapterDriver],
    emulator: GatewayEmulator,
    responses: ResponseCounter,
    kit: type[Kit],
) -> None:
    models = [d.make(CLAUDE, max_retries=2, timeout=60) for d in drivers]
    for fault in _fault_script(2 * CALLS_PER_ADAPTER):
        emulator.inject(fault)

    async def one(driver: AdapterDriver, llm: Any) -> str:
        # Raises instead of returning the error, so gather() classifies it.
        outcome = await driver.call(llm, "ainvoke")
        if outcome.error is not None:
            raise outcome.error
        return outcome.ok().text

    pairs = list(zip(drivers, models, strict=True))
    calls = [one(driver, llm) for _ in range(CALLS_PER_ADAPTER) for driver, llm in pairs]
    results = await asyncio.wait_for(
        asyncio.gather(*calls, return_exceptions=True), timeout=HANG_GUARD_SECONDS
    )

    answers = [r for r in results if isinstance(r, str)]
    typed = [r for r in results if isinstance(r, GatewayError)]
    other = [r for r in results if not isinstance(r, (str, GatewayError))]
    assert other == [], f"untyped failures: {sorted({type(e).__name__ for e in other})}"
    assert len(answers) + len(typed) == 2 * CALLS_PER_ADAPTER
    assert set(answers) == {kit.ANSWER}
    statuses = [r.status for r in emulator.requests]
    assert len(statuses) >= 2 * CALLS_PER_ADAPTER
    assert {429, 500, None} <= set(statuses)  # the faults did strike
    assert emulator.pending_faults == 0
    assert responses.open_responses == 0

    # The pools hold no stale connection: follow-up calls work on the same models.
    for driver, llm in zip(drivers, models, strict=True):
        assert (await driver.call(llm, "ainvoke")).ok().text == kit.ANSWER
        assert (await driver.call(llm, "invoke")).ok().text == kit.ANSWER
    assert responses.open_responses == 0


def test_one_model_serves_two_event_loops_in_turn(
    adapter: AdapterDriver, emulator: GatewayEmulator, responses: ResponseCounter, kit: type[Kit]
) -> None:
    claude = adapter.make(CLAUDE, max_retries=0)
    gpt = adapter.make(GPT, max_retries=0)

    async def use_both() -> list[str]:
        return [
            (await adapter.call(claude, "ainvoke")).ok().text,
            (await adapter.call(gpt, "astream")).ok().text,
            (await adapter.call(claude, "astream")).ok().text,
        ]

    for _ in range(2):
        assert asyncio.run(use_both()) == [kit.ANSWER] * 3
        # The loop's shutdown closed the pools bound to it: nothing is left connected.
        assert kit.open_client_sockets(emulator.port) == 0
        assert responses.open_responses == 0

    # The sync pool is unaffected by the loops coming and going.
    assert adapter.invoke(claude, kit.PROMPT, ()).text == kit.ANSWER
    adapter.close_all()
    assert kit.open_client_sockets(emulator.port) == 0
    assert len(emulator.requests) == 7
