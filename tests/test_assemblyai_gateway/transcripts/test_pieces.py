"""Chunks: cut between units (never inside one unless it alone is over the budget),
in order, with their times; budgets from the catalog; sources merged by part."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assemblyai_gateway import ConfigurationError, SpeakerLabelsMissingError, TranscriptTooLongError
from assemblyai_gateway.tokens import estimate_tokens
from assemblyai_gateway.transcripts import (
    CONTEXT_MARGIN,
    Section,
    Source,
    TranscriptData,
    TranscriptUnit,
    chunk_transcript,
    token_budget,
    transcript_records,
    transcripts_from_records,
)
from assemblyai_gateway.transcripts._pieces import merge_sources, split_by_tokens
from tests.support.transcript_tasks import CLAUDE, synthetic_transcript


def test_the_budget_is_the_window_less_a_margin_and_the_answer() -> None:
    budget = token_budget(CLAUDE, max_tokens=2_000)
    assert budget.context_window == 200_000
    assert budget.input_tokens == int(200_000 * (1 - CONTEXT_MARGIN)) - 2_000
    assert token_budget("gpt-4.1").answer_tokens == 4_096
    assert token_budget("claude-3-haiku-20240307").answer_tokens == 4_096  # its output limit
    with pytest.raises(TranscriptTooLongError, match="no room for input"):
        token_budget(CLAUDE, max_tokens=190_000)
    with pytest.raises(ConfigurationError, match="positive int"):
        token_budget(CLAUDE, max_tokens=0)


def test_chunks_keep_whole_units_in_order_with_their_times() -> None:
    data = synthetic_transcript("tr_1", turns=50)
    sections = chunk_transcript(data, 120, speaker_labels=True, timestamps=True)
    assert len(sections) > 5
    assert all(s.tokens <= 120 for s in sections)
    lines = [line for s in sections for line in (s.text or "").split("\n")]
    units = data.utterances or ()
    assert len(lines) == len(units)
    for line, unit in zip(lines, units, strict=True):
        assert line.endswith(f"Speaker {unit.speaker}: {unit.text}")
    first = sections[0]
    assert (first.start, first.part, first.parts) == (0, 1, len(sections))
    assert (first.text or "").startswith("[00:00:00] Speaker A: Turn 0:")
    assert sections[-1].end == units[-1].end
    assert 'part="2 of' in sections[1].block()
    assert 'from="00:' in sections[1].block()


def test_a_unit_alone_over_the_budget_is_cut_by_tokens_and_says_so() -> None:
    long_turn = TranscriptUnit(" ".join(f"word{i}" for i in range(600)), 1_000, 90_000, "B")
    data = TranscriptData(
        id="tr_2",
        text="Hi. " + long_turn.text,
        utterances=(TranscriptUnit("Hi.", 0, 900, "A"), long_turn),
        start=0,
        end=90_000,
    )
    sections = chunk_transcript(data, 200, speaker_labels=True)
    assert sections[0].text == "Speaker A: Hi."
    pieces = sections[1:]
    assert len(pieces) > 1
    assert all(s.tokens <= 200 for s in sections)
    assert [s.note for s in pieces] == [
        f"one long unit cut by length: piece {i} of {len(pieces)}"
        for i in range(1, len(pieces) + 1)
    ]
    assert all((s.start, s.end) == (1_000, 90_000) for s in pieces)  # the unit's own times
    joined = "".join(s.text or "" for s in pieces)
    assert joined == "Speaker B: " + long_turn.text
    assert "note=" in pieces[0].block()


def test_a_transcript_without_units_is_cut_at_sentences_with_its_whole_time() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(80))
    data = TranscriptData(id="tr_3", text=text, start=10, end=99_000)
    sections = chunk_transcript(data, 100)
    assert len(sections) > 3
    assert " ".join(s.text or "" for s in sections).replace("\n", " ") == text
    assert {(s.start, s.end) for s in sections} == {(10, 99_000)}


def test_units_asked_for_must_be_there() -> None:
    data = TranscriptData(id="tr_4", text="One voice.")
    with pytest.raises(SpeakerLabelsMissingError):
        chunk_transcript(data, 100, unit="utterances")
    with pytest.raises(ConfigurationError, match="include=\\['paragraphs'\\]"):
        chunk_transcript(data, 100, unit="paragraphs")
    with pytest.raises(TranscriptTooLongError):
        chunk_transcript(synthetic_transcript("tr_5", 3), 10)


def test_split_by_tokens_cuts_at_spaces_and_cuts_a_giant_word_by_characters() -> None:
    assert split_by_tokens("one two three four", 2) == ["one two ", "three ", "four"]
    giant = "x" * 50
    pieces = split_by_tokens(f"a {giant} b", 8)
    assert "".join(pieces) == f"a {giant} b"
    assert all(estimate_tokens(piece) <= 8 for piece in pieces)


def test_sources_merge_consecutive_parts_only() -> None:
    parts = [Section("tr_1", "-", 1, i * 10, i * 10 + 9, i, 5) for i in range(1, 6)]
    other = Section("tr_2", None, 1, None, None)
    merged = merge_sources([parts[3], other, parts[0], parts[1], parts[4]])
    assert merged == (Source("tr_1", 10, 29), Source("tr_1", 40, 59), Source("tr_2"))
    assert merged[0].label == "tr_1 00:00:00-00:00:00"
    assert Source("tr_2").label == "tr_2"


@pytest.mark.parametrize("transcript_format", ["utterances", "paragraphs", "text"])
def test_loaded_records_give_back_the_transcript(transcript_format: str) -> None:
    made = synthetic_transcript("tr_6", turns=5)
    data = replace(made, paragraphs=made.utterances, audio_url="https://example.com/a.mp3")
    [again] = transcripts_from_records(transcript_records(data, transcript_format))
    assert (again.id, again.start, again.end, again.audio_url) == (
        "tr_6",
        data.start,
        data.end,
        "https://example.com/a.mp3",
    )
    if transcript_format == "utterances":
        assert again.utterances == data.utterances
        assert again.text == data.text
    elif transcript_format == "paragraphs":
        assert [u.text for u in again.paragraphs or ()] == [u.text for u in data.utterances or ()]
    else:
        assert again.text == data.text


def test_records_of_something_else_are_refused() -> None:
    from assemblyai_gateway.transcripts import TranscriptRecord

    with pytest.raises(ConfigurationError, match="transcript_id"):
        transcripts_from_records([TranscriptRecord("notes", {"source": "wiki"})])
