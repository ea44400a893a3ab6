"""Shared constants and helpers for the core client's test modules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway._wire.accumulator import CompletionSnapshot, accumulate_chunk
from assemblyai_gateway._wire.types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
)
from assemblyai_gateway.testing import chunk_body, error_body, sse_body

__all__ = [
    "CLAUDE",
    "EU",
    "FIXTURES",
    "GPT",
    "MESSAGES",
    "CollectStream",
    "Complete",
    "MakeClient",
    "StreamOutcome",
    "delta_texts",
    "fold",
    "status_response",
    "text_stream",
]

MakeClient = Callable[..., GatewayClient]
Complete = Callable[
    [GatewayClient, ChatCompletionRequest | Mapping[str, Any]], Awaitable[ChatCompletion]
]
StreamOutcome = tuple[list[ChatCompletionChunk], BaseException | None]
CollectStream = Callable[..., Awaitable[StreamOutcome]]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sse"
EU = "https://llm-gateway.eu.assemblyai.com/v1"
MESSAGES = [{"role": "user", "content": "Hi"}]
CLAUDE = {"model": "claude-sonnet-4-5-20250929", "messages": MESSAGES}
GPT = {"model": "gpt-5", "messages": MESSAGES}


def fold(chunks: list[ChatCompletionChunk]) -> ChatCompletion:
    snapshot: CompletionSnapshot | None = None
    for chunk in chunks:
        snapshot = accumulate_chunk(snapshot, chunk)
    assert snapshot is not None
    return snapshot.to_completion()


def delta_texts(chunks: list[ChatCompletionChunk]) -> list[str | None]:
    return [c.choices[0].delta.content if c.choices else None for c in chunks]


def status_response(status: int, message: str = "no", **headers: str) -> httpx.Response:
    return httpx.Response(status, json=error_body(status, message), headers=headers)


def text_stream() -> bytes:
    return sse_body(
        [
            chunk_body("Hel", role="assistant"),
            chunk_body("lo"),
            chunk_body(finish_reason="stop"),
            chunk_body(choices=False, usage=(3, 2)),
        ]
    )
