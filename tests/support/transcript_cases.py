"""What the emulator's built-in transcripts load as, for the core and both adapters.

One table of expectations and one loader per framework and loop, so the LangChain
loader and the LlamaIndex reader are checked, sync and async, against the same facts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Literal

Framework = Literal["langchain", "llama_index"]
Mode = Literal["sync", "async"]
Loaded = list[tuple[str, dict[str, Any]]]

MEETING = "emulator-meeting"
LECTURE = "emulator-lecture"
FAILED = "emulator-failed"
MEETING_AUDIO = "https://example.com/audio/weekly-sync.mp3"

# (transcript id, format) -> how many documents it makes.
DOCUMENT_COUNTS: Mapping[tuple[str, str], int] = {
    (MEETING, "text"): 1,
    (MEETING, "sentences"): 19,
    (MEETING, "paragraphs"): 8,
    (MEETING, "utterances"): 8,
    (MEETING, "subtitles_srt"): 1,
    (MEETING, "subtitles_vtt"): 1,
    (LECTURE, "text"): 1,
    (LECTURE, "sentences"): 10,
    (LECTURE, "paragraphs"): 3,
    (LECTURE, "subtitles_srt"): 1,
    (LECTURE, "subtitles_vtt"): 1,
}

# The meeting's speaker turns, as the fixture file holds them.
MEETING_TURNS = [
    ("A", 240, 6120, "Good morning, everyone."),
    ("B", 6480, 14300, "The iOS build passed review yesterday."),
    ("A", 14700, 18900, "Okay."),
    ("C", 19300, 27800, "Yes, if QA gets the build by Wednesday noon."),
    ("B", 28100, 31500, "Then I will send the build to QA by Wednesday noon."),
    ("A", 31900, 39600, "Great."),
    ("C", 40000, 45200, "I can draft it by Thursday,"),
    ("A", 45600, 51800, "Good."),
]

# Every key a document's metadata may hold; anything else (words, the JSON) is a leak.
SLIM_KEYS = {
    "transcript_id",
    "transcript_format",
    "audio_url",
    "language_code",
    "index",
    "speaker",
    "channel",
    "start",
    "end",
    "confidence",
    "audio_duration",
}


def loader(framework: Framework, **kwargs: Any) -> Any:
    """The framework's loader (LangChain) or reader (LlamaIndex) made with ``kwargs``."""
    if framework == "langchain":
        from langchain_assemblyai_gateway import AssemblyAITranscriptLoader

        return AssemblyAITranscriptLoader(**kwargs)
    from llama_index_assemblyai_gateway import AssemblyAITranscriptReader

    return AssemblyAITranscriptReader(**kwargs)


async def _aload(framework: Framework, made: Any) -> Any:
    if framework == "langchain":
        return [document async for document in made.alazy_load()]
    return await made.aload_data()


def load(framework: Framework, mode: Mode, **kwargs: Any) -> Loaded:
    """Load with the framework's own API in ``mode``; each document as (text, metadata)."""
    made = loader(framework, poll_interval=0.01, **kwargs)
    if mode == "sync":
        documents = made.load() if framework == "langchain" else made.load_data()
    else:
        documents = asyncio.run(_aload(framework, made))
    if framework == "langchain":
        return [(document.page_content, dict(document.metadata)) for document in documents]
    return [(document.text, dict(document.metadata)) for document in documents]
