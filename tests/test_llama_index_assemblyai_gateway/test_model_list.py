"""LlamaIndex and the gateway's live model list: the metadata and native streaming of a model
the built-in table does not know."""

from __future__ import annotations

from pathlib import Path

from llama_index.core.base.llms.types import ChatMessage

from assemblyai_gateway.catalog import CONSERVATIVE_CONTEXT_WINDOW, ModelInfo
from assemblyai_gateway.emulator import Fault, GatewayEmulator
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.model_lists import NEW_MODEL, NEW_MODEL_INFO
from tests.test_llama_index_assemblyai_gateway.conftest import Runner

HELLO = [ChatMessage(role="user", content="Hello there")]


def llm_on(emulator: GatewayEmulator, **settings: object) -> AssemblyAIGateway:
    return AssemblyAIGateway(
        model=NEW_MODEL, api_key=emulator.api_key, base_url=emulator.base_url, **settings
    )


def test_the_metadata_of_a_model_known_only_from_the_list(
    gateway_emulator: GatewayEmulator, model_list_on: Path
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)
    metadata = llm_on(gateway_emulator, max_tokens=100_000).metadata
    assert (metadata.context_window, metadata.num_output) == (500_000, 64_000)
    assert metadata.is_function_calling_model is True
    assert metadata.model_name == NEW_MODEL
    assert len([r for r in gateway_emulator.requests if r.path == "/v1/models"]) == 1


def test_a_model_the_list_says_takes_no_tools_is_no_function_calling_model(
    gateway_emulator: GatewayEmulator, model_list_on: Path
) -> None:
    gateway_emulator.add_model(
        ModelInfo(NEW_MODEL, "anthropic", 300_000, 8_000, supports_tools=False)
    )
    metadata = llm_on(gateway_emulator).metadata
    assert (metadata.context_window, metadata.num_output) == (300_000, 1000)
    assert metadata.is_function_calling_model is False


def test_without_the_list_an_unknown_model_gets_the_conservative_metadata(
    gateway_emulator: GatewayEmulator,
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)
    assert llm_on(gateway_emulator).metadata.context_window == CONSERVATIVE_CONTEXT_WINDOW
    assert gateway_emulator.requests == []


async def test_a_model_known_only_from_the_list_streams_natively(
    gateway_emulator: GatewayEmulator, model_list_on: Path, runner: Runner
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)
    responses = await runner.stream_chat(llm_on(gateway_emulator), HELLO)
    assert len([r for r in responses if r.delta]) > 1
    assert responses[-1].message.content == 'Emulated answer to: "Hello there"'
    log = [(r.method, (r.json or {}).get("stream")) for r in gateway_emulator.requests]
    assert log == [("GET", None), ("POST", True)]


async def test_a_refused_stream_is_replayed_for_llama_index_too(
    gateway_emulator: GatewayEmulator, model_list_on: Path, runner: Runner
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)
    gateway_emulator.inject(Fault.status(422, "stream: unsupported"))
    llm = llm_on(gateway_emulator)
    for _ in range(2):
        responses = await runner.stream_chat(llm, HELLO)
        assert responses[-1].message.content == 'Emulated answer to: "Hello there"'
    chat = [r.json or {} for r in gateway_emulator.requests if r.method == "POST"]
    assert [body.get("stream") for body in chat] == [True, None, None]


async def test_structured_output_uses_a_tool_for_a_model_the_list_gives_no_response_format(
    gateway_emulator: GatewayEmulator, model_list_on: Path, runner: Runner
) -> None:
    from llama_index.core.prompts import PromptTemplate
    from pydantic import BaseModel

    class Answer(BaseModel):
        text: str

    tools_only = ModelInfo(NEW_MODEL, "anthropic", 300_000, 8_000, supports_json_schema=False)
    gateway_emulator.add_model(tools_only)
    answer = await runner.structured_predict(
        llm_on(gateway_emulator), Answer, PromptTemplate("Say {word}"), word="hi"
    )
    assert isinstance(answer, Answer)
    [chat] = [r.json or {} for r in gateway_emulator.requests if r.method == "POST"]
    assert "response_format" not in chat
    assert chat["tools"][0]["function"]["name"] == "Answer"
