"""Fuzzing: whatever the gateway (or a proxy in between) sends, only typed errors escape.

The property of every test here: decoding, accumulating and mapping any input either
succeeds or raises a :class:`~assemblyai_gateway.errors.GatewayError` subclass, never
``KeyError``, ``TypeError``, ``IndexError``, ``AttributeError``, a bare ``ValueError``,
``RecursionError`` or a pydantic ``ValidationError``.

Inputs: arbitrary text and bytes split at arbitrary points; SSE-shaped event streams
(``data:``/``event:``/``id:``/``retry:``/comment lines, every line ending, ``[DONE]``)
whose data is arbitrary JSON or chunk-shaped JSON; arbitrary JSON (hypothesis'
``recursive`` strategy); and completion- and chunk-shaped objects in which any field may
hold any JSON value and extra fields may carry any known field name.

CI-sized and reproducible: derandomized, no example database, no deadline; `make test`
runs a quarter of each count (`make test-long` all of it). Targeted
regression tests at the end pin the concrete failures the fuzzers found.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage
from pydantic import ValidationError

from assemblyai_gateway import GatewayError, accumulate_chunk, parse_completion
from assemblyai_gateway._transport.sse import ChunkDecoder
from assemblyai_gateway._wire.accumulator import CompletionSnapshot
from assemblyai_gateway._wire.types import ChatCompletionChunk
from assemblyai_gateway.errors import ResponseValidationError, StreamError
from assemblyai_gateway.testing import ScriptedTransport, ScriptStep
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.hypothesis_profiles import examples
from tests.support.reliability import core_class

FUZZ = settings(
    max_examples=examples(150),
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking in CI: a failure is reported as found (derandomize makes it
    # reproducible), so a regression cannot turn the suite into a minutes-long search.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The adapters' mappers go through a whole framework call per example: fewer examples.
FUZZ_ADAPTERS = settings(FUZZ, max_examples=examples(60))

# Every field name of the wire models (and of error events), so extras collide with them.
FIELD_NAMES = (
    "id",
    "request_id",
    "model",
    "object",
    "created",
    "choices",
    "index",
    "message",
    "delta",
    "role",
    "content",
    "tool_calls",
    "function",
    "name",
    "arguments",
    "type",
    "finish_reason",
    "usage",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "request",
    "http_status_code",
    "response_time",
    "llm_status_code",
    "error",
    "code",
    "status",
    "metadata",
    "text",
    "logprobs",
    "refusal",
)

# ------------------------------------------------------------------------ strategies

numeric_text = st.one_of(st.integers(-5, 10**6).map(str), st.floats(0, 100).map(str))
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    numeric_text,
)
json_keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8))
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(json_keys, children, max_size=4)
    ),
    max_leaves=16,
)


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a valid value for the field, sometimes any JSON value at all."""
    return st.one_of(valid, valid, valid, json_values)


def shaped(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """An object with the given fields (perturbed) plus up to two extra known-name fields."""
    base = st.fixed_dictionaries(
        {k: maybe(v) for k, v in required.items()},
        optional={k: maybe(v) for k, v in optional.items()},
    )
    extras = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=2)
    return st.builds(lambda extra, fields: {**extra, **fields}, extras, base)


