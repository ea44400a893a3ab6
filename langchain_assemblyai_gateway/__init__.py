"""LangChain integration for AssemblyAI's LLM Gateway.

Examples:
    >>> from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    >>> llm = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", api_key="my-key")
    >>> llm.model
    'claude-sonnet-4-5-20250929'
"""

from assemblyai_gateway import __version__
from assemblyai_gateway._wire.compat import missing_framework_error

try:
    from langchain_assemblyai_gateway._rate_limiter import AdaptiveRateLimiter
    from langchain_assemblyai_gateway.chat_models import ChatAssemblyAIGateway
    from langchain_assemblyai_gateway.document_loaders import AssemblyAITranscriptLoader
    from langchain_assemblyai_gateway.document_transformers import (
        AssemblyAIUnderstandingTransformer,
    )
    from langchain_assemblyai_gateway.transcripts import (
        transcript_task,
        transcript_tasks,
        transcripts_from_documents,
    )
except ModuleNotFoundError as error:
    # Say which extra brings langchain-core, instead of a bare "No module named".
    if clear := missing_framework_error(error, framework="langchain_core", extra="langchain"):
        raise clear from error
    raise

__all__ = [
    "AdaptiveRateLimiter",
    "AssemblyAITranscriptLoader",
    "AssemblyAIUnderstandingTransformer",
    "ChatAssemblyAIGateway",
    "__version__",
    "transcript_task",
    "transcript_tasks",
    "transcripts_from_documents",
]
