"""transcript_id done right: the tag the gateway replaces, where it replaces it, and the
switch to inline text for speaker labels or a transcript beyond the context window."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from assemblyai_gateway import (
    ConfigurationError,
    SpeakerLabelsMissingError,
    TranscriptTagError,
    TranscriptTooLongError,
)
from assemblyai_gateway.emulator import GatewayEmulator, count_tokens
from assemblyai_gateway.emulator._model import substitute_transcript
from assemblyai_gateway.transcripts import (
    TRANSCRIPT_TAG,
    TagLocation,
    TranscriptData,
    check_transcript_tag,
    token_budget,
    transcript_prompts,
)
from tests.support.transcript_tasks import CLAUDE, synthetic_transcript, use_small_model


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


# -- the tag rules -------------------------------------------------------------------


def test_the_one_exact_tag_is_found_in_its_message() -> None:
    messages = [{"role": "system", "content": "Be brief."}, user(f"Sum up: {TRANSCRIPT_TAG}")]
    assert check_transcript_tag(messages) == TagLocation(1)
    assert check_transcript_tag([user("no tag")], prompt=TRANSCRIPT_TAG) == TagLocation(None)
    assert check_transcript_tag([user("no tag here")]) is None


@pytest.mark.parametrize(
    "spelling", ["{{transcript}}", "{{ transcript}}", "{{  transcript  }}", "{{ Transcript }}"]
)
def test_a_tag_the_gateway_would_leave_is_refused_by_name(spelling: str) -> None:
    with pytest.raises(TranscriptTagError, match="leaves as it is") as caught:
        check_transcript_tag([user("Context"), user(f"Sum up: {spelling}")])
    assert (caught.value.message_index, caught.value.tag) == (1, spelling)
    assert isinstance(caught.value, ConfigurationError)


def test_a_second_tag_in_the_same_message_is_refused() -> None:
    with pytest.raises(TranscriptTagError, match=r"has a second .* \(the first is in message 0\)"):
        check_transcript_tag([user(f"{TRANSCRIPT_TAG} and again {TRANSCRIPT_TAG}")])


def test_a_tag_in_a_later_message_is_refused() -> None:
    messages = [
        {"role": "system", "content": f"Transcript: {TRANSCRIPT_TAG}"},
        user(f"Quote: {TRANSCRIPT_TAG}"),
    ]
    with pytest.raises(TranscriptTagError, match="message 1 has a second") as caught:
        check_transcript_tag(messages)
    assert caught.value.message_index == 1
    with pytest.raises(TranscriptTagError, match="the prompt has a second"):
        check_transcript_tag([user(TRANSCRIPT_TAG)], prompt=TRANSCRIPT_TAG)


def test_a_tag_inside_content_parts_is_refused() -> None:
    parts = [{"type": "text", "text": "Sum up:"}, {"type": "text", "text": TRANSCRIPT_TAG}]
    with pytest.raises(TranscriptTagError, match="content parts"):
        check_transcript_tag([user(parts)])


def test_what_the_helper_accepts_the_emulator_fills_as_the_gateway_does() -> None:
    [prompt] = transcript_prompts("tr_1", "Summarise it.", model=CLAUDE, system="Be brief.")
    body = prompt.request(temperature=0)
    filled = substitute_transcript(body, "Alice: ship it Friday.")
    assert TRANSCRIPT_TAG not in str(filled["messages"])
    assert "Alice: ship it Friday." in filled["messages"][1]["content"]


# -- the helper ----------------------------------------------------------------------


def test_an_id_goes_by_transcript_id_with_the_tag_first_in_the_first_user_message() -> None:
    [prompt] = transcript_prompts("tr_1", "Summarise it.", model=CLAUDE, system="Be brief.")
    assert prompt.mode == "transcript_id"
    assert prompt.reason is None
    body = prompt.request(temperature=0.2)
    assert body["transcript_id"] == "tr_1"
    assert body["max_tokens"] == token_budget(CLAUDE).answer_tokens
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": f'<transcript id="tr_1">\n{TRANSCRIPT_TAG}\n</transcript>\n\nSummarise it.',
        },
    ]
    assert check_transcript_tag(body["messages"]) == TagLocation(1)


def test_the_callers_own_tag_stays_where_it_is_and_their_messages_are_untouched() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You take minutes."},
        user([{"type": "text", "text": "Earlier call"}]),
        {"role": "assistant", "content": "Noted."},
        user(f"Now this one: {TRANSCRIPT_TAG} - list the decisions."),
    ]
    before = copy.deepcopy(messages)
    [prompt] = transcript_prompts("tr_9", messages, model=CLAUDE)
    assert messages == before
    assert prompt.request()["messages"][3]["content"] == messages[3]["content"]
    assert prompt.request()["messages"][1]["content"] == [{"type": "text", "text": "Earlier call"}]


def test_speaker_labels_send_the_text_inline_without_transcript_id() -> None:
    data = synthetic_transcript("tr_2", turns=3)
    [prompt] = transcript_prompts(
        data, f"Who spoke? {TRANSCRIPT_TAG}", model=CLAUDE, speaker_labels=True
    )
    body = prompt.request()
    assert prompt.mode == "inline"
    assert prompt.reason == "speaker labels were asked for"
    assert "transcript_id" not in body
    content = body["messages"][0]["content"]
    assert content.startswith('Who spoke? <transcript id="tr_2">\nSpeaker A: Turn 0:')
    assert "Speaker B: Turn 1:" in content
    assert TRANSCRIPT_TAG not in content
    assert prompt.source.start == 0
    assert prompt.source.end == data.end


def test_speaker_labels_of_an_id_alone_need_the_transcript() -> None:
    with pytest.raises(ConfigurationError, match="fetch_transcript"):
        transcript_prompts("tr_3", "Who spoke?", model=CLAUDE, speaker_labels=True)


def test_speaker_labels_of_a_transcript_without_them_are_refused() -> None:
    data = TranscriptData(id="tr_4", text="One voice only.")
    with pytest.raises(SpeakerLabelsMissingError):
        transcript_prompts(data, "Who spoke?", model=CLAUDE, speaker_labels=True)


def test_a_transcript_beyond_the_window_goes_inline_in_parts_that_each_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = use_small_model(monkeypatch)
    data = synthetic_transcript("tr_long", turns=400)
    prompts = transcript_prompts(data, "Summarise it.", model=model, max_tokens=300)
    budget = token_budget(model, 300)
    assert len(prompts) >= 3
    assert all(p.mode == "inline" and "longer than" in (p.reason or "") for p in prompts)
    # Every unit once, in order, whole; every request within the window by the
    # emulator's own count (the estimate errs high).
    lines = [
        line
        for p in prompts
        for line in p.messages[0]["content"].split("\n")
        if line.startswith("Turn ")
    ]
    assert lines == [unit.text for unit in data.utterances or ()]
    for prompt in prompts:
        body = prompt.request()
        tokens = sum(count_tokens(m["content"]) for m in body["messages"])
        assert tokens + body["max_tokens"] <= budget.context_window
    assert [p.section.part for p in prompts] == list(range(1, len(prompts) + 1))
    end = prompts[0].source.end
    assert end is not None
    assert prompts[1].source.start == end + 400  # the next turn's start


def test_chunk_tokens_caps_each_inline_part() -> None:
    data = synthetic_transcript("tr_5", turns=60)
    prompts = transcript_prompts(data, "Summarise it.", model=CLAUDE, inline=True, chunk_tokens=200)
    assert len(prompts) > 4
    assert all(p.section.tokens <= 200 for p in prompts)


def test_a_prompt_that_leaves_no_room_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    model = use_small_model(monkeypatch)
    with pytest.raises(TranscriptTooLongError, match="the prompt alone") as caught:
        transcript_prompts("tr_6", "word " * 4_000, model=model)
    assert caught.value.tokens > caught.value.limit


def test_the_emulator_answers_about_the_injected_transcript(
    gateway_emulator: GatewayEmulator,
) -> None:
    from assemblyai_gateway import GatewayClient

    gateway_emulator.transcripts["tr_7"] = "Alice: ship it Friday."
    [prompt] = transcript_prompts("tr_7", "Summarise:", model=CLAUDE)
    with GatewayClient() as client:
        answer = client.create(prompt.request())
    assert 'Emulated answer to: "<transcript id="tr_7"> Alice: ship it Friday.' in str(
        answer.choices[0].message.content
    )
