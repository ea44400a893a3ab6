"""The emulator's transcript API and speech understanding, checked with the official SDK.

The vendor's ``assemblyai`` SDK is the contract: its transcriber, its response models
and its LLM Gateway client must work against the emulator unchanged.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import assemblyai as aai
import httpx
import pytest
from assemblyai import types as aai_types
from assemblyai.llm_gateway.v1.models import LLMGatewayUnderstandingResponse

from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.transcript_cases import FAILED, LECTURE, MEETING, MEETING_AUDIO
from tests.test_assemblyai_gateway.emulator.test_cli import read_until, running_cli


@pytest.fixture
def api(gateway_emulator: GatewayEmulator) -> Iterator[httpx.Client]:
    """An httpx client on the transcript API, with the emulator's key."""
    headers = {"Authorization": gateway_emulator.api_key}
    with httpx.Client(base_url=gateway_emulator.transcript_base_url, headers=headers) as client:
        yield client


def sdk_settings(emulator: GatewayEmulator) -> aai_types.Settings:
    """The SDK's own settings, pointed at the emulator as a user would."""
    return aai_types.Settings(
        api_key=emulator.api_key,
        base_url=emulator.transcript_base_url,
        llm_gateway_base_url=emulator.transcript_base_url,
        polling_interval=0.01,
    )


@pytest.fixture
def sdk(gateway_emulator: GatewayEmulator) -> Iterator[aai.Client]:
    """The SDK's blocking client on the emulator (its pool closed afterwards)."""
    client = aai.Client(settings=sdk_settings(gateway_emulator))
    yield client
    client.http_client.close()


def test_completed_transcripts_parse_as_the_sdk_models(api: httpx.Client) -> None:
    for transcript_id in (MEETING, LECTURE):
        body = api.get(f"/v2/transcript/{transcript_id}").json()
        parsed = aai_types.TranscriptResponse.parse_obj(body)
        assert parsed.status == aai_types.TranscriptStatus.completed
        assert parsed.words
        assert parsed.text == " ".join(word.text for word in parsed.words)
        for part, model in (
            ("sentences", aai_types.SentencesResponse),
            ("paragraphs", aai_types.ParagraphsResponse),
        ):
            model.parse_obj(api.get(f"/v2/transcript/{transcript_id}/{part}").json())
    meeting = aai_types.TranscriptResponse.parse_obj(api.get(f"/v2/transcript/{MEETING}").json())
    assert meeting.utterances is not None
    assert [u.speaker for u in meeting.utterances] == ["A", "B", "A", "C", "B", "A", "C", "A"]
    assert all(u.words and u.start <= u.words[0].start for u in meeting.utterances)


def test_errors_are_the_apis(gateway_emulator: GatewayEmulator, api: httpx.Client) -> None:
    assert api.get("/v2/transcript/nope").status_code == 404
    assert "not found" in api.get("/v2/transcript/nope").json()["error"]
    failed = api.get(f"/v2/transcript/{FAILED}").json()
    assert (failed["status"], failed["text"]) == ("error", None)
    assert failed["error"].startswith("Download error")
    assert api.get(f"/v2/transcript/{FAILED}/sentences").status_code == 400
    assert api.get(f"/v2/transcript/{MEETING}/words").status_code == 404
    assert api.get(f"/v2/transcript/{MEETING}/srt?chars_per_caption=0").status_code == 400
    assert api.delete(f"/v2/transcript/{MEETING}").status_code == 405
    assert api.post("/v2/transcript", json={"speaker_labels": True}).status_code == 400
    anonymous = httpx.get(f"{gateway_emulator.transcript_base_url}/v2/transcript/{MEETING}")
    assert anonymous.status_code == 401
    assert "Authentication error" in anonymous.json()["error"]
    wrong = httpx.get(
        f"{gateway_emulator.transcript_base_url}/v2/transcript/{MEETING}",
        headers={"Authorization": "wrong"},
    )
    assert wrong.status_code == 401


def test_captions_honour_chars_per_caption(api: httpx.Client) -> None:
    srt = api.get(f"/v2/transcript/{MEETING}/srt", params={"chars_per_caption": 24}).text
    blocks = srt.strip().split("\n\n")
    assert blocks[0].split("\n")[:2] == ["1", "00:00:00,240 --> 00:00:01,376"]
    assert all(len(block.split("\n")[2]) <= 24 for block in blocks)
    vtt = api.get(f"/v2/transcript/{MEETING}/vtt").text
    assert vtt.startswith("WEBVTT\n\n00:00:00.240 --> ")
    assert re.search(r"\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}", vtt)


