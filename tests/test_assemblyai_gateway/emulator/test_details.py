"""The emulator's reasoning and prompt-cache rules, and the usage details they report.

Every answer here is also checked against the vendor SDK's own models
(``LLMGatewayChatCompletion``, ``LLMGatewayCompletionChunk``); those checks skip cleanly
when the SDK is not installed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.contract import Contract
from tests.support.reasoning_cases import sdk_validator
from tests.test_assemblyai_gateway.emulator.conftest import Gateway

Json = dict[str, Any]
CLAUDE = "claude-sonnet-4-5-20250929"
RULES = "You follow the house style guide. " * 30
QUESTION = {"role": "user", "content": "Why is the sky blue?"}


def cached_system(ttl: str | None = None) -> Json:
    control: Json = {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}
    return {
        "role": "system",
        "content": [{"type": "text", "text": RULES, "cache_control": control}],
    }


def validate_with_sdk(body: Json) -> None:
    """The SDK's model requires the prompt_tokens/completion_tokens naming of usage."""
    sdk_validator("LLMGatewayChatCompletion")(body)


# --------------------------------------------------------------------------- reasoning


@pytest.mark.parametrize("model", [CLAUDE, "gpt-5", "gemini-2.5-pro", "gpt-oss-120b"])
def test_a_reasoning_request_to_a_model_that_reasons_gets_thinking(
    gateway: Gateway, contract: Contract, model: str
) -> None:
    gateway.emulator.usage_style = "prompt_completion"
    body = {"model": model, "messages": [QUESTION], "reasoning": {"effort": "high"}}
    contract.check_request(body)
    answer = gateway.chat(body)
    validate_with_sdk(answer)

    message = answer["choices"][0]["message"]
    assert message["thinking"] == (
        'Reasoning (high effort) about: "Why is the sky blue?". The answer follows.'
    )
    assert message["content"] == 'Emulated answer to: "Why is the sky blue?"'
    reasoning = answer["usage"]["completion_tokens_details"]["reasoning_tokens"]
    assert 0 < reasoning < answer["usage"]["completion_tokens"]


@pytest.mark.parametrize(
    "body",
    [
        {"model": "gpt-4.1", "messages": [QUESTION], "reasoning": {"effort": "high"}},
        {"model": CLAUDE, "messages": [QUESTION], "reasoning": {"effort": "none"}},
        {"model": CLAUDE, "messages": [QUESTION]},
    ],
    ids=["model-does-not-reason", "effort-none", "no-reasoning"],
)
def test_no_thinking_and_no_reasoning_details_otherwise(gateway: Gateway, body: Json) -> None:
    answer = gateway.chat(body)

    assert "thinking" not in answer["choices"][0]["message"]
    assert "completion_tokens_details" not in answer["usage"]


def test_thinking_comes_with_tool_calls_too(gateway: Gateway, tools: list[Json]) -> None:
    answer = gateway.chat(
        {
            "model": CLAUDE,
            "prompt": "get_weather city: Lima",
            "tools": tools,
            "reasoning": {"effort": "low"},
        }
    )

    choice = answer["choices"][0]
    assert choice["tool_calls"][0]["function"]["name"] == "get_weather"
    assert choice["message"]["thinking"].startswith("Reasoning (low effort)")


