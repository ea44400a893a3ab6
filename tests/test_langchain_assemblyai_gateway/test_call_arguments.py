"""Per-call, ``bind()`` and constructor keyword arguments follow the core's one rule.

Client settings raise ``MisplacedClientSettingError`` (naming the argument, never its
value) before anything is sent or traced; the gateway's request fields, known or not,
reach the wire; a near miss raises "did you mean". Every call case runs through the
sync and the async API (``run``), as ``invoke`` (Claude) and ``stream`` (gpt-5 over SSE).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.tracers.run_collector import RunCollectorCallbackHandler

from assemblyai_gateway import MisplacedClientSettingError, UnexpectedArgumentError
from assemblyai_gateway.testing import ScriptStep, completion_body, text_sse
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from tests.support.call_arguments import GATEWAY_EXTRAS, SETTING_NAMES, CallbackRecorder
from tests.test_langchain_assemblyai_gateway.conftest import CLAUDE, GPT, MakeModel, Runner

KEY = "sk-aai-PER-CALL-9c8b7a"

CLIENT_SETTINGS = SETTING_NAMES["langchain"]
WAYS = ["invoke", "stream"]


def _answer(way: str) -> tuple[str, ScriptStep]:
    """The model and the scripted answer for ``invoke`` (Claude) or ``stream`` (gpt-5, SSE)."""
    if way == "invoke":
        return CLAUDE, completion_body("ok", model=CLAUDE)
    return GPT, text_sse("o", "k")


async def _call(run: Runner, llm: Any, way: str, **kwargs: Any) -> Any:
    if way == "invoke":
        return await run.invoke(llm, "hi", **kwargs)
    return await run.stream(llm, "hi", **kwargs)


# ----------------------------------------------------------------- client settings


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("name", CLIENT_SETTINGS)
async def test_a_client_setting_per_call_raises_naming_it_and_nothing_is_sent(
    make_model: MakeModel, run: Runner, way: str, name: str
) -> None:
    model_id, answer = _answer(way)
    llm, transport = make_model([answer], model=model_id)

    with pytest.raises(MisplacedClientSettingError, match=f"'{name}' \\(") as info:
        await _call(run, llm, way, **{name: KEY})

    assert isinstance(info.value, TypeError)
    where = "GatewayClient(" if name == "default_headers" else "ChatAssemblyAIGateway("
    assert where in str(info.value)
    assert KEY not in str(info.value)
    assert transport.requests == []


@pytest.mark.parametrize("name", CLIENT_SETTINGS)
def test_a_client_setting_in_bind_raises_at_once(make_model: MakeModel, name: str) -> None:
    llm, _ = make_model([completion_body("ok")])

    given: dict[str, Any] = {name: KEY}
    binds: list[Callable[[], object]] = [
        lambda: llm.bind(**given),
        lambda: llm.bind_tools([_get_weather], **given),
        lambda: llm.with_structured_output(WEATHER, **given),
    ]
    for bind in binds:
        with pytest.raises(MisplacedClientSettingError, match=f"'{name}'") as info:
            bind()
        assert KEY not in str(info.value)


@pytest.mark.parametrize("way", WAYS)
async def test_a_key_given_per_call_reaches_no_callback_trace_or_cache_key(
    make_model: MakeModel, run: Runner, way: str
) -> None:
    model_id, answer = _answer(way)
    llm, transport = make_model([answer], model=model_id)
    # A binding made before the key was added (RunnableBinding.bind is LangChain's own).
    bound = llm.bind_tools([_get_weather]).bind(api_key=KEY)
    recorder, runs = CallbackRecorder(), RunCollectorCallbackHandler()
    config: Any = {"callbacks": [recorder, runs]}

    for runnable, kwargs in ((llm, {"api_key": KEY}), (bound, {})):
        with pytest.raises(MisplacedClientSettingError):
            await _call(run, runnable, way, config=config, **kwargs)

    assert recorder.seen == []
    assert runs.traced_runs == []
    assert transport.requests == []
    with pytest.raises(MisplacedClientSettingError):
        llm._get_invocation_params(api_key=KEY)


# ------------------------------------------------------------------- request fields


@pytest.mark.parametrize("way", WAYS)
async def test_the_gateway_extras_pass_per_call_and_reach_the_wire(
    make_model: MakeModel, run: Runner, way: str
) -> None:
    model_id, answer = _answer(way)
    llm, transport = make_model([answer], model=model_id)

    await _call(run, llm, way, **GATEWAY_EXTRAS)
    await _call(run, llm.bind(**GATEWAY_EXTRAS), way)

    for body in transport.json_bodies:
        assert {name: body.get(name) for name in GATEWAY_EXTRAS} == GATEWAY_EXTRAS


@pytest.mark.parametrize("way", WAYS)
async def test_unknown_fields_pass_per_call_and_in_bind(
    make_model: MakeModel, run: Runner, way: str
) -> None:
    model_id, answer = _answer(way)
    llm, transport = make_model([answer], model=model_id)

    await _call(run, llm, way, seed=7, top_k=40)
    await _call(run, llm.bind(seed=7, top_k=40), way)

    assert [(body["seed"], body["top_k"]) for body in transport.json_bodies] == [(7, 40)] * 2


def test_the_trace_parameters_show_the_request_fields_given_per_call() -> None:
    llm = ChatAssemblyAIGateway(api_key=KEY, model=CLAUDE)

    params = llm._get_invocation_params(stop=None, seed=7, **GATEWAY_EXTRAS)

    assert params["seed"] == 7
    assert params["reasoning"] == {"effort": "low"}
    assert KEY not in repr(params)


# ---------------------------------------------------------------------- near misses


@pytest.mark.parametrize("way", WAYS)
async def test_a_near_miss_per_call_raises_did_you_mean(
    make_model: MakeModel, run: Runner, way: str
) -> None:
    model_id, answer = _answer(way)
    llm, transport = make_model([answer], model=model_id)

    with pytest.raises(UnexpectedArgumentError, match="did you mean 'temperature'"):
        await _call(run, llm, way, temprature=0.5)
    with pytest.raises(UnexpectedArgumentError, match="did you mean 'temperature'"):
        llm.bind(temprature=0.5)

    assert transport.requests == []


# ---------------------------------------------------------------------- constructor


def test_a_near_miss_in_the_constructor_raises_did_you_mean() -> None:
    with pytest.raises(UnexpectedArgumentError, match=r"'temprature' \(did you mean 'temperature'"):
        ChatAssemblyAIGateway(api_key=KEY, temprature=0.5)


def test_in_the_constructor_a_client_setting_is_a_setting() -> None:
    llm = ChatAssemblyAIGateway(api_key=KEY, request_timeout=7, max_retries=0)

    assert (llm.timeout, llm.max_retries, llm.model_kwargs) == (7, 0, {})


def test_unknown_constructor_names_become_extra_request_fields(make_model: MakeModel) -> None:
    with pytest.warns(UserWarning, match="is not a parameter of") as warned:
        llm, transport = make_model([completion_body("ok")], top_k=40, seed=7)

    llm.invoke("hi")

    assert [str(warning.message).split(";")[0] for warning in warned] == [
        "'top_k' is not a parameter of ChatAssemblyAIGateway",
        "'seed' is not a parameter of ChatAssemblyAIGateway",
    ]
    assert llm.model_kwargs == {"top_k": 40, "seed": 7}
    assert transport.json_bodies[0]["top_k"] == 40


def test_model_kwargs_never_hold_a_client_setting_and_errors_never_quote_the_key() -> None:
    with pytest.raises(MisplacedClientSettingError, match="'api_key'") as info:
        ChatAssemblyAIGateway(api_key=KEY, model_kwargs={"api_key": KEY})
    assert KEY not in str(info.value)

    with pytest.raises(ValueError, match="model_kwargs must not hold") as duplicate:
        ChatAssemblyAIGateway(api_key=KEY, model_kwargs={"temperature": 1})
    assert KEY not in str(duplicate.value)


# ------------------------------------------------------------------------- helpers


def _get_weather(city: str) -> str:
    """Get the weather for a city."""
    return "sunny"


WEATHER = {"title": "Weather", "type": "object", "properties": {"city": {"type": "string"}}}
