"""LangChain's standard unit tests for ``ChatAssemblyAIGateway`` (offline)."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Literal

import pytest
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_assemblyai_gateway import ChatAssemblyAIGateway

# test_serdes calls the deprecated BaseChatModel.dict() (langchain-core >= 1.4.2); the
# standard suite is third-party code we may not change.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The method `BaseChatModel.dict` was deprecated"
    ":langchain_core._api.deprecation.LangChainDeprecationWarning"
)


@pytest.fixture(autouse=True)
def _no_gateway_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real key or URL must not leak into the models (or the snapshot)."""
    monkeypatch.delenv("ASSEMBLYAI_API_KEY", raising=False)
    monkeypatch.delenv("ASSEMBLYAI_GATEWAY_BASE_URL", raising=False)


@pytest.fixture(autouse=True)
def _trust_this_package_on_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``load(..., allowed_objects="all")`` in test_serdes revive our class.

    langchain-core only admits the classes listed in ``langchain_core.load.mapping``
    under ``allowed_objects="all"``; a package outside langchain's monorepo is never
    listed, so users load it with ``allowed_objects=[ChatAssemblyAIGateway]`` (see
    tests/test_langchain_assemblyai_gateway/test_serialization.py). This test-only shim
    adds our class path to the "all" set so the standard round trip runs unchanged.
    """
    # The package `langchain_core.load` re-exports the function `load`, which shadows
    # the module of the same name as an attribute; import the module by name.
    load_module = import_module("langchain_core.load.load")
    original = load_module._get_default_allowed_class_paths
    ours = ("langchain_assemblyai_gateway", "chat_models", "ChatAssemblyAIGateway")

    def with_ours(mode: Literal["all", "core", "messages"]) -> set[tuple[str, ...]]:
        paths = original(mode)
        return {*paths, ours} if mode == "all" else paths

    monkeypatch.setattr(load_module, "_get_default_allowed_class_paths", with_ours)


class TestChatAssemblyAIGatewayUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatAssemblyAIGateway]:
        return ChatAssemblyAIGateway

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "claude-sonnet-4-5-20250929", "api_key": "test-api-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "ASSEMBLYAI_API_KEY": "env-api-key",
                "ASSEMBLYAI_GATEWAY_BASE_URL": "https://gateway.example.test/v1",
            },
            {"model": "gpt-5"},
            {
                "api_key": "env-api-key",
                "base_url": "https://gateway.example.test/v1",
                "model": "gpt-5",
            },
        )

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return False

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        return False

    @property
    def supports_video_inputs(self) -> bool:
        return False

    @property
    def supports_image_tool_message(self) -> bool:
        return False

    @property
    def supports_pdf_tool_message(self) -> bool:
        return False

    @property
    def supports_anthropic_inputs(self) -> bool:
        return False

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "claude-haiku-4-5-20251001"
