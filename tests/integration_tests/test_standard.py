"""LangChain's standard integration tests against the live gateway (or its cassettes).

They skip cleanly without ``ASSEMBLYAI_API_KEY`` (see conftest.py). No cassette in
this repository is presented as a live recording: ``make record`` creates them.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_assemblyai_gateway import ChatAssemblyAIGateway

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


class _GatewayIntegrationTests(ChatModelIntegrationTests):
    """What both model families share; subclasses name the model."""

    @property
    def chat_model_class(self) -> type[ChatAssemblyAIGateway]:
        return ChatAssemblyAIGateway

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def enable_vcr_tests(self) -> bool:
        return True


class TestChatAssemblyAIGatewayClaude(_GatewayIntegrationTests):
    """Claude: pseudo-streamed by the gateway."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "claude-sonnet-4-5-20250929", "max_tokens": 1000}

    @property
    def model_override_value(self) -> str:
        return "claude-haiku-4-5-20251001"


class TestChatAssemblyAIGatewayOpenAI(_GatewayIntegrationTests):
    """An OpenAI model: natively streamed with server-sent events."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4.1", "max_tokens": 1000}

    @property
    def model_override_value(self) -> str:
        return "gpt-5-mini"
