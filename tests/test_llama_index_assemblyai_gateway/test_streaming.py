"""stream_chat / astream_chat / stream_complete: native SSE and pseudo-streaming."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ToolCallBlock

from assemblyai_gateway import ChatCompletion, ChatCompletionChunk, StreamError, accumulate_chunk
from assemblyai_gateway._wire.types import stable_tool_call_id
from assemblyai_gateway.testing import (
    BrokenStream,
    chunk_body,
    completion_body,
    sse_body,
    text_sse,
    tool_call,
    tool_call_delta,
)
from llama_index_assemblyai_gateway._response import (
    StreamMapper,
    chat_response,
    dump,
    parse_tool_arguments,
)

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner, ScriptedFactory

HI = [ChatMessage(role="user", content="Hi")]


def _blocks(response: ChatResponse) -> list[ToolCallBlock]:
    return [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]


@pytest.mark.parametrize("usage_style", ["input_output", "prompt_completion"])
async def test_pseudo_stream_sends_no_stream_key_and_equals_chat(
    scripted: ScriptedFactory, runner: Runner, usage_style: str
) -> None:
    body = completion_body("Bonjour !", usage=(9, 4), usage_style=usage_style)  # type: ignore[arg-type]
    s = scripted(body, body)
    responses = await runner.stream_chat(s.llm, HI)
    reference = await runner.chat(s.llm, HI)
    assert "stream" not in s.bodies[0]
    assert "stream_options" not in s.bodies[0]
    assert s.bodies[0] == s.bodies[1]
    assert "".join(r.delta or "" for r in responses) == "Bonjour !"
    last = responses[-1]
    assert last.message == reference.message
    assert last.additional_kwargs == reference.additional_kwargs
    assert last.raw == reference.raw
    assert last.additional_kwargs["total_tokens"] == 13
    # Usage arrives on the last response only; earlier ones carry their chunk.
    assert all("total_tokens" not in r.additional_kwargs for r in responses[:-1])
    assert all(isinstance(r.raw, dict) and "choices" in r.raw for r in responses)


async def test_native_sse_stream(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(text_sse("Hel", "lo", " world"), model="gpt-5")
    responses = await runner.stream_chat(s.llm, HI)
    assert s.bodies[0]["stream"] is True
    assert s.bodies[0]["stream_options"] == {"include_usage": True}
    assert [r.delta for r in responses] == ["", "Hel", "lo", " world", "", ""]
    assert [r.message.content for r in responses][1:4] == ["Hel", "Hello", "Hello world"]
    for response in responses[:-1]:
        assert response.raw is not None
        assert response.raw["object"] == "chat.completion.chunk"
    last = responses[-1]
    assert last.message.content == "Hello world"
    assert isinstance(last.raw, dict)
    assert last.raw["choices"][0]["message"]["content"] == "Hello world"
    assert last.raw["usage"] == {"input_tokens": 7, "output_tokens": 2, "total_tokens": 9}
    assert last.additional_kwargs == {
        "prompt_tokens": 7,
        "completion_tokens": 2,
        "total_tokens": 9,
        "request_id": "req-0001",
        "model_name": "gpt-5",
        "finish_reason": "stop",
        "normalised_finish_reason": "stop",
        "model_provider": "assemblyai",
    }


async def test_native_stream_message_equals_chat_message(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(text_sse("Hi", "!"), completion_body("Hi!", model="gpt-5"), model="gpt-5")
    streamed = (await runner.stream_chat(s.llm, HI))[-1]
    reference = await runner.chat(s.llm, HI)
    assert streamed.message == reference.message


async def test_stream_complete(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(text_sse("4", "2"), model="gpt-5-mini")
    responses = await runner.stream_complete(s.llm, "six times seven?")
    assert [r.text for r in responses][-1] == "42"
    assert "".join(r.delta or "" for r in responses) == "42"
    assert responses[-1].additional_kwargs["total_tokens"] == 9
    assert s.bodies[0]["messages"] == [{"role": "user", "content": "six times seven?"}]


async def test_pseudo_stream_complete(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body("42"))
    responses = await runner.stream_complete(s.llm, "six times seven?")
    assert responses[-1].text == "42"
    assert "stream" not in s.bodies[0]


async def test_unknown_models_pseudo_stream(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body("new model here", model="kimi-k2.5"), model="kimi-k2.5")
    responses = await runner.stream_chat(s.llm, HI)
    assert responses[-1].message.content == "new model here"
    assert "stream" not in s.bodies[0]


def _two_tool_sse(*, with_ids: bool = True) -> bytes:
    first_id = "call_w" if with_ids else None
    second_id = "call_a" if with_ids else None
    return sse_body(
        [
            chunk_body(
                role="assistant",
                tool_calls=[tool_call_delta(0, "", call_id=first_id, name="get_weather")],
            ),
            chunk_body(tool_calls=[tool_call_delta(1, "", call_id=second_id, name="add")]),
            chunk_body(tool_calls=[tool_call_delta(0, '{"city": "Pa')]),
            chunk_body(tool_calls=[tool_call_delta(1, '{"a": 2,')]),
            chunk_body(tool_calls=[tool_call_delta(0, 'ris", "days": ')]),
            chunk_body(tool_calls=[tool_call_delta(1, ' "b": 3}')]),
            chunk_body(tool_calls=[tool_call_delta(0, "3}")]),
            chunk_body(finish_reason="tool_calls"),
            chunk_body(usage=(20, 11), choices=False),
        ]
    )


async def test_streamed_tool_calls_interleave_and_parse_leniently(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    s = scripted(_two_tool_sse(), model="gpt-5")
    responses = await runner.stream_chat(s.llm, HI)
    kwargs_over_time = [[b.tool_kwargs for b in _blocks(r)] for r in responses]
    assert kwargs_over_time[:7] == [
        [{}],
        [{}, {}],
        [{"city": None}, {}],  # an open string value is not shown until it closes
        [{"city": None}, {"a": 2}],
        [{"city": "Paris", "days": None}, {"a": 2}],
        [{"city": "Paris", "days": None}, {"a": 2, "b": 3}],
        [{"city": "Paris", "days": 3}, {"a": 2, "b": 3}],
    ]
    last = responses[-1]
    assert [(b.tool_call_id, b.tool_name, b.tool_kwargs) for b in _blocks(last)] == [
        ("call_w", "get_weather", {"city": "Paris", "days": 3}),
        ("call_a", "add", {"a": 2, "b": 3}),
    ]
    assert last.message.additional_kwargs["tool_calls"] == [
        tool_call("get_weather", '{"city": "Paris", "days": 3}', "call_w"),
        tool_call("add", '{"a": 2, "b": 3}', "call_a"),
    ]
    assert last.message.content is None
    assert last.additional_kwargs["finish_reason"] == "tool_calls"
    assert last.additional_kwargs["total_tokens"] == 31
    # Every partial response already gives usable tool selections.
    for response in responses:
        selections = s.llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
        assert all(isinstance(sel.tool_kwargs, dict) for sel in selections)


async def test_streamed_tool_calls_without_ids_match_non_streamed(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    calls = [
        {
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris", "days": 3}'},
        },
        {"type": "function", "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'}},
    ]
    s = scripted(
        _two_tool_sse(with_ids=False),
        completion_body(None, tool_calls=calls, model="gpt-5"),
        model="gpt-5",
    )
    streamed = (await runner.stream_chat(s.llm, HI))[-1]
    reference = await runner.chat(s.llm, HI)
    assert streamed.message == reference.message
    assert [b.tool_call_id for b in _blocks(streamed)] == [
        stable_tool_call_id(0, "get_weather", '{"city": "Paris", "days": 3}'),
        stable_tool_call_id(1, "add", '{"a": 2, "b": 3}'),
    ]


async def test_pseudo_streamed_tool_calls_equal_chat(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    body = completion_body(
        None,
        tool_calls=[
            tool_call("get_weather", {"city": "Oslo"}, "c1"),
            tool_call("add", {"a": 1}, "c2"),
        ],
        tool_calls_in_message=True,
    )
    s = scripted(body, body)
    streamed = (await runner.stream_chat(s.llm, HI))[-1]
    reference = await runner.chat(s.llm, HI)
    assert streamed.message == reference.message
    assert streamed.additional_kwargs == reference.additional_kwargs
    assert streamed.raw == reference.raw


async def test_invalid_streamed_arguments_end_as_raw_text(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    sse = sse_body(
        [
            chunk_body(tool_calls=[tool_call_delta(0, "", call_id="c1", name="f")]),
            chunk_body(tool_calls=[tool_call_delta(0, '{"x": tru')]),
            chunk_body(finish_reason="length"),
        ]
    )
    s = scripted(sse, model="gpt-5")
    responses = await runner.stream_chat(s.llm, HI)
    assert _blocks(responses[-2])[0].tool_kwargs == {"x": None}
    assert _blocks(responses[-1])[0].tool_kwargs == '{"x": tru'
    (selection,) = s.llm.get_tool_calls_from_response(responses[-1])
    assert selection.tool_kwargs == {}


async def test_a_broken_stream_raises(scripted: ScriptedFactory, runner: Runner) -> None:
    body = text_sse("one", "two")
    s = scripted(BrokenStream(body, keep_bytes=len(body) // 2), model="gpt-5")
    with pytest.raises(StreamError):
        await runner.stream_chat(s.llm, HI)
    assert s.transport.open_responses == 0


def test_stopping_early_closes_the_response(scripted: ScriptedFactory) -> None:
    s = scripted(text_sse("a", "b", "c", "d"), model="gpt-5")
    stream = s.llm.stream_chat(HI)
    first = next(stream)
    assert first.delta == ""
    assert s.transport.open_responses == 1
    stream.close()
    assert s.transport.open_responses == 0


async def test_async_stream_closes_the_response_when_done(scripted: ScriptedFactory) -> None:
    s = scripted(text_sse("a", "b"), model="gpt-5")
    async for _ in await s.llm.astream_chat(HI):
        pass
    assert s.transport.open_responses == 0


def test_validation_happens_when_the_stream_is_created(scripted: ScriptedFactory) -> None:
    s = scripted(model="gpt-5", region="eu")
    with pytest.raises(ValueError, match="US region only"):
        s.llm.stream_chat(HI)
    assert s.transport.requests == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("{", {}),
        ('{"a', {}),
        ('{"a"', {}),
        ('{"a":', {"a": None}),
        ('{"a": tru', {"a": None}),
        ('{"a": 1.', {"a": None}),
        ('{"a": -', {"a": None}),
        ('{"a": 1, "b": {"c": nu', {"a": 1, "b": {"c": None}}),
        ('{"a": [1, 2', {"a": [1, 2]}),
        ('{"a": "x", "b": "y"}', {"a": "x", "b": "y"}),
        ("[1, 2", {}),
        ("garbage", {}),
    ],
)
def test_partial_argument_parsing(text: str, expected: dict[str, Any]) -> None:
    assert parse_tool_arguments(text, partial=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("  ", {}),
        ('{"a": 1}', {"a": 1}),
        ('{"a": 1', '{"a": 1'),
        ("[1]", "[1]"),
        ("null", "null"),
    ],
)
def test_final_argument_parsing(text: str, expected: dict[str, Any] | str) -> None:
    assert parse_tool_arguments(text, partial=False) == expected


_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_ARGUMENTS = st.dictionaries(
    st.text(min_size=1, max_size=6),
    _JSON_SCALARS | st.lists(_JSON_SCALARS, max_size=3),
    max_size=4,
)


@settings(deadline=None)  # no wall-clock limits in this suite
@given(arguments=_ARGUMENTS, data=st.data())
def test_every_prefix_of_an_argument_object_parses_to_a_dict(
    arguments: dict[str, Any], data: st.DataObject
) -> None:
    text = json.dumps(arguments)
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    partial = parse_tool_arguments(text[:cut], partial=True)
    assert isinstance(partial, dict)
    assert set(partial) <= set(arguments)
    assert parse_tool_arguments(text, partial=True) == arguments
    assert parse_tool_arguments(text, partial=False) == arguments


@settings(deadline=None)  # no wall-clock limits in this suite
@given(text=st.text(max_size=40))
def test_partial_parsing_never_raises(text: str) -> None:
    assert isinstance(parse_tool_arguments(text, partial=True), dict)


@settings(deadline=None)  # no wall-clock limits in this suite
@given(
    content=st.text(min_size=1, max_size=60),
    arguments=_ARGUMENTS,
    data=st.data(),
)
def test_any_chunking_ends_with_the_non_streamed_response(
    content: str, arguments: dict[str, Any], data: st.DataObject
) -> None:
    text = json.dumps(arguments)
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=5)))
    pieces = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    splits = sorted(data.draw(st.sets(st.integers(1, max(1, len(content) - 1)), max_size=5)))
    words = [content[i:j] for i, j in zip([0, *splits], [*splits, len(content)], strict=True)]
    chunks = [chunk_body(word) for word in words]
    chunks.append(chunk_body(tool_calls=[tool_call_delta(0, pieces[0], call_id="c", name="f")]))
    chunks += [chunk_body(tool_calls=[tool_call_delta(0, piece)]) for piece in pieces[1:]]
    chunks += [chunk_body(finish_reason="tool_calls"), chunk_body(usage=(3, 4), choices=False)]
    mapper = StreamMapper("gpt-5")
    snapshot = None
    streamed = []
    for body in chunks:
        chunk = ChatCompletionChunk.model_validate(body)
        snapshot = accumulate_chunk(snapshot, chunk)
        streamed += mapper.feed(chunk, snapshot)
    assert snapshot is not None
    [last] = mapper.finish(snapshot)
    streamed.append(last)
    completion = ChatCompletion.model_validate(
        completion_body(content, tool_calls=[tool_call("f", text, "c")], model="gpt-5")
    )
    reference = chat_response(completion, requested_model="gpt-5", raw=dump(completion))
    assert last.message == reference.message
    assert "".join(r.delta or "" for r in streamed) == content
    assert last.additional_kwargs["total_tokens"] == 7
