"""Bad user input gets a typed library error naming the field, before anything is sent.

Each case runs for both adapters against the suite's emulator; "before anything is
sent" is checked on the emulator's request log. Also here: per-call client settings
are refused by both adapters while request fields reach the gateway (and its echo), a
bare fallback string is one model, and tool calls without an id get the same generated
id from both adapters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ToolCallBlock

from assemblyai_gateway import (
    ConfigurationError,
    GatewayClient,
    GatewayError,
    MisplacedClientSettingError,
)
from assemblyai_gateway._wire.types import stable_tool_call_id
from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.call_arguments import GATEWAY_EXTRAS

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, Kit

CLAUDE = "claude-sonnet-4-5-20250929"
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _sent(emulator: GatewayEmulator) -> list[dict[str, Any]]:
    return [record.json or {} for record in emulator.requests]


async def _call_with(adapter: AdapterDriver, llm: Any, way: str, **kwargs: Any) -> Any:
    """One call with per-call kwargs; the error (or the reply) is returned."""
    try:
        if adapter.name == "langchain":
            if way == "ainvoke":
                return await llm.ainvoke("hi", **kwargs)
            return llm.invoke("hi", **kwargs)
        messages = [ChatMessage(role="user", content="hi")]
        if way == "ainvoke":
            return await llm.achat(messages, **kwargs)
        return llm.chat(messages, **kwargs)
    except Exception as exc:
        return exc


def _assert_typed(error: Any, field: str) -> None:
    assert isinstance(error, GatewayError), f"not a library error: {error!r}"
    assert field in str(error), f"{field!r} is not named in {error}"


# ------------------------------------------------------------------ per-call kwargs


@pytest.mark.parametrize("way", ["invoke", "ainvoke"])
async def test_model_none_per_call_is_a_typed_error_naming_model(
    adapter: AdapterDriver, emulator: GatewayEmulator, way: str
) -> None:
    llm = adapter.make(CLAUDE, max_retries=0)
    _assert_typed(await _call_with(adapter, llm, way, model=None), "model")
    assert emulator.requests == []


@pytest.mark.parametrize("way", ["invoke", "ainvoke"])
async def test_a_bare_fallback_string_is_one_fallback_model(
    adapter: AdapterDriver, emulator: GatewayEmulator, kit: type[Kit], way: str
) -> None:
    per_instance = adapter.make(CLAUDE, max_retries=0, fallbacks="gpt-5")
    per_call = adapter.make(CLAUDE, max_retries=0)

    await _call_with(adapter, per_instance, way)
    await _call_with(adapter, per_call, way, fallbacks="gpt-5")

    assert [body.get("fallbacks") for body in _sent(emulator)] == [[{"model": "gpt-5"}]] * 2


def _request_echo(adapter: AdapterDriver, reply: Any) -> dict[str, Any]:
    """The gateway's echo of the request, where each framework keeps it."""
    if adapter.name == "langchain":
        echo: dict[str, Any] = reply.response_metadata["request"]
    else:
        echo = reply.raw["request"]
    return echo


@pytest.mark.parametrize("way", ["invoke", "ainvoke"])
async def test_client_settings_per_call_are_refused_and_request_fields_are_sent(
    adapter: AdapterDriver, emulator: GatewayEmulator, kit: type[Kit], way: str
) -> None:
    extras: dict[str, Any] = {
        "model_kwargs" if adapter.name == "langchain" else "additional_kwargs": {"user_tag": "a"}
    }
    llm = adapter.make(CLAUDE, max_retries=0, **extras)
    other_key = "sk-aai-OTHER-KEY-31f0"
    for setting in ("api_key", "base_url", "timeout", "max_retries", "http_client"):
        error = await _call_with(adapter, llm, way, **{setting: other_key})
        assert isinstance(error, MisplacedClientSettingError), error
        assert f"'{setting}'" in str(error)
        assert other_key not in str(error)
    assert emulator.requests == []

    # The gateway's fields (known to the core or not) and the model's extras are sent.
    reply = await _call_with(
        adapter, llm, way, temperature=0.5, user_tag="b", seed=3, **GATEWAY_EXTRAS
    )

    assert not isinstance(reply, Exception), reply
    sent = _sent(emulator)[-1]
    assert (sent["temperature"], sent["user_tag"], sent["seed"]) == (0.5, "b", 3)
    echo = _request_echo(adapter, reply)
    assert {name: echo[name] for name in GATEWAY_EXTRAS} == GATEWAY_EXTRAS
    assert kit.SECRET_KEY not in repr(echo)
    assert "api_key" not in sent


# -------------------------------------------------------------------- message content


async def test_a_lone_surrogate_in_content_names_the_field(
    adapter: AdapterDriver, emulator: GatewayEmulator
) -> None:
    llm = adapter.make(CLAUDE, max_retries=0)
    text = "broken \ud800 text"
    if adapter.name == "langchain":
        error = await _lc_call(llm, [HumanMessage(content=text)])
    else:
        error = await _li_call(llm, [ChatMessage(role="user", content=text)])
    _assert_typed(error, "messages.0.content")
    assert emulator.requests == []


