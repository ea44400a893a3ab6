"""``response_metadata``: the provider's own finish reason, and its normalised meaning.

``finish_reason`` is the word the provider said (Claude's ``end_turn``, Gemini's
``MAX_TOKENS``); ``normalised_finish_reason`` is one of ``stop``, ``length``,
``tool_calls`` and ``content_filter``, from the core's one table. The same on ``invoke``,
on a native stream and on a pseudo-stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from assemblyai_gateway.testing import chunk_body, completion_body, sse_body, tool_call

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from langchain_core.messages import AIMessageChunk, BaseMessage

    from tests.test_langchain_assemblyai_gateway.conftest import MakeModel, Runner

CLAUDE = "claude-sonnet-4-5-20250929"
GEMINI = "gemini-2.5-flash"
GPT = "gpt-5"

CASES: list[tuple[str, str, str, bool]] = [
    (CLAUDE, "end_turn", "stop", False),
    (CLAUDE, "max_tokens", "length", False),
    (CLAUDE, "tool_use", "tool_calls", True),
    (CLAUDE, "refusal", "content_filter", False),
    (GEMINI, "STOP", "stop", False),
    (GEMINI, "STOP", "tool_calls", True),  # Gemini calls a tool and says STOP
    (GEMINI, "MAX_TOKENS", "length", False),
    (GEMINI, "SAFETY", "content_filter", False),
    (GEMINI, "a_word_from_next_year", "stop", False),
]


def _body(model: str, raw: str, with_call: bool) -> dict[str, Any]:
    calls = [tool_call("get_weather", {"city": "Paris"})] if with_call else []
    return completion_body(
        None if with_call else "Hi", tool_calls=calls, finish_reason=raw, model=model
    )


@pytest.mark.parametrize(("model", "raw", "normalised", "with_call"), CASES)
async def test_invoke_keeps_the_raw_word_and_adds_the_normalised_one(
    make_model: MakeModel, run: Runner, model: str, raw: str, normalised: str, with_call: bool
) -> None:
    llm, _ = make_model([_body(model, raw, with_call)], model=model)

    message = await run.invoke(llm, "hi")

    assert message.response_metadata["finish_reason"] == raw
    assert message.response_metadata["normalised_finish_reason"] == normalised


@pytest.mark.parametrize(("model", "raw", "normalised", "with_call"), CASES)
async def test_a_pseudo_stream_ends_with_the_same_words(
    make_model: MakeModel,
    run: Runner,
    merge_chunks: Callable[[Sequence[BaseMessage]], AIMessageChunk],
    model: str,
    raw: str,
    normalised: str,
    with_call: bool,
) -> None:
    llm, _ = make_model([_body(model, raw, with_call)], model=model)

    merged = merge_chunks(await run.stream(llm, "hi"))

    assert merged.response_metadata["finish_reason"] == raw
    assert merged.response_metadata["normalised_finish_reason"] == normalised


@pytest.mark.parametrize(
    ("raw", "normalised"), [("length", "length"), ("content_filter", "content_filter")]
)
async def test_a_native_stream_ends_with_the_same_words(
    make_model: MakeModel,
    run: Runner,
    merge_chunks: Callable[[Sequence[BaseMessage]], AIMessageChunk],
    raw: str,
    normalised: str,
) -> None:
    sse = sse_body([chunk_body("Hel", role="assistant"), chunk_body("lo", finish_reason=raw)])
    llm, _ = make_model([sse], model=GPT)

    merged = merge_chunks(await run.stream(llm, "hi"))

    assert (merged.content, merged.response_metadata["finish_reason"]) == ("Hello", raw)
    assert merged.response_metadata["normalised_finish_reason"] == normalised


async def test_a_stop_sequence_makes_both_words_stop(make_model: MakeModel, run: Runner) -> None:
    llm, _ = make_model([completion_body("one. two.", finish_reason="MAX_TOKENS")], stop=["."])

    message = await run.invoke(llm, "count")

    assert message.content == "one"
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.response_metadata["normalised_finish_reason"] == "stop"


async def test_no_finish_reason_gives_neither_key(make_model: MakeModel, run: Runner) -> None:
    body = completion_body("Hi")
    del body["choices"][0]["finish_reason"]
    llm, _ = make_model([body])

    message = await run.invoke(llm, "hi")

    assert "finish_reason" not in message.response_metadata
    assert "normalised_finish_reason" not in message.response_metadata