def test_the_sdk_reads_transcripts_by_id(sdk: aai.Client) -> None:
    client = sdk
    transcript = aai.Transcript(MEETING, client=client).wait_for_completion()
    assert transcript.utterances is not None
    assert transcript.utterances[0].text.startswith("Good morning")
    assert len(transcript.get_sentences()) == 19
    assert len(transcript.get_paragraphs()) == 8
    assert transcript.export_subtitles_vtt(chars_per_caption=40).startswith("WEBVTT")
    failed = aai.Transcript(FAILED, client=client).wait_for_completion()
    assert failed.status == aai_types.TranscriptStatus.error
    with pytest.raises(aai_types.TranscriptError) as caught:
        aai.Transcript("nope", client=client).wait_for_completion()
    assert caught.value.status_code == 404


def test_the_sdk_finds_the_emulator_through_the_environment(
    gateway_emulator: GatewayEmulator,
) -> None:
    # The fixture sets ASSEMBLYAI_BASE_URL and ASSEMBLYAI_API_KEY; the SDK's own
    # settings read them, as they would a user's shell.
    client = aai.Client(settings=aai_types.Settings(polling_interval=0.01))
    try:
        assert client.settings.base_url == gateway_emulator.transcript_base_url
        assert aai.Transcript(LECTURE, client=client).wait_for_completion().text
    finally:
        client.http_client.close()


def test_the_sdk_transcribes_a_file_and_a_url(
    gateway_emulator: GatewayEmulator, sdk: aai.Client, tmp_path: Path
) -> None:
    gateway_emulator.transcription_polls = 2
    audio = tmp_path / "memo.wav"
    audio.write_bytes(b"RIFF fake audio")
    transcriber = aai.Transcriber(client=sdk)
    from_file = transcriber.transcribe(str(audio))
    assert from_file.status == aai_types.TranscriptStatus.completed
    assert from_file.utterances is None
    assert (from_file.text or "").startswith("Thanks for sending")
    config = aai.TranscriptionConfig(speaker_labels=True, language_code="en_us")
    from_url = transcriber.transcribe(MEETING_AUDIO, config=config)
    assert from_url.utterances is not None
    assert {u.speaker for u in from_url.utterances} == {"A", "B", "C"}
    polls = [r for r in gateway_emulator.requests if r.path == f"/v2/transcript/{from_url.id}"]
    assert [r.status for r in polls] == [200, 200, 200]


def test_the_async_sdk_transcribes_too(gateway_emulator: GatewayEmulator, tmp_path: Path) -> None:
    audio = tmp_path / "memo.wav"
    audio.write_bytes(b"RIFF fake audio")

    async def run() -> tuple[Any, Any]:
        async with aai.AsyncClient(settings=sdk_settings(gateway_emulator)) as client:
            transcriber = aai.AsyncTranscriber(client=client)
            return await asyncio.gather(
                transcriber.transcribe(str(audio)), transcriber.get_by_id(MEETING)
            )

    new, meeting = asyncio.run(run())
    assert new.text.startswith("Thanks for sending")
    assert meeting.utterances[0].speaker == "A"


def test_a_completed_transcript_serves_transcript_id_in_chat(
    gateway_emulator: GatewayEmulator,
) -> None:
    gateway_emulator.add_transcript({"id": "tr_chat", "text": "Ship it on Friday."})
    reply = httpx.post(
        f"{gateway_emulator.base_url}/chat/completions",
        headers={"Authorization": gateway_emulator.api_key},
        json={"model": "gpt-4.1", "prompt": "Sum up {{ transcript }}", "transcript_id": "tr_chat"},
    ).json()
    assert reply["choices"][0]["message"]["content"].endswith('"Sum up Ship it on Friday."')
    refused = httpx.post(
        f"{gateway_emulator.base_url}/chat/completions",
        headers={"Authorization": gateway_emulator.api_key},
        json={"model": "gpt-4.1", "prompt": "{{ transcript }}", "transcript_id": FAILED},
    )
    assert refused.status_code == 400


