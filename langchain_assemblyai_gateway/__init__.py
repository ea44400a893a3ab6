"""LangChain integration for AssemblyAI's LLM Gateway.

Examples:
    >>> from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    >>> llm = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", api_key="my-key")
    >>> llm.model
    'claude-sonnet-4-5-20250929'
"""

from assemblyai_gateway import __version__
from assemblyai_gateway.compat import missing_framework_error

try:
    from ._rate_limiter import AdaptiveRateLimiter
    from .chat_models import ChatAssemblyAIGateway
    from .document_loaders import AssemblyAITranscriptLoader
    from .document_transformers import AssemblyAIUnderstandingTransformer
    from .transcripts import transcript_task, transcript_tasks, transcripts_from_documents
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
