"""``additional_kwargs``: the provider's own finish reason, and its normalised meaning.

``finish_reason`` is the word the provider said (as in ``raw``); ``normalised_finish_reason``
is one of ``stop``, ``length``, ``tool_calls`` and ``content_filter``, from the core's
one table, on ``chat``, ``complete`` and the last response of a stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from assemblyai_gateway.testing import chunk_body, completion_body, sse_body, tool_call

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner, ScriptedFactory

HI = [ChatMessage(role="user", content="Hi")]
GEMINI = "gemini-2.5-flash"

CASES: list[tuple[str, str, bool]] = [
    ("end_turn", "stop", False),
    ("max_tokens", "length", False),
    ("tool_use", "tool_calls", True),
    ("refusal", "content_filter", False),
    ("STOP", "stop", False),
    ("STOP", "tool_calls", True),  # Gemini calls a tool and says STOP
    ("MAX_TOKENS", "length", False),
    ("RECITATION", "content_filter", False),
    ("a_word_from_next_year", "stop", False),
]


def _body(raw: str, with_call: bool) -> dict[str, Any]:
    calls = [tool_call("get_weather", {"city": "Paris"})] if with_call else []
    return completion_body(None if with_call else "Hi", tool_calls=calls, finish_reason=raw)


@pytest.mark.parametrize(("raw", "normalised", "with_call"), CASES)
async def test_chat_keeps_the_raw_word_and_adds_the_normalised_one(
    scripted: ScriptedFactory, runner: Runner, raw: str, normalised: str, with_call: bool
) -> None:
    s = scripted(_body(raw, with_call), model=GEMINI)

    response = await runner.chat(s.llm, HI)

    assert response.additional_kwargs["finish_reason"] == raw
    assert response.additional_kwargs["normalised_finish_reason"] == normalised
    assert isinstance(response.raw, dict)
    assert response.raw["choices"][0]["finish_reason"] == raw


@pytest.mark.parametrize(("raw", "normalised", "with_call"), CASES)
async def test_a_pseudo_stream_s_last_response_has_the_same_words(
    scripted: ScriptedFactory, runner: Runner, raw: str, normalised: str, with_call: bool
) -> None:
    s = scripted(_body(raw, with_call), model=GEMINI)

    last = (await runner.stream_chat(s.llm, HI))[-1]

    assert last.additional_kwargs["finish_reason"] == raw
    assert last.additional_kwargs["normalised_finish_reason"] == normalised


async def test_a_native_stream_and_complete_carry_them_too(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    sse = sse_body([chunk_body("Hel", role="assistant"), chunk_body("lo", finish_reason="length")])
    s = scripted(sse, completion_body("Hi", finish_reason="max_tokens"), model="gpt-5")

    last = (await runner.stream_chat(s.llm, HI))[-1]
    completed = await runner.complete(s.llm, "Hi")

    assert last.message.content == "Hello"
    assert (
        last.additional_kwargs["finish_reason"],
        completed.additional_kwargs["finish_reason"],
    ) == (
        "length",
        "max_tokens",
    )
    assert last.additional_kwargs["normalised_finish_reason"] == "length"
    assert completed.additional_kwargs["normalised_finish_reason"] == "length"
