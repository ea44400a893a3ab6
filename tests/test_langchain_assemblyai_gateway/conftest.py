"""Shared fixtures for the LangChain adapter's offline tests.

* ``make_model(steps, **params)`` builds a ``ChatAssemblyAIGateway`` whose sync and async
  httpx clients answer from one :class:`ScriptedTransport` (returned too).
* ``run`` is parametrised over ``"sync"`` and ``"async"``: ``await run.invoke(...)`` /
  ``await run.stream(...)`` call the sync or the async API, so one test covers both.
* ``network`` routes httpx's *default* transports to a script, for code paths that
  build their own clients (pickling, lazily built pools).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx
import pytest
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.runnables import Runnable

from assemblyai_gateway.testing import ScriptedTransport, ScriptStep
from langchain_assemblyai_gateway import ChatAssemblyAIGateway

API_KEY = "sk-test-0123456789-secret"
CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-5"


class MakeModel(Protocol):
    def __call__(
        self, steps: Sequence[ScriptStep], **params: Any
    ) -> tuple[ChatAssemblyAIGateway, ScriptedTransport]: ...


@pytest.fixture(autouse=True)
def _no_gateway_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's real key or endpoint."""
    monkeypatch.delenv("ASSEMBLYAI_API_KEY", raising=False)
    monkeypatch.delenv("ASSEMBLYAI_GATEWAY_BASE_URL", raising=False)
    monkeypatch.delenv("LC_OUTPUT_VERSION", raising=False)


@pytest.fixture
def make_model() -> Iterator[MakeModel]:
    """Build a model over a scripted transport (sync and async clients share it)."""
    clients: list[httpx.Client] = []

    def build(
        steps: Sequence[ScriptStep], **params: Any
    ) -> tuple[ChatAssemblyAIGateway, ScriptedTransport]:
        transport = ScriptedTransport(steps)
        client = httpx.Client(transport=transport)
        clients.append(client)
        settings: dict[str, Any] = {"model": CLAUDE, "api_key": API_KEY, **params}
        model = ChatAssemblyAIGateway(
            **settings,
            http_client=client,
            http_async_client=httpx.AsyncClient(transport=transport),
        )
        return model, transport

    yield build
    for client in clients:
        client.close()


@dataclass
class Runner:
    """Calls the sync or the async API of a runnable, per ``mode``."""

    mode: Literal["sync", "async"]

    async def invoke(self, runnable: Runnable[Any, Any], value: Any, **kwargs: Any) -> Any:
        if self.mode == "sync":
            return runnable.invoke(value, **kwargs)
        return await runnable.ainvoke(value, **kwargs)

    async def stream(self, runnable: Runnable[Any, Any], value: Any, **kwargs: Any) -> list[Any]:
        if self.mode == "sync":
            return list(runnable.stream(value, **kwargs))
        return [chunk async for chunk in runnable.astream(value, **kwargs)]


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Runner:
    """Each test using it runs once through the sync API and once through the async one."""
    mode: Literal["sync", "async"] = request.param
    return Runner(mode)


def merge(chunks: Sequence[BaseMessage]) -> AIMessageChunk:
    """The sum of streamed chunks (what LangChain aggregates)."""
    assert chunks, "the stream produced no chunk"
    first, *rest = chunks
    assert isinstance(first, AIMessageChunk)
    total = first
    for chunk in rest:
        assert isinstance(chunk, AIMessageChunk)
        total = total + chunk
    return total


@pytest.fixture
def merge_chunks() -> Callable[[Sequence[BaseMessage]], AIMessageChunk]:
    return merge
