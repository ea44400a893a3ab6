"""LlamaIndex's TokenCountingHandler counts from the gateway's usage, never a tokenizer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

from assemblyai_gateway.emulator import GatewayEmulator
from llama_index_assemblyai_gateway import AssemblyAIGateway

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import Runner

HI = [ChatMessage(role="user", content="Say hello")]


def refuse_to_tokenize(text: str) -> list[int]:
    """A tokenizer that fails: any count taken from it instead of usage fails the test."""
    raise AssertionError(f"TokenCountingHandler tokenized {text!r} instead of reading usage")


@pytest.mark.parametrize("model", ["claude-sonnet-4-5-20250929", "gpt-4.1"])
async def test_token_counts_are_the_gateways_usage(
    gateway_emulator: GatewayEmulator, runner: Runner, model: str
) -> None:
    handler = TokenCountingHandler(tokenizer=refuse_to_tokenize)
    llm = AssemblyAIGateway(model=model, callback_manager=CallbackManager([handler]))

    chat = await runner.chat(llm, HI)
    streamed = await runner.stream_chat(llm, HI)
    completed = await runner.complete(llm, "Say hello")

    usages = [
        (r.additional_kwargs["prompt_tokens"], r.additional_kwargs["completion_tokens"])
        for r in (chat, streamed[-1], completed)
    ]
    counted = [(e.prompt_token_count, e.completion_token_count) for e in handler.llm_token_counts]
    assert counted == usages
    assert handler.total_llm_token_count == sum(p + c for p, c in usages)


def test_the_default_handler_needs_no_download(gateway_emulator: GatewayEmulator) -> None:
    """Built with its default tokenizer (bundled with llama-index), offline, it counts usage."""
    handler = TokenCountingHandler()
    llm = AssemblyAIGateway(
        model="claude-sonnet-4-5-20250929", callback_manager=CallbackManager([handler])
    )
    reply = llm.chat(HI)
    assert handler.prompt_llm_token_count == reply.additional_kwargs["prompt_tokens"]
    assert handler.completion_llm_token_count == reply.additional_kwargs["completion_tokens"]
