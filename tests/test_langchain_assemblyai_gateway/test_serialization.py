"""dumpd/dumps/loads with the key as a secret reference; pickle, also after a call."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.load import dumpd, dumps, load, loads

from assemblyai_gateway.testing import completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway

# langchain-core marks load()/loads() as beta and warns on every call; that is its
# API's status, not something this package can act on.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The function `loads?` is in beta"
    ":langchain_core._api.beta_decorator.LangChainBetaWarning"
)

API_KEY = "sk-test-0123456789-secret"
# What a user passes to load a model from this (non-monorepo) package.
TRUST: dict[str, Any] = {
    "valid_namespaces": ["langchain_assemblyai_gateway"],
    "allowed_objects": [ChatAssemblyAIGateway],
}
SECRET_REF = {"lc": 1, "type": "secret", "id": ["ASSEMBLYAI_API_KEY"]}


def _model(**params: Any) -> ChatAssemblyAIGateway:
    settings: dict[str, Any] = {
        "model": "gpt-5",
        "api_key": API_KEY,
        "temperature": 0.1,
        "max_tokens": 64,
        "stop": ["END"],
        "fallbacks": ["claude-sonnet-4-5-20250929"],
        "fallback_config": {"depth": 1},
        "post_processing_steps": ["json-repair"],
        "transcript_id": "tr_1",
        "model_kwargs": {"top_p": 0.5},
        **params,
    }
    return ChatAssemblyAIGateway(**settings)


def test_lc_identity() -> None:
    assert ChatAssemblyAIGateway.is_lc_serializable()
    assert ChatAssemblyAIGateway.get_lc_namespace() == [
        "langchain_assemblyai_gateway",
        "chat_models",
    ]
    assert ChatAssemblyAIGateway(api_key="k").lc_secrets == {"api_key": "ASSEMBLYAI_API_KEY"}


def test_dumpd_holds_the_key_only_as_a_secret_reference() -> None:
    data = dumpd(_model())
    assert data["id"] == ["langchain_assemblyai_gateway", "chat_models", "ChatAssemblyAIGateway"]
    assert data["kwargs"]["api_key"] == SECRET_REF
    assert API_KEY not in json.dumps(data)
    assert API_KEY not in dumps(_model())
    assert API_KEY not in dumps(_model(), pretty=True)


def test_the_alias_is_serialized_as_a_secret_too() -> None:
    model = ChatAssemblyAIGateway(assemblyai_api_key=API_KEY)
    assert API_KEY not in dumps(model)


def test_the_standard_suite_snapshot_holds_no_key() -> None:
    snapshots = Path(__file__).resolve().parents[1] / "unit_tests" / "__snapshots__"
    text = "".join(path.read_text() for path in sorted(snapshots.glob("*.ambr")))
    assert "'ASSEMBLYAI_API_KEY'" in text  # the secret reference
    assert "test-api-key" not in text  # the key the standard suite passed


def test_http_clients_are_not_serialized() -> None:
    with httpx.Client() as client:
        data = dumpd(_model(http_client=client))
    assert "http_client" not in data["kwargs"]


@pytest.mark.parametrize("via", ["dumps", "dumpd"])
def test_round_trip_with_secrets_map(via: str) -> None:
    original = _model()
    secrets = {"ASSEMBLYAI_API_KEY": "loaded-key"}
    if via == "dumps":
        restored = loads(dumps(original), secrets_map=secrets, **TRUST)
    else:
        restored = load(dumpd(original), secrets_map=secrets, **TRUST)
    assert isinstance(restored, ChatAssemblyAIGateway)
    assert restored.asdict() == original.asdict()
    assert restored.api_key is not None
    assert restored.api_key.get_secret_value() == "loaded-key"


def test_round_trip_with_the_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", "env-key")
    restored = loads(dumps(_model()), secrets_from_env=True, **TRUST)
    assert restored.api_key.get_secret_value() == "env-key"


def test_pickle_round_trip() -> None:
    original = _model()
    restored = pickle.loads(pickle.dumps(original))
    assert restored.asdict() == original.asdict()
    assert restored.api_key is not None
    assert restored.api_key.get_secret_value() == API_KEY
    assert API_KEY not in repr(restored)


async def test_pickle_after_a_call_rebuilds_the_client(network: Any, run: Any) -> None:
    transport = network([completion_body("first"), completion_body("second")])
    model = ChatAssemblyAIGateway(api_key=API_KEY, max_retries=0)
    assert (await run.invoke(model, "hi")).content == "first"
    assert model._clients.client is not None
    restored = pickle.loads(pickle.dumps(model))
    assert restored._clients.client is None
    assert (await run.invoke(restored, "hi")).content == "second"
    assert restored._clients.client is not None
    assert restored._clients.client is not model._clients.client
    assert [r.headers["authorization"] for r in transport.requests] == [API_KEY, API_KEY]


def test_pickling_with_injected_clients_is_refused_clearly() -> None:
    with httpx.Client() as client:
        model = _model(http_client=client)
        with pytest.raises(TypeError, match="inject them after loading"):
            pickle.dumps(model)
