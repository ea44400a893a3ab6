"""pydantic-ai integration for AssemblyAI's LLM Gateway: a native ``Model`` on the same core.

Examples:
    >>> from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayModel, AssemblyAIGatewayProvider
    >>> model = AssemblyAIGatewayModel("gpt-5", provider=AssemblyAIGatewayProvider(api_key="k"))
    >>> model.model_id, model.profile["supports_json_schema_output"]
    ('assemblyai-gateway:gpt-5', True)
"""

from assemblyai_gateway import __version__
from assemblyai_gateway._wire.compat import missing_framework_error

try:
    from pydantic_ai_assemblyai_gateway._errors import as_pydantic_ai_error
    from pydantic_ai_assemblyai_gateway._model import AssemblyAIGatewayModel
    from pydantic_ai_assemblyai_gateway._model_ids import GatewayModelIds
    from pydantic_ai_assemblyai_gateway._profile import gateway_model_profile
    from pydantic_ai_assemblyai_gateway._provider import PROVIDER_NAME, AssemblyAIGatewayProvider
    from pydantic_ai_assemblyai_gateway._settings import AssemblyAIGatewayModelSettings
except ModuleNotFoundError as error:
    # Say which extra brings pydantic-ai, instead of a bare "No module named".
    if clear := missing_framework_error(error, framework="pydantic_ai", extra="pydantic-ai"):
        raise clear from error
    raise

__all__ = [
    "PROVIDER_NAME",
    "AssemblyAIGatewayModel",
    "AssemblyAIGatewayModelSettings",
    "AssemblyAIGatewayProvider",
    "GatewayModelIds",
    "__version__",
    "as_pydantic_ai_error",
    "gateway_model_profile",
]
