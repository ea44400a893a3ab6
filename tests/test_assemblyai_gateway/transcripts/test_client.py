"""TranscriptClient: the SDK per client, regions and environment, errors, key hygiene."""

from __future__ import annotations

import asyncio
import copy
import pickle
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import assemblyai as aai
import httpx
import pytest

from assemblyai_gateway import (
    APIConnectionError,
    ConfigurationError,
    MissingAPIKeyError,
    TranscriptError,
    TranscriptNotFoundError,
)
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import ScriptedTransport, ScriptStep
from assemblyai_gateway.transcripts import (
    TranscriptClient,
    TranscriptSources,
    afetch_transcript,
    fetch_transcript,
)
from tests.support.transcript_cases import LECTURE, MEETING, MEETING_AUDIO

Network = Callable[[Sequence[ScriptStep]], ScriptedTransport]
COMPLETED = {
    "id": "eu-1",
    "status": "completed",
    "audio_url": "https://example.com/a.mp3",
    "text": "Bonjour.",
    "words": [{"text": "Bonjour.", "start": 10, "end": 500, "confidence": 0.9}],
    "utterances": None,
    "language_code": "fr",
}


@pytest.fixture(params=["sync", "async"])
def fetch(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """fetch_transcript, or afetch_transcript run to completion: one test, both loops."""
    if request.param == "sync":
        return fetch_transcript
    return lambda *args, **kwargs: asyncio.run(afetch_transcript(*args, **kwargs))


def test_fetch_gives_text_utterances_and_the_parts_asked_for(
    gateway_emulator: GatewayEmulator, fetch: Callable[..., Any]
) -> None:
    meeting = fetch(MEETING, include=["paragraphs"])
    assert meeting.speakers == ("A", "B", "C")
    assert meeting.utterances[1].speaker == "B"
    assert meeting.utterances[1].start == 6480
    assert len(meeting.paragraphs) == 8
    assert meeting.sentences is None
    assert (meeting.audio_url, meeting.language_code) == (MEETING_AUDIO, "en_us")
    lecture = fetch(LECTURE, include=["sentences", "paragraphs"])
    assert lecture.utterances is None
    assert (len(lecture.sentences), len(lecture.paragraphs)) == (10, 3)
    assert lecture.start == lecture.sentences[0].start


def test_the_eu_region_reads_from_the_eu_host(
    network: Network, fetch: Callable[..., Any], no_api_key_env: None, api_key: str
) -> None:
    transport = network([COMPLETED])
    data = fetch("eu-1", api_key=api_key, region="eu")
    assert data.text == "Bonjour."
    [request] = transport.requests
    assert str(request.url) == "https://api.eu.assemblyai.com/v2/transcript/eu-1"
    assert request.headers["authorization"] == api_key  # the raw key, as the API wants


def test_the_us_region_is_the_default(network: Network, no_api_key_env: None) -> None:
    transport = network([COMPLETED])
    fetch_transcript("eu-1", api_key="k")
    assert transport.requests[0].url.host == "api.assemblyai.com"


def test_the_environment_gives_key_and_host(
    gateway_emulator: GatewayEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TranscriptClient()
    assert client.base_url == gateway_emulator.transcript_base_url
    assert client.fetch(MEETING).id == MEETING
    monkeypatch.delenv("ASSEMBLYAI_API_KEY")
    with pytest.raises(MissingAPIKeyError, match="ASSEMBLYAI_API_KEY"):
        TranscriptClient()


def test_an_environment_host_that_contradicts_the_region_is_warned_about(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSEMBLYAI_BASE_URL", "https://transcripts.example.org")
    with pytest.warns(UserWarning, match="environment variable wins"):
        client = TranscriptClient("k", region="eu")
    assert client.base_url == "https://transcripts.example.org"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert TranscriptClient("k", region="eu", base_url="https://x.test").base_url == (
            "https://x.test"
        )


def test_clients_with_different_keys_never_share_settings(
    gateway_emulator: GatewayEmulator,
) -> None:
    before = (aai.settings.api_key, aai.settings.base_url)
    good = TranscriptClient(gateway_emulator.api_key)
    wrong = TranscriptClient("another-key")
    with pytest.raises(TranscriptError, match="401") as caught:
        wrong.fetch(MEETING)
    assert caught.value.status_code == 401
    assert good.fetch(MEETING).id == MEETING
    assert (aai.settings.api_key, aai.settings.base_url) == before


def test_no_error_repr_or_pickle_shows_the_key(
    gateway_emulator: GatewayEmulator, api_key: str
) -> None:
    client = TranscriptClient(api_key)
    with pytest.raises(TranscriptError) as caught:
        client.fetch(MEETING)
    shown = [str(caught.value), repr(caught.value), repr(caught.value.__cause__), repr(client)]
    assert not [text for text in shown if api_key in text]
    assert api_key.encode() not in pickle.dumps(client)
    assert copy.deepcopy(client)._settings().api_key == api_key  # a copy keeps it


def test_an_unreachable_host_is_a_connection_error(network: Network) -> None:
    network([httpx.ConnectError("refused")])
    with pytest.raises(APIConnectionError, match="could not reach the transcript API"):
        fetch_transcript("tr_1", api_key="k")


def test_a_400_lookup_error_is_not_found(network: Network) -> None:
    answer = httpx.Response(400, json={"error": "Transcript lookup error"})
    network([answer])
    with pytest.raises(TranscriptNotFoundError, match="tr_9"):
        fetch_transcript("tr_9", api_key="k")


def test_transcribe_keeps_the_callers_config(gateway_emulator: GatewayEmulator) -> None:
    config = aai.TranscriptionConfig(punctuate=True)
    client = TranscriptClient(poll_interval=0.01)
    records = list(
        client.iter_records(TranscriptSources(MEETING_AUDIO), "utterances", config=config)
    )
    assert len(records) == 8
    assert config.speaker_labels is None  # turned on in a copy only
    [created] = [r for r in gateway_emulator.requests if r.path == "/v2/transcript"]
    assert created.json is not None
    assert created.json["speaker_labels"] is True
    assert created.json["punctuate"] is True
    data = asyncio.run(client.atranscribe(MEETING_AUDIO, {"speaker_labels": True}))
    assert data.speakers == ("A", "B", "C")


def test_without_the_sdk_the_install_command_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "assemblyai", None)  # as if not installed
    with pytest.raises(ImportError, match=r"assemblyai-llm-gateway\[transcripts\]"):
        TranscriptClient("k")


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"region": "ap"}, "region must be 'us' or 'eu'"),
        ({"base_url": "api.assemblyai.com"}, "absolute http"),
        ({"poll_timeout": None}, "poll_timeout"),
        ({"poll_timeout": -1}, "poll_timeout"),
        ({"poll_interval": 0}, "poll_interval"),
    ],
)
def test_bad_settings_are_named(arguments: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        TranscriptClient("k", **arguments)
