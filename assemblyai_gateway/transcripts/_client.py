"""The public entry point: :class:`TranscriptClient` and the one-call fetch functions."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from .. import ConfigurationError
from ._plan import AudioSource, Plan, adrive, drive, fetch_plan, records_plan, transcribe_plan
from ._records import parse_transcript_format
from ._sdk import load_sdk, sdk_settings, transcription_config
from ._settings import ApiKey, resolve_transcript_base_url, seconds
from ._types import DEFAULT_POLL_TIMEOUT, TranscriptData, TranscriptFormat, TranscriptRecord

if TYPE_CHECKING:
    import assemblyai

__all__ = ["TranscriptClient", "TranscriptSources", "afetch_transcript", "fetch_transcript"]

Include = Collection[Literal["sentences", "paragraphs"]]
Source = tuple[Literal["id", "audio"], AudioSource]


class TranscriptSources:
    """What to load: audio (file paths or URLs, transcribed first) or transcript ids.

    Exactly one of the two; each may be one value or a list.

    Raises:
        ConfigurationError: both, neither, or an empty or non-string entry.

    Examples:
        >>> TranscriptSources(transcript_ids=["tr_1", "tr_2"]).items
        (('id', 'tr_1'), ('id', 'tr_2'))
    """

    def __init__(
        self,
        file_path: AudioSource | Iterable[AudioSource] | None = None,
        transcript_ids: str | Iterable[str] | None = None,
    ) -> None:
        if (file_path is None) == (transcript_ids is None):
            raise ConfigurationError(
                "give either file_path (audio files or URLs to transcribe) or "
                "transcript_ids (transcripts that exist), not both and not neither"
            )
        if transcript_ids is not None:
            ids = [transcript_ids] if isinstance(transcript_ids, str) else list(transcript_ids)
            if not ids or not all(isinstance(i, str) and i.strip() for i in ids):
                raise ConfigurationError(
                    f"transcript_ids must be non-empty strings, got {transcript_ids!r}"
                )
            self.items: tuple[Source, ...] = tuple(("id", i.strip()) for i in ids)
            return
        audio = [file_path] if isinstance(file_path, (str, os.PathLike)) else list(file_path or [])
        if not audio or not all(isinstance(a, (str, os.PathLike)) and os.fspath(a) for a in audio):
            raise ConfigurationError(
                f"file_path must be a file path or URL, or a list of them; got {file_path!r}"
            )
        self.items = tuple(("audio", a) for a in audio)

    @property
    def transcribes(self) -> bool:
        """Whether the sources are audio to transcribe."""
        return bool(self.items) and self.items[0][0] == "audio"

    def __repr__(self) -> str:
        return f"TranscriptSources({[os.fspath(value) for _, value in self.items]!r})"


class TranscriptClient:
    """Reads transcripts from AssemblyAI's transcript API through the ``assemblyai`` SDK.

    Each client has its own SDK settings (key, host, polling), so clients with
    different keys or regions never share anything; the SDK's process-wide
    ``aai.settings`` is neither read for the key nor changed. Needs the
    ``transcripts`` extra.

    Args:
        api_key: The AssemblyAI key; defaults to ``$ASSEMBLYAI_API_KEY``. Never shown
            in a repr, message or pickle (an unpickled client reads the environment).
        region: ``"us"`` (``https://api.assemblyai.com``) or ``"eu"``
            (``https://api.eu.assemblyai.com``).
        base_url: The transcript API's host, e.g. the emulator's; defaults to
            ``$ASSEMBLYAI_BASE_URL``, then the region's.
        poll_timeout: How long, in seconds, to wait for a transcript that is still
            queued or processing (0: look once). Then :class:`TranscriptNotReadyError`.
        poll_interval: Seconds between two polls (the SDK's ``polling_interval``,
            3 s unless ``$ASSEMBLYAI_POLLING_INTERVAL`` says otherwise).
        http_timeout: Seconds one HTTP request may take (the SDK's, 30 s by default).

    Raises:
        ImportError: the ``transcripts`` extra (the ``assemblyai`` SDK) is missing.
        MissingAPIKeyError: no key given and none in the environment.
        ConfigurationError: a bad region, URL or number of seconds.

    Examples:
        >>> from assemblyai_gateway.emulator import GatewayEmulator
        >>> from assemblyai_gateway.transcripts import TranscriptClient
        >>> with GatewayEmulator() as emulator:
        ...     client = TranscriptClient(emulator.api_key, base_url=emulator.transcript_base_url)
        ...     meeting = client.fetch("emulator-meeting")
        >>> (meeting.speakers, meeting.utterances[0].labelled_text[:30])
        (('A', 'B', 'C'), 'Speaker A: Good morning, every')
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        region: Literal["us", "eu"] | None = None,
        base_url: str | None = None,
        poll_timeout: float = DEFAULT_POLL_TIMEOUT,
        poll_interval: float | None = None,
        http_timeout: float | None = None,
    ) -> None:
        load_sdk()  # without the extra, fail here with the install command
        self._api_key: ApiKey | None = ApiKey.resolve(api_key)
        self.region = region
        self.base_url = resolve_transcript_base_url(base_url, region)
        if poll_timeout is None:  # the SDK's "for ever"; a loader must not hang
            raise ConfigurationError("poll_timeout must be a number of seconds (0: look once)")
        self.poll_timeout = seconds("poll_timeout", poll_timeout, allow_zero=True) or 0.0
        self.poll_interval = seconds("poll_interval", poll_interval)
        self.http_timeout = seconds("http_timeout", http_timeout)

    # -- the SDK clients, one per operation ----------------------------------------

    def _settings(self) -> assemblyai.types.Settings:
        key = self._api_key or ApiKey.resolve(None)
        return sdk_settings(
            api_key=key.value,
            base_url=self.base_url,
            poll_interval=self.poll_interval,
            http_timeout=self.http_timeout,
        )

    def _run(self, plan: Plan[Any]) -> Any:
        client = load_sdk().Client(settings=self._settings())
        try:
            return drive(plan, client)
        finally:
            client.http_client.close()

    async def _arun(self, plan: Plan[Any]) -> Any:
        async with load_sdk().AsyncClient(settings=self._settings()) as client:
            return await adrive(plan, client)

    # -- one transcript -------------------------------------------------------------

    def fetch(self, transcript_id: str, *, include: Include = ()) -> TranscriptData:
        """A transcript by id, waiting (up to ``poll_timeout``) while it is processing.

        Args:
            transcript_id: The transcript's id.
            include: Also fetch ``"sentences"`` and/or ``"paragraphs"`` (a request each).

        Raises:
            TranscriptNotFoundError: no such transcript for this key and region.
            TranscriptFailedError: its status is ``error``.
            TranscriptNotReadyError: still processing when ``poll_timeout`` ran out.
        """
        plan = fetch_plan(transcript_id, include=include, poll_timeout=self.poll_timeout)
        _, data = self._run(plan)
        return data  # type: ignore[no-any-return]

    async def afetch(self, transcript_id: str, *, include: Include = ()) -> TranscriptData:
        """:meth:`fetch`, awaited on the event loop."""
        plan = fetch_plan(transcript_id, include=include, poll_timeout=self.poll_timeout)
        _, data = await self._arun(plan)
        return data  # type: ignore[no-any-return]

    def transcribe(
        self, audio: AudioSource, config: object = None, *, include: Include = ()
    ) -> TranscriptData:
        """Transcribe a local file (uploaded first) or a URL and wait for the transcript.

        Args:
            audio: A file path or an ``http(s)`` URL.
            config: An ``assemblyai.TranscriptionConfig`` or a dict of its options.
            include: As for :meth:`fetch`.
        """
        plan = transcribe_plan(
            audio,
            config=transcription_config(config, speaker_labels=False),
            include=include,
            poll_timeout=self.poll_timeout,
        )
        _, data = self._run(plan)
        return data  # type: ignore[no-any-return]

    async def atranscribe(
        self, audio: AudioSource, config: object = None, *, include: Include = ()
    ) -> TranscriptData:
        """:meth:`transcribe`, awaited (the upload streams from disk off the loop)."""
        plan = transcribe_plan(
            audio,
            config=transcription_config(config, speaker_labels=False),
            include=include,
            poll_timeout=self.poll_timeout,
        )
        _, data = await self._arun(plan)
        return data  # type: ignore[no-any-return]

    # -- records for loaders and readers --------------------------------------------

    def _plans(
        self,
        sources: TranscriptSources,
        transcript_format: TranscriptFormat | str,
        config: object,
        chars_per_caption: int | None,
    ) -> Iterator[Plan[list[TranscriptRecord]]]:
        fmt = parse_transcript_format(transcript_format)
        sdk_config = None
        if sources.transcribes:
            sdk_config = transcription_config(
                config, speaker_labels=fmt is TranscriptFormat.UTTERANCES
            )
        for source in sources.items:
            yield records_plan(
                source,
                fmt,
                config=sdk_config,
                chars_per_caption=chars_per_caption,
                poll_timeout=self.poll_timeout,
            )

    def iter_records(
        self,
        sources: TranscriptSources,
        transcript_format: TranscriptFormat | str = TranscriptFormat.TEXT,
        *,
        config: object = None,
        chars_per_caption: int | None = None,
    ) -> Iterator[TranscriptRecord]:
        """The records of each source in turn, one transcript at a time.

        A transcription config asking for nothing about speakers gets
        ``speaker_labels=True`` when the format is ``utterances``.
        """
        plans = self._plans(sources, transcript_format, config, chars_per_caption)
        client = load_sdk().Client(settings=self._settings())
        try:
            for plan in plans:
                yield from drive(plan, client)
        finally:
            client.http_client.close()

    async def aiter_records(
        self,
        sources: TranscriptSources,
        transcript_format: TranscriptFormat | str = TranscriptFormat.TEXT,
        *,
        config: object = None,
        chars_per_caption: int | None = None,
    ) -> AsyncIterator[TranscriptRecord]:
        """:meth:`iter_records`, awaited on the event loop."""
        plans = self._plans(sources, transcript_format, config, chars_per_caption)
        async with load_sdk().AsyncClient(settings=self._settings()) as client:
            for plan in plans:
                for record in await adrive(plan, client):
                    yield record

    # -- hygiene -------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"TranscriptClient(base_url={self.base_url!r}, poll_timeout={self.poll_timeout:g})"

    def __getstate__(self) -> Mapping[str, Any]:
        # The key is never pickled: the copy reads $ASSEMBLYAI_API_KEY when it is used.
        return {**self.__dict__, "_api_key": None}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__dict__.update(state)

    def __copy__(self) -> TranscriptClient:
        # A copy in this process keeps the key (pickling is what leaves it out).
        duplicate = object.__new__(type(self))
        duplicate.__dict__.update(self.__dict__)
        return duplicate

    def __deepcopy__(self, memo: dict[int, Any]) -> TranscriptClient:
        return self.__copy__()


def fetch_transcript(
    transcript_id: str,
    *,
    include: Include = (),
    api_key: str | None = None,
    region: Literal["us", "eu"] | None = None,
    base_url: str | None = None,
    poll_timeout: float = DEFAULT_POLL_TIMEOUT,
) -> TranscriptData:
    """One transcript by id: ``TranscriptClient(...).fetch(transcript_id, include=...)``."""
    client = TranscriptClient(api_key, region=region, base_url=base_url, poll_timeout=poll_timeout)
    return client.fetch(transcript_id, include=include)


async def afetch_transcript(
    transcript_id: str,
    *,
    include: Include = (),
    api_key: str | None = None,
    region: Literal["us", "eu"] | None = None,
    base_url: str | None = None,
    poll_timeout: float = DEFAULT_POLL_TIMEOUT,
) -> TranscriptData:
    """:func:`fetch_transcript`, awaited on the event loop."""
    client = TranscriptClient(api_key, region=region, base_url=base_url, poll_timeout=poll_timeout)
    return await client.afetch(transcript_id, include=include)
