"""Recipe 6: fallbacks, the EU region and ``transcript_id`` injection.

Run: ``python -m cookbook.fallbacks_eu_transcript``
"""

from __future__ import annotations

from assemblyai_gateway import ModelNotAvailableInRegionError
from cookbook._runtime import EMULATOR_FAILING_MODEL, gateway_session, run_main
from langchain_assemblyai_gateway import ChatAssemblyAIGateway


def main() -> None:
    """Show a fallback serving a call, the EU residency guard, and transcript injection."""
    with gateway_session() as session:
        # 1. Fallbacks: the gateway tries each fallback in order when the primary fails.
        #    (The emulator fails the primary on purpose; live, the primary usually serves.)
        model = ChatAssemblyAIGateway(
            model=EMULATOR_FAILING_MODEL,
            fallbacks=[{"model": "claude-sonnet-4-5-20250929"}, {"model": "gemini-2.5-flash"}],
            fallback_config={"depth": 2},
            max_tokens=100,
        )
        reply = model.invoke("Reply with one word: ready?")
        print(
            f"fallbacks -> asked {EMULATOR_FAILING_MODEL}, served by "
            f"{reply.response_metadata['model_name']}: {reply.content}"
        )

        # 2. EU data residency: OpenAI models are US-only, so the client refuses them
        #    before any request leaves the machine.
        eu = ChatAssemblyAIGateway(model="gpt-5", region="eu", api_key="not-used")
        try:
            eu.invoke("hello")
        except ModelNotAvailableInRegionError as error:
            print(f"EU guard -> {type(error).__name__}: {error}")
        print(
            "EU region -> Claude and Gemini are served in the EU: "
            "ChatAssemblyAIGateway(model='claude-sonnet-4-5-20250929', region='eu')"
        )

        # 3. transcript_id: the gateway replaces {{ transcript }} with the transcript text.
        if session.transcript_id is None:
            print(
                "transcript_id -> skipped (set ASSEMBLYAI_TRANSCRIPT_ID to a transcript of yours)"
            )
            return
        summariser = ChatAssemblyAIGateway(
            model="claude-sonnet-4-5-20250929", transcript_id=session.transcript_id, max_tokens=300
        )
        summary = summariser.invoke("Summarise this meeting in two sentences: {{ transcript }}")
        print(f"transcript_id -> {summary.content}")
        print(
            f"  input tokens (transcript included server-side): "
            f"{summary.usage_metadata['input_tokens'] if summary.usage_metadata else 'n/a'}"
        )


if __name__ == "__main__":
    run_main(main, "fallbacks_eu_transcript")
