"""The framework-free transport core for AssemblyAI's LLM Gateway.

Both adapters (``langchain_assemblyai_gateway`` and ``llama_index_assemblyai_gateway``)
call this package; it holds every HTTP concern: wire models, shared settings, the
sync/async client and its stream objects, retries, errors, SSE decoding, the stream
accumulator, the model catalog and transcripts (``assemblyai_gateway.transcripts``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._finish_reasons import NormalisedFinishReason, normalise_finish_reason
    from .accumulator import CompletionSnapshot, accumulate_chunk, completion_to_chunks
    from .catalog import ModelInfo, get_model_info, register_model
    from .client import GatewayClient, parse_completion
    from .config import API_KEY_ENV, BASE_URL_ENV, DEFAULT_TIMEOUT, REGION_BASE_URLS, Region
    from .errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        ContextWindowExceededError,
        GatewayError,
        InternalServerError,
        InvalidAPIKeyError,
        InvalidRequestError,
        MisplacedClientSettingError,
        MissingAPIKeyError,
        ModelNotAvailableInRegionError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ResponseTooLargeError,
        ResponseValidationError,
        SpeakerLabelsMissingError,
        StreamError,
        ToolChoiceError,
        TranscriptError,
        TranscriptFailedError,
        TranscriptNotFoundError,
        TranscriptNotReadyError,
        UnexpectedArgumentError,
        UnprocessableEntityError,
        UnsupportedContentError,
    )
    from .limiter import AdaptiveLimiter, LimiterStats, Permit
    from .streaming import AsyncChatCompletionStream, ChatCompletionStream
    from .transcripts import (
        TranscriptClient,
        TranscriptData,
        TranscriptFormat,
        TranscriptRecord,
        TranscriptUnit,
        afetch_transcript,
        fetch_transcript,
    )
    from .types import (
        ChatCompletion,
        ChatCompletionChunk,
        ChatCompletionRequest,
        Message,
        Tool,
        ToolCall,
        Usage,
    )

# Submodules load on first attribute access, so `import langchain_assemblyai_gateway`
# does not pay for httpx, tenacity or the client until a request is made.
_LAZY: dict[str, str] = {
    "APIConnectionError": "errors",
    "APIError": "errors",
    "APIStatusError": "errors",
    "APITimeoutError": "errors",
    "AdaptiveLimiter": "limiter",
    "AsyncChatCompletionStream": "streaming",
    "API_KEY_ENV": "config",
    "AuthenticationError": "errors",
    "BASE_URL_ENV": "config",
    "BadRequestError": "errors",
    "ChatCompletion": "types",
    "ChatCompletionChunk": "types",
    "ChatCompletionRequest": "types",
    "ChatCompletionStream": "streaming",
    "CompletionSnapshot": "accumulator",
    "ConfigurationError": "errors",
    "ConflictError": "errors",
    "ContextWindowExceededError": "errors",
    "DEFAULT_TIMEOUT": "config",
    "GatewayClient": "client",
    "GatewayError": "errors",
    "InternalServerError": "errors",
    "InvalidAPIKeyError": "errors",
    "InvalidRequestError": "errors",
    "LimiterStats": "limiter",
    "Message": "types",
    "MisplacedClientSettingError": "errors",
    "MissingAPIKeyError": "errors",
    "ModelInfo": "catalog",
    "ModelNotAvailableInRegionError": "errors",
    "NotFoundError": "errors",
    "Permit": "limiter",
    "PermissionDeniedError": "errors",
    "REGION_BASE_URLS": "config",
    "RateLimitError": "errors",
    "Region": "config",
    "ResponseTooLargeError": "errors",
    "ResponseValidationError": "errors",
    "StreamError": "errors",
    "Tool": "types",
    "ToolCall": "types",
    "ToolChoiceError": "errors",
    "UnexpectedArgumentError": "errors",
    "UnprocessableEntityError": "errors",
    "UnsupportedContentError": "errors",
    "Usage": "types",
    "accumulate_chunk": "accumulator",
    "completion_to_chunks": "accumulator",
    "get_model_info": "catalog",
    "parse_completion": "client",
    "register_model": "catalog",
    "SpeakerLabelsMissingError": "errors",
    "TranscriptError": "errors",
    "TranscriptFailedError": "errors",
    "TranscriptNotFoundError": "errors",
    "TranscriptNotReadyError": "errors",
    "TranscriptClient": "transcripts",
    "TranscriptData": "transcripts",
    "TranscriptFormat": "transcripts",
    "TranscriptRecord": "transcripts",
    "TranscriptUnit": "transcripts",
    "afetch_transcript": "transcripts",
    "fetch_transcript": "transcripts",
    "NormalisedFinishReason": "_finish_reasons",
    "normalise_finish_reason": "_finish_reasons",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_TIMEOUT",
    "REGION_BASE_URLS",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AdaptiveLimiter",
    "AsyncChatCompletionStream",
    "AuthenticationError",
    "BadRequestError",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "ChatCompletionStream",
    "CompletionSnapshot",
    "ConfigurationError",
    "ConflictError",
    "ContextWindowExceededError",
    "GatewayClient",
    "GatewayError",
    "InternalServerError",
    "InvalidAPIKeyError",
    "InvalidRequestError",
    "LimiterStats",
    "Message",
    "MisplacedClientSettingError",
    "MissingAPIKeyError",
    "ModelInfo",
    "ModelNotAvailableInRegionError",
    "NormalisedFinishReason",
    "NotFoundError",
    "PermissionDeniedError",
    "Permit",
    "RateLimitError",
    "Region",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SpeakerLabelsMissingError",
    "StreamError",
    "Tool",
    "ToolCall",
    "ToolChoiceError",
    "TranscriptClient",
    "TranscriptData",
    "TranscriptError",
    "TranscriptFailedError",
    "TranscriptFormat",
    "TranscriptNotFoundError",
    "TranscriptNotReadyError",
    "TranscriptRecord",
    "TranscriptUnit",
    "UnexpectedArgumentError",
    "UnprocessableEntityError",
    "UnsupportedContentError",
    "Usage",
    "__version__",
    "accumulate_chunk",
    "afetch_transcript",
    "completion_to_chunks",
    "fetch_transcript",
    "get_model_info",
    "normalise_finish_reason",
    "parse_completion",
    "register_model",
]
