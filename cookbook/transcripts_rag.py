"""Recipe 8: RAG over a folder of transcripts with speaker-aware citations, in LangChain
and in LlamaIndex.

Both halves load every transcript as one document per speaker turn (the speaker, its
start and end in the metadata), retrieve the turns that answer a question with BM25
(lexical: it runs offline, no embedding model), and have the gateway answer from them,
citing each source as ``[n]``; every citation names the call, the moment and the
speaker. In LangChain the gateway's speech understanding first gives the speakers
roles (``Speaker A`` becomes ``host``).

Without a key, the embedded emulator serves the three calls in
``cookbook/data/transcripts/`` (its answers are stand-ins, not a model's). With
``ASSEMBLYAI_API_KEY``, set ``ASSEMBLYAI_TRANSCRIPT_IDS`` to transcripts of yours made
with speaker labels, comma-separated.

Run: ``python -m cookbook.transcripts_rag``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import bm25s
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from llama_index.core.query_engine import CitationQueryEngine
from llama_index.core.schema import MetadataMode
from llama_index.retrievers.bm25 import BM25Retriever
from pydantic import PrivateAttr

from cookbook._runtime import DATA_DIR, TRANSCRIPT_IDS_ENV, gateway_session, run_main
from langchain_assemblyai_gateway import (
    AssemblyAITranscriptLoader,
    AssemblyAIUnderstandingTransformer,
    ChatAssemblyAIGateway,
)
from llama_index_assemblyai_gateway import AssemblyAIGateway, AssemblyAITranscriptReader

TRANSCRIPTS = DATA_DIR / "transcripts"
MODEL = "claude-haiku-4-5-20251001"
QUESTIONS = (
    "When does the EU region launch, and what does the date depend on?",
    "Who fixes the Android payment crash, and what happens for the affected customers?",
)
ROLES = ["host", "engineer", "legal or support lead"]
SYSTEM = (
    "Answer from the numbered sources only, which are turns of recorded calls. Cite "
    "each fact with its source number in brackets, like [2], and say who said it."
)


def moment(milliseconds: int) -> str:
    """``MM:SS`` into the call."""
    seconds = milliseconds // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def citation(metadata: Mapping[str, Any]) -> str:
    """Where a turn was said: ``call 00:23-00:31, engineer (Speaker B)``."""
    speaker = str(metadata.get("speaker", "?"))
    label = metadata.get("speaker_label")
    who = f"{speaker} (Speaker {label})" if label else f"Speaker {speaker}"
    span = f"{moment(metadata['start'])}-{moment(metadata['end'])}"
    return f"{metadata['transcript_id']} {span}, {who}"


# -- LangChain -------------------------------------------------------------------------


class BM25TurnRetriever(BaseRetriever):
    """A LangChain retriever over speaker turns, ranked by BM25 (the ``bm25s`` library)."""

    documents: list[Document]
    k: int = 3
    _index: Any = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        corpus = bm25s.tokenize([d.page_content for d in self.documents], show_progress=False)
        self._index = bm25s.BM25()
        self._index.index(corpus, show_progress=False)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        tokens = bm25s.tokenize([query], show_progress=False)
        k = min(self.k, len(self.documents))
        found, _ = self._index.retrieve(tokens, k=k, show_progress=False)
        return [self.documents[int(index)] for index in found[0]]


def numbered(documents: Sequence[Document]) -> str:
    """The sources as the model reads them: ``[n] (where, who) what``."""
    return "\n".join(
        f"[{n}] ({citation(d.metadata)}) {d.page_content}" for n, d in enumerate(documents, 1)
    )


def langchain_rag(transcript_ids: Sequence[str]) -> None:
    """Load the turns, name the speakers' roles, retrieve, answer with citations."""
    turns = AssemblyAITranscriptLoader(
        transcript_ids=list(transcript_ids), transcript_format="utterances"
    ).load()
    roles = {"speaker_identification": {"speaker_type": "role", "known_values": ROLES}}
    turns = AssemblyAIUnderstandingTransformer(roles).transform_documents(turns)
    retriever = BM25TurnRetriever(documents=turns)
    prompt = ChatPromptTemplate.from_messages(
        [("system", SYSTEM), ("human", "Sources:\n{sources}\n\nQuestion: {question}")]
    )
    answer = prompt | ChatAssemblyAIGateway(model=MODEL, max_tokens=300) | StrOutputParser()
    print(f"LangChain: {len(turns)} speaker turns from {len(transcript_ids)} calls")
    for question in QUESTIONS:
        sources = retriever.invoke(question)
        print(f"question -> {question}")
        print(f"answer -> {answer.invoke({'sources': numbered(sources), 'question': question})}")
        for n, source in enumerate(sources, 1):
            said = source.page_content.split(": ", 1)[-1]  # after "host: "
            print(f"  [{n}] {citation(source.metadata)}: {said[:60]}")


# -- LlamaIndex ------------------------------------------------------------------------


def llamaindex_rag(transcript_ids: Sequence[str]) -> None:
    """The same with LlamaIndex: BM25 over the reader's turns, a citation query engine."""
    turns = AssemblyAITranscriptReader(
        transcript_ids=list(transcript_ids), transcript_format="utterances"
    ).load_data()
    engine = CitationQueryEngine(
        retriever=BM25Retriever.from_defaults(nodes=turns, similarity_top_k=3),
        llm=AssemblyAIGateway(model=MODEL, max_tokens=300),
        metadata_mode=MetadataMode.LLM,  # the model reads each turn's call, speaker and time
    )
    print(f"LlamaIndex: {len(turns)} speaker turns from {len(transcript_ids)} calls")
    for question in QUESTIONS:
        response = engine.query(question)
        print(f"question -> {question}")
        print(f"answer -> {response}")
        for n, source in enumerate(response.source_nodes, 1):
            # "Source n:", the metadata the model read, a blank line, then the turn.
            said = source.node.get_content().rsplit("\n\n", 1)[-1].split(": ", 1)[-1]
            print(f"  [{n}] {citation(source.node.metadata)}: {said[:60]}")


def main() -> None:
    """Both halves over the same calls."""
    with gateway_session(transcript_folder=TRANSCRIPTS) as session:
        if not session.transcript_ids:
            print(f"Set {TRANSCRIPT_IDS_ENV} to your transcript ids (with speaker labels).")
            return
        langchain_rag(session.transcript_ids)
        llamaindex_rag(session.transcript_ids)


if __name__ == "__main__":
    run_main(main, "transcripts_rag")
