"""Serialization: pickle and LangChain's dumpd/loads keep a working model, and the key
only ever as a secret reference.

Models survive pickling (and LangChain's dumpd/loads) before and after sync and async
calls, and the restored model works against the emulator. Live connection pools are
never serialized: they are dropped, and the restored model builds its own on first
use. The LangChain-only details (its lc identity, the secrets map, the standard-suite
snapshot) follow.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from langchain_core.load import dumpd, dumps, load, loads
from langchain_core.messages import BaseMessage

from assemblyai_gateway._transport.setting_sources import API_KEY_ENV
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.testing import completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, Kit, ResponseCounter, Way


# langchain-core marks load()/loads() as beta and warns on every call.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The function `loads?` is in beta"
    ":langchain_core._api.beta_decorator.LangChainBetaWarning"
)

CLAUDE = "claude-sonnet-4-5-20250929"
GPT = "gpt-5"
WAYS: tuple[Way, ...] = ("invoke", "ainvoke", "stream", "astream")
MOMENTS = ["fresh", "after-sync-calls", "after-async-calls", "after-both"]
TRUST: dict[str, Any] = {
    "valid_namespaces": ["langchain_assemblyai_gateway"],
    "allowed_objects": [ChatAssemblyAIGateway],
}


async def _use(adapter: AdapterDriver, llm: Any, moment: str, answer: str) -> None:
    """Bring the model to ``moment``: calls that build (and keep) its pools."""
    if moment in ("after-sync-calls", "after-both"):
        assert (await adapter.call(llm, "invoke")).ok().text == answer
        assert (await adapter.call(llm, "stream")).ok().text == answer
    if moment in ("after-async-calls", "after-both"):
        assert (await adapter.call(llm, "ainvoke")).ok().text == answer
        assert (await adapter.call(llm, "astream")).ok().text == answer


async def _works(adapter: AdapterDriver, llm: Any, answer: str) -> None:
    for way in WAYS:
        outcome = await adapter.call(llm, way)
        assert outcome.ok().text == answer, way


@pytest.mark.parametrize("model", [CLAUDE, GPT])
@pytest.mark.parametrize("moment", MOMENTS)
async def test_pickle_round_trip_keeps_a_working_model(
    adapter: AdapterDriver, emulator: GatewayEmulator, kit: type[Kit], model: str, moment: str
) -> None:
    llm = adapter.make(model, max_retries=1, temperature=0.5, max_tokens=50)
    await _use(adapter, llm, moment, kit.ANSWER)

    restored = adapter.track(pickle.loads(pickle.dumps(llm)))

    assert type(restored) is type(llm)
    assert restored.model_dump() == llm.model_dump()
    assert restored.api_key.get_secret_value() == kit.SECRET_KEY
    await _works(adapter, restored, kit.ANSWER)
    await _works(adapter, llm, kit.ANSWER)  # the original is unaffected
    # A second generation pickles too (after the restored model built its own pools).
    again = adapter.track(pickle.loads(pickle.dumps(restored)))
    await _works(adapter, again, kit.ANSWER)
    await adapter.assert_no_leaks()


@pytest.mark.parametrize("moment", MOMENTS)
async def test_langchain_dumpd_loads_round_trip_with_a_secrets_map(
    emulator: GatewayEmulator,
    responses: ResponseCounter,
    monkeypatch: pytest.MonkeyPatch,
    kit: type[Kit],
    moment: str,
) -> None:
    adapter = kit.DRIVERS["langchain"](emulator, responses)
    llm = adapter.make(GPT, max_retries=1, temperature=0.5, stop=["zzz"])
    await _use(adapter, llm, moment, kit.ANSWER)
    monkeypatch.delenv(API_KEY_ENV)  # the key must come from the secrets map

    secrets = {API_KEY_ENV: kit.SECRET_KEY}
    from_text = loads(dumps(llm), secrets_map=secrets, **TRUST)
    from_dict = load(dumpd(llm), secrets_map=secrets, **TRUST)

    for restored in (from_text, from_dict):
        assert isinstance(restored, ChatAssemblyAIGateway)
        adapter.track(restored)
        assert restored.model_dump() == llm.model_dump()
        assert restored.api_key is not None
        assert restored.api_key.get_secret_value() == kit.SECRET_KEY
        await _works(adapter, restored, kit.ANSWER)
    await adapter.assert_no_leaks()


async def test_llama_index_to_dict_from_dict_round_trip_takes_the_key_from_the_environment(
    emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    llm = AssemblyAIGateway(model=CLAUDE, base_url=emulator.base_url, temperature=0.5)
    restored = AssemblyAIGateway.from_dict(llm.to_dict())
    try:
        assert restored.model_dump() == llm.model_dump()
        assert restored.api_key is None  # never serialized; $ASSEMBLYAI_API_KEY at call time
        assert restored.complete(kit.PROMPT).text == kit.ANSWER
        assert (await restored.acomplete(kit.PROMPT)).text == kit.ANSWER
    finally:
        await restored.aclose()


def test_models_on_injected_http_clients_refuse_to_pickle(kit: type[Kit]) -> None:
    with httpx.Client() as client:
        for llm in (
            ChatAssemblyAIGateway(model=CLAUDE, api_key=kit.SECRET_KEY, http_client=client),
            AssemblyAIGateway(model=CLAUDE, api_key=kit.SECRET_KEY, http_client=client),
        ):
            with pytest.raises(TypeError, match="inject"):
                pickle.dumps(llm)


# ------------------------------------------------------ LangChain serialization details


API_KEY = "sk-test-0123456789-secret"
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


async def _invoke(model: ChatAssemblyAIGateway, sync_or_async: str) -> BaseMessage:
    if sync_or_async == "async":
        return await model.ainvoke("hi")
    return model.invoke("hi")


async def test_pickle_after_a_call_rebuilds_the_client(network: Any, sync_or_async: str) -> None:
    transport = network([completion_body("first"), completion_body("second")])
    model = ChatAssemblyAIGateway(api_key=API_KEY, max_retries=0)
    assert (await _invoke(model, sync_or_async)).content == "first"
    assert model._clients.client is not None
    restored = pickle.loads(pickle.dumps(model))
    assert restored._clients.client is None
    assert (await _invoke(restored, sync_or_async)).content == "second"
    assert restored._clients.client is not None
    assert restored._clients.client is not model._clients.client
    assert [r.headers["authorization"] for r in transport.requests] == [API_KEY, API_KEY]


def test_pickling_with_injected_clients_is_refused_clearly() -> None:
    with httpx.Client() as client:
        model = _model(http_client=client)
        with pytest.raises(TypeError, match="inject them after loading"):
            pickle.dumps(model)
