"""One small driver per framework, so a test can run the same call through both.

Each driver builds the framework's model on given httpx clients and runs a plain chat,
a tool call or a structured-output request as ``invoke``, ``stream`` or ``astream``,
returning an :class:`Outcome` both frameworks fill the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from llama_index.core.base.llms.types import ChatMessage, ChatResponse
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway

__all__ = ["DRIVERS", "PROMPTS", "Call", "Driver", "Outcome", "RequestKind", "get_weather"]

Call = Literal["invoke", "stream", "astream"]
RequestKind = Literal["plain", "tools", "structured"]

# What the user says for each kind of request; the emulator reads `name: value` hints.
PROMPTS: dict[RequestKind, str] = {
    "plain": "Say hello",
    "tools": "Use get_weather for city: Paris",
    "structured": "Forecast for city: Paris and days: 3",
}


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"Sunny in {city}"


@dataclass
class Outcome:
    """What a call produced, whichever framework made it.

    ``served_by`` is the model the framework reports as having served the call; None
    where the framework has no place for it (LlamaIndex's structured predict).
    """

    text: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    parsed: BaseModel | None = None
    served_by: str | None = None


class Driver(Protocol):
    name: str

    def build(
        self,
        model: str,
        fallback: str | None,
        sync_client: httpx.Client,
        async_client: httpx.AsyncClient,
    ) -> Any: ...

    async def run(
        self, llm: Any, call: Call, request: RequestKind, schema: type[BaseModel]
    ) -> Outcome: ...


# ---------------------------------------------------------------------------- LangChain


def _lc_outcome(message: BaseMessage, parsed: BaseModel | None = None) -> Outcome:
    assert isinstance(message, AIMessage)
    assert isinstance(message.content, str)
    return Outcome(
        text=message.content,
        tool_calls=[(call["name"], call["args"]) for call in message.tool_calls],
        parsed=parsed,
        served_by=message.response_metadata.get("model_name"),
    )


class LangChainDriver:
    name = "langchain"

    def build(
        self,
        model: str,
        fallback: str | None,
        sync_client: httpx.Client,
        async_client: httpx.AsyncClient,
    ) -> ChatAssemblyAIGateway:
        return ChatAssemblyAIGateway(
            model=model,
            fallbacks=[fallback] if fallback else None,
            max_retries=0,
            http_client=sync_client,
            http_async_client=async_client,
        )

    async def run(
        self, llm: ChatAssemblyAIGateway, call: Call, request: RequestKind, schema: type[BaseModel]
    ) -> Outcome:
        prompt = PROMPTS[request]
        if request == "structured":
            runnable: Any = llm.with_structured_output(schema, include_raw=True)
            pieces = await self._pieces(runnable, call, prompt)
            raw: AIMessageChunk | AIMessage | None = None
            parsed: BaseModel | None = None
            for piece in pieces:
                assert piece.get("parsing_error") is None
                if piece.get("raw") is not None:
                    raw = piece["raw"] if raw is None else raw + piece["raw"]
                if piece.get("parsed") is not None:
                    parsed = piece["parsed"]
            assert raw is not None
            return _lc_outcome(raw, parsed)
        runnable = llm.bind_tools([get_weather]) if request == "tools" else llm
        pieces = await self._pieces(runnable, call, prompt)
        total = pieces[0]
        for piece in pieces[1:]:
            total = total + piece
        return _lc_outcome(total)

    @staticmethod
    async def _pieces(runnable: Any, call: Call, prompt: str) -> list[Any]:
        if call == "invoke":
            return [runnable.invoke(prompt)]
        if call == "stream":
            return list(runnable.stream(prompt))
        return [piece async for piece in runnable.astream(prompt)]


# ---------------------------------------------------------------------------- LlamaIndex


class LlamaIndexDriver:
    name = "llama_index"

    def build(
        self,
        model: str,
        fallback: str | None,
        sync_client: httpx.Client,
        async_client: httpx.AsyncClient,
    ) -> AssemblyAIGateway:
        return AssemblyAIGateway(
            model=model,
            fallbacks=[{"model": fallback}] if fallback else None,
            max_retries=0,
            http_client=sync_client,
            async_http_client=async_client,
        )

    async def run(
        self, llm: AssemblyAIGateway, call: Call, request: RequestKind, schema: type[BaseModel]
    ) -> Outcome:
        prompt = PROMPTS[request]
        if request == "structured":
            return Outcome(parsed=await self._structured(llm, call, schema, prompt))
        if request == "tools":
            response = await self._with_tools(llm, call, prompt)
            selections = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
            outcome = self._outcome(response)
            outcome.tool_calls = [(s.tool_name, s.tool_kwargs) for s in selections]
            return outcome
        messages = [ChatMessage(role="user", content=prompt)]
        if call == "invoke":
            return self._outcome(llm.chat(messages))
        if call == "stream":
            return self._outcome(list(llm.stream_chat(messages))[-1])
        return self._outcome([r async for r in await llm.astream_chat(messages)][-1])

    @staticmethod
    def _outcome(response: ChatResponse) -> Outcome:
        return Outcome(
            text=response.message.content,
            served_by=response.additional_kwargs.get("model_name"),
        )

    @staticmethod
    async def _with_tools(llm: AssemblyAIGateway, call: Call, prompt: str) -> ChatResponse:
        tools = [FunctionTool.from_defaults(get_weather)]
        if call == "invoke":
            return llm.chat_with_tools(tools, user_msg=prompt)
        if call == "stream":
            return list(llm.stream_chat_with_tools(tools, user_msg=prompt))[-1]
        stream = await llm.astream_chat_with_tools(tools, user_msg=prompt)
        return [r async for r in stream][-1]

    @staticmethod
    async def _structured(
        llm: AssemblyAIGateway, call: Call, schema: type[BaseModel], prompt: str
    ) -> BaseModel:
        template = PromptTemplate(prompt)
        last: Any
        if call == "invoke":
            last = llm.structured_predict(schema, template)
        elif call == "stream":
            *_, last = llm.stream_structured_predict(schema, template)
        else:
            last = [p async for p in await llm.astream_structured_predict(schema, template)][-1]
        assert isinstance(last, schema)
        return last


DRIVERS: tuple[Driver, ...] = (LangChainDriver(), LlamaIndexDriver())
