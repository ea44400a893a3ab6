"""The LlamaIndex form of the transcript tasks: the LLM's settings and the reader's
documents, translated to the core."""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core.schema import Document, TextNode

from assemblyai_gateway import ConfigurationError
from assemblyai_gateway.emulator import GatewayEmulator
from llama_index_assemblyai_gateway import (
    AssemblyAIGateway,
    AssemblyAITranscriptReader,
    transcript_tasks,
    transcripts_from_documents,
)
from tests.support.transcript_cases import MEETING, MEETING_TURNS
from tests.support.transcript_tasks import chat_requests


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_tasks_run_over_the_readers_documents(gateway_emulator: GatewayEmulator, mode: str) -> None:
    documents = AssemblyAITranscriptReader(
        transcript_ids=MEETING, transcript_format="utterances"
    ).load_data()
    gateway_emulator.reset()
    [meeting] = transcripts_from_documents(documents)
    assert [u.speaker for u in meeting.utterances or ()] == [t[0] for t in MEETING_TURNS]
    tasks = transcript_tasks(
        AssemblyAIGateway(model="gpt-4.1", temperature=0.2), speaker_labels=True
    )
    questions = [{"question": "Was a date agreed?", "answer_options": ["yes", "no"]}]
    if mode == "sync":
        result = tasks.answer_questions(meeting, questions)
    else:
        result = asyncio.run(tasks.aanswer_questions(meeting, questions))
    [body] = chat_requests(gateway_emulator)
    assert body["temperature"] == 0.2
    assert "Speaker B: The iOS build passed review yesterday." in body["messages"][1]["content"]
    assert result.answers[0].answer in ("yes", "no")
    assert result.answers[0].sources[0].transcript_id == MEETING


def test_the_llms_extra_fields_and_budget_are_sent(gateway_emulator: GatewayEmulator) -> None:
    llm = AssemblyAIGateway(model="gpt-4.1", max_tokens=300, additional_kwargs={"seed": 3})
    transcript_tasks(llm).summarize(MEETING)
    [body] = chat_requests(gateway_emulator)
    assert (body["max_tokens"], body["seed"], body["transcript_id"]) == (300, 3, MEETING)


def test_nodes_without_a_transcript_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="transcript_id"):
        transcripts_from_documents([TextNode(text="a note"), Document(text="x")])
