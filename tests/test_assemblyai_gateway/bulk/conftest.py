"""Fixtures for the bulk runner's tests: the emulator, a client on it, sync or async runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assemblyai_gateway import AdaptiveLimiter, GatewayClient
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, BASE_URL_ENV
from assemblyai_gateway.bulk import BulkRunner, BulkSummary
from assemblyai_gateway.emulator import GatewayEmulator

Run = Callable[..., BulkSummary]


def client_on(emulator: GatewayEmulator) -> GatewayClient:
    """A client on ``emulator`` with a limiter whose paced sends are never the bottleneck."""
    limiter = AdaptiveLimiter(max_concurrency=8, min_rate=1000.0)
    return GatewayClient(
        api_key=emulator.api_key, base_url=emulator.base_url, limiter=limiter, max_retries=4
    )


@pytest.fixture
def client(gateway_emulator: GatewayEmulator) -> GatewayClient:
    """A client on the shared emulator (see :func:`client_on`)."""
    return client_on(gateway_emulator)


@pytest.fixture
def own_gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[GatewayEmulator]:
    """An emulator of the test's own, the environment pointing at it, stopped at its end.

    For a run that stops with requests in flight: the emulator may read and log them
    after the test, so they must not reach the shared emulator, whose log the next test
    on this worker counts.
    """
    with GatewayEmulator() as emulator:
        monkeypatch.setenv(API_KEY_ENV, emulator.api_key)
        monkeypatch.setenv(BASE_URL_ENV, emulator.base_url)
        yield emulator


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Run:
    """``run(runner, items, output)``: :meth:`BulkRunner.run` or :meth:`BulkRunner.arun`."""

    def go(runner: BulkRunner, items: Any, output: Path) -> BulkSummary:
        if request.param == "sync":
            return runner.run(items, output)
        return asyncio.run(runner.arun(items, output))

    return go
