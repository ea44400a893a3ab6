"""One load, as the LangChain loader and the LlamaIndex reader both take it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Literal

from .. import ConfigurationError
from ._client import TranscriptClient, TranscriptSources
from ._plan import AudioSource
from ._records import parse_transcript_format
from ._types import DEFAULT_POLL_TIMEOUT, TranscriptFormat, TranscriptRecord

__all__ = ["TranscriptLoad"]


def _chars_per_caption(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"chars_per_caption must be a positive int, got {value!r}")
    return value


class TranscriptLoad:
    """What to load and how: the sources, the format and the transcript API's settings.

    The adapters hold one of these and only map its :class:`TranscriptRecord` s to
    their document types. Arguments are checked here, when the loader is made, so a
    mistake fails before any request.

    Args:
        file_path: An audio file path or ``http(s)`` URL, or a list of them, to
            transcribe first.
        transcript_ids: Or the id(s) of transcripts that exist.
        transcript_format: A :class:`TranscriptFormat` or its value.
        config: The transcription config (``assemblyai.TranscriptionConfig`` or a dict
            of its options) for ``file_path``; ``utterances`` turn speaker labels on.
        chars_per_caption: The longest caption, for the subtitle formats.
        api_key: As for :class:`TranscriptClient`; so are the rest.
        region: ``"us"`` or ``"eu"``.
        base_url: The transcript API's host.
        poll_timeout: Seconds to wait for a transcript still processing.
        poll_interval: Seconds between two polls.

    Raises:
        ConfigurationError: a bad combination or value, named.
        MissingAPIKeyError: no key given and none in the environment.

    Examples:
        >>> load = TranscriptLoad(
        ...     transcript_ids=["tr_1"], transcript_format="utterances", api_key="my-key",
        ...     region="eu",
        ... )
        >>> (load.client.base_url, "my-key" in repr(load))
        ('https://api.eu.assemblyai.com', False)
    """

    def __init__(
        self,
        file_path: AudioSource | Iterable[AudioSource] | None = None,
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
        self.sources = TranscriptSources(file_path, transcript_ids)
        self.transcript_format = parse_transcript_format(transcript_format)
        self.chars_per_caption = _chars_per_caption(chars_per_caption)
        if config is not None and not self.sources.transcribes:
            raise ConfigurationError(
                "config is a transcription config: it applies to file_path, not transcript_ids"
            )
        self.config = config
        self.client = TranscriptClient(
            api_key,
            region=region,
            base_url=base_url,
            poll_timeout=poll_timeout,
            poll_interval=poll_interval,
        )

    def records(self) -> Iterator[TranscriptRecord]:
        """The records, one transcript after another (blocking)."""
        return self.client.iter_records(
            self.sources,
            self.transcript_format,
            config=self.config,
            chars_per_caption=self.chars_per_caption,
        )

    def arecords(self) -> AsyncIterator[TranscriptRecord]:
        """The records, awaited on the event loop."""
        return self.client.aiter_records(
            self.sources,
            self.transcript_format,
            config=self.config,
            chars_per_caption=self.chars_per_caption,
        )

    def describe(self) -> str:
        """The arguments a repr shows (never the key or the config's secrets)."""
        sources = [os.fspath(value) for _, value in self.sources.items]
        kind = "file_path" if self.sources.transcribes else "transcript_ids"
        return (
            f"{kind}={sources!r}, transcript_format={self.transcript_format.value!r}, "
            f"base_url={self.client.base_url!r}"
        )

    def __repr__(self) -> str:
        return f"TranscriptLoad({self.describe()})"
