"""The ``"assemblyai-gateway:<model>"`` string form, through pydantic-ai's own hook.

pydantic-ai's ``infer_model`` knows its built-in prefixes only and has no registry for
third-party ones, so ``Agent("assemblyai-gateway:gpt-5")`` alone raises ``UserError``.
Its hook for other ids is a capability's ``resolve_model_id``: give the agent a
:class:`GatewayModelIds` and the string form works wherever the agent takes a model id
(``Agent(...)``, ``agent.run(..., model=...)``), without patching pydantic-ai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.models import Model, ModelResolutionContext

from pydantic_ai_assemblyai_gateway._model import AssemblyAIGatewayModel
from pydantic_ai_assemblyai_gateway._provider import PROVIDER_NAME, AssemblyAIGatewayProvider

__all__ = ["MODEL_ID_PREFIX", "GatewayModelIds"]

MODEL_ID_PREFIX = f"{PROVIDER_NAME}:"
"""The prefix of a gateway model id: ``AssemblyAIGatewayModel.model_id`` starts with it."""


@dataclass
class GatewayModelIds(AbstractCapability[Any]):
    """Resolves ``"assemblyai-gateway:<model>"`` ids to :class:`AssemblyAIGatewayModel` s.

    Each id resolves to one model object, and every model shares one provider: the
    given one, or one built from the environment on first use.

    Args:
        provider: The provider every resolved model uses.

    Examples:
        ```python
        from pydantic_ai import Agent

        from pydantic_ai_assemblyai_gateway import GatewayModelIds

        agent = Agent("assemblyai-gateway:gemini-2.5-flash", capabilities=[GatewayModelIds()])
        print(agent.run_sync("Say hello.").output)
        ```
    """

    provider: AssemblyAIGatewayProvider | None = None
    _models: dict[str, AssemblyAIGatewayModel] = field(default_factory=dict, init=False, repr=False)

    async def resolve_model_id(
        self, ctx: ModelResolutionContext[Any], *, model_id: str
    ) -> Model | None:
        """The gateway model an ``assemblyai-gateway:`` id names; ``None`` for other ids."""
        if not model_id.startswith(MODEL_ID_PREFIX):
            return None
        model = self._models.get(model_id)
        if model is None:
            if self.provider is None:
                self.provider = AssemblyAIGatewayProvider()
            name = model_id.removeprefix(MODEL_ID_PREFIX)
            model = self._models[model_id] = AssemblyAIGatewayModel(name, provider=self.provider)
        return model

    @classmethod
    def get_serialization_name(cls) -> str | None:
        """Not serializable in agent specs: it holds a provider."""
        return None
