"""The LlamaIndex transcript reader: the shared behaviours, and LlamaIndex's own contract."""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core.readers.base import BaseReader
from llama_index.core.schema import Document, MetadataMode

from assemblyai_gateway.emulator import GatewayEmulator
from llama_index_assemblyai_gateway import AssemblyAITranscriptReader
from tests.support.transcript_behaviours import *  # noqa: F403  (the shared tests)
from tests.support.transcript_cases import MEETING, Framework


@pytest.fixture
def framework() -> Framework:
    return "llama_index"


def test_it_is_a_llama_index_reader_with_native_async() -> None:
    assert issubclass(AssemblyAITranscriptReader, BaseReader)
    assert AssemblyAITranscriptReader.aload_data is not BaseReader.aload_data
    assert AssemblyAITranscriptReader.lazy_load_data is not BaseReader.lazy_load_data


def test_documents_carry_stable_ids_and_extra_info(gateway_emulator: GatewayEmulator) -> None:
    reader = AssemblyAITranscriptReader(transcript_ids=MEETING, transcript_format="paragraphs")
    documents = reader.load_data(extra_info={"meeting": "weekly sync"})
    assert all(isinstance(document, Document) for document in documents)
    assert documents[0].id_ == "emulator-meeting:paragraphs:0"
    assert documents[0].metadata["meeting"] == "weekly sync"
    again = asyncio.run(reader.alazy_load_data())
    assert [d.id_ for d in again] == [d.id_ for d in documents]


def test_what_the_model_sees_keeps_speaker_and_times_only(
    gateway_emulator: GatewayEmulator,
) -> None:
    reader = AssemblyAITranscriptReader(transcript_ids=MEETING, transcript_format="utterances")
    shown = reader.load_data()[1].get_content(metadata_mode=MetadataMode.LLM)
    assert "speaker: B" in shown
    assert "start: 6480" in shown
    assert "audio_url" not in shown
    assert "confidence" not in shown