def test_streamed_thinking_comes_before_the_text_and_adds_up(gateway: Gateway) -> None:
    events, done = gateway.stream(
        {
            "model": "gpt-5",
            "messages": [QUESTION],
            "reasoning": {"effort": "low"},
            "stream_options": {"include_usage": True},
        }
    )

    assert done
    deltas = [choice["delta"] for event in events for choice in event["choices"]]
    kinds = [key for delta in deltas for key in ("thinking", "content") if delta.get(key)]
    assert kinds == sorted(kinds, key=["thinking", "content"].index)
    thinking = "".join(delta.get("thinking") or "" for delta in deltas)
    assert thinking == 'Reasoning (low effort) about: "Why is the sky blue?". The answer follows.'
    assert events[-1]["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    chunk = sdk_validator("LLMGatewayCompletionChunk")
    for event in events:
        chunk(event)


def test_an_assistant_turn_may_send_its_thinking_back(gateway: Gateway, contract: Contract) -> None:
    body = {
        "model": CLAUDE,
        "messages": [
            QUESTION,
            {"role": "assistant", "content": "Rayleigh scattering.", "thinking": "Physics."},
            {"role": "user", "content": "Shorter?"},
        ],
    }
    contract.check_request(body)

    assert gateway.post(body).status_code == 200


# ------------------------------------------------------------------------ prompt caching


def test_the_first_request_writes_the_cache_and_the_next_reads_it(
    gateway: Gateway, contract: Contract
) -> None:
    gateway.emulator.usage_style = "prompt_completion"
    body = {"model": CLAUDE, "messages": [cached_system(), QUESTION]}
    contract.check_request(body)
    first, second = gateway.chat(body), gateway.chat(body)

    prefix = first["usage"]["prompt_tokens_details"]["cache_creation"]["ephemeral_5m_input_tokens"]
    assert prefix > 0
    assert first["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] == prefix
    assert second["usage"]["prompt_tokens_details"]["cache_creation"] == {
        "ephemeral_5m_input_tokens": 0,
        "ephemeral_1h_input_tokens": 0,
    }
    # Cached tokens are part of the input, which the cache does not change.
    assert first["usage"]["prompt_tokens"] == second["usage"]["prompt_tokens"] > prefix
    validate_with_sdk(first)
    validate_with_sdk(second)


def test_a_one_hour_breakpoint_writes_one_hour_tokens(gateway: Gateway) -> None:
    answer = gateway.chat({"model": CLAUDE, "messages": [cached_system("1h"), QUESTION]})

    creation = answer["usage"]["prompt_tokens_details"]["cache_creation"]
    assert creation["ephemeral_1h_input_tokens"] > 0
    assert creation["ephemeral_5m_input_tokens"] == 0


def test_the_cache_is_per_model_and_forgotten_on_reset(gateway: Gateway) -> None:
    body = {"model": CLAUDE, "messages": [cached_system(), QUESTION]}
    gateway.chat(body)
    other_model = gateway.chat({**body, "model": "claude-haiku-4-5-20251001"})
    assert other_model["usage"]["prompt_tokens_details"]["cached_tokens"] == 0

    gateway.emulator.reset()
    assert gateway.chat(body)["usage"]["prompt_tokens_details"]["cached_tokens"] == 0


def test_the_longest_cached_prefix_is_read_and_the_rest_written(gateway: Gateway) -> None:
    marked_turn = {**QUESTION, "cache_control": {"type": "ephemeral"}}
    gateway.chat({"model": CLAUDE, "messages": [cached_system(), {"role": "user", "content": "x"}]})
    answer = gateway.chat({"model": CLAUDE, "messages": [cached_system(), marked_turn]})

    details = answer["usage"]["prompt_tokens_details"]
    written = details["cache_creation"]["ephemeral_5m_input_tokens"]
    assert details["cached_tokens"] > 0
    assert written == answer["usage"]["input_tokens"] - details["cached_tokens"]


def test_a_request_without_a_breakpoint_reports_no_cache(gateway: Gateway) -> None:
    answer = gateway.chat({"model": CLAUDE, "messages": [QUESTION]})

    assert "prompt_tokens_details" not in answer["usage"]


@pytest.mark.parametrize(
    ("message", "field", "problem"),
    [
        ({"role": "user", "content": "x", "thinking": "y"}, "messages[0].thinking", "assistant"),
        (
            {"role": "assistant", "content": "x", "thinking": 3},
            "messages[0].thinking",
            "string",
        ),
        (
            {"role": "user", "content": "x", "cache_control": {"type": "persistent"}},
            "messages[0].cache_control",
            "ephemeral",
        ),
        (
            {
                "role": "user",
                "content": [
                    {
                        "type": "text",
                        "text": "x",
                        "cache_control": {"type": "ephemeral", "ttl": "2h"},
                    }
                ],
            },
            "messages[0].content[0].cache_control.ttl",
            "5m, 1h",
        ),
    ],
)
def test_malformed_thinking_or_cache_control_is_a_field_error(
    gateway: Gateway, message: Json, field: str, problem: str
) -> None:
    error = gateway.error({"model": CLAUDE, "messages": [message]}, 400)

    [reported] = error["metadata"]["errors"]
    assert reported["field"] == field
    assert problem in reported["message"]
