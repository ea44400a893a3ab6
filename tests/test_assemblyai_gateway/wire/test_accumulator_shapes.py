"""Stream shapes beyond OpenAI's that the accumulator still folds correctly."""

from __future__ import annotations

from assemblyai_gateway._wire.accumulator import accumulate_chunk
from assemblyai_gateway._wire.types import ChatCompletionChunk


def test_tool_call_deltas_on_the_choice_are_folded_like_deltas_in_the_message() -> None:
    first = {
        "choices": [
            {
                "delta": {"role": "assistant"},
                "tool_calls": [
                    {"index": 0, "id": "call_a", "function": {"name": "f", "arguments": '{"q"'}}
                ],
            }
        ]
    }
    second = {
        "choices": [
            {
                "delta": {"tool_calls": [{"index": 1, "id": "call_b", "function": {"name": "g"}}]},
                "tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}],
                "finish_reason": "tool_calls",
            }
        ]
    }
    snapshot = None
    for body in (first, second):
        snapshot = accumulate_chunk(snapshot, ChatCompletionChunk.model_validate(body))
    assert snapshot is not None
    choice = snapshot.to_completion().choices[0]
    assert [(c.id, c.function.name, c.function.arguments) for c in choice.tool_calls] == [
        ("call_a", "f", '{"q": 1}'),
        ("call_b", "g", ""),
    ]
    assert choice.finish_reason == "tool_calls"


def test_extras_that_shadow_choice_or_message_fields_do_not_break_the_fold() -> None:
    body = {
        "choices": [
            {
                "delta": {"content": "hi", "role": "assistant", "tool_calls": None},
                "message": {"content": "shadow"},
                "logprobs": {"tokens": []},
            }
        ]
    }
    snapshot = accumulate_chunk(None, ChatCompletionChunk.model_validate(body))
    choice = snapshot.to_completion().choices[0]
    assert choice.message.content == "hi"
    assert choice.model_extra == {"logprobs": {"tokens": []}}
