"""VCR configuration and the live/replay gate for the standard integration tests.

* With ``--live`` and ``ASSEMBLYAI_API_KEY`` set (``make test-live``), the tests talk to
  the live gateway (marker ``live``). Without ``--live`` the root conftest hides the key,
  so a plain ``pytest`` or ``make test`` never spends credits.
  ``make record`` runs them with ``--record-mode=once`` and writes cassettes to
  ``tests/cassettes/`` with the ``Authorization`` header filtered out.
* Without a key, every test skips, except a ``@pytest.mark.vcr`` test whose cassette
  exists: it replays it offline (``record_mode="none"`` unless ``--record-mode`` says
  otherwise, so CI never records).
* A ``@pytest.mark.vcr`` test without a cassette skips unless it is being recorded
  (``--record-mode`` other than ``none`` and a key), so live runs never write files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from langchain_tests.conftest import base_vcr_config
from vcr import VCR

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
API_KEY_ENV = "ASSEMBLYAI_API_KEY"
NO_KEY_REASON = (
    "live gateway test: runs only with `make test-live` (pytest --live and "
    "ASSEMBLYAI_API_KEY), or from a cassette that `make record` wrote to tests/cassettes/"
)

NO_CASSETTE_REASON = (
    "VCR test without a recorded cassette in tests/cassettes/: `make record` (with "
    "ASSEMBLYAI_API_KEY set) records it; plain runs never write cassettes"
)


def _drop_cookies(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    response["headers"] = {k: v for k, v in headers.items() if k.lower() != "set-cookie"}
    return response


@pytest.fixture(scope="session")
def vcr_config(pytestconfig: pytest.Config) -> dict[str, Any]:
    """langchain-tests' base config, cassettes in tests/cassettes, no credentials kept."""
    config = base_vcr_config()
    config["filter_headers"] = ["authorization", "x-api-key", "api-key"]
    config["before_record_response"] = _drop_cookies
    config["cassette_library_dir"] = str(CASSETTES)
    config["path_transformer"] = VCR.ensure_suffix(".yaml")
    # A config record_mode beats the CLI in pytest-recording, so mirror the CLI here:
    # "none" (replay only) unless `--record-mode` asks to record.
    config["record_mode"] = pytestconfig.getoption("--record-mode") or "none"
    return config


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    """All cassettes live in tests/cassettes/."""
    return str(CASSETTES)


@pytest.fixture(autouse=True)
def _live_or_replay(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> None:
    """Run live tests only with a key; run VCR tests only with a cassette (or recording)."""
    has_key = bool(os.environ.get(API_KEY_ENV))
    if request.node.get_closest_marker("vcr") is None:
        if not has_key:
            pytest.skip(NO_KEY_REASON)
        return
    name = request.getfixturevalue("default_cassette_name")
    if (CASSETTES / f"{name}.yaml").is_file():
        if not has_key:
            # Replaying: the client still needs some key to build its request (the
            # recorded Authorization header was filtered out, and is not matched on).
            monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
            monkeypatch.setenv(API_KEY_ENV, "vcr-replay-placeholder")
        return
    recording = pytestconfig.getoption("--record-mode") not in (None, "none")
    if not (recording and has_key):
        pytest.skip(NO_CASSETTE_REASON)
