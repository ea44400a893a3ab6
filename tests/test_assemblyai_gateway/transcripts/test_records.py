"""Records from transcript data: one rule per format, slim metadata, no I/O."""

from __future__ import annotations

import pytest

from assemblyai_gateway import ConfigurationError, SpeakerLabelsMissingError
from assemblyai_gateway.transcripts import (
    TranscriptData,
    TranscriptFormat,
    TranscriptUnit,
    parse_transcript_format,
    transcript_records,
)

TURNS = (
    TranscriptUnit("Ship it Friday.", 0, 1200, speaker="A", confidence=0.9),
    TranscriptUnit("Agreed.", 1300, 1800, speaker="B"),
)
DATA = TranscriptData(
    id="tr_1",
    text="Ship it Friday. Agreed.",
    audio_url="https://example.com/a.mp3",
    utterances=TURNS,
    sentences=TURNS,
    start=0,
    end=1800,
)


def test_utterances_name_the_speaker_in_the_text_and_metadata() -> None:
    records = transcript_records(DATA, "utterances")
    assert [r.text for r in records] == ["Speaker A: Ship it Friday.", "Speaker B: Agreed."]
    assert records[0].metadata == {
        "transcript_id": "tr_1",
        "transcript_format": "utterances",
        "audio_url": "https://example.com/a.mp3",
        "index": 0,
        "speaker": "A",
        "start": 0,
        "end": 1200,
        "confidence": 0.9,
    }


def test_unknown_values_are_left_out_not_none() -> None:
    # Vector stores refuse None metadata: no language, no confidence, so no keys.
    [_, second] = transcript_records(DATA, TranscriptFormat.UTTERANCES)
    assert "confidence" not in second.metadata
    assert "language_code" not in second.metadata
    assert None not in second.metadata.values()


def test_text_is_one_record_with_the_whole_span() -> None:
    [record] = transcript_records(DATA)
    assert record.text == DATA.text
    assert (record.metadata["start"], record.metadata["end"]) == (0, 1800)
    assert record.id == "tr_1:text"


def test_sentences_do_not_repeat_the_speaker_in_the_text() -> None:
    records = transcript_records(DATA, "sentences")
    assert records[0].text == "Ship it Friday."
    assert records[0].metadata["speaker"] == "A"
    assert records[1].id == "tr_1:sentences:1"


def test_subtitles_are_one_record_of_the_text_given() -> None:
    [record] = transcript_records(DATA, "subtitles_vtt", subtitles="WEBVTT\n")
    assert record.text == "WEBVTT\n"
    assert record.metadata["transcript_format"] == "subtitles_vtt"
    with pytest.raises(ConfigurationError, match="subtitles text"):
        transcript_records(DATA, "subtitles_srt")


def test_utterances_without_speaker_labels_raise_naming_the_fix() -> None:
    plain = TranscriptData(id="tr_2", text="Hello.")
    with pytest.raises(SpeakerLabelsMissingError, match="tr_2") as caught:
        transcript_records(plain, "utterances")
    assert "speaker_labels=True" in str(caught.value)
    assert caught.value.transcript_id == "tr_2"


def test_parts_not_fetched_are_named() -> None:
    with pytest.raises(ConfigurationError, match=r"include=\['paragraphs'\]"):
        transcript_records(DATA, "paragraphs")


def test_formats_take_strings_and_the_community_enum_names() -> None:
    assert parse_transcript_format("subtitles_srt") is TranscriptFormat.SUBTITLES_SRT
    assert str(TranscriptFormat.TEXT) == "text"
    assert "text" in set(TranscriptFormat)
    with pytest.raises(ConfigurationError, match="'utterances'"):
        parse_transcript_format("words")


def test_units_and_data_derive_what_chunkers_need() -> None:
    assert TURNS[0].duration == 1200
    assert DATA.speakers == ("A", "B")
    assert DATA.has_speaker_labels
    assert not TranscriptData(id="x", text="").has_speaker_labels
