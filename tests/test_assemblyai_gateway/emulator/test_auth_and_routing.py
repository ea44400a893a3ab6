"""Authentication, routing and body parsing follow the gateway's contract."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from tests.test_assemblyai_gateway.emulator.conftest import Gateway

BODY = {"model": "claude-sonnet-4-5-20250929", "prompt": "Hello"}


def test_wrong_key_gets_401_in_gateway_error_format(gateway: Gateway) -> None:
    error = gateway.error(BODY, 401, headers={"Authorization": "not-the-key"})
    assert error["code"] == 401
    assert error["metadata"] == {}
    assert "not-the-key" not in error["message"]


def test_missing_key_gets_401(gateway: Gateway) -> None:
    response = gateway.client.post("/chat/completions", json=BODY)
    assert response.status_code == 401
    assert "Missing API key" in response.json()["error"]["message"]


def test_bearer_prefixed_key_gets_401_with_a_hint_and_no_echo(gateway: Gateway) -> None:
    key = gateway.emulator.api_key
    error = gateway.error(BODY, 401, headers={"Authorization": f"Bearer {key}"})
    assert "without the 'Bearer ' prefix" in error["message"]
    assert key not in error["message"]


def test_raw_key_is_accepted(gateway: Gateway) -> None:
    assert gateway.post(BODY).status_code == 200


def test_request_log_records_auth_presence_but_never_the_key(gateway: Gateway) -> None:
    gateway.post(BODY)
    gateway.post(BODY, headers={"Authorization": "wrong"})
    gateway.client.post("/chat/completions", json=BODY)
    first, second, third = gateway.emulator.requests
    assert (first.auth_present, first.auth_valid, first.status) == (True, True, 200)
    assert (second.auth_present, second.auth_valid, second.status) == (True, False, 401)
    assert (third.auth_present, third.auth_valid, third.status) == (False, False, 401)
    for record in (first, second, third):
        assert "authorization" not in record.headers
        assert gateway.emulator.api_key not in repr(record)
    assert first.json == BODY
    assert first.method == "POST"
    assert first.path == "/v1/chat/completions"


def test_unknown_path_gets_404_in_error_format(gateway: Gateway) -> None:
    response = gateway.client.post(
        "/embeddings", headers={"Authorization": gateway.emulator.api_key}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == 404
    gateway.contract.check_response(response)


def test_wrong_method_gets_405_in_error_format(gateway: Gateway) -> None:
    response = gateway.client.get("/chat/completions")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == 405
    assert gateway.emulator.requests[-1].status == 405


def test_head_request_gets_headers_only(gateway: Gateway) -> None:
    response = gateway.client.head("/chat/completions")
    assert response.status_code == 405
    assert response.content == b""


def test_query_string_does_not_change_the_route(gateway: Gateway) -> None:
    response = gateway.client.post(
        "/chat/completions?trace=1", json=BODY, headers={"Authorization": gateway.emulator.api_key}
    )
    assert response.status_code == 200


def test_invalid_json_body_gets_400_with_a_body_field_error(gateway: Gateway) -> None:
    response = gateway.client.post(
        "/chat/completions",
        content=b"{not json",
        headers={"Authorization": gateway.emulator.api_key, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["metadata"]["errors"][0]["field"] == "body"
    assert gateway.emulator.requests[-1].json is None


def test_json_that_is_not_an_object_gets_400(gateway: Gateway) -> None:
    error = gateway.error(["model", "gpt-4.1"], 400)
    assert error["metadata"]["errors"] == [{"field": "body", "message": "must be a JSON object"}]


class _Chunks(httpx.SyncByteStream):
    """A body without Content-Length, so httpx sends it chunked."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"model": "gpt-4.1", '
        yield b'"prompt": "chunked"}'


def test_chunked_request_bodies_are_read(gateway: Gateway) -> None:
    response = gateway.client.post(
        "/chat/completions",
        content=_Chunks(),
        headers={"Authorization": gateway.emulator.api_key, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert gateway.emulator.requests[-1].headers["transfer-encoding"] == "chunked"


def test_every_non_streaming_response_has_content_length(gateway: Gateway) -> None:
    ok = gateway.post(BODY)
    bad = gateway.post({"model": "gpt-4.1"})
    for response in (ok, bad):
        assert int(response.headers["content-length"]) == len(response.content)


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, Any]]:
    """Send raw bytes, read until the server closes, return (status, JSON body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def test_unknown_http_methods_get_405_in_error_format(gateway: Gateway) -> None:
    request = b"BREW /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    status, body = raw_exchange(gateway.emulator.port, request)
    assert status == 405
    assert body["error"]["code"] == 405


def test_malformed_http_gets_a_gateway_format_error(gateway: Gateway) -> None:
    request = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: y\r\n" * 150 + b"\r\n"
    status, body = raw_exchange(gateway.emulator.port, request)
    assert status == 431
    assert body == {"error": {"code": 431, "message": "Too many headers", "metadata": {}}}
    assert gateway.emulator.requests[-1].status == 431


def test_badly_framed_chunked_body_gets_400_and_a_closed_connection(gateway: Gateway) -> None:
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Authorization: emulator-key\r\n\r\nnot-hex\r\n"
    )
    status, body = raw_exchange(gateway.emulator.port, request)
    assert status == 400
    assert body["error"]["message"] == "Request body is badly framed"


def test_an_emulator_bug_is_a_500_in_error_format(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: dict[str, Any]) -> Any:
        raise RuntimeError("model rule crashed")

    monkeypatch.setattr("assemblyai_gateway.emulator._server.complete", broken)
    error = gateway.error(BODY, 500)
    assert error["message"] == "Emulator error: RuntimeError: model rule crashed"
