"""The one rule for keyword arguments headed for a request.

The rule lives in ``assemblyai_gateway._adapting.arguments``.

The adapters' own behaviour (per call, ``bind()``, constructors, traces) is tested in
each adapter's ``test_call_arguments.py``; here: the rule itself, the lists it is
derived from, and the core's last line in ``GatewayClient``.
"""

from __future__ import annotations

import doctest
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from assemblyai_gateway._adapting import arguments
from assemblyai_gateway._adapting.arguments import (
    CLIENT_SETTINGS,
    OWNED_FIELDS,
    REQUEST_FIELDS,
    ArgumentRule,
    argument_rule,
)
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway._wire.types import ChatCompletionRequest
from assemblyai_gateway.errors import (
    ConfigurationError,
    GatewayError,
    MisplacedClientSettingError,
    UnexpectedArgumentError,
)
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.call_arguments import GATEWAY_EXTRAS

KEY = "sk-aai-PER-CALL-1f2e3d"
HI = [{"role": "user", "content": "Hi"}]


class LLM(BaseModel):
    """A stand-in adapter: a model, a key (alias ``key``) and extra request fields."""

    model: str = "gpt-5"
    api_key: str | None = Field(default=None, alias="key")
    model_kwargs: dict[str, Any] = Field(default_factory=dict)


RULE = argument_rule(LLM, extras="model_kwargs")


def _rule(adapter: type) -> ArgumentRule:
    rule: ArgumentRule = adapter._argument_rule()  # type: ignore[attr-defined]
    return rule


# ---------------------------------------------------------------- what the rule knows


def test_the_client_settings_are_every_argument_of_the_core_client() -> None:
    parameters = set(inspect.signature(GatewayClient.__init__).parameters) - {"self"}

    assert parameters == CLIENT_SETTINGS


def test_the_gateway_extras_are_known_request_fields() -> None:
    assert set(GATEWAY_EXTRAS) <= REQUEST_FIELDS
    assert REQUEST_FIELDS.isdisjoint(CLIENT_SETTINGS)
    assert OWNED_FIELDS <= REQUEST_FIELDS


@pytest.mark.parametrize(
    ("adapter", "name", "parameter"),
    [
        (ChatAssemblyAIGateway, "api_key", "api_key"),
        (ChatAssemblyAIGateway, "assemblyai_api_key", "api_key"),
        (ChatAssemblyAIGateway, "request_timeout", "timeout"),
        (ChatAssemblyAIGateway, "api_base", "base_url"),
        (ChatAssemblyAIGateway, "http_async_client", "http_async_client"),
        (ChatAssemblyAIGateway, "rate_limiter", "rate_limiter"),
        (ChatAssemblyAIGateway, "default_headers", ""),
        (AssemblyAIGateway, "api_base", "base_url"),
        (AssemblyAIGateway, "async_http_client", "async_http_client"),
        (AssemblyAIGateway, "http_async_client", "async_http_client"),
        (AssemblyAIGateway, "attempt_deadline", "attempt_deadline"),
        (AssemblyAIGateway, "limiter", "limiter"),
    ],
)
def test_each_adapters_names_for_a_setting_come_from_its_fields(
    adapter: type, name: str, parameter: str
) -> None:
    assert _rule(adapter).settings[name] == parameter


def test_both_adapters_know_every_core_setting() -> None:
    for adapter in (ChatAssemblyAIGateway, AssemblyAIGateway):
        assert set(_rule(adapter).settings) >= CLIENT_SETTINGS | {"rate_limiter", "api_base"}


# ------------------------------------------------------------------------- per call


@pytest.mark.parametrize("name", sorted(CLIENT_SETTINGS))
def test_a_client_setting_per_call_is_a_typed_error_naming_it(name: str) -> None:
    with pytest.raises(MisplacedClientSettingError, match=f"'{name}'") as info:
        _rule(ChatAssemblyAIGateway).check_call([name, "temperature"])

    assert isinstance(info.value, (UnexpectedArgumentError, TypeError, GatewayError))
    assert not isinstance(info.value, ConfigurationError)  # pydantic would wrap a ValueError
    where = "GatewayClient(" if name == "default_headers" else "ChatAssemblyAIGateway("
    assert where in str(info.value)


def test_the_message_says_where_to_set_the_setting() -> None:
    with pytest.raises(MisplacedClientSettingError) as info:
        _rule(AssemblyAIGateway).check_call(["api_base", "http_async_client", "timeout"])

    message = str(info.value)
    assert "'api_base' (set it where the model is built: AssemblyAIGateway(base_url=...))" in (
        message
    )
    assert "AssemblyAIGateway(async_http_client=...)" in message
    assert "the gateway's own request field is 'max_timeout'" in message


