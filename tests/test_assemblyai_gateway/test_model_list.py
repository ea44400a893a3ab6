"""The model list's shape, its settings, and what the catalog makes of an entry."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assemblyai_gateway.catalog import (
    CONSERVATIVE_CONTEXT_WINDOW,
    ModelInfo,
    get_model_info,
    info_from_listed,
    known_models,
    model_list_entry,
)
from assemblyai_gateway.errors import ConfigurationError, ResponseValidationError
from assemblyai_gateway.model_list import (
    CACHE_DIR_ENV,
    DEFAULT_MODEL_LIST_TIMEOUT,
    DEFAULT_MODEL_LIST_TTL,
    MODEL_LIST_ENV,
    MODEL_LIST_TIMEOUT_ENV,
    MODEL_LIST_TTL_ENV,
    ListedModel,
    ModelList,
    ModelListSettings,
)

Json = dict[str, Any]

# The vendor SDK's own example of a model newer than any table, with Go's null lists.
SONNET_5: Json = {
    "id": "claude-sonnet-5",
    "name": "Claude Sonnet 5",
    "description": "Anthropic's newest",
    "default_parameters": {"temperature": 1.0},
    "supported_parameters": ["tools", "response_format", "stream", "reasoning"],
    "top_provider": {
        "is_moderated": False,
        "context_length": 500000,
        "max_completion_tokens": 64000,
    },
    "context_length": 500000,
    "pricing": {"global": {"prompt": 3.0, "completions": 15.0, "input_cache_read": 0.3}},
    "creator": "anthropic",
    "retirement_date": 1798761600,
    "available_regions": ["us", "eu"],
    "providers": None,
    "default_provider": {"id": "anthropic", "name": "Anthropic"},
}


# ------------------------------------------------------------------------ the shape


def test_a_list_in_the_sdks_shape_reads_whole() -> None:
    listing = ModelList.from_json(json.dumps({"data": [SONNET_5]}))

    model = listing.get("claude-sonnet-5")
    assert model is not None
    assert model.supported_parameters == ("tools", "response_format", "stream", "reasoning")
    assert model.providers == ()
    assert model.max_output_tokens == 64000
    assert model.retires_on == date(2027, 1, 1)
    assert model.pricing is not None
    assert model.pricing.global_ is not None
    assert (model.pricing.global_.prompt, model.pricing.global_.input_cache_read) == (3.0, 0.3)


@pytest.mark.parametrize(
    "field", ["supported_parameters", "available_regions", "providers", "name", "creator"]
)
def test_go_null_lists_and_strings_read_as_empty(field: str) -> None:
    model = ListedModel.model_validate({"id": "m", field: None})
    assert not getattr(model, field)


def test_a_null_data_list_is_an_empty_list() -> None:
    assert ModelList.from_json(b'{"data": null}').data == ()


def test_entries_that_are_not_models_are_skipped() -> None:
    body = {"data": [SONNET_5, {"name": "no id"}, "gpt-5", {"id": "gpt-5", "context_length": "x"}]}
    assert ModelList.from_json(json.dumps(body)).ids == ("claude-sonnet-5",)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<html>proxy</html>", "not JSON"),
        (b'["gpt-5"]', '"data" list'),
        (b'{"data": {"id": "gpt-5"}}', '"data" list'),
        (b'{"data": [{"name": "x"}, 3]}', "none of its entries"),
    ],
)
def test_a_body_that_is_not_a_list_is_a_response_validation_error(body: bytes, why: str) -> None:
    with pytest.raises(ResponseValidationError, match="model list could not be read") as caught:
        ModelList.from_json(body)
    assert why in caught.value.message


def test_an_absurd_retirement_date_is_no_date() -> None:
    assert ListedModel(id="m", retirement_date=10**30).retires_on is None
    assert ListedModel(id="m", retirement_date=0).retires_on is None


# ------------------------------------------------------------- from the catalog's view


def test_an_entry_describes_streaming_tools_structured_output_reasoning_and_regions() -> None:
    info = info_from_listed(ListedModel.model_validate(SONNET_5))

    assert info == ModelInfo(
        "claude-sonnet-5",
        "anthropic",
        500_000,
        64_000,
        native_streaming=True,
        supports_json_schema=True,
        supports_tools=True,
        eu_available=True,
        retired="2027-01-01",
        supports_reasoning=True,
        regions=("us", "eu"),
        listed=True,
    )


def test_the_list_wins_over_the_table_for_claude_streaming() -> None:
    listed = ListedModel(id="claude-sonnet-4-5-20250929", supported_parameters=("stream", "tools"))
    info = info_from_listed(listed)
    assert info.native_streaming is True
    assert info.supports_json_schema is False  # not listed, so not sent
    assert info.context_window == get_model_info("claude-sonnet-4-5-20250929").context_window


def test_a_table_model_without_json_schema_keeps_that() -> None:
    listed = ListedModel(id="gpt-oss-120b", supported_parameters=("response_format", "stream"))
    assert info_from_listed(listed).supports_json_schema is False


def test_an_entry_that_states_nothing_keeps_the_conservative_profile() -> None:
    info = info_from_listed(ListedModel(id="mystery", context_length=-5, available_regions=()))
    assert info.context_window == CONSERVATIVE_CONTEXT_WINDOW
    assert (info.native_streaming, info.supports_tools, info.eu_available) == (False, True, True)
    assert (info.known, info.listed) == (True, True)


def test_a_us_only_entry_is_not_available_in_the_eu() -> None:
    info = info_from_listed(ListedModel(id="x", available_regions=("US",)))
    assert (info.regions, info.eu_available) == (("us",), False)


@pytest.mark.parametrize("info", known_models(), ids=lambda info: info.id)
def test_every_catalog_model_survives_a_trip_through_the_list(info: ModelInfo) -> None:
    entry = ListedModel.model_validate(model_list_entry(info))
    assert info_from_listed(entry) == ModelInfo(**{**vars(info), "listed": True})


# ----------------------------------------------------------------------- settings


def test_the_defaults_read_the_list_lazily_with_a_day_of_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (MODEL_LIST_ENV, MODEL_LIST_TTL_ENV, MODEL_LIST_TIMEOUT_ENV, CACHE_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    settings = ModelListSettings.from_environment()
    assert settings == ModelListSettings(True, DEFAULT_MODEL_LIST_TTL, DEFAULT_MODEL_LIST_TIMEOUT)
    assert settings.disk_cache_dir is not None
    assert settings.disk_cache_dir.name == "assemblyai-gateway"


def test_the_environment_sets_everything(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(MODEL_LIST_ENV, " OFF ")
    monkeypatch.setenv(MODEL_LIST_TTL_ENV, "60")
    monkeypatch.setenv(MODEL_LIST_TIMEOUT_ENV, "0.5")
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    settings = ModelListSettings.from_environment()
    assert settings == ModelListSettings(False, 60.0, 0.5, tmp_path)
    assert settings.disk_cache_dir is None  # off means no disk cache either


def test_a_ttl_of_zero_turns_the_disk_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_LIST_ENV, "auto")
    monkeypatch.setenv(MODEL_LIST_TTL_ENV, "0")
    assert ModelListSettings.from_environment().disk_cache_dir is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (MODEL_LIST_ENV, "sometimes"),
        (MODEL_LIST_TTL_ENV, "-1"),
        (MODEL_LIST_TTL_ENV, "a day"),
        (MODEL_LIST_TIMEOUT_ENV, "0"),
        (MODEL_LIST_TIMEOUT_ENV, "inf"),
    ],
)
def test_a_value_a_setting_cannot_take_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=name):
        ModelListSettings.from_environment()
