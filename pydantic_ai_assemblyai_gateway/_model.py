"""``AssemblyAIGatewayModel``: AssemblyAI's LLM Gateway as a native pydantic-ai ``Model``.

This module only translates. Every HTTP concern (requests, retries, errors, SSE or a
request replayed as a stream, connection pools, the limiter) belongs to
:class:`assemblyai_gateway.GatewayClient`, which the provider owns.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import (
    Model,
    ModelRequestParameters,
    StreamedResponse,
    check_allow_model_requests,
)
from pydantic_ai.profiles import ModelProfileSpec
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import RunContext

from assemblyai_gateway._adapting.client_owner import DEFAULT_MODEL
from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway._wire.types import ChatCompletionRequest
from pydantic_ai_assemblyai_gateway._errors import raises_pydantic_ai_errors
from pydantic_ai_assemblyai_gateway._provider import PROVIDER_NAME, AssemblyAIGatewayProvider
from pydantic_ai_assemblyai_gateway._request import to_gateway_request
from pydantic_ai_assemblyai_gateway._response import ResponseFacts, completion_to_response
from pydantic_ai_assemblyai_gateway._settings import UNSUPPORTED_SETTINGS, call_settings
from pydantic_ai_assemblyai_gateway._stream import AssemblyAIGatewayStreamedResponse

__all__ = ["DEFAULT_MODEL", "AssemblyAIGatewayModel"]

# pydantic-ai releases that know `Model.unsupported_settings` warn about those ignored
# settings themselves; on older ones this model warns.
_FRAMEWORK_WARNS = hasattr(Model, "unsupported_settings")


@dataclass(frozen=True)
class _Call:
    """One prepared call: the validated request, the client that sends it, and the
    request parameters pydantic-ai prepared (what a streamed response maps against)."""

    request: ChatCompletionRequest
    client: GatewayClient
    params: ModelRequestParameters


class AssemblyAIGatewayModel(Model[GatewayClient]):
    """AssemblyAI's LLM Gateway (Claude, GPT and Gemini behind one key) as a pydantic-ai model.

    ``Agent.run``, ``run_sync``, ``run_stream`` and ``iter`` work for every gateway
    model, with tools (and their retries), every output mode (tool output,
    ``NativeOutput`` where the catalog says the model takes a json_schema
    ``response_format``, ``PromptedOutput``), ``ThinkingPart`` s from the answer's
    ``thinking``, and usage with cache and reasoning tokens. Whether a stream uses
    server-sent events or one request replayed as chunks is the core's rule: natively
    when every model the request can reach (its fallbacks too) streams.

    Errors are pydantic-ai's own (``ModelHTTPError`` with the status and the gateway's
    body), so ``FallbackModel`` falls back and retries behave as with any provider.

    Args:
        model_name: The gateway model id; default ``"claude-sonnet-4-5-20250929"``.
        provider: An :class:`AssemblyAIGatewayProvider`, or ``"assemblyai-gateway"`` for
            one built from the environment (``ASSEMBLYAI_API_KEY``, ...).
        profile: pydantic-ai's model profile, over the one the provider gives.
        settings: Default settings (:class:`AssemblyAIGatewayModelSettings`).

    Examples:
        ```python
        from pydantic import BaseModel
        from pydantic_ai import Agent

        from pydantic_ai_assemblyai_gateway import AssemblyAIGatewayModel


        class City(BaseModel):
            name: str
            country: str


        agent = Agent(AssemblyAIGatewayModel("gpt-5"), output_type=City)
        result = agent.run_sync("Where is the Louvre? Answer name: Paris, country: France")
        print(result.output, result.usage)
        ```
    """

    unsupported_settings: ClassVar[frozenset[Any]] = UNSUPPORTED_SETTINGS
    """``ModelSettings`` the gateway has no field for (never sent; warned about)."""

    _model_name: str
    _provider: AssemblyAIGatewayProvider

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        *,
        provider: AssemblyAIGatewayProvider | Literal["assemblyai-gateway"] = "assemblyai-gateway",
        profile: ModelProfileSpec | None = None,
        settings: ModelSettings | None = None,
    ) -> None:
        if not isinstance(model_name, str) or not model_name:
            raise ValueError(f"model_name must be a non-empty gateway model id, got {model_name!r}")
        if isinstance(provider, str):
            if provider != PROVIDER_NAME:
                raise UserError(
                    f"unknown provider {provider!r}: pass {PROVIDER_NAME!r} or an "
                    "AssemblyAIGatewayProvider"
                )
            provider = AssemblyAIGatewayProvider()
        self._model_name = model_name
        self._provider = provider
        super().__init__(settings=settings, profile=profile)

    @property
    def model_name(self) -> str:
        """The gateway model id."""
        return self._model_name

    @property
    def system(self) -> str:
        """``"assemblyai-gateway"``: the provider name on every response."""
        return self._provider.name

    @property
    def base_url(self) -> str:
        """The gateway's base URL."""
        return self._provider.base_url

    @property
    def client(self) -> GatewayClient:
        """The core client the provider owns."""
        return self._provider.client

    def __repr__(self) -> str:
        return f"AssemblyAIGatewayModel({self._model_name!r}, provider={self._provider!r})"

    # ------------------------------------------------------------------ requests

    def _facts(self) -> ResponseFacts:
        return ResponseFacts(self._model_name, self.system, self.base_url)

    def _prepare_call(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> _Call:
        settings, params = self.prepare_request(model_settings, model_request_parameters)
        given: dict[str, Any] = dict(settings or {})
        if not _FRAMEWORK_WARNS and (ignored := sorted(UNSUPPORTED_SETTINGS & given.keys())):
            warnings.warn(
                f"{', '.join(ignored)} is not supported by AssemblyAIGatewayModel and was ignored",
                UserWarning,
                stacklevel=4,
            )
        call = call_settings(
            given,
            rule=self._provider.argument_rule,
            thinking=params.thinking,
            sends_tools=bool(params.declared_tool_defs),
        )
        instructions = [
            part.content for part in self._get_instruction_parts(messages, params) or ()
        ]
        body = to_gateway_request(
            self._model_name,
            messages,
            instructions=instructions,
            settings=settings,
            params=params,
            fields=call.fields,
            system=self.system,
        )
        client = self._provider.client_for(call.client)
        return _Call(client.build_request(body), client, params)

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        """Send one request; the answer as a ``ModelResponse``."""
        check_allow_model_requests()
        with raises_pydantic_ai_errors(self._model_name):
            call = self._prepare_call(messages, model_settings, model_request_parameters)
            completion = await call.client.acreate(call.request)
        return completion_to_response(completion, self._facts())

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: RunContext[Any] | None = None,
    ) -> AsyncIterator[StreamedResponse]:
        """Stream one request (natively or replayed, by the core's rule).

        The first chunk is read before the response is handed over, so a request that
        fails to start raises here, where ``FallbackModel`` can fall back.
        """
        check_allow_model_requests()
        with raises_pydantic_ai_errors(self._model_name):
            call = self._prepare_call(messages, model_settings, model_request_parameters)
            stream = call.client.astream(call.request, include_usage=True)
        try:
            with raises_pydantic_ai_errors(self._model_name):
                first = await anext(stream, None)
            yield AssemblyAIGatewayStreamedResponse(
                model_request_parameters=call.params,
                _facts=self._facts(),
                _stream=stream,
                _first=first,
            )
        finally:
            await stream.aclose()
