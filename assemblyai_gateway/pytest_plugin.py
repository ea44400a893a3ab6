"""pytest fixtures for the gateway emulator (registered as a ``pytest11`` entry point).

This module loads in every pytest run of a project that installs the package, so at
import time it touches only the standard library and pytest; the emulator starts on
first use of a fixture.

It also keeps the gateway's live model list (:mod:`assemblyai_gateway.model_list`)
from making tests depend on each other or on the machine: each test gets an empty
model-list cache folder of its own (``ASSEMBLYAI_GATEWAY_CACHE_DIR``, unless the
environment already sets it) instead of the user's, and what a test's clients learned
(lists read, failed reads, streams that had to be replayed, retirement warnings given)
is forgotten when it ends.

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

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from assemblyai_gateway.emulator import GatewayEmulator

__all__ = ["gateway_emulator", "gateway_emulator_session", "gateway_model_list_isolation"]

_CACHE_DIR_ENV = "ASSEMBLYAI_GATEWAY_CACHE_DIR"
_test_numbers = itertools.count()


@pytest.fixture(scope="session")
def _gateway_model_list_caches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("assemblyai-gateway-model-lists")


@pytest.fixture(autouse=True)
def gateway_model_list_isolation(
    _gateway_model_list_caches: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test: a model-list cache folder of its own, and nothing learned kept after.

    The folder is only named (created when a list is written); a cache folder the
    environment sets is left as it is.
    """
    if not os.environ.get(_CACHE_DIR_ENV):
        folder = _gateway_model_list_caches / str(next(_test_numbers))
        monkeypatch.setenv(_CACHE_DIR_ENV, str(folder))
    yield
    # Imported only when a test used the package: other projects' tests pay nothing.
    memory = sys.modules.get("assemblyai_gateway._live_models.memory")
    if memory is not None:
        memory.forget()


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
    emulator.reset(settings=True)  # forgets what clients learned of its model list too
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", emulator.api_key)
    monkeypatch.setenv("ASSEMBLYAI_GATEWAY_BASE_URL", emulator.base_url)
    monkeypatch.setenv("ASSEMBLYAI_BASE_URL", emulator.transcript_base_url)
    yield emulator
    emulator.reset(settings=True)
