"""AssemblyAI transcripts as LlamaIndex documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from llama_index.core.readers.base import BaseReader
from llama_index.core.schema import Document

from assemblyai_gateway.transcripts import (
    DEFAULT_POLL_TIMEOUT,
    TranscriptFormat,
    TranscriptLoad,
    TranscriptRecord,
)

__all__ = ["AssemblyAITranscriptReader"]

# Kept out of the text embedded and shown to the LLM: they locate, they do not mean.
_NOT_FOR_MODELS = ["audio_url", "transcript_format", "index", "confidence", "channel"]


def _document(record: TranscriptRecord, extra_info: Mapping[str, Any] | None) -> Document:
    """The one mapper: a neutral record as a LlamaIndex ``Document`` (stable ``id_``)."""
    return Document(
        id_=record.id,
        text=record.text,
        metadata={**(extra_info or {}), **record.metadata},
        excluded_embed_metadata_keys=list(_NOT_FOR_MODELS),
        excluded_llm_metadata_keys=list(_NOT_FOR_MODELS),
    )


class AssemblyAITranscriptReader(BaseReader):
    """Reads AssemblyAI transcripts as documents: by id, or transcribing audio first.

    The successor of llama-index's ``AssemblyAIAudioTranscriptReader``, with loading
    by id in either region, one document per speaker turn (``utterances``), slim
    metadata and true async loading. The arguments are those of
    :class:`langchain_assemblyai_gateway.AssemblyAITranscriptLoader`. Needs the
    ``transcripts`` extra.

    Examples:
        ```python
        from llama_index_assemblyai_gateway import AssemblyAITranscriptReader

        reader = AssemblyAITranscriptReader(
            transcript_ids=["emulator-meeting"], transcript_format="utterances"
        )
        for document in reader.load_data():
            print(document.metadata["speaker"], document.text)
        ```
    """

    is_remote = True

    def __init__(
        self,
        file_path: str | Iterable[str] | None = None,
        *,
        transcript_ids: str | Iterable[str] | None = None,
        transcript_format: TranscriptFormat | str = TranscriptFormat.TEXT,
        config: object = None,
        chars_per_caption: int | None = None,
        api_key: str | None = None,
        region: Literal["us", "eu"] | None = None,
        base_url: str | None = None,
        poll_timeout: float = DEFAULT_POLL_TIMEOUT,
        poll_interval: float | None = None,
    ) -> None:
        self._load = TranscriptLoad(
            file_path,
            transcript_ids=transcript_ids,
            transcript_format=transcript_format,
            config=config,
            chars_per_caption=chars_per_caption,
            api_key=api_key,
            region=region,
            base_url=base_url,
            poll_timeout=poll_timeout,
            poll_interval=poll_interval,
        )

    @property
    def transcript_format(self) -> TranscriptFormat:
        """The format documents are made in."""
        return self._load.transcript_format

    def lazy_load_data(self, extra_info: Mapping[str, Any] | None = None) -> Iterator[Document]:
        """The documents, one transcript at a time; ``extra_info`` joins their metadata."""
        for record in self._load.records():
            yield _document(record, extra_info)

    def load_data(self, extra_info: Mapping[str, Any] | None = None) -> list[Document]:
        """All the documents."""
        return list(self.lazy_load_data(extra_info))

    async def aload_data(self, extra_info: Mapping[str, Any] | None = None) -> list[Document]:
        """All the documents, awaited on the event loop (no thread)."""
        return [_document(record, extra_info) async for record in self._load.arecords()]

    async def alazy_load_data(self, extra_info: Mapping[str, Any] | None = None) -> list[Document]:
        """As :meth:`aload_data` (LlamaIndex awaits this one for a whole list too)."""
        return await self.aload_data(extra_info)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._load.describe()})"
