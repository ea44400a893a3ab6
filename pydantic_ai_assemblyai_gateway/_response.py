"""The response mapper: gateway completions and stream chunks -> pydantic-ai responses and parts.

* :func:`completion_to_response` maps one :class:`~assemblyai_gateway._wire.types.ChatCompletion`
  to a ``ModelResponse``: ``ThinkingPart`` (``message.thinking``), ``TextPart``,
  ``ToolCallPart`` s, usage, the finish reason and the gateway's metadata.
* :class:`EventMapper` maps :class:`~assemblyai_gateway._wire.types.ChatCompletionChunk` s
  (natively streamed or replayed, the core decides) to pydantic-ai stream events,
  following the core's stream-mapper contract, so a streamed response ends as the same
  ``ModelResponse`` a plain request gives.

Finish reasons are the upstream provider's own words; the core's one table
(:func:`assemblyai_gateway.normalise_finish_reason`) maps them, and the word itself
stays in ``provider_details["finish_reason"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic_ai.messages import (
    FinishReason,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from pydantic_ai.usage import RequestUsage

from assemblyai_gateway._wire.accumulator import CompletionSnapshot
from assemblyai_gateway._wire.translate import response_metadata, snapshot_metadata
from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk, Usage

__all__ = [
    "EventMapper",
    "ResponseFacts",
    "completion_to_response",
    "finish_reason",
    "request_usage",
]

_PYDANTIC_AI_NAMES: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_call",
    "content_filter": "content_filter",
}
"""The core's normalised finish reasons (OpenAI's words) in pydantic-ai's words."""

_THINKING_ID = "thinking"
_TEXT_ID = "content"


def finish_reason(metadata: Mapping[str, Any]) -> FinishReason | None:
    """pydantic-ai's finish reason for a response's metadata: the core's one table
    (:func:`assemblyai_gateway.normalise_finish_reason`) has already read the provider's
    word as ``normalised_finish_reason``; ``None`` when the provider gave none.

    Examples:
        >>> finish_reason({"finish_reason": "tool_use", "normalised_finish_reason": "tool_calls"})
        'tool_call'
        >>> finish_reason({}) is None
        True
    """
    normalised = metadata.get("normalised_finish_reason")
    return _PYDANTIC_AI_NAMES.get(normalised) if isinstance(normalised, str) else None


def request_usage(usage: Usage | None) -> RequestUsage:
    """The gateway's usage as pydantic-ai's, cache and reasoning tokens included.

    Example:
        >>> usage = Usage.model_validate({
        ...     "prompt_tokens": 120, "completion_tokens": 30,
        ...     "prompt_tokens_details": {
        ...         "cached_tokens": 100, "cache_creation": {"ephemeral_5m_input_tokens": 20},
        ...     },
        ...     "completion_tokens_details": {"reasoning_tokens": 12},
        ... })
        >>> mapped = request_usage(usage)
        >>> mapped.input_tokens, mapped.cache_read_tokens, mapped.cache_write_tokens
        (120, 100, 20)
        >>> mapped.output_tokens, mapped.details
        (30, {'reasoning_tokens': 12})
    """
    if usage is None:
        return RequestUsage()
    reasoning = usage.reasoning_tokens
    mapped = RequestUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_creation_tokens,
        details={"reasoning_tokens": reasoning} if reasoning else {},
    )
    if reasoning and hasattr(mapped, "output_reasoning_tokens"):  # newer pydantic-ai
        mapped.output_reasoning_tokens = reasoning
    return mapped


@dataclass(frozen=True)
class ResponseFacts:
    """Who answered: what every response of one model carries besides its parts."""

    requested_model: str
    provider_name: str
    provider_url: str | None


def _details(metadata: dict[str, Any]) -> dict[str, Any]:
    # The request id travels as provider_response_id, the model as model_name.
    return {key: value for key, value in metadata.items() if key not in ("request_id",)}


