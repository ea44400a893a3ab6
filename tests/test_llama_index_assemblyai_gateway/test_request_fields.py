"""The gateway's newer request fields as typed settings of ``AssemblyAIGateway``.

``zero_data_retention``, ``model_region``, ``fail_fast`` and ``max_timeout`` are
constructor settings, sent with every call (chat, complete and their streams); per call
they are request fields like ``temperature``: the call's value wins and ``None``
removes it.
"""

from __future__ import annotations

import math
import pickle
import warnings
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from pydantic import ValidationError

from assemblyai_gateway import InvalidRequestError
from assemblyai_gateway.testing import completion_body
from llama_index_assemblyai_gateway import AssemblyAIGateway

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner, ScriptedFactory

HI = [ChatMessage(role="user", content="Hi")]

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
    scripted: ScriptedFactory, runner: Runner
) -> None:
    body = completion_body("ok")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a setting, never moved to additional_kwargs
        s = scripted(body, body, body, **FIELDS)

    await runner.chat(s.llm, HI)
    await runner.complete(s.llm, "Hi")
    await runner.stream_chat(s.llm, HI)

    assert s.llm.additional_kwargs == {}
    assert [_sent(sent) for sent in s.bodies] == [FIELDS, FIELDS, FIELDS]


async def test_a_call_s_value_wins_and_none_removes_the_setting(
    scripted: ScriptedFactory, runner: Runner
) -> None:
    body = completion_body("ok")
    s = scripted(body, body, **FIELDS)

    await runner.chat(s.llm, HI, max_timeout=2.5, zero_data_retention=None)
    await runner.complete(s.llm, "Hi", model_region="eu-west-1", fail_fast=None)

    first, second = s.bodies
    assert _sent(first) == {"model_region": "us-east-1", "fail_fast": False, "max_timeout": 2.5}
    assert _sent(second) == {
        "zero_data_retention": True,
        "model_region": "eu-west-1",
        "max_timeout": 30,
    }


async def test_unset_settings_are_not_sent(scripted: ScriptedFactory, runner: Runner) -> None:
    s = scripted(completion_body("ok"))

    await runner.chat(s.llm, HI)

    assert _sent(s.bodies[0]) == {}


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_a_bad_value_in_the_constructor_names_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError, match=field):
        AssemblyAIGateway(api_key="k", **{field: value})


@pytest.mark.parametrize(("field", "value"), INVALID)
async def test_a_bad_value_per_call_names_the_field_and_sends_nothing(
    scripted: ScriptedFactory, runner: Runner, field: str, value: Any
) -> None:
    s = scripted(completion_body("ok"))

    with pytest.raises(InvalidRequestError, match=field):
        await runner.chat(s.llm, HI, **{field: value})

    assert s.bodies == []


def test_settings_survive_to_dict_and_pickling() -> None:
    llm = AssemblyAIGateway(api_key="k", **FIELDS)

    rebuilt = AssemblyAIGateway.from_dict(llm.to_dict())
    unpickled = pickle.loads(pickle.dumps(llm))

    for copy in (rebuilt, unpickled):
        assert {name: getattr(copy, name) for name in FIELDS} == FIELDS
