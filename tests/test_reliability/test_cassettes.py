"""No recorded cassette holds a credential.

``tests/cassettes/`` is scanned file by file (none may be committed yet: the scan then
runs over nothing, and its logic is proven on synthetic cassettes). A cassette is also
recorded here, against the emulator, with the filter configuration
``tests/integration_tests/conftest.py`` uses, and scanned.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml
from langchain_tests.conftest import base_vcr_config
from llama_index.core.base.llms.types import ChatMessage

from assemblyai_gateway._transport.setting_sources import API_KEY_ENV
from assemblyai_gateway.emulator import GatewayEmulator
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key"})
CASSETTE_SUFFIXES = (".yaml", ".yml", ".json", ".yaml.gz", ".yml.gz", ".json.gz")
# An AssemblyAI key is 32 hex digits; any credential-looking header value is flagged.
KEY_PATTERN = re.compile(r"^(bearer\s+)?([0-9a-f]{32}|sk-[\w-]{8,})$", re.IGNORECASE)
HEADER_LINE = re.compile(
    r"""^\s*-?\s*["']?(authorization|proxy-authorization|x-api-key|api-key)["']?\s*:""",
    re.IGNORECASE | re.MULTILINE,
)
TEST_KEYS = ("sk-aai-SECRET-9f8e7d", "aai-fake-test-key-7c1e5d93b2a84f60")


# ------------------------------------------------------------------------ scanner


