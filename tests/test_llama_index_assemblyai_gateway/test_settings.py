"""Construction, metadata, serialisation, pickling and the import paths."""

from __future__ import annotations

import json
import pickle
from typing import TYPE_CHECKING

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM
from llama_index.core.llms.function_calling import FunctionCallingLLM
from pydantic import BaseModel, ValidationError

from assemblyai_gateway import ModelNotAvailableInRegionError
from assemblyai_gateway.catalog import ModelInfo, register_model
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from llama_index_assemblyai_gateway import DEFAULT_MODEL, AssemblyAIGateway

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import ScriptedFactory

KEY = "sk-very-secret-0123456789"
HI = [ChatMessage(role="user", content="Hi")]


def test_namespace_import_path_is_the_same_class() -> None:
    from llama_index.llms.assemblyai_gateway import AssemblyAIGateway as Namespaced

    assert Namespaced is AssemblyAIGateway
    assert issubclass(AssemblyAIGateway, FunctionCallingLLM)
    assert issubclass(AssemblyAIGateway, LLM)


def test_namespace_packages_have_no_init_file() -> None:
    import llama_index
    import llama_index.llms

    # Namespace packages have no __file__; a regular package would shadow llama-index-core.
    assert getattr(llama_index, "__file__", None) is None
    assert getattr(llama_index.llms, "__file__", None) is None
    import llama_index.core  # still importable next to ours

    assert llama_index.core.__version__


def test_defaults() -> None:
    llm = AssemblyAIGateway()
    assert llm.model == DEFAULT_MODEL == "claude-sonnet-4-5-20250929"
    assert llm.api_key is None
    assert llm.temperature is None
    assert llm.max_tokens is None
    assert llm.max_retries == 2
    assert llm.additional_kwargs == {}
    assert AssemblyAIGateway.class_name() == "AssemblyAIGateway_LLM"


def test_fallback_model_ids_become_objects() -> None:
    llm = AssemblyAIGateway(fallbacks=["gpt-5", {"model": "gemini-2.5-pro", "max_tokens": 50}])
    assert llm.fallbacks == [{"model": "gpt-5"}, {"model": "gemini-2.5-pro", "max_tokens": 50}]


