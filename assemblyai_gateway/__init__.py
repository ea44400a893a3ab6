"""The framework-free transport core for AssemblyAI's LLM Gateway.

Both adapters (``langchain_assemblyai_gateway`` and ``llama_index_assemblyai_gateway``)
call this package; it holds every HTTP concern: wire models, the sync/async client,
retries, errors, SSE decoding, the stream accumulator and the model catalog.
"""

from ._version import __version__
from .accumulator import CompletionSnapshot, accumulate_chunk, completion_to_chunks
from .catalog import ModelInfo, get_model_info, register_model
from .client import GatewayClient, InvalidRequestError, parse_completion
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
    GatewayError,
    InternalServerError,
    MissingAPIKeyError,
    ModelNotAvailableInRegionError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
    UnprocessableEntityError,
    UnsupportedContentError,
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

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_TIMEOUT",
    "REGION_BASE_URLS",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "CompletionSnapshot",
    "ConfigurationError",
    "ConflictError",
    "GatewayClient",
    "GatewayError",
    "InternalServerError",
    "InvalidRequestError",
    "Message",
    "MissingAPIKeyError",
    "ModelInfo",
    "ModelNotAvailableInRegionError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Region",
    "ResponseValidationError",
    "StreamError",
    "Tool",
    "ToolCall",
    "UnprocessableEntityError",
    "UnsupportedContentError",
    "Usage",
    "__version__",
    "accumulate_chunk",
    "completion_to_chunks",
    "get_model_info",
    "parse_completion",
    "register_model",
]