async def test_tool_arguments_holding_a_datetime_are_a_typed_error_naming_the_tool(
    adapter: AdapterDriver, emulator: GatewayEmulator
) -> None:
    llm = adapter.make(CLAUDE, max_retries=0)
    if adapter.name == "langchain":
        history: list[Any] = [
            HumanMessage(content="when?"),
            AIMessage(content="", tool_calls=[{"name": "clock", "args": {"at": WHEN}, "id": "c1"}]),
            ToolMessage(content="noon", tool_call_id="c1"),
        ]
        error = await _lc_call(llm, history)
    else:
        history = [
            ChatMessage(role="user", content="when?"),
            ChatMessage(
                role="assistant",
                blocks=[
                    ToolCallBlock(tool_call_id="c1", tool_name="clock", tool_kwargs={"at": WHEN})
                ],
            ),
            ChatMessage(role="tool", content="noon", additional_kwargs={"tool_call_id": "c1"}),
        ]
        error = await _li_call(llm, history)
    _assert_typed(error, "clock")
    assert emulator.requests == []


async def test_tool_calls_without_an_id_get_the_same_generated_id_in_both_adapters(
    adapter: AdapterDriver, emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    llm = adapter.make(CLAUDE, max_retries=0)
    if adapter.name == "langchain":
        history: list[Any] = [
            HumanMessage(content="weather?"),
            AIMessage(
                content="",
                tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": None}],
            ),
            ToolMessage(content="Sunny", tool_call_id=""),
        ]
        reply = await _lc_call(llm, history)
    else:
        history = [
            ChatMessage(role="user", content="weather?"),
            ChatMessage(
                role="assistant",
                blocks=[
                    TextBlock(text=""),
                    ToolCallBlock(tool_name="get_weather", tool_kwargs={"city": "Paris"}),
                ],
            ),
            ChatMessage(
                role="tool",
                content="Sunny",
                additional_kwargs={
                    "tool_call_id": stable_tool_call_id(0, "get_weather", '{"city": "Paris"}')
                },
            ),
        ]
        reply = await _li_call(llm, history)
    assert not isinstance(reply, Exception), reply
    sent = _sent(emulator)[-1]["messages"]
    expected = stable_tool_call_id(0, "get_weather", '{"city": "Paris"}')
    assert sent[1]["tool_calls"][0]["id"] == expected
    assert sent[2]["tool_call_id"] == expected


async def _lc_call(llm: Any, messages: list[Any]) -> Any:
    try:
        return await llm.ainvoke(messages)
    except Exception as exc:
        return exc


async def _li_call(llm: Any, messages: list[Any]) -> Any:
    try:
        return await llm.achat(messages)
    except Exception as exc:
        return exc


# ------------------------------------------------------------------- client settings


@pytest.mark.parametrize(
    ("setting", "value", "field"),
    [
        ("timeout", float("inf"), "timeout"),
        ("timeout", float("nan"), "timeout"),
        ("base_url", "http://[::1", "base_url"),
        ("base_url", "http://", "base_url"),
    ],
    ids=["timeout-inf", "timeout-nan", "base-url-bad-ipv6", "base-url-no-host"],
)
@pytest.mark.parametrize("way", ["invoke", "ainvoke"])
async def test_bad_client_settings_are_typed_errors_naming_the_setting(
    adapter: AdapterDriver,
    emulator: GatewayEmulator,
    setting: str,
    value: Any,
    field: str,
    way: str,
) -> None:
    try:
        llm = adapter.make(CLAUDE, max_retries=0, **{setting: value})
    except Exception as exc:  # a framework may refuse it while validating its fields
        error: Any = exc
    else:
        error = await _call_with(adapter, llm, way)
    assert isinstance(error, (GatewayError, ValueError)), f"untyped: {error!r}"
    assert not isinstance(error, (OverflowError, TypeError)), f"raw: {error!r}"
    assert field in str(error)
    assert emulator.requests == []


@pytest.mark.parametrize("way", ["invoke", "ainvoke"])
async def test_a_timeout_given_as_text_is_a_typed_error_in_langchain(
    emulator: GatewayEmulator, kit: type[Kit], way: str
) -> None:
    from langchain_assemblyai_gateway import ChatAssemblyAIGateway

    llm = ChatAssemblyAIGateway(
        model=CLAUDE, api_key=kit.SECRET_KEY, base_url=emulator.base_url, timeout="30"
    )
    with pytest.raises(ConfigurationError, match="timeout"):
        await (llm.ainvoke("hi") if way == "ainvoke" else _sync(llm.invoke, "hi"))
    assert emulator.requests == []


async def _sync(function: Any, *args: Any) -> Any:
    return function(*args)


@pytest.mark.parametrize("timeout", ["30", float("inf"), -1, True])
def test_the_core_client_refuses_unusable_timeouts_by_name(timeout: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        GatewayClient(api_key="k", timeout=timeout)
