"""The streamed response: the core's stream, mapped to pydantic-ai events as it arrives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from pydantic_ai.exceptions import ModelAPIError
from pydantic_ai.messages import ModelResponseStreamEvent
from pydantic_ai.models import StreamedResponse

from assemblyai_gateway._transport.streams import AsyncChatCompletionStream, amap_stream
from assemblyai_gateway._wire.types import ChatCompletionChunk
from pydantic_ai_assemblyai_gateway._errors import raises_pydantic_ai_errors
from pydantic_ai_assemblyai_gateway._response import EventMapper, ResponseFacts

__all__ = ["AssemblyAIGatewayStreamedResponse"]


@dataclass
class AssemblyAIGatewayStreamedResponse(StreamedResponse):
    """A gateway stream as pydantic-ai's ``StreamedResponse``.

    The core decides whether the call streams with server-sent events or is one request
    replayed as chunks; either way the chunks go through the one accumulator and this
    response ends as the ``ModelResponse`` a plain request gives. The first chunk was
    read before the response was handed over (so a failure to start is raised where
    ``FallbackModel`` can fall back); it is mapped first.
    """

    _facts: ResponseFacts
    _stream: AsyncChatCompletionStream
    _first: ChatCompletionChunk | None
    _timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    _served_model: str | None = field(default=None, init=False)

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        mapper = EventMapper(self._parts_manager, self._facts)
        with raises_pydantic_ai_errors(self._facts.requested_model):
            if self._first is not None:
                for event in mapper.feed(self._first, self._stream.snapshot):
                    yield event
            async for event in amap_stream(self._stream, mapper):
                yield event
        self._usage = mapper.usage
        self.finish_reason = mapper.finish_reason
        self.provider_details = mapper.provider_details
        self.provider_response_id = mapper.provider_response_id
        self._served_model = mapper.model_name

    async def close_stream(self) -> None:
        """Close the gateway stream and its HTTP response (safe to call more than once)."""
        await self._stream.aclose()

    def get_stream_cancel_errors(self) -> tuple[type[BaseException], ...]:
        """What reading a stream that ``cancel()`` closed may raise."""
        return (ModelAPIError, httpx.StreamError, httpx.TransportError)

    @property
    def model_name(self) -> str:
        """The model that served the stream (a fallback's when one did), once known."""
        return self._served_model or self._facts.requested_model

    @property
    def provider_name(self) -> str:
        """The provider's name, as on every response of this model."""
        return self._facts.provider_name

    @property
    def provider_url(self) -> str | None:
        """The gateway's base URL."""
        return self._facts.provider_url

    @property
    def timestamp(self) -> datetime:
        """When the stream was opened."""
        return self._timestamp
