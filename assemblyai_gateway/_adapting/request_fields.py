"""The gateway's newer request fields as typed settings, shared by both adapters.

``zero_data_retention``, ``model_region``, ``fail_fast`` and ``max_timeout`` are
fields of the core request (:class:`~assemblyai_gateway._wire.types.ChatCompletionRequest`)
and, through :class:`GatewayRequestFields`, constructor settings of
``ChatAssemblyAIGateway`` and ``AssemblyAIGateway``, with the same types and
constraints (:data:`~assemblyai_gateway._wire.shapes.ModelRegion`,
:data:`~assemblyai_gateway._wire.shapes.MaxTimeout`). Per call they are plain request fields
under the one rule of :mod:`assemblyai_gateway._adapting.arguments`, and a call's value wins
(``None`` removes the setting), as for ``temperature``.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, Field

from .._wire.shapes import MaxTimeout, ModelRegion

__all__ = ["GATEWAY_REQUEST_FIELDS", "GatewayRequestFields"]


class GatewayRequestFields(BaseModel):
    """The settings behind the gateway's newer request fields; each adapter inherits it.

    A field left ``None`` is not sent, and the gateway applies its own default.

    Examples:
        >>> fields = GatewayRequestFields(zero_data_retention=True, max_timeout=30)
        >>> fields.model_dump(exclude_none=True)
        {'zero_data_retention': True, 'max_timeout': 30}
        >>> GatewayRequestFields(max_timeout=0)
        Traceback (most recent call last):
        ...
        pydantic_core._pydantic_core.ValidationError: 1 validation error for GatewayRequestFields
        max_timeout
          Input should be greater than 0 ...
    """

    zero_data_retention: bool | None = Field(
        default=None,
        description="The gateway's `zero_data_retention` flag: ask that neither the request "
        "nor the answer be retained.",
    )
    model_region: ModelRegion | None = Field(
        default=None,
        description="The provider region the gateway routes the model to (`model_region`); "
        "unlike `region`, which picks the gateway's own endpoint.",
    )
    fail_fast: bool | None = Field(
        default=None,
        description="The gateway's `fail_fast` flag, sent as given.",
    )
    max_timeout: MaxTimeout | None = Field(
        default=None,
        description="Seconds the gateway may spend on the request (`max_timeout`); "
        "`timeout` bounds how long this client waits.",
    )


GATEWAY_REQUEST_FIELDS: Final = tuple(GatewayRequestFields.model_fields)
"""``zero_data_retention``, ``model_region``, ``fail_fast`` and ``max_timeout``."""
