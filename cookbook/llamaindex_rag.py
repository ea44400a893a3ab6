"""Recipe 5: LlamaIndex RAG over the meeting transcript, with a real BM25 retriever.

BM25 is a lexical retriever: it runs offline with no embedding model, so nothing here
is a stand-in except (without a key) the emulator's answer.

Run: ``python -m cookbook.llamaindex_rag``
"""

from __future__ import annotations

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.retrievers.bm25 import BM25Retriever

from cookbook._runtime import gateway_session, meeting_transcript, run_main
from llama_index_assemblyai_gateway import AssemblyAIGateway

QUESTIONS = (
    "When is the audit log proposal due, and who writes it?",
    "What date is the EU data-residency launch?",
)


def build_query_engine() -> RetrieverQueryEngine:
    """Chunk the transcript, index it with BM25 and answer with the gateway."""
    document = Document(text=meeting_transcript(), metadata={"source": "meeting_transcript.txt"})
    nodes = SentenceSplitter(chunk_size=64, chunk_overlap=16).get_nodes_from_documents([document])
    retriever = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=3)
    llm = AssemblyAIGateway(model="claude-haiku-4-5-20251001", max_tokens=300)
    return RetrieverQueryEngine.from_args(retriever, llm=llm)


def main() -> None:
    """Answer two questions and show which transcript passages were retrieved."""
    with gateway_session():
        engine = build_query_engine()
        for question in QUESTIONS:
            response = engine.query(question)
            print(f"question -> {question}")
            for source in response.source_nodes:
                snippet = source.node.get_content().replace("\n", " ")[:70]
                print(f"  retrieved ({source.score:.2f}): {snippet}...")
            print(f"answer -> {response}")


if __name__ == "__main__":
    run_main(main, "llamaindex_rag")
