"""Fixtures for the bulk runner's tests: the emulator, a client on it, sync or async runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assemblyai_gateway import AdaptiveLimiter, GatewayClient
from assemblyai_gateway.bulk import BulkRunner, BulkSummary
from assemblyai_gateway.emulator import GatewayEmulator

Run = Callable[..., BulkSummary]


@pytest.fixture
def client(gateway_emulator: GatewayEmulator) -> GatewayClient:
    """A client on the emulator with a limiter whose paced sends are never the bottleneck."""
    limiter = AdaptiveLimiter(max_concurrency=8, min_rate=1000.0)
    return GatewayClient(
        api_key=gateway_emulator.api_key,
        base_url=gateway_emulator.base_url,
        limiter=limiter,
        max_retries=4,
    )


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Run:
    """``run(runner, items, output)``: :meth:`BulkRunner.run` or :meth:`BulkRunner.arun`."""

    def go(runner: BulkRunner, items: Any, output: Path) -> BulkSummary:
        if request.param == "sync":
            return runner.run(items, output)
        return asyncio.run(runner.arun(items, output))

    return go
