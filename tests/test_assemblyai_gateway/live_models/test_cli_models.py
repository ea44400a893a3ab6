"""``assemblyai-gateway models``: the gateway's list as a table or JSON, and its exit codes."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from assemblyai_gateway._live_models.cache import cache_file
from assemblyai_gateway._live_models.cli import EXIT_UNREACHABLE, render_model_table
from assemblyai_gateway.catalog import ModelInfo
from assemblyai_gateway.cli import EXIT_USAGE, main
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.model_list import ModelList
from tests.support.model_lists import NEW_MODEL

SONNET_5 = ModelInfo(
    NEW_MODEL, "anthropic", 500_000, 64_000, native_streaming=True, retired="2027-03-01"
)


def test_the_table_lists_limits_regions_prices_and_retirements(
    gateway_emulator: GatewayEmulator,
    model_list_on: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    gateway_emulator.add_model(SONNET_5, pricing={"global": {"prompt": 3, "completions": 15}})

    assert main(["models"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"22 models from {gateway_emulator.base_url}"
    assert out[1] == (
        "model                       context    max output  regions  price in / out  retires"
    )
    rows = {line.split()[0]: line.split() for line in out[2:]}
    assert rows[NEW_MODEL] == [
        NEW_MODEL,
        "500,000",
        "64,000",
        "us,",
        "eu",
        "3",
        "/",
        "15",
        "2027-03-01",
    ]
    assert rows["gpt-5"] == ["gpt-5", "400,000", "128,000", "us", "1.25", "/", "10", "-"]
    assert rows["claude-3-haiku-20240307"][-2:] == ["2026-04-20", "(retired)"]
    # What was read is cached for later requests.
    assert cache_file(model_list_on, gateway_emulator.base_url).exists()


def test_json_prints_the_list_as_read(
    gateway_emulator: GatewayEmulator, model_list_on: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gateway_emulator.add_model(SONNET_5)
    assert main(["models", "--json", "--base-url", gateway_emulator.base_url]) == 0
    listing = ModelList.model_validate(json.loads(capsys.readouterr().out))
    assert listing.ids[-1] == NEW_MODEL


def test_a_gateway_that_cannot_be_reached_exits_1(
    no_api_key_env: None, model_list_on: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["models", "--base-url", f"http://127.0.0.1:{port}/v1"]) == EXIT_UNREACHABLE
    error = capsys.readouterr().err
    assert error.startswith(f"assemblyai-gateway models: http://127.0.0.1:{port}/v1: ")
    assert "could not reach the gateway" in error


def test_a_base_url_that_is_not_one_exits_2(
    no_api_key_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "--base-url", "llm-gateway.assemblyai.com"]) == EXIT_USAGE
    assert "base_url must start with http:// or https://" in capsys.readouterr().err


def test_text_from_the_gateway_cannot_drive_the_terminal() -> None:
    listing = ModelList.model_validate({"data": [{"id": "evil\x1b[2J\nmodel" + "x" * 80}]})
    table = render_model_table(listing)
    assert "\x1b" not in table
    assert len(table.splitlines()) == 2
    assert "evil\\x1b[2J\\nmodel" in table
    assert "..." in table