@pytest.mark.parametrize("name", sorted(OWNED_FIELDS))
def test_a_field_the_model_builds_is_refused_per_call(name: str) -> None:
    with pytest.raises(UnexpectedArgumentError, match=f"'{name}' per call"):
        RULE.check_call([name])


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("temprature", "temperature"), ("fallback", "fallbacks"), ("max_retires", "max_retries")],
)
def test_a_near_miss_of_a_known_name_is_refused_with_a_suggestion(typo: str, meant: str) -> None:
    with pytest.raises(UnexpectedArgumentError, match=f"'{typo}' \\(did you mean '{meant}'\\?\\)"):
        _rule(ChatAssemblyAIGateway).check_call([typo])


def test_known_and_unknown_request_fields_pass() -> None:
    RULE.check_call([*GATEWAY_EXTRAS, "seed", "top_k", "temperature", "user_tag"])
    # A name the model was given as an extra field is never taken for a typo.
    RULE.check_call(["fallback"], known=["fallback"])
    assert RULE.settings["key"] == "api_key"


# ---------------------------------------------------------------------- constructor


def test_the_constructor_moves_unknown_names_into_the_extras_with_a_warning() -> None:
    values = {"model": "gpt-5", "seed": 1, "model_kwargs": {"top_k": 5}}

    with pytest.warns(UserWarning, match="'seed' is not a parameter of LLM; it was moved"):
        result = RULE.constructor_values(values, stacklevel=1)

    assert result == {"model": "gpt-5", "model_kwargs": {"top_k": 5, "seed": 1}}
    assert values == {"model": "gpt-5", "seed": 1, "model_kwargs": {"top_k": 5}}  # unchanged


@pytest.mark.parametrize(
    ("values", "error", "named"),
    [
        ({"temprature": 1}, UnexpectedArgumentError, "did you mean 'temperature'"),
        ({"stream": True}, UnexpectedArgumentError, "'stream' as an argument"),
        ({"model_kwargs": {"api_key": KEY}}, MisplacedClientSettingError, "in model_kwargs"),
        ({"model_kwargs": {"messages": []}}, UnexpectedArgumentError, "'messages' in model_kwargs"),
        ({"default_headers": {"x": KEY}}, MisplacedClientSettingError, "only the core client"),
    ],
)
def test_the_constructor_refuses_what_it_cannot_take(
    values: dict[str, Any], error: type[Exception], named: str
) -> None:
    with pytest.raises(error, match=named.replace("(", r"\(")) as info:
        RULE.constructor_values(values, stacklevel=1)
    assert KEY not in str(info.value)


# ------------------------------------------------------------- the core's last line

Call = Callable[[GatewayClient, Any], Any]


@pytest.mark.parametrize(
    "request_body",
    [
        {"model": "gpt-5", "messages": HI, "api_key": KEY},
        {"model": "gpt-5", "messages": HI, "fallbacks": [{"model": "gpt-4.1", "api_key": KEY}]},
        ChatCompletionRequest(model="gpt-5", messages=HI, base_url=KEY),
    ],
    ids=["request", "fallback", "model"],
)
async def test_the_client_never_sends_a_client_setting_as_a_field(
    make_client: Callable[..., GatewayClient], complete: Call, request_body: Any
) -> None:
    transport = ScriptedTransport([completion_body("ok")])
    client = make_client(transport)

    with pytest.raises(MisplacedClientSettingError) as info:
        await complete(client, request_body)

    assert transport.requests == []
    assert KEY not in str(info.value)


async def test_the_gateway_extras_reach_the_wire_from_the_core_client(
    make_client: Callable[..., GatewayClient], complete: Call
) -> None:
    transport = ScriptedTransport([completion_body("ok")])

    await complete(make_client(transport), {"model": "gpt-5", "messages": HI, **GATEWAY_EXTRAS})

    assert {k: transport.json_bodies[0][k] for k in GATEWAY_EXTRAS} == GATEWAY_EXTRAS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reasoning", 5),
        ("reasoning", ""),
        ("zero_data_retention", "maybe"),
        ("model_region", 3),
        ("fail_fast", "often"),
        ("max_timeout", 0),
        ("max_timeout", -5),
    ],
)
def test_the_gateway_extras_are_typed(field: str, value: Any) -> None:
    with pytest.raises(ValidationError, match=field):
        ChatCompletionRequest(model="gpt-5", messages=HI, **{field: value})


def test_the_request_still_passes_fields_it_does_not_know() -> None:
    request = ChatCompletionRequest(model="gpt-5", messages=HI, seed=3, **GATEWAY_EXTRAS)

    assert request.to_payload() == {"model": "gpt-5", "messages": HI, "seed": 3, **GATEWAY_EXTRAS}


def test_the_examples_run() -> None:
    result = doctest.testmod(arguments)
    assert (result.failed, result.attempted > 0) == (0, True)
