"""EU data residency: with region="eu", a model the catalog marks US-only never leaves
the process; Claude (and Gemini) are served; newer models can be allowed.

The emulator stands in for the EU endpoint (``base_url`` points at it while
``region="eu"`` states the residency intent), so a request that slipped through the
guard would show up in its log.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from assemblyai_gateway import (
    GatewayClient,
    ModelInfo,
    ModelNotAvailableInRegionError,
    catalog,
    get_model_info,
    register_model,
)
from assemblyai_gateway.emulator import GatewayEmulator

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, CallSpec, Kit, Way

CLAUDE = "claude-sonnet-4-5-20250929"
NEW_MODEL = "gpt-7-eu-preview"  # an id newer than the catalog


@pytest.fixture
def scratch_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """register_model() changes a process-wide table: undo it after the test."""
    monkeypatch.setattr(catalog, "_CATALOG", dict(catalog._CATALOG))


@pytest.mark.parametrize(
    ("model", "fallbacks"),
    [("gpt-5", None), ("gpt-4.1", None), (CLAUDE, ["gpt-5"]), ("gemini-2.5-flash", ["gpt-5-mini"])],
    ids=["gpt-5", "gpt-4.1", "claude-with-gpt-fallback", "gemini-with-gpt-fallback"],
)
async def test_us_only_models_in_the_eu_are_refused_before_any_request(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    model: str,
    fallbacks: list[str] | None,
) -> None:
    settings: dict[str, Any] = {"fallbacks": fallbacks} if fallbacks else {}
    llm = adapter.make(model, max_retries=2, region="eu", **settings)

    error = (await adapter.call(llm, call.way)).failed()

    assert isinstance(error, ModelNotAvailableInRegionError)
    us_only = fallbacks[0] if fallbacks else model
    assert repr(us_only) in str(error)
    assert "US region only" in str(error)
    assert "region='us'" in str(error)  # what to do instead
    assert emulator.requests == []
    await adapter.assert_no_leaks()


@pytest.mark.parametrize("way", ["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize("model", [CLAUDE, "claude-haiku-4-5-20251001", "gemini-2.5-flash"])
async def test_claude_and_gemini_are_served_in_the_eu(
    adapter: AdapterDriver, emulator: GatewayEmulator, model: str, way: Way, kit: type[Kit]
) -> None:
    llm = adapter.make(model, max_retries=0, region="eu")

    assert (await adapter.call(llm, way)).ok().text == kit.ANSWER
    assert [r.json["model"] for r in emulator.requests if r.json] == [model]
    await adapter.assert_no_leaks()


async def test_a_model_newer_than_the_catalog_is_not_refused(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    # The guard only refuses what the catalog knows to be US-only; an unknown id gets
    # the conservative profile (served in both regions, pseudo-streamed).
    emulator.accept_any_model = True
    assert get_model_info(NEW_MODEL).eu_available
    llm = adapter.make(NEW_MODEL, max_retries=0, region="eu")

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    bodies = [r.json for r in emulator.requests if r.json]
    assert [body["model"] for body in bodies] == [NEW_MODEL]
    assert "stream" not in bodies[0]
    await adapter.assert_no_leaks()


@pytest.mark.usefixtures("scratch_catalog")
async def test_a_newer_model_can_be_registered_with_its_real_profile(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    # The catalog is one override; `enforce_region=False` on the adapter is the other.
    register_model(ModelInfo(NEW_MODEL, "openai", 400_000, 128_000, native_streaming=True))
    llm = adapter.make(NEW_MODEL, max_retries=0, region="eu")

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    bodies = [r.json for r in emulator.requests if r.json]
    assert [body["model"] for body in bodies] == [NEW_MODEL]
    assert ("stream" in bodies[0]) is call.is_stream  # registered as natively streamed
    await adapter.assert_no_leaks()


@pytest.mark.usefixtures("scratch_catalog")
async def test_re_registering_a_us_only_model_as_eu_available_lifts_the_guard(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    # E.g. once the gateway starts serving an OpenAI model in the EU.
    register_model(replace(get_model_info("gpt-5"), eu_available=True))
    llm = adapter.make("gpt-5", max_retries=0, region="eu")

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    assert len(emulator.requests) == 1
    await adapter.assert_no_leaks()


@pytest.mark.usefixtures("scratch_catalog")
async def test_a_newer_model_registered_as_us_only_is_refused(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator
) -> None:
    register_model(ModelInfo(NEW_MODEL, "openai", 400_000, 128_000, eu_available=False))
    llm = adapter.make(NEW_MODEL, max_retries=0, region="eu")

    assert isinstance((await adapter.call(llm, call.way)).failed(), ModelNotAvailableInRegionError)
    assert emulator.requests == []


async def test_the_adapters_can_switch_the_guard_off(
    adapter: AdapterDriver, call: CallSpec, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    llm = adapter.make("gpt-5", max_retries=0, region="eu", enforce_region=False)

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    assert [r.json["model"] for r in emulator.requests if r.json] == ["gpt-5"]
    await adapter.assert_no_leaks()


async def test_the_core_client_can_switch_the_guard_off(
    emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    request = {"model": "gpt-5", "messages": [{"role": "user", "content": kit.PROMPT}]}
    guarded = GatewayClient(api_key=kit.SECRET_KEY, base_url=emulator.base_url, region="eu")
    unguarded = GatewayClient(
        api_key=kit.SECRET_KEY, base_url=emulator.base_url, region="eu", enforce_region=False
    )
    try:
        with pytest.raises(ModelNotAvailableInRegionError):
            await guarded.acreate(request)
        assert emulator.requests == []
        completion = await unguarded.acreate(request)
    finally:
        await guarded.aclose()
        await unguarded.aclose()

    assert completion.choices[0].message.content == kit.ANSWER
