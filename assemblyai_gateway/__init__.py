"""The framework-free transport core for AssemblyAI's LLM Gateway.

Both adapters (``langchain_assemblyai_gateway`` and ``llama_index_assemblyai_gateway``)
call this package; it holds every HTTP concern: wire models, shared settings, the
sync/async client and its stream objects, retries, errors, SSE decoding, the stream
accumulator, the model catalog and the gateway's live model list
(``assemblyai_gateway.model_list``), and transcripts (``assemblyai_gateway.transcripts``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

# Every public name, written once: the module that defines it, then its names. `__all__`
# and the lazy `__getattr__` below read this table, so `import assemblyai_gateway` (and
# each adapter) loads no submodule, httpx or the client until a name is used.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "_wire.finish_reasons": ("NormalisedFinishReason", "normalise_finish_reason"),
    "_wire.accumulator": ("CompletionSnapshot", "accumulate_chunk", "completion_to_chunks"),
    "catalog": ("ModelInfo", "get_model_info", "register_model"),
    "_transport.client": ("GatewayClient", "parse_completion"),
    "_transport.setting_sources": (
        "API_KEY_ENV",
        "BASE_URL_ENV",
        "DEFAULT_TIMEOUT",
        "REGION_BASE_URLS",
        "Region",
    ),
    "errors": (
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ConfigurationError",
        "ConflictError",
        "ContextWindowExceededError",
        "GatewayError",
        "InternalServerError",
        "InvalidAPIKeyError",
        "InvalidRequestError",
        "MisplacedClientSettingError",
        "MissingAPIKeyError",
        "ModelNotAvailableInRegionError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "ResponseTooLargeError",
        "ResponseValidationError",
        "SpeakerLabelsMissingError",
        "StreamError",
        "ToolChoiceError",
        "TranscriptError",
        "TranscriptFailedError",
        "TranscriptNotFoundError",
        "TranscriptNotReadyError",
        "UnexpectedArgumentError",
        "UnprocessableEntityError",
        "UnsupportedContentError",
    ),
    "_limiter.adaptive": ("AdaptiveLimiter", "LimiterStats", "Permit"),
    "model_list": ("ModelList", "ModelRetirementWarning", "afetch_model_list", "fetch_model_list"),
    "_transport.streams": ("AsyncChatCompletionStream", "ChatCompletionStream"),
    "tokens": ("estimate_tokens",),
    "transcripts": (
        "TaskAnswerError",
        "TranscriptClient",
        "TranscriptData",
        "TranscriptFormat",
        "TranscriptRecord",
        "TranscriptTagError",
        "TranscriptTooLongError",
        "TranscriptUnit",
        "afetch_transcript",
        "fetch_transcript",
    ),
    "understanding": (
        "CustomFormatting",
        "SpeakerIdentification",
        "Translation",
        "UnderstandingRequest",
        "UnderstandingResponse",
    ),
    "_wire.types": (
        "CacheControl",
        "CacheCreation",
        "ChatCompletion",
        "ChatCompletionChunk",
        "ChatCompletionRequest",
        "Choice",
        "ChunkChoice",
        "CompletionTokensDetails",
        "Delta",
        "Fallback",
        "FallbackConfig",
        "FunctionCall",
        "FunctionCallDelta",
        "FunctionDefinition",
        "JsonSchemaFormat",
        "Message",
        "NamedToolChoice",
        "NamedToolChoiceFunction",
        "PostProcessingStep",
        "PromptTokensDetails",
        "ResponseFormat",
        "ResponseMessage",
        "StreamOptions",
        "TextPart",
        "Tool",
        "ToolCall",
        "ToolCallDelta",
        "ToolChoice",
        "Usage",
    ),
    "_transport.retries": ("is_retryable", "retry_after_seconds", "retry_may_succeed"),
}

_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(["__version__", *_MODULE_OF])

if TYPE_CHECKING:
    # Written by `python -m tests.support.public_names` from _EXPORTS (do not edit):
    # type checkers and IDEs see each name; a test checks the two agree.
    from ._limiter.adaptive import AdaptiveLimiter as AdaptiveLimiter
    from ._limiter.adaptive import LimiterStats as LimiterStats
    from ._limiter.adaptive import Permit as Permit
    from ._transport.client import GatewayClient as GatewayClient
    from ._transport.client import parse_completion as parse_completion
    from ._transport.retries import is_retryable as is_retryable
    from ._transport.retries import retry_after_seconds as retry_after_seconds
    from ._transport.retries import retry_may_succeed as retry_may_succeed
    from ._transport.setting_sources import API_KEY_ENV as API_KEY_ENV
    from ._transport.setting_sources import BASE_URL_ENV as BASE_URL_ENV
    from ._transport.setting_sources import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
    from ._transport.setting_sources import REGION_BASE_URLS as REGION_BASE_URLS
    from ._transport.setting_sources import Region as Region
    from ._transport.streams import AsyncChatCompletionStream as AsyncChatCompletionStream
    from ._transport.streams import ChatCompletionStream as ChatCompletionStream
    from ._wire.accumulator import CompletionSnapshot as CompletionSnapshot
    from ._wire.accumulator import accumulate_chunk as accumulate_chunk
    from ._wire.accumulator import completion_to_chunks as completion_to_chunks
    from ._wire.finish_reasons import NormalisedFinishReason as NormalisedFinishReason
    from ._wire.finish_reasons import normalise_finish_reason as normalise_finish_reason
    from ._wire.types import CacheControl as CacheControl
    from ._wire.types import CacheCreation as CacheCreation
    from ._wire.types import ChatCompletion as ChatCompletion
    from ._wire.types import ChatCompletionChunk as ChatCompletionChunk
    from ._wire.types import ChatCompletionRequest as ChatCompletionRequest
    from ._wire.types import Choice as Choice
    from ._wire.types import ChunkChoice as ChunkChoice
    from ._wire.types import CompletionTokensDetails as CompletionTokensDetails
    from ._wire.types import Delta as Delta
    from ._wire.types import Fallback as Fallback
    from ._wire.types import FallbackConfig as FallbackConfig
    from ._wire.types import FunctionCall as FunctionCall
    from ._wire.types import FunctionCallDelta as FunctionCallDelta
    from ._wire.types import FunctionDefinition as FunctionDefinition
    from ._wire.types import JsonSchemaFormat as JsonSchemaFormat
    from ._wire.types import Message as Message
    from ._wire.types import NamedToolChoice as NamedToolChoice
    from ._wire.types import NamedToolChoiceFunction as NamedToolChoiceFunction
    from ._wire.types import PostProcessingStep as PostProcessingStep
    from ._wire.types import PromptTokensDetails as PromptTokensDetails
    from ._wire.types import ResponseFormat as ResponseFormat
    from ._wire.types import ResponseMessage as ResponseMessage
    from ._wire.types import StreamOptions as StreamOptions
    from ._wire.types import TextPart as TextPart
    from ._wire.types import Tool as Tool
    from ._wire.types import ToolCall as ToolCall
    from ._wire.types import ToolCallDelta as ToolCallDelta
    from ._wire.types import ToolChoice as ToolChoice
    from ._wire.types import Usage as Usage
    from .catalog import ModelInfo as ModelInfo
    from .catalog import get_model_info as get_model_info
    from .catalog import register_model as register_model
    from .errors import APIConnectionError as APIConnectionError
    from .errors import APIError as APIError
    from .errors import APIStatusError as APIStatusError
    from .errors import APITimeoutError as APITimeoutError
    from .errors import AuthenticationError as AuthenticationError
    from .errors import BadRequestError as BadRequestError
    from .errors import ConfigurationError as ConfigurationError
    from .errors import ConflictError as ConflictError
    from .errors import ContextWindowExceededError as ContextWindowExceededError
    from .errors import GatewayError as GatewayError
    from .errors import InternalServerError as InternalServerError
    from .errors import InvalidAPIKeyError as InvalidAPIKeyError
    from .errors import InvalidRequestError as InvalidRequestError
    from .errors import MisplacedClientSettingError as MisplacedClientSettingError
    from .errors import MissingAPIKeyError as MissingAPIKeyError
    from .errors import ModelNotAvailableInRegionError as ModelNotAvailableInRegionError
    from .errors import NotFoundError as NotFoundError
    from .errors import PermissionDeniedError as PermissionDeniedError
    from .errors import RateLimitError as RateLimitError
    from .errors import ResponseTooLargeError as ResponseTooLargeError
    from .errors import ResponseValidationError as ResponseValidationError
    from .errors import SpeakerLabelsMissingError as SpeakerLabelsMissingError
    from .errors import StreamError as StreamError
    from .errors import ToolChoiceError as ToolChoiceError
    from .errors import TranscriptError as TranscriptError
    from .errors import TranscriptFailedError as TranscriptFailedError
    from .errors import TranscriptNotFoundError as TranscriptNotFoundError
    from .errors import TranscriptNotReadyError as TranscriptNotReadyError
    from .errors import UnexpectedArgumentError as UnexpectedArgumentError
    from .errors import UnprocessableEntityError as UnprocessableEntityError
    from .errors import UnsupportedContentError as UnsupportedContentError
    from .model_list import ModelList as ModelList
    from .model_list import ModelRetirementWarning as ModelRetirementWarning
    from .model_list import afetch_model_list as afetch_model_list
    from .model_list import fetch_model_list as fetch_model_list
    from .tokens import estimate_tokens as estimate_tokens
    from .transcripts import TaskAnswerError as TaskAnswerError
    from .transcripts import TranscriptClient as TranscriptClient
    from .transcripts import TranscriptData as TranscriptData
    from .transcripts import TranscriptFormat as TranscriptFormat
    from .transcripts import TranscriptRecord as TranscriptRecord
    from .transcripts import TranscriptTagError as TranscriptTagError
    from .transcripts import TranscriptTooLongError as TranscriptTooLongError
    from .transcripts import TranscriptUnit as TranscriptUnit
    from .transcripts import afetch_transcript as afetch_transcript
    from .transcripts import fetch_transcript as fetch_transcript
    from .understanding import CustomFormatting as CustomFormatting
    from .understanding import SpeakerIdentification as SpeakerIdentification
    from .understanding import Translation as Translation
    from .understanding import UnderstandingRequest as UnderstandingRequest
    from .understanding import UnderstandingResponse as UnderstandingResponse


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
