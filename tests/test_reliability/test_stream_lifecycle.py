"""Abandoning an async stream mid-way ends cleanly when its event loop shuts down.

Breaking out of ``async for`` without closing leaves the framework's async generator
and the core's stream open; ``asyncio.run()`` then closes every tracked generator at
once. Before the fix the core's stream was closed twice concurrently and asyncio
logged "aclose(): asynchronous generator is already running".
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from assemblyai_gateway import GatewayClient
from assemblyai_gateway.emulator import GatewayEmulator

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, Kit, ResponseCounter


async def _first_piece_then_break(adapter: AdapterDriver, llm: Any) -> str:
    if adapter.name == "langchain":
        async for chunk in llm.astream("Tell me a long story"):
            return str(chunk.content)
    else:
        responses = await llm.astream_chat([ChatMessage(role="user", content="A long story")])
        async for response in responses:
            return str(response.delta)
    raise AssertionError("the stream produced nothing")


@pytest.mark.parametrize("model", ["gpt-5", "claude-sonnet-4-5-20250929"])
def test_breaking_out_of_an_async_stream_ends_cleanly_at_loop_shutdown(
    adapter: AdapterDriver,
    emulator: GatewayEmulator,
    responses: ResponseCounter,
    caplog: pytest.LogCaptureFixture,
    kit: type[Kit],
    model: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncio")
    llm = adapter.make(model, max_retries=0)

    for _ in range(3):
        asyncio.run(_first_piece_then_break(adapter, llm))

    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []
    assert responses.open_responses == 0
    assert kit.open_client_sockets(emulator.port) == 0


async def test_the_core_async_stream_can_be_closed_by_several_callers_at_once(
    emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    client = GatewayClient(api_key=kit.SECRET_KEY, base_url=emulator.base_url)
    request = {"model": "gpt-5", "messages": [{"role": "user", "content": "A long story"}]}
    stream: Any = client.astream(request)
    await anext(stream)
    await asyncio.gather(stream.aclose(), stream.aclose(), stream.aclose())
    await stream.aclose()
    with pytest.raises(StopAsyncIteration):
        await anext(stream)
    await client.aclose()
    assert kit.open_client_sockets(emulator.port) == 0
