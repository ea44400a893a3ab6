"""Drivers for the reliability and security suites: one per adapter, the same calls.

``tests/test_reliability/conftest.py`` hands these out as fixtures. Every fault test
runs for both adapters (LangChain ``ChatAssemblyAIGateway`` and LlamaIndex
``AssemblyAIGateway``), sync and async, invoke and stream, from the same fixtures:

* ``emulator``: a running :class:`GatewayEmulator` owned by this suite (its own port,
  its key is :data:`SECRET_KEY`), reset for every test, with ``ASSEMBLYAI_API_KEY`` and
  ``ASSEMBLYAI_GATEWAY_BASE_URL`` pointing at it. Only this suite connects to that
  port, so counting client sockets to it is exact.
* ``adapter``: an :class:`AdapterDriver` (``"langchain"`` or ``"llama_index"``) that
  builds models pointed at the emulator and runs one call in any :data:`Way`
  (``invoke``/``ainvoke``/``stream``/``astream``), returning an :class:`Outcome`
  (pieces delivered, the final reply, the error) instead of raising.
* ``call``: a :class:`CallSpec` parametrised over the six ways the issue asks for:
  invoke and ainvoke with Claude (never natively streamed), stream and astream with
  both gpt-5 (SSE) and Claude (pseudo-streamed).

How leaks are counted (see ``AdapterDriver.assert_no_leaks``):

1. Responses: httpx's default transports (the pools the models own) are wrapped so
   every response they hand out is counted when opened and when closed; after a fault
   ``open_responses`` must be 0 (with a :class:`ScriptedTransport`, its own
   ``open_responses`` is used instead).
2. Sockets: after the models' pools are closed, no TCP socket of this process may
   still be connected to the emulator's port (``/proc/self/net/tcp{,6}`` rows in
   ESTABLISHED, SYN_SENT or CLOSE_WAIT whose inode is one of this process's fds).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.runnables import Runnable
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ToolCallBlock
from llama_index.core.tools import FunctionTool

from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, BASE_URL_ENV
from assemblyai_gateway.emulator import GatewayEmulator
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway

__all__ = [
    "ADAPTERS",
    "ANSWER",
    "CALLS",
    "CLAUDE",
    "DRIVERS",
    "GPT",
    "HELD",
    "PLAIN_CALLS",
    "PROC_NET",
    "PROMPT",
    "SECRET_KEY",
    "SSE_CALLS",
    "TOOL_PROMPT",
    "AdapterDriver",
    "AdapterName",
    "CallSpec",
    "Kit",
    "LangChainDriver",
    "LlamaIndexDriver",
    "Outcome",
    "Reply",
    "ResponseCounter",
    "Way",
    "core_class",
    "get_weather",
    "needs_proc_net",
    "open_client_sockets",
    "point_env_at",
]

# A fake key, distinctive so any leak is easy to find; the suite's emulator accepts it.
SECRET_KEY = "sk-aai-SECRET-9f8e7d"

CLAUDE = "claude-sonnet-4-5-20250929"

GPT = "gpt-5"

PROMPT = "Say hello"

ANSWER = 'Emulated answer to: "Say hello"'

# A delay fault that lasts until the emulator stops: ``Fault.delay(HELD)`` on the
# ``held_emulator`` fixture's emulator is a request that is never answered during a test.
HELD = 3600.0

TOOL_PROMPT = "Use get_weather for city=Paris"

AdapterName = Literal["langchain", "llama_index"]

ADAPTERS: tuple[AdapterName, ...] = ("langchain", "llama_index")

Way = Literal["invoke", "ainvoke", "stream", "astream"]


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"Sunny in {city}"


# /proc/net/tcp states in which our side has not closed: ESTABLISHED, SYN_SENT, CLOSE_WAIT.
_OPEN_TCP_STATES = frozenset({"01", "02", "08"})

PROC_NET = Path("/proc/self/net/tcp")

needs_proc_net = pytest.mark.skipif(
    not PROC_NET.exists(), reason="socket counting reads /proc/self/net/tcp (Linux only)"
)


def _own_socket_inodes() -> set[str]:
    inodes: set[str] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def open_client_sockets(port: int) -> int:
    """TCP sockets of this process still connected to ``port`` (our side not closed)."""
    if not PROC_NET.exists():
        return 0
    inodes = _own_socket_inodes()
    count = 0
    for table in (PROC_NET, PROC_NET.with_name("tcp6")):
        try:
            rows = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] in _OPEN_TCP_STATES and fields[9] in inodes:
                count += 1
    return count


class ResponseCounter:
    """Counts responses handed out by httpx's default transports, and their closing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.opened = 0
        self.closed = 0

    @property
    def open_responses(self) -> int:
        """Responses handed out and not yet closed."""
        with self._lock:
            return self.opened - self.closed

    def _open(self) -> None:
        with self._lock:
            self.opened += 1

    def _close(self) -> None:
        with self._lock:
            self.closed += 1

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Wrap ``httpx.HTTPTransport`` and ``httpx.AsyncHTTPTransport`` responses."""
        sync_handle = httpx.HTTPTransport.handle_request
        async_handle = httpx.AsyncHTTPTransport.handle_async_request
        counter = self

        def handle(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            response = sync_handle(transport, request)
            assert isinstance(response.stream, httpx.SyncByteStream)
            counter._open()
            response.stream = _CountedSyncStream(response.stream, counter)
            return response

        async def ahandle(
            transport: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            response = await async_handle(transport, request)
            assert isinstance(response.stream, httpx.AsyncByteStream)
            counter._open()
            response.stream = _CountedAsyncStream(response.stream, counter)
            return response

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", ahandle)


class _CountedSyncStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, counter: ResponseCounter) -> None:
        self._inner = inner
        self._counter = counter
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._counter._close()
        self._inner.close()


class _CountedAsyncStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, counter: ResponseCounter) -> None:
        self._inner = inner
        self._counter = counter
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._inner:
            yield part

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._counter._close()
        await self._inner.aclose()


def point_env_at(emulator: GatewayEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API_KEY_ENV, SECRET_KEY)
    monkeypatch.setenv(BASE_URL_ENV, emulator.base_url)
    monkeypatch.delenv("LC_OUTPUT_VERSION", raising=False)


@dataclass
class Reply:
    """A final answer, adapter-neutral.

    Attributes:
        text: The message text.
        tool_calls: ``(name, args)`` of every call the framework considers valid.
        invalid_tool_calls: ``(name, raw arguments)`` of calls it flags as invalid.
        raw_arguments: The argument text of every call as the framework holds it.
        native: The framework's own object (``AIMessage`` / ``ChatResponse``).
    """

    text: str
    tool_calls: list[tuple[str, dict[str, Any]]]
    invalid_tool_calls: list[tuple[str, str]]
    raw_arguments: list[str]
    native: Any


@dataclass
class Outcome:
    """How one call ended: the text pieces delivered, the reply or the error."""

    pieces: list[str] = field(default_factory=list)
    reply: Reply | None = None
    error: BaseException | None = None

    @property
    def delivered_text(self) -> str:
        return "".join(self.pieces)

    def ok(self) -> Reply:
        """The reply; fails the test with the error when the call failed."""
        if self.error is not None:
            raise AssertionError(f"the call failed: {self.error!r}") from self.error
        assert self.reply is not None
        return self.reply

    def failed(self) -> BaseException:
        """The error; fails the test when the call succeeded."""
        assert self.error is not None, f"expected an error, got {self.reply!r}"
        return self.error


@dataclass(frozen=True)
class CallSpec:
    """One way of calling a model: the API (sync/async, invoke/stream) and the model."""

    way: Way
    model: str

    @property
    def is_stream(self) -> bool:
        return self.way in ("stream", "astream")

    @property
    def is_sse(self) -> bool:
        """Whether the gateway answers with server-sent events (OpenAI models, streamed)."""
        return self.is_stream and self.model.startswith("gpt")

    @property
    def id(self) -> str:
        return f"{self.way}-{self.model.split('-')[0]}"


CALLS = (
    CallSpec("invoke", CLAUDE),
    CallSpec("ainvoke", CLAUDE),
    CallSpec("stream", GPT),
    CallSpec("stream", CLAUDE),
    CallSpec("astream", GPT),
    CallSpec("astream", CLAUDE),
)

SSE_CALLS = tuple(spec for spec in CALLS if spec.is_sse)

PLAIN_CALLS = tuple(spec for spec in CALLS if not spec.is_sse)


class AdapterDriver(ABC):
    """Builds one framework's models and runs calls in any :data:`Way`.

    Models built here are closed by :meth:`aclose_all` (and their sync pools by the
    ``adapter`` fixture's teardown).
    """

    name: AdapterName
    async_client_field: str
    """The model's field for an injected ``httpx.AsyncClient``."""

    def __init__(self, emulator: GatewayEmulator, counter: ResponseCounter) -> None:
        self.emulator = emulator
        self.counter = counter
        self.models: list[Any] = []
        self._injected: list[Any] = []

    # ---------------------------------------------------------------- building

    def make(
        self,
        model: str = CLAUDE,
        *,
        max_retries: int,
        emulator: GatewayEmulator | None = None,
        **settings: Any,
    ) -> Any:
        """A model pointed at the (given or default) emulator, with explicit retries."""
        target = emulator or self.emulator
        settings.setdefault("api_key", SECRET_KEY)
        settings.setdefault("base_url", target.base_url)
        built = self.build(model=model, max_retries=max_retries, **settings)
        self.models.append(built)
        return built

    @abstractmethod
    def build(self, **settings: Any) -> Any:
        """The framework's model from these settings (not tracked)."""

    def track(self, model: Any) -> Any:
        """Close ``model`` with the others at the end of the test."""
        self.models.append(model)
        return model

    # ------------------------------------------------------------------ calling

    async def call(
        self,
        llm: Any,
        way: Way,
        text: str = PROMPT,
        *,
        tools: Sequence[Callable[..., Any]] = (),
    ) -> Outcome:
        """Run one call; errors are returned in the outcome, never raised."""
        outcome = Outcome()
        try:
            if way == "invoke":
                outcome.reply = self.invoke(llm, text, tools)
            elif way == "ainvoke":
                outcome.reply = await self.ainvoke(llm, text, tools)
            elif way == "stream":
                outcome.reply = self.stream(llm, text, tools, outcome.pieces)
            else:
                outcome.reply = await self.astream(llm, text, tools, outcome.pieces)
        except Exception as exc:
            outcome.error = exc
        return outcome

    @abstractmethod
    def invoke(self, llm: Any, text: str, tools: Sequence[Callable[..., Any]]) -> Reply: ...

    @abstractmethod
    async def ainvoke(self, llm: Any, text: str, tools: Sequence[Callable[..., Any]]) -> Reply: ...

    @abstractmethod
    def stream(
        self, llm: Any, text: str, tools: Sequence[Callable[..., Any]], pieces: list[str]
    ) -> Reply: ...

    @abstractmethod
    async def astream(
        self, llm: Any, text: str, tools: Sequence[Callable[..., Any]], pieces: list[str]
    ) -> Reply: ...

    @abstractmethod
    def aiter_pieces(self, llm: Any, text: str = PROMPT) -> AsyncGenerator[str, None]:
        """The async stream's text pieces, as they arrive."""

    def with_http_clients(
        self, model: str, transport: httpx.AsyncBaseTransport, **settings: Any
    ) -> Any:
        """A model whose clients send through ``transport`` (closed at the end of the test)."""
        settings.setdefault("api_key", SECRET_KEY)
        settings.setdefault("max_retries", 0)
        settings[self.async_client_field] = httpx.AsyncClient(transport=transport)
        llm = self.build(model=model, http_client=_sync_client_for(transport), **settings)
        self._injected.append(llm)
        return llm

    # ------------------------------------------------------------------ closing

    def close_all(self) -> None:
        for model in self.models:
            model.close()
        for llm in self._injected:
            if llm.http_client is not None:
                llm.http_client.close()

    async def aclose_all(self) -> None:
        for model in self.models:
            await model.aclose()
        for llm in self._injected:
            await getattr(llm, self.async_client_field).aclose()

    async def assert_no_leaks(self, emulator: GatewayEmulator | None = None) -> None:
        """No response left open; after closing the pools, no socket to the emulator."""
        assert self.counter.open_responses == 0, (
            f"{self.counter.open_responses} response(s) left open "
            f"({self.counter.opened} opened, {self.counter.closed} closed)"
        )
        await self.aclose_all()
        port = (emulator or self.emulator).port
        assert open_client_sockets(port) == 0, "a connection to the emulator is still open"


def _sync_client_for(transport: httpx.AsyncBaseTransport) -> httpx.Client | None:
    """A sync client on ``transport`` when it also speaks sync (ScriptedTransport does)."""
    return httpx.Client(transport=transport) if isinstance(transport, httpx.BaseTransport) else None


def _lc_reply(message: BaseMessage) -> Reply:
    assert isinstance(message, AIMessage)
    content = message.content if isinstance(message.content, str) else ""
    if isinstance(message, AIMessageChunk):
        raw = [chunk.get("args") or "" for chunk in message.tool_call_chunks]
    else:
        raw = [str(call["args"]) for call in message.invalid_tool_calls]
        raw += [json.dumps(call["args"]) for call in message.tool_calls]
    return Reply(
        text=content,
        tool_calls=[(call["name"], call["args"]) for call in message.tool_calls],
        invalid_tool_calls=[
            (call.get("name") or "", call.get("args") or "") for call in message.invalid_tool_calls
        ],
        raw_arguments=raw,
        native=message,
    )


def _lc_text(message: BaseMessage) -> str:
    return message.content if isinstance(message.content, str) else ""


class LangChainDriver(AdapterDriver):
    """``ChatAssemblyAIGateway``: invoke/ainvoke/stream/astream (tools via bind_tools)."""

    name: AdapterName = "langchain"

    async_client_field = "http_async_client"

    def build(self, **settings: Any) -> ChatAssemblyAIGateway:
        return ChatAssemblyAIGateway(**settings)

    @staticmethod
    def _runnable(
        llm: ChatAssemblyAIGateway, tools: Sequence[Callable[..., Any]]
    ) -> Runnable[Any, BaseMessage]:
        return llm.bind_tools(list(tools)) if tools else llm

    def invoke(self, llm: Any, text: str, tools: Sequence[Callable[..., Any]]) -> Reply:
        return _lc_reply(self._runnable(llm, tools).invoke(text))

    async def ainvoke(self, llm: Any, text: str, tools: Sequence[Callable[..., Any]]) -> Reply:
        return _lc_reply(await self._runnable(llm, tools).ainvoke(text))

    def stream(
        self, llm: Any, text: str, tools: Sequence[Callable[..., Any]], pieces: list[str]
    ) -> Reply:
        total: AIMessageChunk | None = None
        for chunk in self._runnable(llm, tools).stream(text):
            assert isinstance(chunk, AIMessageChunk)
            pieces.append(_lc_text(chunk))
            total = chunk if total is None else total + chunk
        assert total is not None, "the stream produced no chunk"
        return _lc_reply(total)

    async def astream(
        self, llm: Any, text: str, tools: Sequence[Callable[..., Any]], pieces: list[str]
    ) -> Reply:
        total: AIMessageChunk | None = None
        async for chunk in self._runnable(llm, tools).astream(text):
            assert isinstance(chunk, AIMessageChunk)
            pieces.append(_lc_text(chunk))
            total = chunk if total is None else total + chunk
        assert total is not None, "the stream produced no chunk"
        return _lc_reply(total)

    async def aiter_pieces(self, llm: Any, text: str = PROMPT) -> AsyncGenerator[str, None]:
        # aclosing: closing this generator closes the framework's stream right away.
        async with aclosing(llm.astream(text)) as chunks:
            async for chunk in chunks:
                yield _lc_text(chunk)


def _li_reply(llm: AssemblyAIGateway, response: ChatResponse) -> Reply:
    raw = [
        block.tool_kwargs if isinstance(block.tool_kwargs, str) else json.dumps(block.tool_kwargs)
        for block in response.message.blocks
        if isinstance(block, ToolCallBlock)
    ]
    selections = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    return Reply(
        text=response.message.content or "",
        tool_calls=[(s.tool_name, dict(s.tool_kwargs)) for s in selections],
        invalid_tool_calls=[],
        raw_arguments=raw,
        native=response,
    )


def _li_tools(tools: Sequence[Callable[..., Any]]) -> list[FunctionTool]:
    return [FunctionTool.from_defaults(fn) for fn in tools]


class LlamaIndexDriver(AdapterDriver):
    """``AssemblyAIGateway``: chat/achat/stream_chat/astream_chat (tools: *_with_tools)."""

    name: AdapterName = "llama_index"

    async_client_field = "async_http_client"

    def build(self, **settings: Any) -> AssemblyAIGateway:
        return AssemblyAIGateway(**settings)

    @staticmethod
    def _messages(text: str) -> list[ChatMessage]:
        return [ChatMessage(role="user", content=text)]

    def invoke(self, llm: Any, text: str, tools: Sequence[Callable[..., Any]]) -> Reply:
        if tools:
            return _li_reply(llm, llm.chat_with_tools(_li_tools(tools), user_msg=text))
        return _li_reply(llm, llm.chat(self._messages(text)))

    async def ainvoke(self, llm: Any, text: str, tools: Sequence[Callable[..., Any]]) -> Reply:
        if tools:
            return _li_reply(llm, await llm.achat_with_tools(_li_tools(tools), user_msg=text))
        return _li_reply(llm, await llm.achat(self._messages(text)))

    def stream(
        self, llm: Any, text: str, tools: Sequence[Callable[..., Any]], pieces: list[str]
    ) -> Reply:
        if tools:
            responses = llm.stream_chat_with_tools(_li_tools(tools), user_msg=text)
        else:
            responses = llm.stream_chat(self._messages(text))
        last: ChatResponse | None = None
        for response in responses:
            pieces.append(response.delta or "")
            last = response
        assert last is not None, "the stream produced no response"
        return _li_reply(llm, last)

    async def astream(
        self, llm: Any, text: str, tools: Sequence[Callable[..., Any]], pieces: list[str]
    ) -> Reply:
        if tools:
            responses = await llm.astream_chat_with_tools(_li_tools(tools), user_msg=text)
        else:
            responses = await llm.astream_chat(self._messages(text))
        last: ChatResponse | None = None
        async for response in responses:
            pieces.append(response.delta or "")
            last = response
        assert last is not None, "the stream produced no response"
        return _li_reply(llm, last)

    async def aiter_pieces(self, llm: Any, text: str = PROMPT) -> AsyncGenerator[str, None]:
        async with aclosing(await llm.astream_chat(self._messages(text))) as responses:
            async for response in responses:
                yield response.delta or ""


DRIVERS: dict[AdapterName, type[AdapterDriver]] = {
    "langchain": LangChainDriver,
    "llama_index": LlamaIndexDriver,
}


async def within_loop_turns(condition: Callable[[], bool], turns: int = 1000) -> None:
    """Let the running loop take up to ``turns`` turns until ``condition`` holds.

    For work the loop itself schedules (an async generator's finalizer closing it):
    it counts turns of the loop, never seconds, so a slow machine cannot fail it.
    """
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    assert condition(), f"the condition did not hold within {turns} turns of the loop"


class Kit:
    """Constants and helpers for the test modules (which import conftest for types only)."""

    SECRET_KEY = SECRET_KEY
    CLAUDE = CLAUDE
    GPT = GPT
    PROMPT = PROMPT
    ANSWER = ANSWER
    HELD = HELD
    TOOL_PROMPT = TOOL_PROMPT
    CALLS = CALLS
    DRIVERS = DRIVERS
    get_weather = staticmethod(get_weather)
    open_client_sockets = staticmethod(open_client_sockets)
    within_loop_turns = staticmethod(within_loop_turns)


def core_class(error: BaseException) -> type[BaseException]:
    """The core class an error is raised as: LangChain raises a subclass that is also a
    langchain-core ``ModelError``, named like it (see ``langchain_assemblyai_gateway._errors``)."""
    for cls in type(error).__mro__:
        if cls.__module__ == "assemblyai_gateway.errors":
            return cls
    return type(error)