def test_understanding_answers_as_the_sdk_expects(sdk: aai.Client) -> None:
    gateway = aai.LLMGateway(client=sdk)
    request = {
        "speaker_identification": {"speaker_type": "name", "known_values": ["Dana", "Lee"]},
        "translation": {"target_languages": ["de"]},
    }
    answer = gateway.understanding.create(transcript_id=MEETING, request=request)
    assert isinstance(answer, LLMGatewayUnderstandingResponse)
    mapping = answer.speech_understanding["speaker_identification"]["mapping"]
    assert mapping == {"A": "Dana", "B": "Lee", "C": "Speaker C"}
    assert answer.utterances is not None
    assert answer.utterances[0]["speaker"] == "Dana"
    assert answer.translated_texts is not None
    assert answer.translated_texts["de"].startswith("[de] Good morning")
    again = gateway.understanding.create(transcript_id=MEETING, request=request)
    assert again.utterances == answer.utterances  # deterministic
    gateway.understanding.validate(request=request)  # raises when the gateway refuses


def test_understanding_refuses_what_the_gateway_would(gateway_emulator: GatewayEmulator) -> None:
    url = f"{gateway_emulator.transcript_base_url}/v1/understanding"
    headers = {"Authorization": gateway_emulator.api_key}
    request = {"speech_understanding": {"request": {"translation": {"target_languages": ["fr"]}}}}
    anonymous = httpx.post(url, json={"transcript_id": MEETING, **request})
    assert anonymous.status_code == 401
    assert anonymous.json()["status"] == 401
    unknown = httpx.post(url, json={"transcript_id": "nope", **request}, headers=headers)
    assert unknown.status_code == 404
    features: dict[str, Any] = {"speaker_identification": {}, "colour": {}}
    bad = {"speech_understanding": {"request": features}}
    invalid = httpx.post(f"{url}/validate", json=bad, headers=headers)
    assert invalid.status_code == 400
    fields = [e["field"] for e in invalid.json()["error"]["metadata"]["errors"]]
    assert fields == [
        "speech_understanding.request.speaker_identification.speaker_type",
        "speech_understanding.request.colour",
    ]


def test_fixtures_load_from_files_and_folders(
    gateway_emulator: GatewayEmulator, api: httpx.Client, tmp_path: Path
) -> None:
    one = {
        "id": "f1",
        "utterances": [{"speaker": "A", "text": "Hi."}, {"speaker": "B", "text": "Hello."}],
    }
    (tmp_path / "one.json").write_text(json.dumps(one))
    (tmp_path / "many.json").write_text(json.dumps([{"id": "f2", "text": "Two."}]))
    assert sorted(gateway_emulator.load_transcripts(tmp_path)) == ["f1", "f2"]
    first = api.get("/v2/transcript/f1").json()
    assert first["text"] == "Hi. Hello."
    assert [w["speaker"] for w in first["words"]] == ["A", "B"]
    assert first["utterances"][1]["start"] > first["utterances"][0]["end"]
    gateway_emulator.reset(settings=True)
    assert api.get("/v2/transcript/f1").status_code == 404
    assert api.get(f"/v2/transcript/{MEETING}").status_code == 200


@pytest.mark.parametrize(
    ("fixture", "problem"),
    [
        ({"text": "no id"}, "needs an 'id'"),
        ({"id": "x", "status": "done"}, "'status' must be one of"),
        ({"id": "x", "utterances": [{"speaker": "A"}]}, "utterance 0 needs a 'text'"),
        ({"id": "x", "utterances": [{"text": "a", "start": 9, "end": 1}]}, "ends before"),
    ],
)
def test_a_bad_fixture_is_named(
    gateway_emulator: GatewayEmulator, fixture: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        gateway_emulator.add_transcript(fixture)


def test_the_cli_serves_transcript_fixtures(tmp_path: Path) -> None:
    (tmp_path / "call.json").write_text(json.dumps({"id": "cli-1", "text": "From the CLI."}))
    with running_cli("--transcripts", str(tmp_path), "--quiet") as (_, lines):
        banner = "".join(read_until(lines, "Ctrl-C"))
        found = re.search(r"export ASSEMBLYAI_BASE_URL=(http://127\.0\.0\.1:\d+)\n", banner)
        assert found is not None
        headers = {"Authorization": "emulator-key"}
        reply = httpx.get(f"{found[1]}/v2/transcript/cli-1", headers=headers, timeout=5)
        assert reply.json()["text"] == "From the CLI."
