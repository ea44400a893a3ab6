"""A request for a retired model, or one retiring within 30 days, warns once per process."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from assemblyai_gateway._live_models import lists as _model_lists
from assemblyai_gateway.catalog import ModelInfo
from assemblyai_gateway.model_list import ModelRetirementWarning, forget_model_lists
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from tests.support.client_cases import Complete, MakeClient
from tests.support.model_lists import NEW_MODEL_INFO, ask, gateway_list, listed

TODAY = date(2026, 12, 8)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(_model_lists, "_today", lambda: TODAY)
    return TODAY


def retiring_on(day: date) -> ScriptedTransport:
    seconds = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    entry = listed(NEW_MODEL_INFO, retirement_date=seconds)
    return ScriptedTransport([completion_body("Hi")], model_list=gateway_list(entry))


async def test_a_model_retiring_within_30_days_warns_once(
    make_client: MakeClient, complete: Complete, model_list_on: Path
) -> None:
    client = make_client(retiring_on(date(2027, 1, 7)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            await complete(client, ask())
    assert [w.category for w in caught] == [ModelRetirementWarning]
    assert [str(w.message) for w in caught] == [
        "model 'claude-sonnet-5' retires on 2027-01-07 (in 30 days); move to a current "
        "model (`assemblyai-gateway models` lists them)"
    ]
    # Pointed at the caller's line (here the `complete` fixture's), not at this package.
    assert Path(caught[0].filename).name == "conftest.py"


async def test_a_retired_model_says_so(
    make_client: MakeClient, complete: Complete, model_list_on: Path
) -> None:
    client = make_client(retiring_on(date(2026, 11, 30)))
    with pytest.warns(ModelRetirementWarning, match="was retired on 2026-11-30: the gateway"):
        await complete(client, ask())


async def test_a_model_retiring_later_or_never_does_not_warn(
    make_client: MakeClient, complete: Complete, model_list_on: Path
) -> None:
    later = make_client(retiring_on(date(2027, 1, 8)))
    never = make_client(ScriptedTransport([completion_body()], model_list=gateway_list()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await complete(later, ask())
        forget_model_lists()
        await complete(never, ask())


async def test_the_built_in_table_date_warns_without_the_list(
    make_client: MakeClient, complete: Complete
) -> None:
    client = make_client(ScriptedTransport([completion_body()]))
    with pytest.warns(ModelRetirementWarning, match="'claude-3-haiku-20240307' was retired"):
        await complete(client, ask("claude-3-haiku-20240307"))
    assert client.model_info("claude-3-haiku-20240307").retirement_date == date(2026, 4, 20)


def test_a_fallback_retiring_warns_too_and_streams_warn_when_they_are_made(
    make_client: MakeClient,
) -> None:
    client = make_client(ScriptedTransport([completion_body()]))
    retiring = ModelInfo("gpt-5", "openai", 1, 1, retired="2026-12-20")
    request = ask("claude-sonnet-4-5-20250929", fallbacks=["claude-3-haiku-20240307"])
    with pytest.warns(ModelRetirementWarning, match="claude-3-haiku-20240307"):
        client.stream(request).close()
    with pytest.warns(ModelRetirementWarning, match="retires on 2026-12-20 .in 12 days."):
        _model_lists.warn_retiring([retiring])
