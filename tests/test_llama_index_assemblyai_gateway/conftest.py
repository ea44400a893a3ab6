"""Shared fixtures for the LlamaIndex adapter tests (offline, over ScriptedTransport).

Every sync/async pair runs from the same test through the ``runner`` fixture, which is
parametrised over ``sync`` and ``async`` and gives both APIs one awaitable shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
)
from llama_index.core.chat_engine.types import AgentChatResponse
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import BaseTool
from pydantic import BaseModel

from assemblyai_gateway.testing import ScriptedTransport, ScriptStep
from llama_index_assemblyai_gateway import AssemblyAIGateway

TEST_KEY = "test-key-0123456789"
CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-5"
GPT_OSS = "gpt-oss-120b"


@dataclass
class Scripted:
    """An LLM wired to a scripted transport."""

    llm: AssemblyAIGateway
    transport: ScriptedTransport

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """The JSON body of every request sent so far."""
        return self.transport.json_bodies


ScriptedFactory = Callable[..., Scripted]


@pytest.fixture
def scripted() -> Iterator[ScriptedFactory]:
    """``scripted(step, ..., model=..., **fields)`` -> an LLM answering from the steps."""
    clients: list[httpx.Client] = []

    def factory(*steps: ScriptStep, model: str = CLAUDE, **fields: Any) -> Scripted:
        transport = ScriptedTransport(list(steps), repeat_last=False)
        client = httpx.Client(transport=transport)
        clients.append(client)
        fields.setdefault("api_key", TEST_KEY)
        fields.setdefault("max_retries", 0)
        llm = AssemblyAIGateway(
            model=model,
            http_client=client,
            async_http_client=httpx.AsyncClient(transport=transport),
            **fields,
        )
        return Scripted(llm=llm, transport=transport)

    yield factory
    for client in clients:
        client.close()


class Runner:
    """The sync or the async LlamaIndex API behind one awaitable interface."""

    def __init__(self, is_async: bool) -> None:
        self.is_async = is_async

    async def chat(
        self, llm: AssemblyAIGateway, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponse:
        response: ChatResponse
        if self.is_async:
            response = await llm.achat(messages, **kwargs)
        else:
            response = llm.chat(messages, **kwargs)
        return response

    async def stream_chat(
        self, llm: AssemblyAIGateway, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> list[ChatResponse]:
        if self.is_async:
            return [r async for r in await llm.astream_chat(messages, **kwargs)]
        return list(llm.stream_chat(messages, **kwargs))

    async def stream_chat_each(
        self,
        llm: AssemblyAIGateway,
        messages: Sequence[ChatMessage],
        each: Callable[[ChatResponse], None],
    ) -> None:
        """Stream, handing every response to ``each`` the moment it is yielded."""
        if self.is_async:
            async for response in await llm.astream_chat(messages):
                each(response)
        else:
            for response in llm.stream_chat(messages):
                each(response)

    async def complete(
        self, llm: AssemblyAIGateway, prompt: str, **kwargs: Any
    ) -> CompletionResponse:
        response: CompletionResponse
        if self.is_async:
            response = await llm.acomplete(prompt, **kwargs)
        else:
            response = llm.complete(prompt, **kwargs)
        return response

    async def stream_complete(
        self, llm: AssemblyAIGateway, prompt: str, **kwargs: Any
    ) -> list[CompletionResponse]:
        if self.is_async:
            return [r async for r in await llm.astream_complete(prompt, **kwargs)]
        return list(llm.stream_complete(prompt, **kwargs))

    async def chat_with_tools(
        self, llm: AssemblyAIGateway, tools: Sequence[BaseTool], **kwargs: Any
    ) -> ChatResponse:
        if self.is_async:
            return await llm.achat_with_tools(tools, **kwargs)
        return llm.chat_with_tools(tools, **kwargs)

    async def stream_chat_with_tools(
        self, llm: AssemblyAIGateway, tools: Sequence[BaseTool], **kwargs: Any
    ) -> list[ChatResponse]:
        if self.is_async:
            return [r async for r in await llm.astream_chat_with_tools(tools, **kwargs)]
        return list(llm.stream_chat_with_tools(tools, **kwargs))

    async def predict_and_call(
        self, llm: AssemblyAIGateway, tools: Sequence[BaseTool], **kwargs: Any
    ) -> AgentChatResponse:
        if self.is_async:
            return await llm.apredict_and_call(list(tools), **kwargs)
        return llm.predict_and_call(list(tools), **kwargs)

    async def structured_predict(
        self, llm: AssemblyAIGateway, output_cls: type[Any], prompt: PromptTemplate, **kwargs: Any
    ) -> Any:
        if self.is_async:
            return await llm.astructured_predict(output_cls, prompt, **kwargs)
        return llm.structured_predict(output_cls, prompt, **kwargs)

    async def stream_structured_predict(
        self, llm: AssemblyAIGateway, output_cls: type[Any], prompt: PromptTemplate, **kwargs: Any
    ) -> list[Any]:
        if self.is_async:
            stream = await llm.astream_structured_predict(output_cls, prompt, **kwargs)
            return [item async for item in stream]
        return list(llm.stream_structured_predict(output_cls, prompt, **kwargs))


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """The sync and the async API, one per parametrised run."""
    return Runner(is_async=request.param == "async")


class EventCollector(BaseEventHandler):
    """Records every instrumentation event it sees."""

    events: list[BaseEvent] = []

    @classmethod
    def class_name(cls) -> str:
        return "EventCollector"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)

    def names(self) -> list[str]:
        """The class names of the events seen, in order."""
        return [type(event).__name__ for event in self.events]


@pytest.fixture
def events() -> Iterator[EventCollector]:
    """An event handler attached to the root dispatcher for the test's duration."""
    collector = EventCollector(events=[])
    root = get_dispatcher()
    root.add_event_handler(collector)
    yield collector
    root.event_handlers = [h for h in root.event_handlers if h is not collector]


class Weather(BaseModel):
    """A weather report."""

    city: str
    temperature_c: float
    conditions: list[str] = []


@pytest.fixture
def weather_cls() -> type[Weather]:
    """A small output class for structured-output tests."""
    return Weather
