"""SDK-shaped answers with reasoning and usage details, shared by both adapters' tests.

Each body follows the vendor SDK's models (``assemblyai.llm_gateway.v1.models``):
``message.thinking``, ``usage.prompt_tokens_details`` (``cached_tokens``,
``cache_creation`` by lifetime) and ``usage.completion_tokens_details``
(``reasoning_tokens``). :func:`check_sdk_shapes` proves it where the SDK is installed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from assemblyai_gateway.testing import (
    chunk_body,
    completion_body,
    sse_body,
    tool_call,
    tool_call_delta,
)

__all__ = [
    "ANSWER",
    "CACHE_CREATION",
    "CACHE_READ",
    "DETAILS",
    "REASONING_TOKENS",
    "THINKING",
    "THINKING_PIECES",
    "USAGE",
    "check_sdk_shapes",
    "sdk_validator",
    "sse_events",
    "thinking_completion",
    "thinking_sse",
    "thinking_tool_completion",
    "thinking_tool_sse",
]

THINKING_PIECES = ("The user asks for ", "the capital of France. ", "It is Paris.")
THINKING = "".join(THINKING_PIECES)
ANSWER = "Paris."
USAGE = (1500, 40)
CACHE_READ = 1024
CACHE_CREATION = 200
REASONING_TOKENS = 12
DETAILS: dict[str, Any] = {
    "prompt_tokens_details": {
        "cached_tokens": CACHE_READ,
        "audio_tokens": 0,
        "cache_creation": {
            "ephemeral_5m_input_tokens": CACHE_CREATION,
            "ephemeral_1h_input_tokens": 0,
        },
    },
    "completion_tokens_details": {
        "reasoning_tokens": REASONING_TOKENS,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    },
}
WEATHER_CALL = tool_call("get_weather", {"city": "Paris"}, "call_weather")


def thinking_completion(*, model: str = "claude-sonnet-4-5-20250929") -> dict[str, Any]:
    """A non-streamed answer with thinking, text and every usage detail."""
    return completion_body(
        ANSWER,
        thinking=THINKING,
        model=model,
        usage=USAGE,
        usage_style="prompt_completion",
        usage_details=DETAILS,
        finish_reason="end_turn",
    )


def thinking_tool_completion() -> dict[str, Any]:
    """Claude thinking, then calling a tool (the turn that must go back with its thinking)."""
    return completion_body(
        None,
        thinking=THINKING,
        tool_calls=[WEATHER_CALL],
        tool_calls_in_message=True,
        usage=USAGE,
        usage_style="prompt_completion",
        usage_details=DETAILS,
        finish_reason="tool_use",
    )


def thinking_sse(*, model: str = "gpt-5") -> bytes:
    """The same answer streamed: reasoning pieces, then text pieces, then usage."""
    return sse_body(
        [
            chunk_body("", role="assistant", model=model),
            *(chunk_body(thinking=piece, model=model) for piece in THINKING_PIECES),
            chunk_body("Par", model=model),
            chunk_body("is.", model=model),
            chunk_body(finish_reason="stop", model=model),
            chunk_body(usage=USAGE, usage_details=DETAILS, choices=False, model=model),
        ]
    )


def thinking_tool_sse(*, model: str = "gpt-5") -> bytes:
    """Streamed reasoning, then a streamed tool call."""
    return sse_body(
        [
            chunk_body(role="assistant", model=model),
            *(chunk_body(thinking=piece, model=model) for piece in THINKING_PIECES),
            chunk_body(
                tool_calls=[tool_call_delta(0, "", "call_weather", "get_weather")], model=model
            ),
            chunk_body(tool_calls=[tool_call_delta(0, '{"city": "Paris"}')], model=model),
            chunk_body(finish_reason="tool_calls", model=model),
            chunk_body(usage=USAGE, usage_details=DETAILS, choices=False, model=model),
        ]
    )


def sdk_validator(name: str) -> Any:
    """The vendor SDK model ``name``'s validating constructor (skips without the SDK).

    The SDK runs on pydantic 2 when ``pydantic-settings`` is installed, else on
    ``pydantic.v1``: either way the model validates the body.
    """
    models = pytest.importorskip("assemblyai.llm_gateway.v1.models")
    model = getattr(models, name)
    return getattr(model, "model_validate", None) or model.parse_obj


def sse_events(stream: bytes) -> list[dict[str, Any]]:
    """The JSON events of an SSE body (``[DONE]`` left out)."""
    prefix = "data: "
    return [
        json.loads(line[len(prefix) :])
        for line in stream.decode().splitlines()
        if line.startswith(prefix) and line != "data: [DONE]"
    ]


def check_sdk_shapes() -> None:
    """Every body above validates against the vendor SDK's models (skips without the SDK)."""
    completion = sdk_validator("LLMGatewayChatCompletion")
    chunk = sdk_validator("LLMGatewayCompletionChunk")
    for body in (thinking_completion(), thinking_tool_completion()):
        completion(body)
    for stream in (thinking_sse(), thinking_tool_sse()):
        for event in sse_events(stream):
            chunk(event)
