"""LeMUR's tasks over transcripts, sync and async alike, against the emulator: one call
when everything fits (by transcript_id when it can), map-reduce when it does not, and
never a request beyond the model's context window."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assemblyai_gateway import (
    AdaptiveLimiter,
    ConfigurationError,
    GatewayClient,
    SpeakerLabelsMissingError,
    TaskAnswerError,
    TranscriptFailedError,
    TranscriptNotFoundError,
    UnexpectedArgumentError,
)
from assemblyai_gateway.emulator import GatewayEmulator, Reply
from assemblyai_gateway.emulator._model import input_tokens
from assemblyai_gateway.transcripts import (
    TRANSCRIPT_TAG,
    AnswersResult,
    Question,
    Source,
    TaskResult,
    TranscriptTasks,
    aaction_items,
    aanswer_questions,
    action_items,
    answer_questions,
    asummarize,
    atask,
    chunk_transcript,
    summarize,
    task,
)
from tests.support.transcript_cases import FAILED, LECTURE, MEETING
from tests.support.transcript_tasks import (
    CLAUDE,
    Mode,
    assert_no_request_beyond_the_window,
    chat_requests,
    run,
    synthetic_fixture,
    synthetic_transcript,
    use_small_model,
)

MEETING_SPAN = Source(MEETING, 240, 51742)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> Mode:
    value: Mode = request.param
    return value


def do_summarize(mode: Mode, client: GatewayClient, transcripts: Any, **options: Any) -> TaskResult:
    return run(  # type: ignore[no-any-return]
        mode,
        lambda: summarize(client, transcripts, **options),
        lambda: asummarize(client, transcripts, **options),
    )


def do_answer(
    mode: Mode, client: GatewayClient, transcripts: Any, questions: Any, **options: Any
) -> AnswersResult:
    return run(  # type: ignore[no-any-return]
        mode,
        lambda: answer_questions(client, transcripts, questions, **options),
        lambda: aanswer_questions(client, transcripts, questions, **options),
    )


def test_a_short_transcript_is_one_call_by_transcript_id(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    client = GatewayClient()
    result = do_summarize(mode, client, MEETING, model=CLAUDE, answer_format="two sentences")
    [body] = chat_requests(gateway_emulator)
    assert body["transcript_id"] == MEETING
    assert (
        f'<transcript id="{MEETING}">\n{TRANSCRIPT_TAG}\n</transcript>'
        in body["messages"][1]["content"]
    )
    assert "Answer format: two sentences" in body["messages"][1]["content"]
    assert (result.calls, result.injected, result.sources) == (1, (MEETING,), (MEETING_SPAN,))
    assert result.answer.startswith('Emulated answer to: "<transcript id="emulator-meeting"> Good')
    [checked] = assert_no_request_beyond_the_window(gateway_emulator)
    assert result.usage.input_tokens == input_tokens(checked)
    assert result.transcript_ids == (MEETING,)
    assert result.models == (CLAUDE,)
    assert len(result.request_ids) == 1


def test_short_transcripts_share_one_inline_call(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    result = do_summarize(mode, GatewayClient(), [MEETING, LECTURE], model=CLAUDE)
    [body] = chat_requests(gateway_emulator)
    assert "transcript_id" not in body
    content = body["messages"][1]["content"]
    assert content.index(f'<transcript id="{MEETING}">') < content.index(
        f'<transcript id="{LECTURE}">'
    )
    assert (result.calls, result.injected) == (1, ())
    assert [s.transcript_id for s in result.sources] == [MEETING, LECTURE]


def test_transcript_id_mode_maps_each_transcript_then_reduces(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    result = do_summarize(
        mode, GatewayClient(), [MEETING, LECTURE], model=CLAUDE, transcript_mode="transcript_id"
    )
    *mapped, final = chat_requests(gateway_emulator)  # the map calls run concurrently
    assert sorted(body["transcript_id"] for body in mapped) == [LECTURE, MEETING]
    assert all("Take notes from it" in body["messages"][1]["content"] for body in mapped)
    assert "transcript_id" not in final
    notes = final["messages"][1]["content"]
    assert f'<notes from="{MEETING} 00:00:00-00:00:51">' in notes
    assert "Using only them, do this task" in notes
    assert (result.calls, result.injected) == (3, (MEETING, LECTURE))
    assert (
        result.usage.total_tokens
        == sum(input_tokens(body) for body in assert_no_request_beyond_the_window(gateway_emulator))
        + result.usage.output_tokens
    )


@pytest.mark.slow
def test_a_transcript_far_beyond_any_context_window_never_sends_an_oversized_request(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    huge = synthetic_transcript("tr_huge", turns=90_000)  # ~1.2M tokens: past Gemini's 1M
    result = do_summarize(mode, GatewayClient(), huge, model=CLAUDE, speaker_labels=True)
    bodies = assert_no_request_beyond_the_window(gateway_emulator)
    assert sum(input_tokens(b) for b in bodies) > 1_048_576
    assert result.calls == len(bodies) > 6
    assert "Using only them" in bodies[-1]["messages"][1]["content"]
    assert result.sources == (Source("tr_huge", 0, huge.end),)
    assert result.usage.input_tokens == sum(input_tokens(b) for b in bodies)


def test_notes_beyond_one_request_are_combined_in_rounds(
    gateway_emulator: GatewayEmulator, mode: Mode, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = use_small_model(monkeypatch)
    data = synthetic_transcript("tr_long", turns=1_500)
    result = do_summarize(
        mode, GatewayClient(), data, model=model, max_tokens=100, chunk_tokens=100
    )
    bodies = assert_no_request_beyond_the_window(gateway_emulator)
    stages = [
        "combine"
        if "Merge them into one set of notes" in b["messages"][1]["content"]
        else "reduce"
        if "Using only them" in b["messages"][1]["content"]
        else "map"
        for b in bodies
    ]
    assert stages.count("combine") >= 2
    assert stages[-1] == "reduce"
    assert stages.count("reduce") == 1
    assert stages.index("combine") > max(i for i, s in enumerate(stages) if s == "map")
    assert result.calls == len(bodies)


def test_questions_get_one_checked_answer_each_with_the_parts_it_was_found_in(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    data = synthetic_transcript("tr_q", turns=30)
    parts = chunk_transcript(data, 150)  # what the task cuts it into at chunk_tokens=150
    nothing = {"found_1": False, "answer_1": "", "found_2": False, "answer_2": ""}
    notes = [dict(nothing) for _ in parts]
    notes[0].update(found_2=True, answer_2="Ana, in part 1")
    notes[1].update(found_1=True, answer_1="Friday")
    final = {"answer_1": "Yes.", "answer_2": "Ana"}
    gateway_emulator.script(*(Reply.text(json.dumps(n)) for n in [*notes, final]))
    questions = [
        Question("Was a ship date agreed?", answer_options=["yes", "no"]),
        {"question": "Who runs the launch?", "context": "names only"},
    ]
    # One call at a time, so the scripted notes answer the parts in order.
    result = do_answer(
        mode, GatewayClient(), data, questions, model=CLAUDE, chunk_tokens=150, max_concurrency=1
    )
    bodies = assert_no_request_beyond_the_window(gateway_emulator)
    assert len(parts) > 2
    assert len(bodies) == len(parts) + 1
    assert all('part="' in b["messages"][1]["content"] for b in bodies[:-1])
    schema = bodies[-1]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["answer_1"]["enum"] == ["yes", "no"]
    assert "found_1" in bodies[0]["response_format"]["json_schema"]["schema"]["properties"]
    assert "Question 1: Friday" in bodies[-1]["messages"][1]["content"]
    yes, who = result.answers
    assert (yes.question, yes.answer) == ("Was a ship date agreed?", "yes")  # the option's spelling
    assert who.answer == "Ana"
    assert yes.sources == (parts[1].source,)
    assert who.sources == (parts[0].source,)
    assert result.answer == "Q: Was a ship date agreed?\nA: yes\n\nQ: Who runs the launch?\nA: Ana"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ('{"answer_1": "maybe"}', "not one of its answer options"),
        ('{"answer_2": "yes"}', "missing or not a string"),
        ("I think yes.", "not a JSON object"),
    ],
)
def test_an_answer_the_task_did_not_ask_for_is_a_typed_error(
    gateway_emulator: GatewayEmulator, mode: Mode, reply: str, message: str
) -> None:
    gateway_emulator.script(Reply.text(reply))
    with pytest.raises(TaskAnswerError, match=message) as caught:
        do_answer(
            mode,
            GatewayClient(),
            MEETING,
            {"question": "Agreed?", "answer_options": ["yes", "no"]},
            model=CLAUDE,
        )
    assert caught.value.request_id
    assert reply[:10] in str(caught.value.body)


def test_without_structured_output_the_json_is_asked_for_and_read_from_the_text(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    gateway_emulator.script(Reply.text('```json\n{"answer_1": "No"}\n```'))
    result = do_answer(
        mode,
        GatewayClient(),
        MEETING,
        Question("Cancelled?", answer_options=["yes", "no"]),
        model="gpt-oss-120b",
    )
    [body] = chat_requests(gateway_emulator)
    assert "response_format" not in body
    assert (
        'Reply with only a JSON object with the keys "answer_1"' in body["messages"][1]["content"]
    )
    assert result.answers[0].answer == "no"


def test_action_items_and_a_free_task_ask_what_they_say(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    client = GatewayClient()
    items = run(
        mode,
        lambda: action_items(client, MEETING, model=CLAUDE),
        lambda: aaction_items(client, MEETING, model=CLAUDE),
    )
    done = run(
        mode,
        lambda: task(client, [MEETING], "Write a haiku.", model=CLAUDE, context="A sync"),
        lambda: atask(client, [MEETING], "Write a haiku.", model=CLAUDE, context="A sync"),
    )
    first, second = chat_requests(gateway_emulator)
    assert "List the action items" in first["messages"][1]["content"]
    assert "Answer format: a bulleted list" in first["messages"][1]["content"]
    assert second["messages"][1]["content"].endswith("Write a haiku.")
    assert second["messages"][0]["content"].endswith("Context: A sync")
    assert items.calls == done.calls == 1


def test_a_long_transcript_without_speaker_labels_is_cut_at_its_paragraphs(
    gateway_emulator: GatewayEmulator, mode: Mode, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = use_small_model(monkeypatch)
    gateway_emulator.add_transcript(synthetic_fixture("tr_plain", 400, speaker_labels=False))
    result = do_summarize(mode, GatewayClient(), "tr_plain", model=model, max_tokens=200)
    paths = [r.path for r in gateway_emulator.requests if r.path.startswith("/v2/")]
    assert "/v2/transcript/tr_plain/paragraphs" in paths
    assert_no_request_beyond_the_window(gateway_emulator)
    assert result.calls > 2
    assert result.sources[0].start == 0


def test_bad_transcripts_fail_with_the_transcript_errors(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    client = GatewayClient()
    with pytest.raises(TranscriptNotFoundError):
        do_summarize(mode, client, [MEETING, "no-such-transcript"], model=CLAUDE)
    with pytest.raises(TranscriptFailedError):
        do_summarize(mode, client, FAILED, model=CLAUDE)
    with pytest.raises(SpeakerLabelsMissingError):
        do_summarize(mode, client, LECTURE, model=CLAUDE, speaker_labels=True)
    assert chat_requests(gateway_emulator) == []


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"request_fields": {"model": "gpt-5"}}, ConfigurationError, "request_fields must not set"),
        ({"chunk_size": 10}, UnexpectedArgumentError, "unknown task option"),
        (
            {"transcript_mode": "transcript_id", "speaker_labels": True},
            ConfigurationError,
            "plain text",
        ),
        ({"transcript_mode": "sometimes"}, ConfigurationError, "transcript_mode must be"),
        ({"max_concurrency": 0}, ConfigurationError, "max_concurrency"),
        ({"chunk_tokens": -5}, ConfigurationError, "chunk_tokens"),
    ],
)
def test_bad_options_fail_before_anything_is_sent(
    gateway_emulator: GatewayEmulator, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        summarize(GatewayClient(), MEETING, model=CLAUDE, **options)
    assert gateway_emulator.requests == []


def test_bad_inputs_fail_before_anything_is_sent(gateway_emulator: GatewayEmulator) -> None:
    client = GatewayClient()
    with pytest.raises(ConfigurationError, match="given twice"):
        summarize(client, [MEETING, MEETING])
    with pytest.raises(ConfigurationError, match="at least one transcript"):
        summarize(client, [])
    with pytest.raises(ConfigurationError, match="GatewayClient"):
        summarize("not a client", MEETING)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="answer_options"):
        answer_questions(client, MEETING, [{"question": "Q?", "answer_options": ["only"]}])
    with pytest.raises(ConfigurationError, match="non-empty prompt"):
        task(client, MEETING, "  ")
    assert gateway_emulator.requests == []


def test_the_calls_go_through_the_clients_limiter(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    limiter = AdaptiveLimiter(max_concurrency=4)
    result = do_summarize(
        mode,
        GatewayClient(limiter=limiter),
        [MEETING, LECTURE],
        model=CLAUDE,
        transcript_mode="transcript_id",
    )
    assert limiter.stats().successes == result.calls == 3


def test_a_failing_call_stops_the_task_with_its_typed_error(
    gateway_emulator: GatewayEmulator, mode: Mode
) -> None:
    from assemblyai_gateway import InternalServerError

    gateway_emulator.failing_models.add(CLAUDE)
    with pytest.raises(InternalServerError, match="All models failed"):
        do_summarize(
            mode,
            GatewayClient(max_retries=0),
            [MEETING, LECTURE],
            model=CLAUDE,
            transcript_mode="transcript_id",
        )


def test_bound_tasks_keep_their_defaults_and_run_by_name(gateway_emulator: GatewayEmulator) -> None:
    tasks = TranscriptTasks(GatewayClient(), model="gpt-4.1", temperature=0.3, speaker_labels=True)
    tasks.run("summarize", MEETING, answer_format="one line")
    tasks.action_items(MEETING, speaker_labels=False)
    labelled, plain = chat_requests(gateway_emulator)
    assert labelled["temperature"] == plain["temperature"] == 0.3
    assert "transcript_id" not in labelled
    assert "Speaker A:" in labelled["messages"][1]["content"]
    assert plain["transcript_id"] == MEETING
    with pytest.raises(ConfigurationError, match=r"prompt=\.\.\. goes with"):
        tasks.run("summarize", MEETING, prompt="Write a poem.")


def _completion(text: str) -> dict[str, Any]:
    return {
        "request_id": "r",
        "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"input_tokens": 10, "output_tokens": 2, "total_tokens": 12},
    }


def test_no_more_calls_are_in_flight_than_max_concurrency(make_client: Any, mode: Mode) -> None:
    import asyncio
    import threading
    import time

    import httpx

    lock = threading.Lock()
    seen = {"now": 0, "most": 0, "calls": 0}

    def enter() -> None:
        with lock:
            seen["now"] += 1
            seen["calls"] += 1
            seen["most"] = max(seen["most"], seen["now"])

    def leave() -> None:
        with lock:
            seen["now"] -= 1

    def handle(request: httpx.Request) -> httpx.Response:
        enter()
        time.sleep(0.005)
        leave()
        return httpx.Response(200, json=_completion("notes"))

    async def ahandle(request: httpx.Request) -> httpx.Response:
        enter()
        await asyncio.sleep(0.005)
        leave()
        return httpx.Response(200, json=_completion("notes"))

    client = make_client(httpx.MockTransport(handle if mode == "sync" else ahandle))
    data = [synthetic_transcript(f"tr_{i}", turns=40) for i in range(3)]
    result = do_summarize(mode, client, data, model=CLAUDE, chunk_tokens=120, max_concurrency=3)
    assert result.calls == seen["calls"] > 6
    assert seen["most"] <= 3
    assert result.usage.total_tokens == 12 * result.calls
