"""AssemblyAI's LLM Gateway as a LlamaIndex LLM.

Examples:
    >>> from llama_index_assemblyai_gateway import AssemblyAIGateway
    >>> AssemblyAIGateway(model="gpt-5").metadata.is_function_calling_model
    True
"""

from assemblyai_gateway._wire.compat import missing_framework_error

try:
    from llama_index_assemblyai_gateway._rate_limiter import AdaptiveRateLimiter
    from llama_index_assemblyai_gateway.base import DEFAULT_MODEL, AssemblyAIGateway
    from llama_index_assemblyai_gateway.readers import AssemblyAITranscriptReader
    from llama_index_assemblyai_gateway.transcripts import (
        transcript_tasks,
        transcripts_from_documents,
    )
except ModuleNotFoundError as error:
    # Say which extra brings llama-index-core, instead of a bare "No module named".
    clear = missing_framework_error(error, framework="llama_index.core", extra="llama-index")
    if clear is not None:
        raise clear from error
    raise

__all__ = [
    "DEFAULT_MODEL",
    "AdaptiveRateLimiter",
    "AssemblyAIGateway",
    "AssemblyAITranscriptReader",
    "transcript_tasks",
    "transcripts_from_documents",
]
