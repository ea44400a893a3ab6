"""The one stream accumulator keeps the reasoning, and pseudo-streaming replays it."""

from __future__ import annotations

from assemblyai_gateway._wire.accumulator import accumulate_chunk, completion_to_chunks
from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk
from tests.support.reasoning_cases import (
    ANSWER,
    REASONING_TOKENS,
    THINKING,
    sse_events,
    thinking_completion,
    thinking_sse,
    thinking_tool_completion,
)


def fold(events: list[dict[str, object]]) -> ChatCompletion:
    snapshot = None
    for event in events:
        snapshot = accumulate_chunk(snapshot, ChatCompletionChunk.model_validate(event))
    assert snapshot is not None
    return snapshot.to_completion()


def test_streamed_reasoning_pieces_are_joined_before_the_text() -> None:
    completion = fold(sse_events(thinking_sse()))
    message = completion.choices[0].message

    assert (message.thinking, message.content) == (THINKING, ANSWER)
    assert completion.usage is not None
    assert completion.usage.reasoning_tokens == REASONING_TOKENS


def test_the_snapshot_reads_the_reasoning_so_far() -> None:
    snapshot = None
    seen = []
    for event in sse_events(thinking_sse())[:3]:
        snapshot = accumulate_chunk(snapshot, ChatCompletionChunk.model_validate(event))
        seen.append(snapshot.choices[0].thinking)

    assert seen == [None, "The user asks for ", "The user asks for the capital of France. "]


def test_no_reasoning_is_none_not_an_empty_string() -> None:
    completion = fold([{"choices": [{"delta": {"content": "hi"}}]}])

    assert completion.choices[0].message.thinking is None


def test_pseudo_streaming_replays_thinking_and_usage_details_unchanged() -> None:
    for body in (thinking_completion(), thinking_tool_completion()):
        completion = ChatCompletion.model_validate(body)
        chunks = completion_to_chunks(completion)
        replayed = fold([chunk.model_dump() for chunk in chunks])

        assert replayed == completion
        assert chunks[0].choices[0].delta.thinking == THINKING
