"""Recipe 1: LangChain quickstart: invoke, stream, batch, usage and request_id.

Run: ``python -m cookbook.langchain_quickstart``
"""

from __future__ import annotations

from langchain_core.language_models import LanguageModelInput

from cookbook._runtime import gateway_session, run_main
from langchain_assemblyai_gateway import ChatAssemblyAIGateway


def main() -> None:
    """Invoke a Claude model, stream a GPT model, and batch three prompts."""
    with gateway_session():
        claude = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", max_tokens=200)
        reply = claude.invoke("In one sentence: what does an LLM gateway do?")
        print(f"invoke -> {reply.content}")
        print(f"  usage: {reply.usage_metadata}")
        print(f"  request_id: {reply.response_metadata['request_id']}")

        # GPT models stream over SSE; Claude and Gemini stream through the same API.
        gpt = ChatAssemblyAIGateway(model="gpt-5-mini", max_tokens=200)
        pieces: list[str] = []
        last_usage = None
        for chunk in gpt.stream("Name three primary colours."):
            pieces.append(str(chunk.content))
            last_usage = chunk.usage_metadata or last_usage
        print(f"stream -> {len(pieces)} chunks: {''.join(pieces)}")
        print(f"  usage: {last_usage}")

        prompts: list[LanguageModelInput] = [
            "Say hello in French.",
            "Say hello in Spanish.",
            "Say hello in German.",
        ]
        for prompt, answer in zip(prompts, claude.batch(prompts), strict=True):
            print(f"batch  -> {prompt!r}: {answer.content}")


if __name__ == "__main__":
    run_main(main, "langchain_quickstart")