def completion_to_response(completion: ChatCompletion, facts: ResponseFacts) -> ModelResponse:
    """The first choice of a completion as a ``ModelResponse``.

    ``model_name`` is the model that served the call (a fallback's when one did).
    """
    parts: list[ModelResponsePart] = []
    choice = completion.choices[0] if completion.choices else None
    if choice is not None:
        thinking = choice.message.thinking
        if thinking:
            parts.append(ThinkingPart(content=thinking, provider_name=facts.provider_name))
        if choice.message.content:
            parts.append(TextPart(content=choice.message.content))
        parts.extend(
            ToolCallPart(
                tool_name=call.function.name,
                args=call.function.arguments,
                tool_call_id=call.id,
            )
            for call in choice.tool_calls
        )
    metadata = response_metadata(completion, facts.requested_model)
    return ModelResponse(
        parts=parts,
        usage=request_usage(completion.usage),
        model_name=metadata.get("model_name", facts.requested_model),
        timestamp=datetime.now(UTC),
        provider_name=facts.provider_name,
        provider_url=facts.provider_url,
        provider_details=_details(metadata),
        provider_response_id=completion.response_id,
        finish_reason=finish_reason(metadata),
    )


Emit = Callable[[], Iterable[ModelResponseStreamEvent]]


class EventMapper:
    """Maps one stream's chunks to pydantic-ai stream events (the core's stream-mapper contract).

    The parts themselves are kept by pydantic-ai's parts manager (the streamed response
    passes its ``handle_*`` methods in); this mapper decides what each chunk adds, and
    at the end records what the whole stream said: usage, finish reason, metadata.

    Args:
        parts: The streamed response's ``ModelResponsePartsManager``.
        facts: The model's :class:`ResponseFacts`.
    """

    def __init__(self, parts: Any, facts: ResponseFacts) -> None:
        self._parts = parts
        self._facts = facts
        self._call_ids: dict[int, bool] = {}
        self.usage = RequestUsage()
        self.finish_reason: FinishReason | None = None
        self.provider_details: dict[str, Any] | None = None
        self.provider_response_id: str | None = None
        self.model_name = facts.requested_model

    def feed(
        self, chunk: ChatCompletionChunk, snapshot: CompletionSnapshot
    ) -> list[ModelResponseStreamEvent]:
        """The events one chunk makes: thinking, text and tool-call deltas of choice 0."""
        events: list[ModelResponseStreamEvent] = []
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            delta = choice.delta
            thinking = delta.thinking
            if thinking:
                events.extend(
                    self._parts.handle_thinking_delta(
                        vendor_part_id=_THINKING_ID,
                        content=thinking,
                        provider_name=self._facts.provider_name,
                    )
                )
            if delta.content:
                events.extend(
                    self._parts.handle_text_delta(vendor_part_id=_TEXT_ID, content=delta.content)
                )
            for call in delta.tool_calls or ():
                function = call.function
                if call.id:
                    self._call_ids[call.index] = True
                event = self._parts.handle_tool_call_delta(
                    vendor_part_id=("tool", call.index),
                    tool_name=function.name if function is not None else None,
                    args=function.arguments if function is not None else None,
                    tool_call_id=call.id or None,
                )
                if event is not None:
                    events.append(event)
        return events

    def finish(self, snapshot: CompletionSnapshot) -> list[ModelResponseStreamEvent]:
        """Record the stream's usage, finish reason and metadata; give streamed calls that
        came without an id the id a plain request gives them."""
        events: list[ModelResponseStreamEvent] = []
        choice = snapshot.choices.get(0)
        if choice is not None:
            for index, call in sorted(choice.tool_calls.items()):
                if not self._call_ids.get(index):
                    event = self._parts.handle_tool_call_delta(
                        vendor_part_id=("tool", index), tool_call_id=call.to_tool_call().id
                    )
                    if event is not None:
                        events.append(event)
        metadata = snapshot_metadata(snapshot, self._facts.requested_model)
        self.usage = request_usage(snapshot.usage)
        self.finish_reason = finish_reason(metadata)
        self.provider_details = _details(metadata)
        self.provider_response_id = snapshot.request_id or snapshot.id
        self.model_name = metadata.get("model_name", self._facts.requested_model)
        return events
