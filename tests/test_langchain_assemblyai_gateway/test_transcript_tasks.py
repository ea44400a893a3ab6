"""LangChain forms of the transcript tasks and of speech understanding: they translate
the model's settings and the loader's documents, and reuse the core."""

from __future__ import annotations

import asyncio
import copy

import pytest
from langchain_core.documents import Document

from assemblyai_gateway import ConfigurationError
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.transcripts import TaskResult
from langchain_assemblyai_gateway import (
    AssemblyAITranscriptLoader,
    AssemblyAIUnderstandingTransformer,
    ChatAssemblyAIGateway,
    transcript_task,
    transcript_tasks,
    transcripts_from_documents,
)
from tests.support.transcript_cases import LECTURE, MEETING, MEETING_TURNS
from tests.support.transcript_tasks import chat_requests


def utterances() -> list[Document]:
    return AssemblyAITranscriptLoader(transcript_ids=MEETING, transcript_format="utterances").load()


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_task_runnable_takes_the_loaders_documents(
    gateway_emulator: GatewayEmulator, mode: str
) -> None:
    documents = utterances()
    gateway_emulator.reset()
    chain = transcript_task(
        ChatAssemblyAIGateway(model="gpt-4.1"), "action_items", speaker_labels=True, timestamps=True
    )
    result = chain.invoke(documents) if mode == "invoke" else asyncio.run(chain.ainvoke(documents))
    assert isinstance(result, TaskResult)
    [body] = chat_requests(gateway_emulator)
    content = body["messages"][1]["content"]
    assert "transcript_id" not in body  # documents go inline
    assert "[00:00:00] Speaker A: Good morning, everyone." in content
    assert result.sources[0].transcript_id == MEETING
    assert result.sources[0].end == MEETING_TURNS[-1][2]


def test_ids_go_by_transcript_id_and_batch_runs_each(gateway_emulator: GatewayEmulator) -> None:
    chain = transcript_task(ChatAssemblyAIGateway(), "summarize", answer_format="one line")
    first, second = chain.batch([MEETING, [LECTURE]])
    bodies = chat_requests(gateway_emulator)
    assert sorted(body["transcript_id"] for body in bodies) == [LECTURE, MEETING]
    assert first.transcript_ids == (MEETING,)
    assert second.transcript_ids == (LECTURE,)


def test_the_models_settings_are_the_tasks(gateway_emulator: GatewayEmulator) -> None:
    llm = ChatAssemblyAIGateway(
        model="gpt-4.1",
        temperature=0.1,
        max_tokens=700,
        fallbacks=["claude-sonnet-4-5-20250929"],
        transcript_id="ignored",
        zero_data_retention=True,
    )
    tasks = transcript_tasks(llm, speaker_labels=True)
    assert tasks.client is llm.client
    tasks.answer_questions(MEETING, ["Who owns QA?"])
    [body] = chat_requests(gateway_emulator)
    assert body["model"] == "gpt-4.1"
    assert (body["temperature"], body["max_tokens"]) == (0.1, 700)
    assert body["fallbacks"] == [{"model": "claude-sonnet-4-5-20250929"}]
    assert body["zero_data_retention"] is True
    assert "transcript_id" not in body


def test_a_misplaced_argument_fails_when_the_runnable_is_made() -> None:
    with pytest.raises(ConfigurationError, match="questions"):
        transcript_task(ChatAssemblyAIGateway(api_key="k"), "summarize", questions=["Why?"])
    with pytest.raises(ConfigurationError, match="transcript_id"):
        transcripts_from_documents([Document(page_content="a note")])


NAMES = {"speaker_identification": {"speaker_type": "name", "known_values": ["Ana", "Ben", "Cy"]}}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_transformer_names_speakers_and_adds_translations(
    gateway_emulator: GatewayEmulator, mode: str
) -> None:
    documents = [*utterances(), Document(page_content="unrelated", metadata={"source": "wiki"})]
    before = copy.deepcopy(documents)
    transformer = AssemblyAIUnderstandingTransformer(
        {**NAMES, "translation": {"target_languages": ["es"], "match_original_utterance": True}}
    )
    if mode == "sync":
        named = transformer.transform_documents(documents)
    else:
        named = asyncio.run(transformer.atransform_documents(documents))
    assert documents == before
    assert named[0].page_content.startswith("Ana: Good morning, everyone. Let's start")
    assert (named[0].metadata["speaker"], named[0].metadata["speaker_label"]) == ("Ana", "A")
    assert named[1].metadata["translation_es"].startswith("[es] The iOS build")
    assert named[0].id == documents[0].id
    assert named[-1] == documents[-1]  # not a transcript's: unchanged
    assert [r.path for r in gateway_emulator.requests].count("/v1/understanding") == 1


def test_the_transformer_can_make_a_translation_the_text_and_format_whole_texts(
    gateway_emulator: GatewayEmulator,
) -> None:
    whole = AssemblyAITranscriptLoader(transcript_ids=[MEETING, LECTURE]).load()
    translated = AssemblyAIUnderstandingTransformer(
        {"translation": {"target_languages": ["de"]}}, translation_language="de"
    ).transform_documents(whole)
    assert all(d.page_content.startswith("[de] ") for d in translated)
    formatted = AssemblyAIUnderstandingTransformer(
        {"custom_formatting": {"date": "mm/dd/yyyy"}}
    ).transform_documents(whole)
    assert formatted[0].metadata["understanding_request_id"]
    assert gateway_emulator.api_key not in repr(AssemblyAIUnderstandingTransformer(NAMES))
