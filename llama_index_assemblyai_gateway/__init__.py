"""AssemblyAI's LLM Gateway as a LlamaIndex LLM.

Examples:
    >>> from llama_index_assemblyai_gateway import AssemblyAIGateway
    >>> AssemblyAIGateway(model="gpt-5").metadata.is_function_calling_model
    True
"""

from ._rate_limiter import AdaptiveRateLimiter
from .base import DEFAULT_MODEL, AssemblyAIGateway

__all__ = ["DEFAULT_MODEL", "AdaptiveRateLimiter", "AssemblyAIGateway"]