small_ints = st.integers(min_value=0, max_value=3)
tokens = st.one_of(st.integers(min_value=0, max_value=10**6), numeric_text, st.none())
usage = shaped(
    {},
    {
        "input_tokens": tokens,
        "output_tokens": tokens,
        "total_tokens": tokens,
        "prompt_tokens": tokens,
        "completion_tokens": tokens,
    },
)
text_parts = st.lists(shaped({"type": st.just("text"), "text": st.text(max_size=10)}, {}))
content = st.one_of(st.none(), st.text(max_size=30), text_parts)
function = shaped({}, {"name": st.text(max_size=10), "arguments": st.text(max_size=30)})
tool_call = shaped(
    {"function": function}, {"id": st.text(max_size=10), "type": st.just("function")}
)
message = shaped(
    {},
    {
        "role": st.just("assistant"),
        "content": content,
        "tool_calls": st.lists(tool_call, max_size=2),
    },
)
choice = shaped(
    {"message": message},
    {
        "index": small_ints,
        "finish_reason": st.sampled_from(["stop", "length", "tool_calls"]),
        "tool_calls": st.lists(tool_call, max_size=2),
    },
)
completion = shaped(
    {"choices": st.lists(choice, max_size=2)},
    {
        "request_id": st.text(max_size=10),
        "id": st.text(max_size=10),
        "model": st.text(max_size=10),
        "request": st.dictionaries(st.text(max_size=5), json_values, max_size=2),
        "usage": usage,
        "http_status_code": st.integers(100, 599),
        "response_time": st.integers(0, 10**12),
        "llm_status_code": st.integers(100, 599),
    },
)
tool_call_delta = shaped(
    {"index": small_ints},
    {"id": st.text(max_size=10), "type": st.just("function"), "function": function},
)
delta = shaped(
    {},
    {
        "role": st.just("assistant"),
        "content": content,
        "tool_calls": st.lists(tool_call_delta, max_size=2),
    },
)
chunk_choice = shaped(
    {"delta": delta},
    {"index": small_ints, "finish_reason": st.sampled_from(["stop", "length", "tool_calls"])},
)
chunk = shaped(
    {"choices": st.lists(chunk_choice, max_size=2)},
    {
        "id": st.text(max_size=10),
        "request_id": st.text(max_size=10),
        "model": st.text(max_size=10),
        "object": st.just("chat.completion.chunk"),
        "usage": usage,
    },
)

# One SSE field line (without its line ending).
sse_line = st.one_of(
    chunk.map(lambda c: "data: " + json.dumps(c)),
    chunk.map(lambda c: "data:" + json.dumps(c)),
    json_values.map(lambda v: "data: " + json.dumps(v)),
    st.just("data: [DONE]"),
    st.just("event: error"),
    st.just("event: message"),
    st.text(max_size=10).map(lambda t: ": " + t),
    st.text(max_size=10).map(lambda t: "id: " + t),
    numeric_text.map(lambda t: "retry: " + t),
    st.just(""),
    st.text(max_size=20),
)
line_ending = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"])
sse_text = st.lists(st.tuples(sse_line, line_ending), max_size=12).map(
    lambda lines: "".join(line + end for line, end in lines)
)


def _split(data: Any, cuts: list[int]) -> list[Any]:
    """``data`` cut at the given offsets (sorted, deduplicated, within bounds)."""
    points = sorted({min(max(cut, 0), len(data)) for cut in cuts})
    pieces, start = [], 0
    for point in [*points, len(data)]:
        pieces.append(data[start:point])
        start = point
    return pieces


cut_points = st.lists(st.integers(min_value=0, max_value=4000), max_size=8)


# ------------------------------------------------------------------------- pipelines


def decode_and_accumulate(pieces: Iterator[str]) -> CompletionSnapshot | None:
    """What a client does with a stream: decode, fold every chunk, map every state."""
    decoder = ChunkDecoder()
    snapshot: CompletionSnapshot | None = None
    for piece in pieces:
        for decoded in decoder.feed(piece):
            snapshot = accumulate_chunk(snapshot, decoded)
            snapshot.to_completion()  # the LlamaIndex mapper does this after every chunk
    for decoded in decoder.close():
        snapshot = accumulate_chunk(snapshot, decoded)
    if snapshot is not None:
        snapshot.to_completion()
    return snapshot


def only_typed_errors(run: Callable[[], object]) -> BaseException | None:
    """Run; a GatewayError is an accepted outcome, anything else propagates (fails)."""
    try:
        run()
    except GatewayError as error:
        return error
    return None


def _outcome(run: Callable[[], CompletionSnapshot | None]) -> tuple[str, Any]:
    try:
        snapshot = run()
    except GatewayError as error:
        return ("error", type(error).__name__)
    if snapshot is None:
        return ("empty", None)
    return ("ok", snapshot.to_completion().model_dump())


# ------------------------------------------------------------------------ SSE decoder


@FUZZ
@given(text=st.text(max_size=300), cuts=cut_points)
def test_decoder_on_arbitrary_text_split_anywhere(text: str, cuts: list[int]) -> None:
    only_typed_errors(lambda: decode_and_accumulate(iter(_split(text, cuts))))


@FUZZ
@given(data=st.binary(max_size=300), cuts=cut_points)
def test_decoder_on_arbitrary_bytes_split_anywhere(data: bytes, cuts: list[int]) -> None:
    # As httpx's iter_text does: an incremental UTF-8 decoder that replaces bad bytes.
    def texts() -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        for piece in _split(data, cuts):
            yield decoder.decode(piece)
        yield decoder.decode(b"", final=True)

    only_typed_errors(lambda: decode_and_accumulate(texts()))


