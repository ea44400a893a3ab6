"""Per-call overhead: every client answers from the same in-memory transport.

No sockets, no server: ``httpx.MockTransport`` returns one pre-serialised completion,
so what is left is pure client-side cost (request building, validation, parsing,
framework callbacks). Two floors bound it from below: a raw ``httpx`` post, and each
framework's no-op model (pydantic-ai's is ``FunctionModel`` answering the canned text,
run through the same ``Agent``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from benchmarks._common import (
    BENCH_API_KEY,
    BENCH_MODEL,
    AsyncLoop,
    BenchConfig,
    BenchResult,
    Case,
    canned_completion,
    canned_completion_bytes,
    failure_note,
    measure_cases,
    openai_like_class,
    ratio_target,
    sync_runner,
)

__all__ = ["EXPECTED_TEXT", "make_transport", "run"]

BENCH = "overhead"
BASE_URL = "http://gateway.bench.invalid/v1"  # never resolved: the transport is in memory
EXPECTED_TEXT = canned_completion()["choices"][0]["message"]["content"]
PROMPT = "Hi"


def make_transport(body: bytes | None = None) -> httpx.MockTransport:
    """A transport answering every request with the canned completion."""
    content = body if body is not None else canned_completion_bytes()
    headers = {"content-type": "application/json"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers=headers)

    return httpx.MockTransport(handler)


def _text_of(result: Any) -> Any:
    """The answer text of a LangChain message, a LlamaIndex chat response or a
    pydantic-ai run's output."""
    if isinstance(result, str):
        return result
    message = getattr(result, "message", result)
    return getattr(message, "content", None)


class _Harness:
    """Builds every case once (outside the timed loop) and closes what it opened."""

    def __init__(self, transport: httpx.MockTransport) -> None:
        self.transport = transport
        self.loop = AsyncLoop()
        self.sync_clients: list[httpx.Client] = []
        self.async_clients: list[httpx.AsyncClient] = []

    def client(self) -> httpx.Client:
        client = httpx.Client(transport=self.transport)
        self.sync_clients.append(client)
        return client

    def async_client(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=self.transport)
        self.async_clients.append(client)
        return client

    def close(self) -> None:
        for client in self.sync_clients:
            client.close()
        for aclient in self.async_clients:
            self.loop.run(aclient.aclose())
        asyncio.set_event_loop(None)  # pydantic-ai's run_sync ran on it (see below)
        self.loop.close()

    # One untimed call first: a client that answers wrongly is reported, not timed.
    def sync_case(
        self, name: str, label: str, call: Callable[[], Any], *, check: bool = True
    ) -> Case:
        try:
            result = call()
            if check and _text_of(result) != EXPECTED_TEXT:
                return Case(name, label, note=f"n/a (unexpected answer: {_text_of(result)!r})")
        except Exception as exc:
            return Case(name, label, note=failure_note(exc))
        return Case(name, label, sync_runner(call))

    def async_case(
        self, name: str, label: str, call: Callable[[], Awaitable[Any]], *, check: bool = True
    ) -> Case:
        try:
            result = self.loop.run(call())
            if check and _text_of(result) != EXPECTED_TEXT:
                return Case(name, label, note=f"n/a (unexpected answer: {_text_of(result)!r})")
        except Exception as exc:
            return Case(name, label, note=failure_note(exc))
        return Case(name, label, self.loop.runner(call))