@pytest.mark.parametrize(
    "fields",
    [{"temperature": 3}, {"max_tokens": 0}, {"timeout": 0}, {"max_retries": -1}, {"region": "ap"}],
)
def test_invalid_settings_are_rejected(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AssemblyAIGateway(**fields)


@pytest.mark.parametrize(
    ("model", "context", "num_output", "tools"),
    [
        ("claude-sonnet-4-5-20250929", 200_000, 1000, True),
        ("gpt-5", 400_000, 1000, True),
        ("gpt-oss-20b", 131_072, 1000, True),
        ("gemini-2.5-pro", 1_048_576, 1000, True),
        ("claude-3-haiku-20240307", 200_000, 1000, True),
    ],
)
def test_metadata_for_known_models(model: str, context: int, num_output: int, tools: bool) -> None:
    metadata = AssemblyAIGateway(model=model).metadata
    assert metadata.context_window == context
    assert metadata.num_output == num_output
    assert metadata.is_chat_model is True
    assert metadata.is_function_calling_model is tools
    assert metadata.model_name == model


def test_metadata_for_an_unknown_model_never_raises() -> None:
    llm = AssemblyAIGateway(model="kimi-k2.5")
    metadata = llm.metadata
    assert metadata.context_window == 128_000
    assert metadata.num_output == 1000
    assert metadata.is_function_calling_model is True
    assert metadata.model_name == "kimi-k2.5"


def test_metadata_num_output_follows_max_tokens_capped_by_the_catalog() -> None:
    assert AssemblyAIGateway(model="gpt-5", max_tokens=4000).metadata.num_output == 4000
    assert AssemblyAIGateway(
        model="claude-3-haiku-20240307", max_tokens=9000
    ).metadata.num_output == (4096)


def test_metadata_overrides() -> None:
    metadata = AssemblyAIGateway(
        model="kimi-k2.5", context_window=256_000, num_output=8000
    ).metadata
    assert (metadata.context_window, metadata.num_output) == (256_000, 8000)


def test_metadata_follows_the_catalog_for_tool_support() -> None:
    register_model(ModelInfo("no-tools-model", "unknown", 8_000, 1_000, supports_tools=False))
    assert AssemblyAIGateway(model="no-tools-model").metadata.is_function_calling_model is False


def test_the_key_is_never_serialised_or_shown() -> None:
    llm = AssemblyAIGateway(api_key=KEY, fallbacks=["gpt-5"], transcript_id="t-1")
    outputs = [
        repr(llm),
        str(llm),
        llm.to_json(),
        json.dumps(llm.to_dict()),
        repr(llm.to_payload()),
        llm.model_dump_json(),
        repr(llm.as_structured_llm(BaseModel).to_dict()),
    ]
    for text in outputs:
        assert KEY not in text
    assert "api_key" not in llm.to_dict()
    assert "http_client" not in llm.to_dict()
    assert llm.to_dict()["class_name"] == "AssemblyAIGateway_LLM"
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == KEY


def test_to_payload_holds_settings_and_metadata() -> None:
    payload = AssemblyAIGateway(model="gpt-5", max_tokens=100).to_payload()
    assert payload["class_name"] == "AssemblyAIGateway_LLM"
    assert payload["model"] == "gpt-5"
    assert payload["max_tokens"] == 100
    assert payload["context_window"] == 400_000
    assert payload["is_function_calling_model"] is True


def test_from_dict_round_trip() -> None:
    llm = AssemblyAIGateway(model="gpt-5", temperature=0.2, fallbacks=["gpt-5-mini"])
    again = AssemblyAIGateway.from_dict(llm.to_dict())
    assert again.to_dict() == llm.to_dict()
    assert AssemblyAIGateway.from_json(llm.to_json()).model == "gpt-5"


def test_the_key_comes_from_the_environment_at_call_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport = ScriptedTransport([completion_body("ok")])
    llm = AssemblyAIGateway(http_client=httpx.Client(transport=transport))
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", "env-key")
    llm.chat(HI)
    assert transport.requests[0].headers["Authorization"] == "env-key"


def test_the_raw_key_is_sent_without_bearer(scripted: ScriptedFactory) -> None:
    s = scripted(completion_body("ok"), api_key=KEY)
    s.llm.chat(HI)
    assert s.transport.requests[0].headers["Authorization"] == KEY
    assert s.transport.requests[0].url == "https://llm-gateway.assemblyai.com/v1/chat/completions"


def test_region_and_base_url_choose_the_endpoint(scripted: ScriptedFactory) -> None:
    eu = scripted(completion_body("ok"), region="eu")
    eu.llm.chat(HI)
    assert eu.transport.requests[0].url.host == "llm-gateway.eu.assemblyai.com"
    custom = scripted(completion_body("ok"), base_url="http://127.0.0.1:9/v1/")
    custom.llm.chat(HI)
    assert str(custom.transport.requests[0].url) == "http://127.0.0.1:9/v1/chat/completions"


def test_eu_region_refuses_openai_models_before_sending(scripted: ScriptedFactory) -> None:
    s = scripted(model="gpt-5", region="eu")
    with pytest.raises(ModelNotAvailableInRegionError):
        s.llm.chat(HI)
    assert s.transport.requests == []


def test_the_core_client_is_built_lazily_and_rebuilt_after_a_change(
    scripted: ScriptedFactory,
) -> None:
    s = scripted(completion_body("one"), completion_body("two"))
    assert s.llm._clients.client is None
    s.llm.chat(HI)
    first = s.llm._clients.client
    assert first is not None
    s.llm.chat(HI)
    assert s.llm._clients.client is first
    s.llm.max_retries = 1
    rebuilt = s.llm._gateway_client()
    assert rebuilt is not first
    assert rebuilt.max_retries == 1
    s.llm.model = "gpt-5"  # not a client setting: nothing to rebuild
    assert s.llm._gateway_client() is rebuilt


def test_pickle_round_trip_keeps_settings_and_the_key() -> None:
    llm = AssemblyAIGateway(
        model="gemini-2.5-flash", api_key=KEY, temperature=0.5, fallbacks=["gpt-5"]
    )
    again = pickle.loads(pickle.dumps(llm))
    assert again.to_dict() == llm.to_dict()
    assert again.api_key is not None
    assert again.api_key.get_secret_value() == KEY


def test_pickling_with_injected_clients_raises_a_clear_type_error(
    scripted: ScriptedFactory,
) -> None:
    s = scripted(completion_body("before"))
    s.llm.chat(HI)
    with pytest.raises(TypeError, match="injected http_client"):
        pickle.dumps(s.llm)
    # Pickling must not mutate the original.
    assert s.llm.http_client is not None
    assert s.llm._clients.client is not None


def test_pickle_after_a_call_drops_pools_and_rebuilds(gateway_emulator: GatewayEmulator) -> None:
    llm = AssemblyAIGateway(model="claude-sonnet-4-5-20250929", base_url=gateway_emulator.base_url)
    first = llm.chat(HI)
    again = pickle.loads(pickle.dumps(llm))
    assert again._client_cache().client is None
    assert again.model == llm.model
    second = again.chat(HI)
    assert second.message.content == first.message.content
    assert again._client_cache().client is not None
    assert len(gateway_emulator.requests) == 2
    llm.close()
    again.close()


def test_close_and_aclose_are_safe_before_and_after_use(scripted: ScriptedFactory) -> None:
    llm = AssemblyAIGateway()
    llm.close()
    s = scripted(completion_body("ok"))
    s.llm.chat(HI)
    s.llm.close()
    assert s.llm.http_client is not None
    assert not s.llm.http_client.is_closed  # injected clients are the caller's


async def test_aclose(scripted: ScriptedFactory) -> None:
    s = scripted(completion_body("ok"))
    await s.llm.achat(HI)
    await s.llm.aclose()
