"""The model catalog against the ids listed in gateway-notes.md."""

from __future__ import annotations

import dataclasses

import pytest

from assemblyai_gateway import catalog
from assemblyai_gateway.catalog import (
    CONSERVATIVE_CONTEXT_WINDOW,
    CONSERVATIVE_MAX_OUTPUT_TOKENS,
    ModelInfo,
    default_model_info,
    get_model_info,
    known_models,
    register_model,
)

CLAUDE = [
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-opus-4-5-20251101",
    "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-20250514",
    "claude-sonnet-4-20250514",
    "claude-3-haiku-20240307",
]
OPENAI = [
    "gpt-5.2",
    "gpt-5.1",
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "gpt-4.1",
    "gpt-oss-120b",
    "gpt-oss-20b",
]
GEMINI = [
    "gemini-3-pro-preview",
    "gemini-3-flash-preview",
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
]
PROVIDERS = {
    **dict.fromkeys(CLAUDE, "anthropic"),
    **dict.fromkeys(OPENAI, "openai"),
    **dict.fromkeys(GEMINI, "google"),
}


@pytest.fixture
def scratch_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a test register models; the real table is restored afterwards."""
    monkeypatch.setattr(catalog, "_CATALOG", dict(catalog._CATALOG))


def test_every_documented_id_is_in_the_catalog() -> None:
    ids = {info.id for info in known_models()}

    assert set(PROVIDERS) <= ids
    for model_id in PROVIDERS:
        assert get_model_info(model_id).known is True, model_id


@pytest.mark.parametrize("model_id", sorted(PROVIDERS))
def test_provider_native_streaming_and_region(model_id: str) -> None:
    info = get_model_info(model_id)
    is_openai = PROVIDERS[model_id] == "openai"

    assert info.id == model_id
    assert info.provider == PROVIDERS[model_id]
    assert info.native_streaming is is_openai
    assert info.eu_available is not is_openai
    assert info.supports_tools is True
    assert info.context_window >= info.max_output_tokens > 0


@pytest.mark.parametrize("model_id", ["gpt-oss-120b", "gpt-oss-20b"])
def test_gpt_oss_does_not_support_json_schema(model_id: str) -> None:
    assert get_model_info(model_id).supports_json_schema is False


def test_every_other_documented_model_supports_json_schema() -> None:
    others = [m for m in PROVIDERS if not m.startswith("gpt-oss")]

    assert all(get_model_info(m).supports_json_schema for m in others)


def test_claude_3_haiku_carries_its_retirement_date() -> None:
    assert get_model_info("claude-3-haiku-20240307").retired == "2026-04-20"
    assert get_model_info("claude-sonnet-4-5-20250929").retired is None


def test_known_models_are_unique_and_in_table_order() -> None:
    ids = [info.id for info in known_models()]

    assert len(ids) == len(set(ids))
    assert ids.index("claude-opus-4-6") < ids.index("gpt-5") < ids.index("gemini-2.5-pro")


@pytest.mark.parametrize(
    ("model_id", "provider"),
    [
        ("kimi-k2.5", "unknown"),
        ("gpt-7-ultra", "openai"),
        ("claude-next", "anthropic"),
        ("gemini-9", "google"),
        ("", "unknown"),
    ],
)
def test_unknown_ids_get_conservative_defaults(model_id: str, provider: str) -> None:
    info = get_model_info(model_id)

    assert info.known is False
    assert info.provider == provider
    assert info.native_streaming is False
    assert info.eu_available is True
    assert info.supports_tools is True
    assert info.context_window == CONSERVATIVE_CONTEXT_WINDOW
    assert info.max_output_tokens == CONSERVATIVE_MAX_OUTPUT_TOKENS
    assert info == default_model_info(model_id)


def test_model_info_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_model_info("gpt-5").native_streaming = False  # type: ignore[misc]


@pytest.mark.usefixtures("scratch_catalog")
def test_register_model_adds_a_known_model() -> None:
    register_model(
        ModelInfo(
            "kimi-k2.5", "unknown", 256_000, 16_000, native_streaming=True, eu_available=False
        )
    )

    info = get_model_info("kimi-k2.5")

    assert info.known is True
    assert info.native_streaming is True
    assert info.eu_available is False
    assert info.context_window == 256_000
    assert "kimi-k2.5" in {m.id for m in known_models()}


@pytest.mark.usefixtures("scratch_catalog")
def test_register_model_marks_a_copied_default_as_known_and_replaces_entries() -> None:
    register_model(dataclasses.replace(default_model_info("new-model"), context_window=1_000))
    register_model(dataclasses.replace(get_model_info("gpt-5"), max_output_tokens=64_000))

    assert get_model_info("new-model").known is True
    assert get_model_info("new-model").context_window == 1_000
    assert get_model_info("gpt-5").max_output_tokens == 64_000


def test_the_scratch_catalog_fixture_restored_the_table() -> None:
    # Runs after the registration tests in file order; they must not leak.
    assert get_model_info("kimi-k2.5").known is False
    assert get_model_info("new-model").known is False
    assert get_model_info("gpt-5").max_output_tokens == 128_000