def _floor_cases(h: _Harness) -> list[Case]:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel
    from llama_index.core.llms import ChatMessage, MockLLM

    url = f"{BASE_URL}/chat/completions"
    payload = {"model": BENCH_MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    headers = {"Authorization": BENCH_API_KEY}
    raw = h.client()
    araw = h.async_client()

    async def raw_async() -> Any:
        return (await araw.post(url, json=payload, headers=headers)).json()

    fake = FakeListChatModel(responses=[EXPECTED_TEXT])
    mock = MockLLM()
    li_messages = [ChatMessage(role="user", content=PROMPT)]
    return [
        h.sync_case(
            "raw_httpx_sync",
            "floor: raw httpx Client.post().json()",
            lambda: raw.post(url, json=payload, headers=headers).json(),
            check=False,
        ),
        h.async_case(
            "raw_httpx_async",
            "floor: raw httpx AsyncClient.post().json()",
            raw_async,
            check=False,
        ),
        h.sync_case(
            "fake_langchain_sync", "floor: FakeListChatModel.invoke", lambda: fake.invoke(PROMPT)
        ),
        h.async_case(
            "fake_langchain_async",
            "floor: FakeListChatModel.ainvoke",
            lambda: fake.ainvoke(PROMPT),
        ),
        # MockLLM echoes the prompt, so its answer is not the canned text.
        h.sync_case(
            "mock_llamaindex_sync",
            "floor: MockLLM.chat",
            lambda: mock.chat(li_messages),
            check=False,
        ),
        h.async_case(
            "mock_llamaindex_async",
            "floor: MockLLM.achat",
            lambda: mock.achat(li_messages),
            check=False,
        ),
    ]


def _core_cases(h: _Harness) -> list[Case]:
    from assemblyai_gateway import GatewayClient

    core = GatewayClient(
        api_key=BENCH_API_KEY,
        http_client=h.client(),
        http_async_client=h.async_client(),
    )
    request = {"model": BENCH_MODEL, "messages": [{"role": "user", "content": PROMPT}]}

    def text(completion: Any) -> Any:
        return completion.choices[0].message

    async def acreate() -> Any:
        return text(await core.acreate(request))

    return [
        h.sync_case(
            "core_create_sync",
            "core: GatewayClient.create (no framework)",
            lambda: text(core.create(request)),
        ),
        h.async_case("core_create_async", "core: GatewayClient.acreate", acreate),
    ]


def _peer_cases(h: _Harness) -> list[Case]:
    from langchain_openai import ChatOpenAI
    from llama_index.core.llms import ChatMessage

    chat_openai = ChatOpenAI(
        model=BENCH_MODEL,
        base_url=BASE_URL,
        api_key=BENCH_API_KEY,
        http_client=h.client(),
        http_async_client=h.async_client(),
    )
    openai_like = openai_like_class()(
        model=BENCH_MODEL,
        api_base=BASE_URL,
        api_key=BENCH_API_KEY,
        is_chat_model=True,
        http_client=h.client(),
        async_http_client=h.async_client(),
    )
    li_messages = [ChatMessage(role="user", content=PROMPT)]
    return [
        h.sync_case("chatopenai_sync", "ChatOpenAI.invoke", lambda: chat_openai.invoke(PROMPT)),
        h.async_case("chatopenai_async", "ChatOpenAI.ainvoke", lambda: chat_openai.ainvoke(PROMPT)),
        h.sync_case("openailike_sync", "OpenAILike.chat", lambda: openai_like.chat(li_messages)),
        h.async_case(
            "openailike_async", "OpenAILike.achat", lambda: openai_like.achat(li_messages)
        ),
    ]


def _our_cases(h: _Harness) -> list[Case]:
    labels = {
        "ours_langchain_sync": "ours: ChatAssemblyAIGateway.invoke",
        "ours_langchain_async": "ours: ChatAssemblyAIGateway.ainvoke",
        "ours_llamaindex_sync": "ours: AssemblyAIGateway.chat",
        "ours_llamaindex_async": "ours: AssemblyAIGateway.achat",
    }
    from llama_index.core.llms import ChatMessage

    from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    from llama_index_assemblyai_gateway import AssemblyAIGateway

    cases: list[Case] = []
    lc = ChatAssemblyAIGateway(
        model=BENCH_MODEL,
        api_key=BENCH_API_KEY,
        http_client=h.client(),
        http_async_client=h.async_client(),
    )
    cases.append(
        h.sync_case("ours_langchain_sync", labels["ours_langchain_sync"], lambda: lc.invoke(PROMPT))
    )
    cases.append(
        h.async_case(
            "ours_langchain_async", labels["ours_langchain_async"], lambda: lc.ainvoke(PROMPT)
        )
    )

    li = AssemblyAIGateway(
        model=BENCH_MODEL,
        api_key=BENCH_API_KEY,
        http_client=h.client(),
        async_http_client=h.async_client(),
    )
    messages = [ChatMessage(role="user", content=PROMPT)]
    cases.append(
        h.sync_case(
            "ours_llamaindex_sync", labels["ours_llamaindex_sync"], lambda: li.chat(messages)
        )
    )
    cases.append(
        h.async_case(
            "ours_llamaindex_async", labels["ours_llamaindex_async"], lambda: li.achat(messages)
        )
    )
    return cases


def _pydantic_ai_cases(h: _Harness) -> list[Case]:
    """pydantic-ai's floor (``FunctionModel``, no HTTP) and ours, both through ``Agent``."""
    from pydantic_ai import Agent
    from pydantic_ai.messages import ModelResponse, TextPart
    from pydantic_ai.models.function import FunctionModel

    from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayModel, AssemblyAIGatewayProvider

    def canned(messages: Any, info: Any) -> ModelResponse:
        return ModelResponse(parts=[TextPart(EXPECTED_TEXT)])

    floor: Agent[None, str] = Agent(FunctionModel(canned))
    provider = AssemblyAIGatewayProvider(api_key=BENCH_API_KEY, http_client=h.async_client())
    ours: Agent[None, str] = Agent(AssemblyAIGatewayModel(BENCH_MODEL, provider=provider))

    async def floor_run() -> Any:
        return (await floor.run(PROMPT)).output

    async def ours_run() -> Any:
        return (await ours.run(PROMPT)).output

    # run_sync runs on the thread's current event loop (creating one, and leaving it open,
    # when there is none): the harness's loop is made current, so it is closed with it.
    asyncio.set_event_loop(h.loop.loop)
    return [
        h.sync_case(
            "function_model_pydantic_ai_sync",
            "floor: Agent(FunctionModel).run_sync",
            lambda: floor.run_sync(PROMPT).output,
        ),
        h.async_case(
            "function_model_pydantic_ai_async", "floor: Agent(FunctionModel).run", floor_run
        ),
        h.sync_case(
            "ours_pydantic_ai_sync",
            "ours: Agent(AssemblyAIGatewayModel).run_sync",
            lambda: ours.run_sync(PROMPT).output,
        ),
        h.async_case("ours_pydantic_ai_async", "ours: Agent(AssemblyAIGatewayModel).run", ours_run),
    ]


def _targets(result: BenchResult) -> None:
    values = result.by_name()
    for mode, lc_verb, li_verb, pai_verb in (
        ("sync", "invoke", "chat", "run_sync"),
        ("async", "ainvoke", "achat", "run"),
    ):
        lc, li = f"ours_langchain_{mode}", f"ours_llamaindex_{mode}"
        raw = f"raw_httpx_{mode}"
        result.targets += [
            ratio_target(
                BENCH, f"per-call {lc_verb}: ours / ChatOpenAI", values, lc,
                [f"chatopenai_{mode}"], 0.35,
            ),
            ratio_target(
                BENCH, f"per-call {li_verb}: ours / OpenAILike", values, li,
                [f"openailike_{mode}"], 0.35,
            ),
            ratio_target(
                BENCH, f"per-call {lc_verb}: ours / (FakeListChatModel + raw httpx)", values,
                lc, [f"fake_langchain_{mode}", raw], 1.5,
            ),
            ratio_target(
                BENCH, f"per-call {li_verb}: ours / (MockLLM + raw httpx)", values, li,
                [f"mock_llamaindex_{mode}", raw], 1.5,
            ),
            ratio_target(
                BENCH, f"per-call Agent.{pai_verb}: ours / (FunctionModel + raw httpx)", values,
                f"ours_pydantic_ai_{mode}", [f"function_model_pydantic_ai_{mode}", raw], 1.5,
            ),
        ]  # fmt: skip


def run(config: BenchConfig) -> BenchResult:
    """Measure per-call overhead (µs/call) of ours, the peers and the floors.

    Args:
        config: Sizes; ``rounds`` x ``calls`` per case after ``warmup`` calls.
    """
    started = time.perf_counter()
    result = BenchResult(BENCH)
    harness = _Harness(make_transport())
    try:
        # Models are built once here: construction inside the adapters' call path is
        # a cost we want to catch, not one the harness should add.
        cases = _floor_cases(harness) + _core_cases(harness) + _peer_cases(harness)
        cases += _our_cases(harness) + _pydantic_ai_cases(harness)
        result.measurements = measure_cases(
            BENCH,
            cases,
            unit="µs/call",
            scale=1e6,
            rounds=config.rounds,
            iterations=config.calls,
            warmup=config.warmup,
        )
    finally:
        harness.close()
    _targets(result)
    result.notes.append(
        f"{config.rounds} interleaved rounds x {config.calls} calls per case after "
        f"{config.warmup} warm-up calls; value = median of the per-round means; "
        "one in-memory httpx.MockTransport serves every client."
    )
    result.seconds = time.perf_counter() - started
    return result
