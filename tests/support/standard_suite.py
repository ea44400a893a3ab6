"""LangChain's standard integration suite, configured once for both places it runs.

* ``tests/integration_tests/test_standard.py`` runs it against the live gateway
  (``make test-live``) or its recorded cassettes.
* ``tests/test_langchain_assemblyai_gateway/test_standard_on_emulator.py`` runs it in
  ``make test`` against the local emulator, which is not the gateway.
"""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
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

    # The calls the suite's usage-detail checks make for the details a class declares
    # in `supported_usage_metadata_details` (the emulator's classes declare them).

    @property
    def reasoning_model(self) -> str:
        """A model of this family that reasons when asked."""
        raise NotImplementedError

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        # No temperature: Claude refuses one other than 1 while thinking.
        params = {**self.chat_model_params, "model": self.reasoning_model, "max_tokens": 4000}
        model = ChatAssemblyAIGateway(**params, reasoning_effort="low")
        return _answer(model, [HumanMessage("What is 3 to the power of 3?")], stream=stream)

    def invoke_with_cache_creation_input(self, *, stream: bool = False) -> AIMessage:
        # A prefix no earlier call used, long enough for every family to cache it.
        return self._cached_call(_cacheable_rules(), stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        rules = _cacheable_rules()
        self._cached_call(rules, stream=False)
        return self._cached_call(rules, stream=stream)

    def _cached_call(self, rules: str, *, stream: bool) -> AIMessage:
        model = ChatAssemblyAIGateway(**self.chat_model_params)
        system = SystemMessage(
            [{"type": "text", "text": rules, "cache_control": {"type": "ephemeral"}}]
        )
        return _answer(model, [system, HumanMessage("Say OK.")], stream=stream)


def _cacheable_rules() -> str:
    """About 1,500 tokens (Claude caches 1,024 and more), unique to this call."""
    return f"Session {uuid.uuid4()}. " + "Answer briefly and plainly, in British English. " * 150


def _answer(
    model: ChatAssemblyAIGateway, messages: list[BaseMessage], *, stream: bool
) -> AIMessage:
    if not stream:
        return model.invoke(messages)
    chunks = list(model.stream(messages))
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return AIMessage(**total.model_dump(exclude={"type", "tool_call_chunks", "chunk_position"}))


class ClaudeIntegrationTests(GatewayIntegrationTests):
    """A Claude id: pseudo-streamed, as the gateway does for every non-OpenAI model."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return dict(CLAUDE_PARAMS)

    @property
    def model_override_value(self) -> str:
        return "claude-haiku-4-5-20251001"

    @property
    def reasoning_model(self) -> str:
        return "claude-sonnet-4-5-20250929"


class OpenAIIntegrationTests(GatewayIntegrationTests):
    """An OpenAI id: natively streamed with server-sent events."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return dict(OPENAI_PARAMS)

    @property
    def model_override_value(self) -> str:
        return "gpt-5-mini"

    @property
    def reasoning_model(self) -> str:
        return "gpt-5-mini"
