"""Speech understanding over transcript documents, as a LangChain document transformer."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.documents import BaseDocumentTransformer, Document

from assemblyai_gateway.transcripts import TranscriptRecord, apply_understanding
from assemblyai_gateway.understanding import UnderstandingRequest, understanding_request

if TYPE_CHECKING:
    from assemblyai_gateway import GatewayClient, UnderstandingResponse

__all__ = ["AssemblyAIUnderstandingTransformer"]


def _record(document: Document) -> TranscriptRecord:
    return TranscriptRecord(document.page_content, dict(document.metadata))


def _document(record: TranscriptRecord, original: Document) -> Document:
    return Document(page_content=record.text, metadata=dict(record.metadata), id=original.id)


class AssemblyAIUnderstandingTransformer(BaseDocumentTransformer):
    """Applies the gateway's speech understanding to transcript documents.

    One ``POST /v1/understanding`` per transcript among the documents (grouped by their
    ``transcript_id`` metadata, as :class:`AssemblyAITranscriptLoader` sets it), then
    the answer is applied: speakers named (``Speaker A: ...`` becomes ``Ana: ...``,
    ``speaker`` the name, ``speaker_label`` the letter), translations added as
    ``translation_<code>`` metadata (or, with ``translation_language``, as the text),
    and custom formatting applied to the text. Documents without a ``transcript_id``
    pass through unchanged; the documents given are never changed.

    Args:
        request: An :class:`~assemblyai_gateway.UnderstandingRequest` or a dict of its
            features, checked now.
        translation_language: A target language whose translation becomes the text.
        client: The :class:`~assemblyai_gateway.GatewayClient` to call with; by default
            one from ``api_key``, ``region`` and ``base_url`` (and the environment).
        api_key: Defaults to ``$ASSEMBLYAI_API_KEY``.
        region: ``"us"`` or ``"eu"``.
        base_url: The gateway URL; defaults to ``$ASSEMBLYAI_GATEWAY_BASE_URL``.

    Examples:
        ```python
        from langchain_assemblyai_gateway import (
            AssemblyAITranscriptLoader, AssemblyAIUnderstandingTransformer,
        )

        documents = AssemblyAITranscriptLoader(
            transcript_ids=["emulator-meeting"], transcript_format="utterances"
        ).load()
        named = AssemblyAIUnderstandingTransformer(
            {"speaker_identification": {"speaker_type": "name",
                                        "known_values": ["Ana", "Ben", "Cy"]}}
        ).transform_documents(documents)
        print(named[0].page_content, named[0].metadata["speaker"])
        ```
    """

    def __init__(
        self,
        request: UnderstandingRequest | Mapping[str, Any],
        *,
        translation_language: str | None = None,
        client: GatewayClient | None = None,
        api_key: str | None = None,
        region: Literal["us", "eu"] | None = None,
        base_url: str | None = None,
    ) -> None:
        from assemblyai_gateway import GatewayClient  # the HTTP stack loads when one is made

        self.request = understanding_request(request)
        self.translation_language = translation_language
        self.client = client or GatewayClient(api_key=api_key, region=region, base_url=base_url)

    @staticmethod
    def _groups(documents: Sequence[Document]) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {}
        for index, document in enumerate(documents):
            transcript_id = document.metadata.get("transcript_id")
            if isinstance(transcript_id, str) and transcript_id:
                groups.setdefault(transcript_id, []).append(index)
        return groups

    def _apply(
        self,
        documents: Sequence[Document],
        groups: Mapping[str, list[int]],
        answers: Mapping[str, UnderstandingResponse],
    ) -> list[Document]:
        result = list(documents)
        for transcript_id, indexes in groups.items():
            records = [_record(documents[i]) for i in indexes]
            applied = apply_understanding(
                records, answers[transcript_id], translation_language=self.translation_language
            )
            for index, record in zip(indexes, applied, strict=True):
                result[index] = _document(record, documents[index])
        return result

    def transform_documents(self, documents: Sequence[Document], **kwargs: Any) -> list[Document]:
        """The documents with understanding applied, one call per transcript."""
        groups = self._groups(documents)
        answers = {tid: self.client.understand(tid, self.request) for tid in groups}
        return self._apply(documents, groups, answers)

    async def atransform_documents(
        self, documents: Sequence[Document], **kwargs: Any
    ) -> list[Document]:
        """:meth:`transform_documents`, the calls awaited together on the event loop."""
        groups = self._groups(documents)
        found = await asyncio.gather(
            *(self.client.aunderstand(tid, self.request) for tid in groups)
        )
        return self._apply(documents, groups, dict(zip(groups, found, strict=True)))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(features={sorted(self.request.features())}, "
            f"client={self.client!r})"
        )
