"""The LangChain transcript loader: the shared behaviours, and LangChain's own contract."""

from __future__ import annotations

import inspect

import pytest
from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from assemblyai_gateway.emulator import GatewayEmulator
from langchain_assemblyai_gateway import AssemblyAITranscriptLoader
from tests.support.transcript_behaviours import *  # noqa: F403  (the shared tests)
from tests.support.transcript_cases import MEETING, Framework


@pytest.fixture
def framework() -> Framework:
    return "langchain"


def test_it_is_a_langchain_loader_with_native_async() -> None:
    assert issubclass(AssemblyAITranscriptLoader, BaseLoader)
    # alazy_load is its own async generator, not BaseLoader's thread wrapper.
    assert inspect.isasyncgenfunction(AssemblyAITranscriptLoader.alazy_load)
    assert AssemblyAITranscriptLoader.alazy_load is not BaseLoader.alazy_load


def test_documents_carry_stable_ids(gateway_emulator: GatewayEmulator) -> None:
    loader = AssemblyAITranscriptLoader(transcript_ids=MEETING, transcript_format="utterances")
    first, again = loader.load(), loader.load()
    assert all(isinstance(document, Document) for document in first)
    assert [d.id for d in first] == [d.id for d in again]
    assert first[0].id == "emulator-meeting:utterances:0"


def test_lazy_load_fetches_one_transcript_at_a_time(gateway_emulator: GatewayEmulator) -> None:
    loader = AssemblyAITranscriptLoader(transcript_ids=[MEETING, "emulator-lecture"])
    documents = loader.lazy_load()
    next(documents)
    fetched = {r.path for r in gateway_emulator.requests}
    assert fetched == {"/v2/transcript/emulator-meeting"}
