"""The gateway's newer request fields as typed settings of ``ChatAssemblyAIGateway``.

``zero_data_retention``, ``model_region``, ``fail_fast`` and ``max_timeout`` are
constructor settings, sent with every call (invoke and stream); per call they are
request fields like ``temperature``: the call's value wins and ``None`` removes it.
"""

from __future__ import annotations

import math
import pickle
import warnings
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.load import dumpd
from pydantic import ValidationError

from assemblyai_gateway import InvalidRequestError
from assemblyai_gateway.testing import completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway

if TYPE_CHECKING:
    from tests.test_langchain_assemblyai_gateway.conftest import MakeModel, Runner

FIELDS: dict[str, Any] = {
    "zero_data_retention": True,
    "model_region": "us-east-1",
    "fail_fast": False,
    "max_timeout": 30,
}

INVALID: list[tuple[str, Any]] = [
    ("zero_data_retention", "maybe"),
    ("model_region", ""),
    ("model_region", 3),
    ("fail_fast", "often"),
    ("max_timeout", 0),
    ("max_timeout", -5),
    ("max_timeout", True),
    ("max_timeout", math.inf),
    ("max_timeout", "30"),
]


def _sent(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in FIELDS if name in body}


async def test_constructor_settings_are_sent_with_every_call(
    make_model: MakeModel, run: Runner
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a setting, never moved to model_kwargs
        llm, transport = make_model([completion_body("ok")], **FIELDS)

    await run.invoke(llm, "hi")
    await run.stream(llm, "hi")

    assert llm.model_kwargs == {}
    assert [_sent(body) for body in transport.json_bodies] == [FIELDS, FIELDS]


async def test_a_call_s_value_wins_and_none_removes_the_setting(
    make_model: MakeModel, run: Runner
) -> None:
    llm, transport = make_model([completion_body("ok")], **FIELDS)

    await run.invoke(llm, "hi", max_timeout=2.5, zero_data_retention=None)
    await run.invoke(llm.bind(model_region="eu-west-1", fail_fast=None), "hi")

    first, second = transport.json_bodies
    assert _sent(first) == {"model_region": "us-east-1", "fail_fast": False, "max_timeout": 2.5}
    assert _sent(second) == {
        "zero_data_retention": True,
        "model_region": "eu-west-1",
        "max_timeout": 30,
    }


async def test_unset_settings_are_not_sent(make_model: MakeModel, run: Runner) -> None:
    llm, transport = make_model([completion_body("ok")])

    await run.invoke(llm, "hi")

    assert _sent(transport.json_bodies[0]) == {}


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_a_bad_value_in_the_constructor_names_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError, match=field):
        ChatAssemblyAIGateway(api_key="k", **{field: value})


@pytest.mark.parametrize(("field", "value"), INVALID)
async def test_a_bad_value_per_call_names_the_field_and_sends_nothing(
    make_model: MakeModel, run: Runner, field: str, value: Any
) -> None:
    llm, transport = make_model([completion_body("ok")])

    with pytest.raises(InvalidRequestError, match=field):
        await run.invoke(llm, "hi", **{field: value})

    assert transport.requests == []


def test_model_kwargs_must_not_repeat_a_setting() -> None:
    with pytest.raises(ValueError, match="model_kwargs must not hold"):
        ChatAssemblyAIGateway(api_key="k", model_kwargs={"max_timeout": 5})


def test_settings_survive_serialization_and_pickling() -> None:
    llm = ChatAssemblyAIGateway(api_key="k", **FIELDS)

    serialized = dumpd(llm)["kwargs"]
    unpickled = pickle.loads(pickle.dumps(llm))

    assert {name: serialized[name] for name in FIELDS} == FIELDS
    assert {name: getattr(unpickled, name) for name in FIELDS} == FIELDS


def test_the_settings_are_in_the_identifying_params() -> None:
    llm = ChatAssemblyAIGateway(api_key="k", **FIELDS)

    assert FIELDS.items() <= llm._identifying_params.items()
