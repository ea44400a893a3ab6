"""Models survive pickling (and LangChain's dumpd/loads) before and after sync and async
calls, and the restored model works against the emulator.

Live connection pools are never serialized: they are dropped, and the restored model
builds its own on first use.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from langchain_core.load import dumpd, dumps, load, loads

from assemblyai_gateway.config import API_KEY_ENV
from assemblyai_gateway.emulator import GatewayEmulator
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
