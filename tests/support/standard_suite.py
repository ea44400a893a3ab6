"""LangChain's standard integration suite, configured once for both places it runs.

* ``tests/integration_tests/test_standard.py`` runs it against the live gateway
  (``make test-live``) or its recorded cassettes.
* ``tests/test_langchain_assemblyai_gateway/test_standard_on_emulator.py`` runs it in
  ``make test`` against the local emulator, which is not the gateway.
"""

from __future__ import annotations

from typing import Any

from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_assemblyai_gateway import ChatAssemblyAIGateway

__all__ = [
    "CLAUDE_PARAMS",
    "OPENAI_PARAMS",
    "ClaudeIntegrationTests",
    "GatewayIntegrationTests",
    "OpenAIIntegrationTests",
]

CLAUDE_PARAMS: dict[str, Any] = {"model": "claude-sonnet-4-5-20250929", "max_tokens": 1000}
OPENAI_PARAMS: dict[str, Any] = {"model": "gpt-4.1", "max_tokens": 1000}


class GatewayIntegrationTests(ChatModelIntegrationTests):
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


class ClaudeIntegrationTests(GatewayIntegrationTests):
    """A Claude id: pseudo-streamed, as the gateway does for every non-OpenAI model."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return dict(CLAUDE_PARAMS)

    @property
    def model_override_value(self) -> str:
        return "claude-haiku-4-5-20251001"


class OpenAIIntegrationTests(GatewayIntegrationTests):
    """An OpenAI id: natively streamed with server-sent events."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return dict(OPENAI_PARAMS)

    @property
    def model_override_value(self) -> str:
        return "gpt-5-mini"
