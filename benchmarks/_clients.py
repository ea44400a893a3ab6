"""The async clients the concurrency benchmark compares, each built from a base URL.

A builder returns ``(call, close)``: ``call()`` makes one chat call and returns the
answer, ``close()`` releases what the builder opened. Builders import their framework
lazily, so the burst child process (:mod:`benchmarks._burst_client`) loads only its own.

The peers (ChatOpenAI, OpenAILike) send ``Authorization: Bearer <key>``; the gateway
wants the raw key, so they get ``default_headers={"Authorization": <key>}``, which the
OpenAI SDK lets override its own header. Each gets its own ``httpx.AsyncClient`` with the
OpenAI SDK's default limits (1,000 connections, 100 kept alive), so a fresh instance has a
fresh pool (langchain-openai otherwise shares one cached client between instances).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks._common import BENCH_API_KEY, BENCH_MODEL, openai_like_class

__all__ = ["CLIENTS", "Builder", "Call", "ClientSpec", "Close", "builder_for"]

Call = Callable[[], Awaitable[Any]]
Close = Callable[[], Awaitable[None]]
# Builds the client inside the run's event loop from (base_url, timeout); raises if it cannot.
Builder = Callable[[str, float], tuple[Call, Close]]


@dataclass(frozen=True)
class ClientSpec:
    """One row of the concurrency benchmark.

    Attributes:
        name: Machine name, passed to the burst child process.
        label: What a reader sees.
        cold_calls: Calls in the first burst; ``None`` means the configured burst size.
    """

    name: str
    label: str
    cold_calls: int | None = None


CLIENTS = [
    ClientSpec("ours_langchain", "ours: ChatAssemblyAIGateway.ainvoke"),
    ClientSpec("ours_llamaindex", "ours: AssemblyAIGateway.achat"),
    ClientSpec("chatopenai", "ChatOpenAI.ainvoke"),
    ClientSpec("openailike", "OpenAILike.achat"),
    # A plain httpx pool of 100 connections needs ~15 s for a cold burst of 1,000 (see
    # assemblyai_gateway._transport.sharded_async_pool); a 100-call burst opens its pool instead.
    ClientSpec("raw_httpx", "floor: raw httpx.AsyncClient.post (100 connections)", 100),
    ClientSpec("core", "core: GatewayClient.acreate (no framework)"),
]


def _ours_builder(module: str, attr: str, method: str, llama: bool) -> Builder:
    cls = getattr(importlib.import_module(module), attr)

    def build(base_url: str, timeout: float) -> tuple[Call, Close]:
        model = cls(
            model=BENCH_MODEL,
            api_key=BENCH_API_KEY,
            base_url=base_url,
            timeout=timeout,
            max_retries=0,
        )
        if llama:
            from llama_index.core.llms import ChatMessage

            messages = [ChatMessage(role="user", content="Hi")]
            return (lambda: getattr(model, method)(messages)), model.aclose
        return (lambda: getattr(model, method)("Hi")), model.aclose

    return build


def _chat_openai_builder(base_url: str, timeout: float) -> tuple[Call, Close]:
    import openai
    from langchain_openai import ChatOpenAI

    http = httpx.AsyncClient(limits=openai.DEFAULT_CONNECTION_LIMITS, timeout=timeout)
    model = ChatOpenAI(
        model=BENCH_MODEL,
        base_url=base_url,
        api_key=BENCH_API_KEY,
        default_headers={"Authorization": BENCH_API_KEY},
        max_retries=0,
        timeout=timeout,
        http_async_client=http,
    )
    return (lambda: model.ainvoke("Hi")), http.aclose


def _openai_like_builder(base_url: str, timeout: float) -> tuple[Call, Close]:
    import openai
    from llama_index.core.llms import ChatMessage

    http = httpx.AsyncClient(limits=openai.DEFAULT_CONNECTION_LIMITS, timeout=timeout)
    model = openai_like_class()(
        model=BENCH_MODEL,
        api_base=base_url,
        api_key=BENCH_API_KEY,
        is_chat_model=True,
        default_headers={"Authorization": BENCH_API_KEY},
        max_retries=0,
        timeout=timeout,
        async_http_client=http,
    )
    messages = [ChatMessage(role="user", content="Hi")]
    return (lambda: model.achat(messages)), http.aclose


def _raw_httpx_builder(base_url: str, timeout: float) -> tuple[Call, Close]:
    # No framework, no validation: a plain httpx pool with the core's former limits.
    http = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
        timeout=timeout,
    )
    url = f"{base_url}/chat/completions"
    body = {"model": BENCH_MODEL, "messages": [{"role": "user", "content": "Hi"}]}
    headers = {"Authorization": BENCH_API_KEY}

    async def call() -> Any:
        response = await http.post(url, json=body, headers=headers)
        response.raise_for_status()
        return response.json()["choices"][0]["message"]["content"]

    return call, http.aclose


def _core_builder(base_url: str, timeout: float) -> tuple[Call, Close]:
    from assemblyai_gateway import GatewayClient

    core = GatewayClient(api_key=BENCH_API_KEY, base_url=base_url, timeout=timeout, max_retries=0)
    request = {"model": BENCH_MODEL, "messages": [{"role": "user", "content": "Hi"}]}

    async def call() -> Any:
        return (await core.acreate(request)).choices[0].message.content

    return call, core.aclose


def builder_for(name: str) -> Builder:
    """The builder of the client called ``name`` (one of :data:`CLIENTS`).

    Raises:
        ValueError: unknown name.
    """
    if name == "ours_langchain":
        return _ours_builder(
            "langchain_assemblyai_gateway", "ChatAssemblyAIGateway", "ainvoke", llama=False
        )
    if name == "ours_llamaindex":
        return _ours_builder(
            "llama_index_assemblyai_gateway", "AssemblyAIGateway", "achat", llama=True
        )
    builders: dict[str, Builder] = {
        "chatopenai": _chat_openai_builder,
        "openailike": _openai_like_builder,
        "raw_httpx": _raw_httpx_builder,
        "core": _core_builder,
    }
    if name not in builders:
        raise ValueError(f"unknown client {name!r}")
    return builders[name]
