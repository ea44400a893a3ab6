"""The behaviours both transcript adapters share, written once.

Each adapter's test module imports these tests and defines a ``framework`` fixture
(``"langchain"`` or ``"llama_index"``); every test runs sync and async, against the
emulator's transcript API, through the official ``assemblyai`` SDK.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from assemblyai_gateway import (
    ConfigurationError,
    SpeakerLabelsMissingError,
    TranscriptFailedError,
    TranscriptNotFoundError,
    TranscriptNotReadyError,
)
from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.transcript_cases import (
    DOCUMENT_COUNTS,
    FAILED,
    LECTURE,
    MEETING,
    MEETING_AUDIO,
    MEETING_TURNS,
    SLIM_KEYS,
    Framework,
    Mode,
    load,
    loader,
)

__all__ = [
    "mode",
    "test_a_bad_format_or_source_fails_before_any_request",
    "test_a_transcript_still_processing_is_waited_for_within_the_bound",
    "test_an_errored_transcript_raises_with_its_reason",
    "test_an_unknown_id_raises_not_found_naming_it",
    "test_each_format_makes_its_documents",
    "test_many_ids_load_in_order",
    "test_metadata_stays_slim",
    "test_repr_and_pickle_never_show_the_key",
    "test_subtitles_follow_chars_per_caption",
    "test_transcribing_a_local_file_uploads_it_first",
    "test_transcribing_a_url_with_utterances_turns_speaker_labels_on",
    "test_utterance_documents_name_their_speaker_and_times",
    "test_utterances_of_a_transcript_without_speakers_raise",
]


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> Mode:
    """Each test once with the blocking loader and once awaited."""
    value: Mode = request.param
    return value


@pytest.mark.parametrize(("transcript_id", "transcript_format"), sorted(DOCUMENT_COUNTS))
def test_each_format_makes_its_documents(
    gateway_emulator: GatewayEmulator,
    framework: Framework,
    mode: Mode,
    transcript_id: str,
    transcript_format: str,
) -> None:
    documents = load(
        framework, mode, transcript_ids=[transcript_id], transcript_format=transcript_format
    )
    assert len(documents) == DOCUMENT_COUNTS[transcript_id, transcript_format]
    for text, metadata in documents:
        assert text.strip()
        assert metadata["transcript_id"] == transcript_id
        assert metadata["transcript_format"] == transcript_format
    if transcript_format == "subtitles_srt":
        assert documents[0][0].startswith("1\n00:00:0")
    if transcript_format == "subtitles_vtt":
        assert documents[0][0].startswith("WEBVTT\n")
    if transcript_format in ("sentences", "paragraphs"):
        starts = [metadata["start"] for _, metadata in documents]
        assert starts == sorted(starts)


def test_utterance_documents_name_their_speaker_and_times(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    documents = load(framework, mode, transcript_ids=MEETING, transcript_format="utterances")
    assert len(documents) == len(MEETING_TURNS)
    for (text, metadata), (speaker, start, end, opening) in zip(
        documents, MEETING_TURNS, strict=True
    ):
        assert text.startswith(f"Speaker {speaker}: {opening}")
        assert (metadata["speaker"], metadata["start"], metadata["end"]) == (speaker, start, end)
        assert metadata["audio_url"] == MEETING_AUDIO
        assert metadata["language_code"] == "en_us"
        assert 0 < metadata["confidence"] <= 1


def test_metadata_stays_slim(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    for transcript_format in ("text", "sentences", "paragraphs", "utterances", "subtitles_vtt"):
        documents = load(
            framework, mode, transcript_ids=MEETING, transcript_format=transcript_format
        )
        for _, metadata in documents:
            assert set(metadata) <= SLIM_KEYS, set(metadata) - SLIM_KEYS
            assert all(isinstance(value, (str, int, float)) for value in metadata.values())
            assert len(repr(metadata)) < 400  # never the words or the transcript JSON


def test_many_ids_load_in_order(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    documents = load(framework, mode, transcript_ids=[LECTURE, MEETING, LECTURE])
    assert [metadata["transcript_id"] for _, metadata in documents] == [LECTURE, MEETING, LECTURE]


def test_subtitles_follow_chars_per_caption(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    def captions(chars: int) -> list[str]:
        [(text, _)] = load(
            framework,
            mode,
            transcript_ids=LECTURE,
            transcript_format="subtitles_srt",
            chars_per_caption=chars,
        )
        return [block.split("\n")[2] for block in text.strip().split("\n\n")]

    narrow, wide = captions(20), captions(80)
    assert len(narrow) > len(wide)
    assert all(len(line) <= 20 or " " not in line for line in narrow)
    assert max(len(line) for line in wide) > 20


def test_an_unknown_id_raises_not_found_naming_it(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    with pytest.raises(TranscriptNotFoundError, match="no-such-transcript") as caught:
        load(framework, mode, transcript_ids=["no-such-transcript"])
    assert caught.value.transcript_id == "no-such-transcript"
    assert caught.value.status_code == 404
    assert "region" in str(caught.value)


def test_an_errored_transcript_raises_with_its_reason(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    with pytest.raises(TranscriptFailedError, match="Download error") as caught:
        load(framework, mode, transcript_ids=[FAILED])
    assert caught.value.transcript_id == FAILED
    assert caught.value.error.startswith("Download error")


def test_utterances_of_a_transcript_without_speakers_raise(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    with pytest.raises(SpeakerLabelsMissingError, match="speaker_labels=True") as caught:
        load(framework, mode, transcript_ids=[LECTURE], transcript_format="utterances")
    assert caught.value.transcript_id == LECTURE


def test_a_transcript_still_processing_is_waited_for_within_the_bound(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    gateway_emulator.add_transcript(
        {"id": "soon", "status": "processing", "text": "Done at last.", "emulator_polls": 2}
    )
    gateway_emulator.add_transcript({"id": "never", "status": "processing"})
    [(text, _)] = load(framework, mode, transcript_ids=["soon"])
    assert text == "Done at last."
    polls = [r for r in gateway_emulator.requests if r.path == "/v2/transcript/soon"]
    assert len(polls) == 3
    with pytest.raises(TranscriptNotReadyError, match="still processing") as caught:
        load(framework, mode, transcript_ids=["never"], poll_timeout=0.05)
    assert caught.value.status == "processing"


def test_transcribing_a_url_with_utterances_turns_speaker_labels_on(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode
) -> None:
    documents = load(framework, mode, file_path=MEETING_AUDIO, transcript_format="utterances")
    assert [metadata["speaker"] for _, metadata in documents] == [t[0] for t in MEETING_TURNS]
    [created] = [r for r in gateway_emulator.requests if r.path == "/v2/transcript"]
    assert created.method == "POST"
    assert not any(r.path == "/v2/upload" for r in gateway_emulator.requests)
    # The new transcript got its own id, and the audio URL it was asked for.
    assert {metadata["transcript_id"] for _, metadata in documents} != {MEETING}
    assert {metadata["audio_url"] for _, metadata in documents} == {MEETING_AUDIO}


def test_transcribing_a_local_file_uploads_it_first(
    gateway_emulator: GatewayEmulator, framework: Framework, mode: Mode, tmp_path: Path
) -> None:
    audio = tmp_path / "call.mp3"
    audio.write_bytes(b"ID3 not really audio")
    gateway_emulator.transcription_polls = 1
    [(text, metadata)] = load(framework, mode, file_path=str(audio), config={"punctuate": True})
    assert text.startswith("Thanks for sending the recording over.")
    paths = [(r.method, r.path) for r in gateway_emulator.requests]
    assert paths[:2] == [("POST", "/v2/upload"), ("POST", "/v2/transcript")]
    assert metadata["audio_url"].startswith(gateway_emulator.transcript_base_url + "/v2/upload/")
    assert "speaker" not in metadata


def test_a_bad_format_or_source_fails_before_any_request(
    gateway_emulator: GatewayEmulator, framework: Framework
) -> None:
    with pytest.raises(ConfigurationError, match="transcript_format must be one of"):
        loader(framework, transcript_ids=[MEETING], transcript_format="words")
    with pytest.raises(ConfigurationError, match="not both"):
        loader(framework, file_path="a.mp3", transcript_ids=[MEETING])
    with pytest.raises(ConfigurationError, match="chars_per_caption"):
        loader(framework, transcript_ids=[MEETING], chars_per_caption=0)
    with pytest.raises(ConfigurationError, match="applies to file_path"):
        loader(framework, transcript_ids=[MEETING], config={"speaker_labels": True})
    assert gateway_emulator.requests == []


def test_repr_and_pickle_never_show_the_key(
    gateway_emulator: GatewayEmulator, framework: Framework, api_key: str
) -> None:
    made = loader(framework, transcript_ids=[MEETING], api_key=api_key, region="eu")
    assert api_key not in repr(made)
    assert "transcript_ids=['emulator-meeting']" in repr(made)
    frozen = pickle.dumps(made)
    assert api_key.encode() not in frozen
    # The copy reads the key from the environment (the emulator's, here).
    thawed = pickle.loads(frozen)
    assert api_key not in repr(thawed)