def _text(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def _parse(path: Path, text: str) -> Any:
    if path.name.endswith((".json", ".json.gz")):
        return json.loads(text)
    return yaml.safe_load(text)


def _request_headers(cassette: Any) -> Iterator[tuple[str, Any]]:
    interactions = cassette.get("interactions") if isinstance(cassette, dict) else None
    for interaction in interactions or ():
        request = interaction.get("request") if isinstance(interaction, dict) else None
        headers = request.get("headers") if isinstance(request, dict) else None
        if isinstance(headers, dict):
            yield from headers.items()


def _values(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def known_keys() -> list[str]:
    """Keys that must never be written down: the tests' fakes and a real one if set."""
    keys = list(TEST_KEYS)
    real = os.environ.get(API_KEY_ENV)
    if real and len(real) >= 8:
        keys.append(real)
    return keys


def scan(path: Path, keys: list[str]) -> list[str]:
    """What in ``path`` looks like a credential (empty when the file is clean)."""
    text = _text(path)
    problems = [f"{path.name}: contains a known API key" for key in keys if key in text]
    if not path.name.endswith(CASSETTE_SUFFIXES):
        return problems  # documentation: only literal keys count
    problems += [
        f"{path.name}: a {match.group(1)!r} header is recorded"
        for match in HEADER_LINE.finditer(text)
    ]
    for name, value in _request_headers(_parse(path, text)):
        if name.lower() in CREDENTIAL_HEADERS:
            problems.append(f"{path.name}: request header {name!r} is recorded")
        elif any(KEY_PATTERN.match(item.strip()) for item in _values(value)):
            problems.append(f"{path.name}: request header {name!r} holds a key-like value")
    return sorted(set(problems))


def cassette_files(root: Path) -> list[Path]:
    """Every file under ``root`` (none when it does not exist)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


# --------------------------------------------------------------------- the repo


def test_no_committed_cassette_holds_a_credential() -> None:
    # Maybe nothing but the README yet: then this holds trivially (the scanner itself
    # is proven on synthetic cassettes below).
    problems = [
        problem for path in cassette_files(CASSETTES) for problem in scan(path, known_keys())
    ]
    assert problems == []


# ------------------------------------------------------------ the scanner itself

_INTERACTION: dict[str, Any] = {
    "request": {
        "method": "POST",
        "uri": "https://llm-gateway.assemblyai.com/v1/chat/completions",
        "body": '{"model": "gpt-5", "prompt": "hi"}',
        "headers": {"content-type": ["application/json"]},
    },
    "response": {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json"]},
        "body": {"string": '{"request_id": "0123456789abcdef0123456789abcdef", "choices": []}'},
    },
}


def _cassette(headers: dict[str, list[str]]) -> dict[str, Any]:
    interaction = json.loads(json.dumps(_INTERACTION))
    interaction["request"]["headers"].update(headers)
    return {"interactions": [interaction], "version": 1}


def _write(path: Path, cassette: dict[str, Any]) -> Path:
    if path.name.endswith((".json", ".json.gz")):
        text = json.dumps(cassette)
    else:
        text = yaml.safe_dump(cassette)
    path.write_bytes(gzip.compress(text.encode()) if path.name.endswith(".gz") else text.encode())
    return path


@pytest.mark.parametrize("name", ["leak.yaml", "leak.yaml.gz", "leak.json"])
@pytest.mark.parametrize("header", ["Authorization", "authorization", "X-Api-Key", "api-key"])
def test_the_scanner_catches_a_recorded_credential_header(
    tmp_path: Path, name: str, header: str
) -> None:
    path = _write(tmp_path / name, _cassette({header: ["sk-aai-SECRET-9f8e7d"]}))

    problems = scan(path, known_keys())

    assert any(header in problem for problem in problems), problems
    assert any("known API key" in problem for problem in problems)


def test_the_scanner_catches_a_key_shaped_value_under_any_header(tmp_path: Path) -> None:
    real_looking = "0123456789abcdef0123456789abcdef"
    path = _write(tmp_path / "odd.yaml", _cassette({"X-Custom-Auth": [real_looking]}))

    assert scan(path, []) == ["odd.yaml: request header 'X-Custom-Auth' holds a key-like value"]


def test_the_scanner_finds_a_real_key_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, "live-key-that-must-not-be-written")
    path = tmp_path / "notes.md"
    path.write_text("recorded with live-key-that-must-not-be-written\n")

    assert scan(path, known_keys()) == ["notes.md: contains a known API key"]


def test_the_scanner_accepts_a_clean_cassette_and_prose(tmp_path: Path) -> None:
    clean = _write(tmp_path / "clean.yaml", _cassette({"user-agent": ["assemblyai-llm-gateway"]}))
    prose = tmp_path / "README.md"
    prose.write_text("The `Authorization` header is filtered out before anything is written.\n")

    assert [scan(path, known_keys()) for path in cassette_files(tmp_path)] == [[], []]
    assert cassette_files(tmp_path / "missing") == []
    assert clean in cassette_files(tmp_path)


# -------------------------------------------------- a recording made right here


def _record(emulator: GatewayEmulator, path: Path, filter_headers: list[str]) -> Path:
    """Record LangChain and LlamaIndex calls (plain and SSE) through vcrpy."""
    config = base_vcr_config()
    for option in ("record_mode", "allow_playback_repeats", "path_transformer"):
        config.pop(option, None)
    config["filter_headers"] = filter_headers
    config["cassette_library_dir"] = str(path.parent)
    recorder = vcr.VCR(**config)
    key = emulator.api_key
    with recorder.use_cassette(path.name, record_mode="once"):
        for model in ("claude-sonnet-4-5-20250929", "gpt-5"):
            lc = ChatAssemblyAIGateway(model=model, api_key=key, base_url=emulator.base_url)
            li = AssemblyAIGateway(model=model, api_key=key, base_url=emulator.base_url)
            try:
                lc.invoke("hi")
                list(lc.stream("hi"))
                li.chat([ChatMessage(role="user", content="hi")])
                list(li.stream_chat([ChatMessage(role="user", content="hi")]))
            finally:
                lc.close()
                li.close()
    return path


def test_a_cassette_recorded_with_the_project_filters_holds_no_credential(
    emulator: GatewayEmulator, tmp_path: Path
) -> None:
    # The filters tests/integration_tests/conftest.py configures for `make record`.
    path = _record(emulator, tmp_path / "recorded.yaml", ["authorization", "x-api-key", "api-key"])

    cassette = yaml.safe_load(path.read_text())
    assert len(cassette["interactions"]) == 8
    assert scan(path, known_keys()) == []


def test_a_cassette_recorded_without_filters_is_caught(
    emulator: GatewayEmulator, tmp_path: Path
) -> None:
    path = _record(emulator, tmp_path / "unfiltered.yaml", [])

    problems = scan(path, known_keys())

    assert "unfiltered.yaml: contains a known API key" in problems
    assert "unfiltered.yaml: request header 'authorization' is recorded" in problems
