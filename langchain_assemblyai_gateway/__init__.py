"""LangChain integration for AssemblyAI's LLM Gateway.

Examples:
    >>> from langchain_assemblyai_gateway import ChatAssemblyAIGateway
    >>> llm = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", api_key="my-key")
    >>> llm.model
    'claude-sonnet-4-5-20250929'
"""

from assemblyai_gateway import __version__

from ._rate_limiter import AdaptiveRateLimiter
from .chat_models import ChatAssemblyAIGateway

__all__ = ["AdaptiveRateLimiter", "ChatAssemblyAIGateway", "__version__"]
