"""pytest fixtures for the gateway emulator (registered as a ``pytest11`` entry point).

This module loads in every pytest run of a project that installs the package, so at
import time it touches only the standard library and pytest; the emulator starts on
first use of a fixture.

Examples:
    A test that talks to the emulator through the environment::

        import os

        import httpx


        def test_answers(gateway_emulator):
            reply = httpx.post(
                f"{os.environ['ASSEMBLYAI_GATEWAY_BASE_URL']}/chat/completions",
                headers={"Authorization": os.environ["ASSEMBLYAI_API_KEY"]},
                json={"model": "gpt-4.1", "prompt": "Hello"},
            )
            assert reply.json()["choices"][0]["message"]["content"].startswith("Emulated")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from assemblyai_gateway.emulator import GatewayEmulator

__all__ = ["gateway_emulator", "gateway_emulator_session"]


@pytest.fixture(scope="session")
def gateway_emulator_session() -> Iterator[GatewayEmulator]:
    """One emulator for the whole session (binds ``127.0.0.1`` on a free port).

    Prefer :func:`gateway_emulator`, which also resets it and sets the environment.
    """
    from assemblyai_gateway.emulator import GatewayEmulator

    with GatewayEmulator() as emulator:
        yield emulator


@pytest.fixture
def gateway_emulator(
    gateway_emulator_session: GatewayEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GatewayEmulator]:
    """A running emulator, fresh for each test.

    Faults, the request log and settings changed by the previous test (transcripts,
    failing models, ...) are reset. ``ASSEMBLYAI_API_KEY``,
    ``ASSEMBLYAI_GATEWAY_BASE_URL`` and ``ASSEMBLYAI_BASE_URL`` (the transcript API's,
    read by the ``assemblyai`` SDK) point at the emulator for the test's duration.
    With pytest-socket, allow loopback (``--allow-hosts=127.0.0.1``).
    """
    emulator = gateway_emulator_session
    emulator.reset(settings=True)
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", emulator.api_key)
    monkeypatch.setenv("ASSEMBLYAI_GATEWAY_BASE_URL", emulator.base_url)
    monkeypatch.setenv("ASSEMBLYAI_BASE_URL", emulator.transcript_base_url)
    yield emulator
    emulator.reset(settings=True)
