"""Speech understanding on the client: typed requests checked before sending, one POST
per call with the client's key and retries, and the answer read in either shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from assemblyai_gateway import (
    AuthenticationError,
    BadRequestError,
    GatewayClient,
    InvalidRequestError,
    NotFoundError,
    ResponseValidationError,
    UnderstandingRequest,
    UnderstandingResponse,
)
from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.transcript_cases import MEETING, MEETING_TURNS

NAMES = {"speaker_identification": {"speaker_type": "name", "known_values": ["Ana", "Ben", "Cy"]}}


async def understand(
    client: GatewayClient, mode: str, transcript_id: str, request: Any
) -> UnderstandingResponse:
    if mode == "sync":
        return client.understand(transcript_id, request)
    return await client.aunderstand(transcript_id, request)


async def validate(client: GatewayClient, mode: str, request: Any) -> None:
    if mode == "sync":
        client.validate_understanding(request)
    else:
        await client.avalidate_understanding(request)


async def test_speakers_are_named_on_the_answer_and_its_utterances(
    gateway_emulator: GatewayEmulator, sync_or_async: str
) -> None:
    answer = await understand(GatewayClient(), sync_or_async, MEETING, NAMES)
    assert answer.speaker_mapping == {"A": "Ana", "B": "Ben", "C": "Cy"}
    assert answer.status("speaker_identification") == "success"
    assert [u["speaker"] for u in answer.utterances or []][:3] == ["Ana", "Ben", "Ana"]
    assert len(answer.utterances or []) == len(MEETING_TURNS)
    assert answer.request_id
    [recorded] = gateway_emulator.requests
    assert recorded.path == "/v1/understanding"
    assert recorded.json == {"transcript_id": MEETING, "speech_understanding": {"request": NAMES}}


async def test_translation_and_formatting_come_back_typed(
    gateway_emulator: GatewayEmulator, sync_or_async: str
) -> None:
    request = UnderstandingRequest(
        translation={"target_languages": ["es", "de"], "match_original_utterance": True},
        custom_formatting={"date": "mm/dd/yyyy"},
    )
    answer = await understand(GatewayClient(), sync_or_async, MEETING, request)
    assert set(answer.translated_texts or {}) == {"es", "de"}
    assert answer.formatted_text is not None
    assert set((answer.utterances or [{}])[0]["translated_texts"]) == {"es", "de"}


async def test_validation_passes_or_names_the_fields(
    gateway_emulator: GatewayEmulator, sync_or_async: str
) -> None:
    client = GatewayClient()
    assert await validate(client, sync_or_async, NAMES) is None  # type: ignore[func-returns-value]
    with pytest.raises(BadRequestError) as caught:
        await validate(client, sync_or_async, {"summarization": "please"})
    assert caught.value.status_code == 400
    assert "speech_understanding.request.summarization" in str(caught.value)
    paths = [r.path for r in gateway_emulator.requests]
    assert paths == ["/v1/understanding/validate"] * 2


async def test_an_unknown_transcript_is_a_not_found(
    gateway_emulator: GatewayEmulator, sync_or_async: str
) -> None:
    with pytest.raises(NotFoundError, match="no-such-transcript"):
        await understand(GatewayClient(), sync_or_async, "no-such-transcript", NAMES)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"speaker_identification": {"speaker_type": "role"}}, "needs known_values"),
        ({"speaker_identification": {"speaker_type": "nickname"}}, "speaker_type"),
        ({"translation": {"target_languages": []}}, "target_languages"),
        ({"speaker_identification": {"speaker_type": "role", "known_values": ["x" * 36]}}, "35"),
        ({}, "at least one feature"),
        ("translate please", "UnderstandingRequest or a dict"),
    ],
)
def test_a_bad_request_is_refused_before_anything_is_sent(
    gateway_emulator: GatewayEmulator, request_: Any, message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        GatewayClient().understand(MEETING, request_)
    with pytest.raises(InvalidRequestError, match="transcript_id"):
        GatewayClient().understand("  ", NAMES)
    assert gateway_emulator.requests == []


def test_new_features_and_options_pass_through() -> None:
    request = UnderstandingRequest.model_validate(
        {
            "summarization": {"style": "short"},
            "translation": {"target_languages": ["fr"], "tone": "warm"},
        }
    )
    assert request.features() == {
        "translation": {"target_languages": ["fr"], "tone": "warm"},
        "summarization": {"style": "short"},
    }


Handler = Callable[[httpx.Request], httpx.Response]


def recording(responses: list[httpx.Response], seen: list[httpx.Request]) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses.pop(0)

    return handle


OPENAPI_SHAPE = {
    "request_id": "r-1",
    "speech_understanding": {
        "request": NAMES,
        "response": {"speaker_identification": {"mapping": {"A": "Michel"}, "status": "completed"}},
    },
    "utterances": [{"speaker": "Michel", "text": "Hi.", "start": 0, "end": 500}],
}


async def test_the_openapi_answer_shape_is_read_and_429s_are_retried(
    make_client: Any, sync_or_async: str, api_key: str, retry_waits: list[float]
) -> None:
    seen: list[httpx.Request] = []
    responses = [
        httpx.Response(429, json={"message": "slow down"}, headers={"Retry-After": "1"}),
        httpx.Response(200, json=OPENAPI_SHAPE),
    ]
    client = make_client(
        httpx.MockTransport(recording(responses, seen)), base_url="https://gw.test/v1"
    )
    answer = await understand(client, sync_or_async, "tr_1", NAMES)
    assert answer.speaker_mapping == {"A": "Michel"}
    assert answer.status("speaker_identification") == "completed"
    assert retry_waits == [1.0]
    assert [str(r.url) for r in seen] == ["https://gw.test/v1/understanding"] * 2
    assert seen[0].headers["authorization"] == api_key
    assert api_key not in seen[0].content.decode()
    assert json.loads(seen[0].content)["transcript_id"] == "tr_1"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"json": {"error": "Invalid API key", "status": 401}}, AuthenticationError),
        (200, {"text": "<html>gateway</html>"}, ResponseValidationError),
        (200, {"json": [1, 2]}, ResponseValidationError),
    ],
)
async def test_refusals_and_odd_answers_are_typed(
    make_client: Any, sync_or_async: str, status: int, body: dict[str, Any], error: type[Exception]
) -> None:
    client = make_client(httpx.MockTransport(recording([httpx.Response(status, **body)], [])))
    with pytest.raises(error):
        await understand(client, sync_or_async, "tr_1", NAMES)


def test_a_null_result_object_is_empty_not_an_error() -> None:
    answer = UnderstandingResponse.model_validate({"request_id": "r", "speech_understanding": None})
    assert (answer.speaker_mapping, answer.formatted_text, answer.status("translation")) == (
        {},
        None,
        None,
    )
