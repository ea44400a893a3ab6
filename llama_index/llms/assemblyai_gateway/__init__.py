"""``from llama_index.llms.assemblyai_gateway import AssemblyAIGateway``.

The LlamaIndex-style import path for :mod:`llama_index_assemblyai_gateway`. There is no
``__init__.py`` in ``llama_index/`` or ``llama_index/llms/``: both are namespace packages
shared with ``llama-index-core`` and the other integrations.
"""

from llama_index_assemblyai_gateway import AssemblyAIGateway

__all__ = ["AssemblyAIGateway"]
