"""LangChain and the gateway's live model list: the profile and native streaming of a model
the built-in table does not know."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from langchain_core.messages import AIMessageChunk, BaseMessage

from assemblyai_gateway.catalog import (
    CONSERVATIVE_CONTEXT_WINDOW,
    CONSERVATIVE_MAX_OUTPUT_TOKENS,
    ModelInfo,
)
from assemblyai_gateway.emulator import GatewayEmulator
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from tests.support.model_lists import NEW_MODEL, NEW_MODEL_INFO
from tests.test_langchain_assemblyai_gateway.conftest import Runner


def model_on(emulator: GatewayEmulator, model: str = NEW_MODEL) -> ChatAssemblyAIGateway:
    return ChatAssemblyAIGateway(model=model, api_key=emulator.api_key, base_url=emulator.base_url)


def test_the_profile_of_a_model_known_only_from_the_list(
    gateway_emulator: GatewayEmulator, model_list_on: Path
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)
    profile = model_on(gateway_emulator).profile
    assert profile is not None
    assert (profile["max_input_tokens"], profile["max_output_tokens"]) == (500_000, 64_000)
    assert profile["tool_calling"] is True
    assert profile["structured_output"] is True
    assert profile["reasoning_output"] is True
    assert "status" not in profile


def test_what_the_list_leaves_out_the_profile_leaves_out(
    gateway_emulator: GatewayEmulator, model_list_on: Path
) -> None:
    plain = ModelInfo(
        NEW_MODEL,
        "anthropic",
        300_000,
        8_000,
        supports_tools=False,
        supports_json_schema=False,
        retired="2030-01-01",
    )
    gateway_emulator.add_model(plain)
    profile = model_on(gateway_emulator).profile
    assert profile is not None
    assert (profile["tool_calling"], profile["structured_output"]) == (False, False)
    assert (profile["reasoning_output"], profile["status"]) == (False, "deprecated")


def test_without_the_list_an_unknown_model_gets_the_conservative_profile(
    gateway_emulator: GatewayEmulator,
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)  # the list would say more: it is off
    profile = model_on(gateway_emulator).profile
    assert profile is not None
    assert profile["max_input_tokens"] == CONSERVATIVE_CONTEXT_WINDOW
    assert profile["max_output_tokens"] == CONSERVATIVE_MAX_OUTPUT_TOKENS
    assert [r.path for r in gateway_emulator.requests] == []


async def test_a_model_known_only_from_the_list_streams_natively(
    gateway_emulator: GatewayEmulator,
    model_list_on: Path,
    run: Runner,
    merge_chunks: Callable[[Sequence[BaseMessage]], AIMessageChunk],
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)
    chunks = await run.stream(model_on(gateway_emulator), "Hello there")
    assert len([c for c in chunks if c.content]) > 1
    assert merge_chunks(chunks).content == 'Emulated answer to: "Hello there"'
    log = [(r.method, (r.json or {}).get("stream")) for r in gateway_emulator.requests]
    assert log == [("GET", None), ("POST", True)]  # the list once (at construction), then SSE


async def test_a_refused_stream_is_replayed_for_langchain_too(
    gateway_emulator: GatewayEmulator,
    model_list_on: Path,
    run: Runner,
    merge_chunks: Callable[[Sequence[BaseMessage]], AIMessageChunk],
) -> None:
    from assemblyai_gateway.emulator import Fault

    gateway_emulator.add_model(NEW_MODEL_INFO)
    gateway_emulator.inject(Fault.status(400, "stream is not supported for this model"))
    llm = model_on(gateway_emulator).bind(max_tokens=50)
    for _ in range(2):
        chunks = await run.stream(llm, "Hi")
        assert merge_chunks(chunks).content == 'Emulated answer to: "Hi"'
    chat = [r.json or {} for r in gateway_emulator.requests if r.method == "POST"]
    assert [body.get("stream") for body in chat] == [True, None, None]


async def test_structured_output_uses_a_tool_for_a_model_the_list_gives_no_response_format(
    gateway_emulator: GatewayEmulator, model_list_on: Path, run: Runner
) -> None:
    from pydantic import BaseModel

    class Answer(BaseModel):
        text: str

    tools_only = ModelInfo(NEW_MODEL, "anthropic", 300_000, 8_000, supports_json_schema=False)
    gateway_emulator.add_model(tools_only)
    answer = await run.invoke(model_on(gateway_emulator).with_structured_output(Answer), "Hi")
    assert isinstance(answer, Answer)
    [chat] = [r.json or {} for r in gateway_emulator.requests if r.method == "POST"]
    assert "response_format" not in chat
    assert chat["tool_choice"]["function"]["name"] == "Answer"
