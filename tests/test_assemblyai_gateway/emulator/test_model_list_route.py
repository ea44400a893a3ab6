"""``GET /v1/models``: the catalog in the vendor SDK's shape, and the models a test adds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from assemblyai_gateway._live_models import memory as _model_list_memory
from assemblyai_gateway.catalog import ModelInfo, known_models
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.model_list import ModelList
from assemblyai_gateway.testing import ScriptedTransport
from tests.support.model_lists import NEW_MODEL, NEW_MODEL_INFO, gateway_list

if TYPE_CHECKING:
    from tests.test_assemblyai_gateway.emulator.conftest import Gateway

Json = dict[str, Any]


def models(gateway: Gateway, **headers: str) -> httpx.Response:
    return gateway.client.get("/models", headers=headers)


def test_the_list_is_the_catalog_and_needs_no_key(gateway: Gateway) -> None:
    response = models(gateway)
    assert response.status_code == 200
    listing = ModelList.from_json(response.content)
    assert listing.ids == tuple(info.id for info in known_models())
    haiku = listing.get("claude-3-haiku-20240307")
    assert haiku is not None
    assert haiku.retires_on is not None
    assert haiku.retires_on.isoformat() == "2026-04-20"
    gpt = listing.get("gpt-5")
    assert gpt is not None
    assert (gpt.available_regions, "stream" in gpt.supported_parameters) == (("us",), True)
    assert gateway.emulator.requests[-1].path == "/v1/models"


def test_the_raw_key_is_accepted_and_a_wrong_one_refused(gateway: Gateway) -> None:
    assert models(gateway, Authorization=gateway.emulator.api_key).status_code == 200
    refused = models(gateway, Authorization=f"Bearer {gateway.emulator.api_key}")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == 401


def test_only_get_is_allowed(gateway: Gateway) -> None:
    response = gateway.client.post("/models", headers={"Authorization": gateway.emulator.api_key})
    assert (response.status_code, response.headers["allow"]) == (405, "GET")


def test_an_added_model_is_listed_served_and_gone_after_a_reset(gateway: Gateway) -> None:
    gateway.emulator.add_model(NEW_MODEL_INFO, pricing={"global": {"prompt": 3, "completions": 15}})
    entry = ModelList.from_json(models(gateway).content).get(NEW_MODEL)
    assert entry is not None
    assert entry.pricing is not None
    assert entry.pricing.global_ is not None
    assert (entry.context_length, entry.pricing.global_.prompt) == (500_000, 3.0)
    events, done = gateway.stream({"model": NEW_MODEL, "prompt": "hi"})
    assert done
    assert events

    gateway.emulator.reset(settings=True)
    assert NEW_MODEL not in ModelList.from_json(models(gateway).content).ids
    assert gateway.emulator.models == {}


def test_an_added_model_replaces_the_catalogs_entry(gateway: Gateway) -> None:
    streaming_claude = ModelInfo("claude-sonnet-4-5-20250929", "anthropic", 200_000, 64_000, True)
    gateway.emulator.add_model(streaming_claude)
    listing = ModelList.from_json(models(gateway).content)
    assert len(listing.data) == len(known_models())
    claude = listing.get("claude-sonnet-4-5-20250929")
    assert claude is not None
    assert "stream" in claude.supported_parameters
    events, done = gateway.stream({"model": "claude-sonnet-4-5-20250929", "prompt": "hi"})
    assert done
    assert events


def test_adding_a_model_makes_clients_read_the_list_again(
    gateway_emulator: GatewayEmulator,
) -> None:
    base_url = gateway_emulator.base_url
    _model_list_memory.mark_disk_checked(base_url)
    gateway_emulator.add_model(NEW_MODEL_INFO)
    assert not _model_list_memory.disk_checked(base_url)


def test_only_model_info_objects_are_added() -> None:
    with pytest.raises(TypeError, match="ModelInfo"):
        GatewayEmulator(models=[{"id": NEW_MODEL}])  # type: ignore[list-item]


# ------------------------------------------------------- the vendor SDK's contract


@pytest.fixture
def sdk_model_list() -> Any:
    """The SDK's ``LLMGatewayModelList`` (a pydantic v1 model: ``parse_obj``)."""
    models_module = pytest.importorskip("assemblyai.llm_gateway.v1.models")
    return models_module.LLMGatewayModelList


def test_the_emulators_list_validates_against_the_sdk(
    gateway: Gateway, sdk_model_list: Any
) -> None:
    gateway.emulator.add_model(NEW_MODEL_INFO)
    gateway.emulator.add_model(ModelInfo("bare", "unknown", 1_000, 100), pricing=None)
    parsed = sdk_model_list.parse_obj(models(gateway).json())
    assert [model.id for model in parsed.data][-2:] == [NEW_MODEL, "bare"]
    assert parsed.data[-2].top_provider.max_completion_tokens == 64_000


def test_the_testing_kits_list_validates_against_the_sdk(sdk_model_list: Any) -> None:
    transport = ScriptedTransport([])
    with httpx.Client(transport=transport) as client:
        body = client.get("https://gateway.test/v1/models").json()
    assert sdk_model_list.parse_obj(body).data[0].id == known_models()[0].id
    assert sdk_model_list.parse_obj(gateway_list()).data[-1].id == NEW_MODEL
    assert len(transport.model_list_requests) == 1
    assert transport.requests == []