@FUZZ
@given(text=sse_text, cuts=cut_points)
def test_decoder_and_accumulator_on_sse_shaped_streams(text: str, cuts: list[int]) -> None:
    only_typed_errors(lambda: decode_and_accumulate(iter(_split(text, cuts))))


@FUZZ
@given(text=sse_text, cuts=cut_points)
def test_where_an_sse_stream_is_split_does_not_change_the_outcome(
    text: str, cuts: list[int]
) -> None:
    whole = _outcome(lambda: decode_and_accumulate(iter([text])))
    split = _outcome(lambda: decode_and_accumulate(iter(_split(text, cuts))))
    assert split == whole


# ------------------------------------------------------------------------ accumulator


@FUZZ
@given(chunks=st.lists(chunk, max_size=6))
def test_accumulator_folds_any_valid_chunk_sequence(chunks: list[dict[str, Any]]) -> None:
    # Chunks that fail validation never reach the accumulator (the decoder turns them
    # into StreamError); every chunk that validates must fold without error, and the
    # completion is built or refused with a typed error (mistyped top-level extras such
    # as "llm_status_code": [] are a ResponseValidationError, as without streaming).
    snapshot: CompletionSnapshot | None = None
    for raw in chunks:
        try:
            parsed = ChatCompletionChunk.model_validate(raw)
        except ValidationError:
            continue
        snapshot = accumulate_chunk(snapshot, parsed)
        only_typed_errors(snapshot.to_completion)


# -------------------------------------------------------------------- response parser


@FUZZ
@given(value=json_values)
def test_parse_completion_on_arbitrary_json(value: Any) -> None:
    only_typed_errors(lambda: parse_completion(json.dumps(value)))


@FUZZ
@given(body=completion)
def test_parse_completion_on_completion_shaped_bodies(body: dict[str, Any]) -> None:
    only_typed_errors(lambda: parse_completion(json.dumps(body)))
    only_typed_errors(lambda: parse_completion(json.dumps(body).encode()))


@FUZZ
@given(data=st.binary(max_size=200))
def test_parse_completion_on_arbitrary_bytes(data: bytes) -> None:
    only_typed_errors(lambda: parse_completion(data))


# --------------------------------------------------------------- adapters' mappers


class _Models:
    """Both adapters on one ScriptedTransport whose single (repeating) step is swapped."""

    def __init__(self) -> None:
        self.step: ScriptStep = {}
        self.transport = ScriptedTransport([lambda _request: self.step])
        self.client = httpx.Client(transport=self.transport)
        common: dict[str, Any] = {"api_key": "fuzz-key", "max_retries": 0}
        self.lc_claude = ChatAssemblyAIGateway(
            model="claude-sonnet-4-5-20250929", http_client=self.client, **common
        )
        self.lc_gpt = ChatAssemblyAIGateway(model="gpt-5", http_client=self.client, **common)
        self.li_claude = AssemblyAIGateway(
            model="claude-sonnet-4-5-20250929", http_client=self.client, **common
        )
        self.li_gpt = AssemblyAIGateway(model="gpt-5", http_client=self.client, **common)

    def answer(self, step: ScriptStep) -> None:
        """A dict is a 200 JSON body, bytes a 200 SSE body."""
        self.step = step

    def assert_nothing_open(self) -> None:
        assert self.transport.open_responses == 0


@pytest.fixture(scope="module")
def models(no_env: None) -> Iterator[_Models]:
    built = _Models()
    yield built
    built.client.close()


@pytest.fixture(scope="module")
def no_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("ASSEMBLYAI_API_KEY", raising=False)
        patch.delenv("ASSEMBLYAI_GATEWAY_BASE_URL", raising=False)
        patch.delenv("LC_OUTPUT_VERSION", raising=False)
        yield


def _lc_stream(llm: ChatAssemblyAIGateway) -> AIMessageChunk:
    total: AIMessageChunk | None = None
    for piece in llm.stream("hi"):
        assert isinstance(piece, AIMessageChunk)
        total = piece if total is None else total + piece
    assert total is not None
    return total


HI = [ChatMessage(role="user", content="hi")]


