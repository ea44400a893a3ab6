"""AssemblyAI transcripts as LangChain documents."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Literal

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document

from assemblyai_gateway.transcripts import (
    DEFAULT_POLL_TIMEOUT,
    TranscriptFormat,
    TranscriptLoad,
    TranscriptRecord,
)

__all__ = ["AssemblyAITranscriptLoader"]


def _document(record: TranscriptRecord) -> Document:
    """The one mapper: a neutral record as a LangChain ``Document`` (stable ``id``)."""
    return Document(page_content=record.text, metadata=dict(record.metadata), id=record.id)


class AssemblyAITranscriptLoader(BaseLoader):
    """Loads AssemblyAI transcripts as documents: by id, or transcribing audio first.

    The successor of langchain-community's ``AssemblyAIAudioTranscriptLoader``: it
    also loads transcripts by id (in either region), gives one document per speaker
    turn (``utterances``), keeps metadata slim (ids, speaker, times, audio URL,
    language; never the whole transcript JSON) and loads asynchronously for real,
    on the ``assemblyai`` SDK's asyncio client. Needs the ``transcripts`` extra.

    Args:
        file_path: An audio file path or ``http(s)`` URL (or a list), transcribed first.
        transcript_ids: Or transcripts that exist, by id (one, or a list).
        transcript_format: ``"text"`` (one document per transcript), ``"sentences"``,
            ``"paragraphs"``, ``"utterances"`` (one per speaker turn, as
            ``Speaker A: ...``), ``"subtitles_srt"`` or ``"subtitles_vtt"``.
        config: An ``assemblyai.TranscriptionConfig`` (or a dict of its options) for
            ``file_path``. With ``utterances``, speaker labels are turned on unless
            the config says otherwise.
        chars_per_caption: The longest caption of the subtitle formats.
        api_key: Defaults to ``$ASSEMBLYAI_API_KEY``; never in a repr or a pickle.
        region: ``"us"`` or ``"eu"`` (``https://api.eu.assemblyai.com``).
        base_url: The transcript API's host; defaults to ``$ASSEMBLYAI_BASE_URL``.
        poll_timeout: Seconds to wait for a transcript still processing.
        poll_interval: Seconds between two polls.

    Raises:
        TranscriptNotFoundError, TranscriptFailedError, TranscriptNotReadyError,
        SpeakerLabelsMissingError: while loading, each naming the transcript.

    Examples:
        ```python
        from langchain_assemblyai_gateway import AssemblyAITranscriptLoader

        loader = AssemblyAITranscriptLoader(
            transcript_ids=["emulator-meeting"], transcript_format="utterances"
        )
        for document in loader.lazy_load():
            print(document.metadata["start"], document.page_content)
        ```
    """

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

    def lazy_load(self) -> Iterator[Document]:
        """The documents, one transcript at a time."""
        for record in self._load.records():
            yield _document(record)

    async def alazy_load(self) -> AsyncIterator[Document]:
        """The documents, awaited on the event loop (no thread)."""
        async for record in self._load.arecords():
            yield _document(record)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._load.describe()})"
