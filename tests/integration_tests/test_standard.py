"""LangChain's standard integration tests against the live gateway (or its cassettes).

They skip cleanly without ``ASSEMBLYAI_API_KEY`` (see conftest.py). No cassette in
this repository is presented as a live recording: ``make record`` creates them. The same
suite runs offline against the emulator in
``tests/test_langchain_assemblyai_gateway/test_standard_on_emulator.py``.
"""

from __future__ import annotations

import os

import pytest

from tests.support.standard_suite import (
    ClaudeIntegrationTests,
    GatewayIntegrationTests,
    OpenAIIntegrationTests,
)

_GATEWAY_HOSTS = [
    "127.0.0.1",
    "localhost",
    "::1",
    "llm-gateway.assemblyai.com",
    "llm-gateway.eu.assemblyai.com",
]

pytestmark = [
    pytest.mark.live,
    # While recording (no cassette yet), langchain-tests' test_stream_time runs the
    # stream once without its benchmark fixture, which then warns; that is by design.
    pytest.mark.filterwarnings(
        "ignore:Benchmark fixture was not used at all in this test!"
        ":pytest_benchmark.logger.PytestBenchmarkWarning"
    ),
]
if os.environ.get("ASSEMBLYAI_API_KEY"):
    # pytest runs with --allow-hosts=loopback; live runs may also reach the gateway.
    pytestmark.append(pytest.mark.allow_hosts(_GATEWAY_HOSTS))


class _LiveIntegrationTests(GatewayIntegrationTests):
    """The shared configuration, plus cassettes for the VCR tests."""

    @property
    def enable_vcr_tests(self) -> bool:
        return True


class TestChatAssemblyAIGatewayClaude(_LiveIntegrationTests, ClaudeIntegrationTests):
    """Claude: pseudo-streamed by the gateway."""


class TestChatAssemblyAIGatewayOpenAI(_LiveIntegrationTests, OpenAIIntegrationTests):
    """An OpenAI model: natively streamed with server-sent events."""