@FUZZ_ADAPTERS
@given(body=completion)
def test_adapters_map_any_completion_shaped_body(models: _Models, body: dict[str, Any]) -> None:
    """Each adapter fails exactly when the core refuses the body, with the same error."""
    models.answer(body)
    refused = only_typed_errors(lambda: parse_completion(json.dumps(body)))
    outcomes = [
        only_typed_errors(lambda: models.lc_claude.invoke("hi")),
        only_typed_errors(lambda: _lc_stream(models.lc_claude)),
        only_typed_errors(lambda: models.li_claude.chat(HI)),
        only_typed_errors(lambda: list(models.li_claude.stream_chat(HI))),
    ]
    # LangChain raises the core's class as a langchain-core ModelError too.
    kinds = [core_class(outcome) if outcome else None for outcome in outcomes]
    assert kinds == [type(refused) if refused else None] * 4
    models.assert_nothing_open()


@FUZZ_ADAPTERS
@given(chunks=st.lists(chunk, max_size=5), done=st.booleans())
def test_adapters_map_any_chunk_shaped_stream(
    models: _Models, chunks: list[dict[str, Any]], done: bool
) -> None:
    events = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks)
    models.answer((events + ("data: [DONE]\n\n" if done else "")).encode())
    only_typed_errors(lambda: _lc_stream(models.lc_gpt))
    only_typed_errors(lambda: list(models.li_gpt.stream_chat(HI)))
    models.assert_nothing_open()


# ------------------------------------------------- regressions found by the fuzzers


def _sse(*payloads: str) -> Iterator[str]:
    return iter(["".join(f"data: {p}\n\n" for p in payloads) + "data: [DONE]\n\n"])


def test_a_deeply_nested_json_event_is_a_typed_error() -> None:
    # json.loads raises RecursionError (not ValueError) on deep nesting.
    error = only_typed_errors(lambda: decode_and_accumulate(_sse("[" * 100_000)))
    assert isinstance(error, StreamError)
    assert "not JSON" in str(error)


def test_a_deeply_nested_json_body_is_a_typed_error() -> None:
    error = only_typed_errors(lambda: parse_completion("[" * 100_000))
    assert isinstance(error, ResponseValidationError)
    assert "recursion limit" in str(error)


@pytest.mark.parametrize(
    ("usage_json", "counts"),
    [
        ('{"prompt_tokens": "12", "completion_tokens": 3}', (12, 3, 15)),
        ('{"input_tokens": "12", "output_tokens": 3}', (12, 3, 15)),
        ('{"prompt_tokens": "12"}', (12, 0, 12)),
    ],
)
def test_usage_with_numeric_strings_never_raises_type_error(
    usage_json: str, counts: tuple[int, int, int]
) -> None:
    body = '{"choices": [{"message": {"content": "hi"}}], "usage": ' + usage_json + "}"
    usage = parse_completion(body).usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == counts
    event = '{"choices": [], "usage": ' + usage_json + "}"
    snapshot = decode_and_accumulate(_sse(event))
    assert snapshot is not None
    assert snapshot.usage is not None
    assert (snapshot.usage.input_tokens, snapshot.usage.output_tokens) == counts[:2]


@pytest.mark.parametrize("extra", ['"message": {"content": "x"}', '"tool_calls": []'])
def test_a_chunk_choice_carrying_a_choice_field_accumulates(extra: str) -> None:
    # Some OpenAI-compatible servers add `message` (or tool_calls) next to `delta`.
    event = '{"choices": [{"index": 0, "delta": {"content": "hi"}, ' + extra + "}]}"
    snapshot = decode_and_accumulate(_sse(event))
    assert snapshot is not None
    choice = snapshot.to_completion().choices[0]
    assert (choice.message.content, choice.tool_calls) == ("hi", [])


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ('"response_time": "fast"', "response_time"),
        ('"request": 5', "request"),
        ('"http_status_code": "OK"', "http_status_code"),
    ],
)
def test_a_chunk_with_a_mistyped_completion_field_accumulates(extra: str, field: str) -> None:
    """The chunk folds; the completion built from it is refused with a typed error."""
    event = '{"choices": [{"index": 0, "delta": {"content": "hi"}}], ' + extra + "}"
    decoder = ChunkDecoder()
    snapshot: CompletionSnapshot | None = None
    for decoded in [*decoder.feed("".join(_sse(event))), *decoder.close()]:
        snapshot = accumulate_chunk(snapshot, decoded)
    assert snapshot is not None
    assert snapshot.choices[0].content == "hi"
    with pytest.raises(ResponseValidationError, match=field):
        snapshot.to_completion()
