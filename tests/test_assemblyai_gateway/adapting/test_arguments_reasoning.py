"""The one reasoning rule: ``reasoning`` and ``reasoning_effort`` at each level, merged."""

from __future__ import annotations

from typing import Any

import pytest

from assemblyai_gateway._adapting.arguments import (
    PEER_FIELD_NAMES,
    argument_rule,
    merge_call_fields,
    with_reasoning,
)
from assemblyai_gateway.errors import InvalidRequestError, UnexpectedArgumentError
from langchain_assemblyai_gateway import ChatAssemblyAIGateway


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ({"reasoning_effort": "high"}, {"effort": "high"}),
        ({"reasoning": "low"}, {"effort": "low"}),
        ({"reasoning": {"effort": "medium"}}, {"effort": "medium"}),
        ({"reasoning": {"effort": "high"}, "reasoning_effort": "high"}, {"effort": "high"}),
        (
            {"reasoning": {"summary": "auto"}, "reasoning_effort": "low"},
            {"summary": "auto", "effort": "low"},
        ),
    ],
)
def test_one_level_becomes_the_gateways_reasoning_object(
    given: dict[str, Any], sent: dict[str, Any]
) -> None:
    result = with_reasoning(given)

    assert result == {"reasoning": sent}
    assert "reasoning_effort" not in result


@pytest.mark.parametrize(
    "given",
    [
        {"reasoning": "high", "reasoning_effort": "low"},
        {"reasoning": {"effort": "high"}, "reasoning_effort": "low"},
    ],
)
def test_disagreeing_reasoning_and_effort_are_refused_naming_both(given: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError, match="'reasoning' asks for effort 'high' but"):
        with_reasoning(given)


@pytest.mark.parametrize("effort", ["", "  ", 3, ["high"]])
def test_an_effort_that_is_not_a_level_is_refused(effort: object) -> None:
    with pytest.raises(InvalidRequestError, match="reasoning_effort"):
        with_reasoning({"reasoning_effort": effort})


def test_the_callers_mappings_are_not_changed() -> None:
    settings = {"reasoning": {"summary": "auto"}, "reasoning_effort": "low"}
    call = {"reasoning_effort": "high"}
    merge_call_fields(settings, call)

    assert settings == {"reasoning": {"summary": "auto"}, "reasoning_effort": "low"}
    assert call == {"reasoning_effort": "high"}


@pytest.mark.parametrize(
    ("settings", "call", "sent"),
    [
        # A call's level wins over the model's, whichever name either used.
        ({"reasoning_effort": "low"}, {"reasoning": "high"}, {"effort": "high"}),
        ({"reasoning": "low"}, {"reasoning_effort": "high"}, {"effort": "high"}),
        ({"reasoning": {"effort": "low"}}, {}, {"effort": "low"}),
        ({}, {"reasoning_effort": "medium"}, {"effort": "medium"}),
        # None is "not set": the call unsets the model's reasoning.
        ({"reasoning": "low"}, {"reasoning_effort": None}, None),
        ({"reasoning_effort": "low"}, {"reasoning": None}, None),
    ],
)
def test_the_call_overrides_the_model_across_both_names(
    settings: dict[str, Any], call: dict[str, Any], sent: dict[str, Any] | None
) -> None:
    merged = merge_call_fields({"model": "gpt-5", **settings}, call)

    assert merged.get("reasoning") == sent
    assert "reasoning_effort" not in merged


def test_the_conflict_names_where_it_was_given() -> None:
    with pytest.raises(InvalidRequestError, match="in the model's settings"):
        merge_call_fields({"reasoning": "high", "reasoning_effort": "low"}, {})


def test_a_fallback_object_with_an_effort_gets_the_gateways_field() -> None:
    merged = merge_call_fields(
        {"model": "claude-sonnet-4-5-20250929"},
        {"fallbacks": ["gpt-5", {"model": "gpt-5-mini", "reasoning_effort": "low"}]},
    )

    assert merged["fallbacks"] == ["gpt-5", {"model": "gpt-5-mini", "reasoning": {"effort": "low"}}]


def test_reasoning_effort_is_a_known_name_per_call() -> None:
    rule = argument_rule(ChatAssemblyAIGateway, extras="model_kwargs")

    rule.check_call(["reasoning_effort", "reasoning"])
    with pytest.raises(UnexpectedArgumentError, match="did you mean 'reasoning_effort'"):
        rule.check_call(["reasoning_efort"])
    assert PEER_FIELD_NAMES["reasoning_effort"] == "reasoning"
