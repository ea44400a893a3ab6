"""``AssemblyAIGateway``: AssemblyAI's LLM Gateway as a LlamaIndex ``FunctionCallingLLM``.

This module only translates. Every HTTP concern (requests, retries, errors, SSE or
pseudo-streaming, connection pools) belongs to :class:`assemblyai_gateway.GatewayClient`.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import AsyncGenerator, Generator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.program.function_program import FunctionCallingProgram
from llama_index.core.program.utils import FlexibleModel, get_program_for_llm
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import BasePydanticProgram, Model, PydanticProgramMode
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from assemblyai_gateway.catalog import get_model_info
from assemblyai_gateway.limiter import AdaptiveLimiter
from assemblyai_gateway.translate import resolve_tool_choice

from ._rate_limiter import adopt_rate_limiter
from ._request import build_request
from ._response import (
    StreamMapper,
    astream_responses,
    chat_response,
    dump,
    keep_first_tool_call,
    stream_responses,
    tool_selections,
)
from ._structured import (
    astream_structured,
    json_schema_response_format,
    parse_structured,
    stream_structured,
)

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

    from assemblyai_gateway.client import GatewayClient

__all__ = ["DEFAULT_MODEL", "GATEWAY_DEFAULT_MAX_TOKENS", "AssemblyAIGateway"]

logger = logging.getLogger("llama_index_assemblyai_gateway")
dispatcher = get_dispatcher(__name__)

DEFAULT_MODEL = "claude-sonnet-4-5-20250929"
# What the gateway produces at most when a request has no max_tokens.
GATEWAY_DEFAULT_MAX_TOKENS = 1000

# Fields the core client is built from: changing one rebuilds it on the next call.
_CLIENT_FIELDS = frozenset(
    {
        "api_key",
        "base_url",
        "region",
        "timeout",
        "max_retries",
        "enforce_region",
        "http_client",
        "async_http_client",
        "limiter",
    }
)
# Never pickled: connection pools (pickling with injected ones raises TypeError).
_UNPICKLED_FIELDS = frozenset({"http_client", "async_http_client"})


class AssemblyAIGateway(FunctionCallingLLM):
    """AssemblyAI's LLM Gateway (Claude, GPT and Gemini behind one key) as a LlamaIndex LLM.

    Chat, completion, streaming (sync and async), tool calling, agents and structured
    output all work for every gateway model. OpenAI models stream natively (SSE);
    the others are fetched in one request and replayed as a stream, through the same
    accumulator, so streamed and non-streamed results are identical.

    Args:
        model: The gateway model id. Unknown ids work, with conservative defaults.
        api_key: The AssemblyAI key; defaults to ``$ASSEMBLYAI_API_KEY`` at call time.
            Never serialised, logged or shown in ``repr``.
        base_url: Overrides ``$ASSEMBLYAI_GATEWAY_BASE_URL`` and ``region``.
        region: ``"us"`` (default) or ``"eu"`` (Claude and Gemini only).
        temperature: Sampling temperature (0-2); ``None`` leaves the model's default.
        max_tokens: Output token limit; ``None`` leaves the gateway's default (1000).
        timeout: Seconds per request; ``None`` is 120 s (10 s to connect).
        max_retries: Retries after the first attempt on 408/409/429/5xx and network errors.
        enforce_region: With ``region="eu"``, refuse models the catalog marks US-only
            before sending (default True); set False for a model newer than the catalog.
        fallbacks: Models the gateway tries when the first fails: ``[{"model": ...}]``
            (any request field may be overridden per fallback) or just model ids.
        fallback_config: ``{"retry": bool, "depth": 0-2}``.
        post_processing_steps: e.g. ``[{"type": "json-repair"}]``.
        transcript_id: An AssemblyAI transcript whose text replaces ``{{ transcript }}``.
        additional_kwargs: Extra request fields sent with every call.
        context_window: Overrides the catalog's context window.
        num_output: Overrides the output budget reported in ``metadata``.
        http_client: An ``httpx.Client`` to send with (not serialised or pickled).
        async_http_client: An ``httpx.AsyncClient`` to send with (not serialised or pickled).
        limiter: An ``assemblyai_gateway.AdaptiveLimiter`` every request waits for and
            reports to (429s, ``Retry-After``, token usage); share one object between
            LLMs to share the account's limits. ``rate_limiter=`` takes one too.

    Example:
        ```python
        from llama_index.core.llms import ChatMessage
        from llama_index.llms.assemblyai_gateway import AssemblyAIGateway

        llm = AssemblyAIGateway(model="claude-sonnet-4-5-20250929", max_tokens=300)
        response = llm.chat([ChatMessage(role="user", content="Say hello in French.")])
        print(response.message.content)
        print(response.additional_kwargs["request_id"], response.additional_kwargs["total_tokens"])

        for chunk in llm.stream_complete("Count to five."):
            print(chunk.delta, end="")
        ```
    """

    model: str = Field(default=DEFAULT_MODEL, description="The gateway model id.")
    api_key: SecretStr | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="The AssemblyAI API key; defaults to $ASSEMBLYAI_API_KEY.",
    )
    base_url: str | None = Field(
        default=None, description="Overrides $ASSEMBLYAI_GATEWAY_BASE_URL and region."
    )
    region: Literal["us", "eu"] | None = Field(
        default=None, description="'us' (default) or 'eu' data residency."
    )
    temperature: float | None = Field(
        default=None, ge=0.0, le=2.0, description="Sampling temperature."
    )
    max_tokens: int | None = Field(
        default=None, ge=1, description="Output token limit (gateway default 1000)."
    )
    timeout: float | None = Field(
        default=None, gt=0, description="Seconds per request (default 120)."
    )
    max_retries: int = Field(default=2, ge=0, description="Retries after the first attempt.")
    enforce_region: bool = Field(
        default=True,
        description="Refuse US-only models on the EU endpoint before sending; False overrides.",
    )
    fallbacks: list[dict[str, Any]] | None = Field(
        default=None, description="Fallback models, each {'model': ..., <overrides>}."
    )
    fallback_config: dict[str, Any] | None = Field(
        default=None, description="{'retry': bool, 'depth': 0-2}."
    )
    post_processing_steps: list[dict[str, Any]] | None = Field(
        default=None, description="Server-side steps, e.g. [{'type': 'json-repair'}]."
    )
    transcript_id: str | None = Field(
        default=None, description="Transcript injected at {{ transcript }}."
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request fields sent with every call."
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Overrides the catalog's context window."
    )
    num_output: int | None = Field(
        default=None, gt=0, description="Overrides the output budget in metadata."
    )
    # httpx types are spelled Any so importing the class does not import httpx; the core
    # client checks them when it is built.
    http_client: SkipJsonSchema[Any | None] = Field(
        default=None, exclude=True, repr=False, description="An httpx.Client to send with."
    )
    async_http_client: SkipJsonSchema[Any | None] = Field(
        default=None, exclude=True, repr=False, description="An httpx.AsyncClient to send with."
    )

    limiter: SkipJsonSchema[AdaptiveLimiter | None] = Field(
        default=None, exclude=True, repr=False, description="A shared AdaptiveLimiter."
    )

    _gateway: GatewayClient | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _adopt_adaptive_rate_limiter(cls, values: Any) -> Any:
        return adopt_rate_limiter(values)

    @field_validator("fallbacks", mode="before")
    @classmethod
    def _fallback_ids_to_objects(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return [{"model": item} if isinstance(item, str) else item for item in value]
        return value

    @classmethod
    def class_name(cls) -> str:
        """The stable name LlamaIndex serialises this class under."""
        return "AssemblyAIGateway_LLM"

    # ------------------------------------------------------------------ plumbing

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in _CLIENT_FIELDS:
            self._gateway = None

    def __getstate__(self) -> dict[Any, Any]:
        # Not BaseComponent.__getstate__: it deletes unpicklable fields from the live
        # object. Our own pools are dropped; the core client is rebuilt lazily.
        if self.http_client is not None or self.async_http_client is not None:
            raise TypeError(
                "an AssemblyAIGateway with an injected http_client/async_http_client cannot "
                "be pickled; pickle it without them and inject them after loading"
            )
        fields = {}
        for key, value in self.__dict__.items():
            if key in _UNPICKLED_FIELDS:
                continue
            try:
                pickle.dumps(value)
            except Exception:  # e.g. a rate limiter holding a lock
                # LlamaIndex's own convention: drop it, and say so.
                logger.warning(
                    "%s: field %r cannot be pickled and is left out", type(self).__name__, key
                )
                continue
            fields[key] = value
        return {
            "__dict__": fields,
            "__pydantic_extra__": self.__pydantic_extra__,
            "__pydantic_fields_set__": set(self.__pydantic_fields_set__),
            "__pydantic_private__": {},
        }

    def _client(self) -> GatewayClient:
        """The core client, built on first use (and again after a setting changed)."""
        gateway = getattr(self, "_gateway", None)
        if gateway is None:
            from assemblyai_gateway.client import GatewayClient

            gateway = GatewayClient(
                api_key=self.api_key,
                base_url=self.base_url,
                region=self.region,
                timeout=self.timeout,
                max_retries=self.max_retries,
                enforce_region=self.enforce_region,
                http_client=self.http_client,
                http_async_client=self.async_http_client,
                limiter=self.limiter,
            )
            self._gateway = gateway
        return gateway

    def close(self) -> None:
        """Close the connection pool the core client owns (injected clients stay open)."""
        gateway = getattr(self, "_gateway", None)
        if gateway is not None:
            gateway.close()

    async def aclose(self) -> None:
        """Close the sync and async pools the core client owns."""
        gateway = getattr(self, "_gateway", None)
        if gateway is not None:
            await gateway.aclose()

    @property
    def metadata(self) -> LLMMetadata:
        """Context window, output budget and capabilities, from the core's model catalog.

        ``num_output`` is the ``num_output`` override, else ``max_tokens``, else the
        gateway's default of 1000, capped at the model's catalog output limit.
        """
        info = get_model_info(self.model)
        budget = min(self.max_tokens or GATEWAY_DEFAULT_MAX_TOKENS, info.max_output_tokens)
        return LLMMetadata(
            context_window=self.context_window or info.context_window,
            num_output=self.num_output or budget,
            is_chat_model=True,
            is_function_calling_model=info.supports_tools,
            model_name=self.model,
        )

    def to_payload(self) -> dict[str, Any]:
        """Settings and metadata for instrumentation events; never the key or clients."""
        return {**self.model_dump(), **self.metadata.model_dump(), "class_name": self.class_name()}

    def _settings(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "fallbacks": self.fallbacks,
            "fallback_config": self.fallback_config,
            "post_processing_steps": self.post_processing_steps,
            "transcript_id": self.transcript_id,
            **self.additional_kwargs,
        }

    def _request(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        return build_request(messages, settings=self._settings(), call_kwargs=kwargs)

    # ---------------------------------------------------------------------- chat

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Send the conversation and return the assistant's reply."""
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat`."""
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the reply; each response holds the whole message so far and its delta."""
        return self._stream_chat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`."""
        return await self._astream_chat(messages, **kwargs)

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request = self._request(messages, kwargs)
        completion = self._client().create(request)
        return chat_response(completion, requested_model=request["model"], raw=dump(completion))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request = self._request(messages, kwargs)
        completion = await self._client().acreate(request)
        return chat_response(completion, requested_model=request["model"], raw=dump(completion))

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        request = self._request(messages, kwargs)
        # Validation (and the region guard) happens here, before iteration starts.
        chunks = self._client().stream(request)
        return stream_responses(chunks, StreamMapper(request["model"]))

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        request = self._request(messages, kwargs)
        chunks = self._client().astream(request)
        return astream_responses(chunks, StreamMapper(request["model"]))

    # ---------------------------------------------------------------- completion

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Send ``prompt`` as one user message and return the reply text."""
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async :meth:`complete`."""
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Stream the reply to ``prompt``."""
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`."""
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)

    # --------------------------------------------------------------------- tools

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The ``chat`` kwargs for a tool-calling turn.

        ``tool_choice`` (a tool name, ``"auto"``, ``"none"``, ``"required"`` or an
        OpenAI-style dict) wins over ``tool_required``, which forces the only tool by
        name, or sends ``"required"`` when there are several. ``parallel_tool_calls``
        is sent only when passed explicitly as a kwarg; ``allow_parallel_tool_calls``
        only decides whether :meth:`chat_with_tools` keeps more than one call.
        ``strict`` sets each function's ``strict`` flag when given.
        """
        specs = [tool.metadata.to_openai_tool(skip_length_check=True) for tool in tools]
        if strict is not None:
            for spec in specs:
                spec["function"]["strict"] = strict
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        chat_kwargs: dict[str, Any] = {**kwargs, "messages": messages}
        if specs:
            chat_kwargs["tools"] = specs
            wanted = tool_choice if tool_choice is not None else (True if tool_required else None)
            choice = resolve_tool_choice(wanted, [spec["function"]["name"] for spec in specs])
            if choice is not None:
                chat_kwargs["tool_choice"] = (
                    choice if isinstance(choice, str) else choice.model_dump(mode="json")
                )
        return chat_kwargs

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call unless parallel calls were allowed."""
        if not allow_parallel_tool_calls and kwargs.get("parallel_tool_calls") is not True:
            keep_first_tool_call(response.message)
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """The response's tool calls as ``ToolSelection`` objects.

        Arguments that are not a JSON object (kept as raw text in the
        ``ToolCallBlock``) give ``tool_kwargs={}``.

        Raises:
            ValueError: no tool call, when ``error_on_no_tool_call`` is true.
        """
        selections = tool_selections(response.message)
        if not selections and error_on_no_tool_call:
            raise ValueError("Expected at least one tool call, but got 0 tool calls.")
        return selections

    # --------------------------------------------------------- structured output

    def _uses_json_schema(self) -> bool:
        return (
            self.pydantic_program_mode == PydanticProgramMode.DEFAULT
            and get_model_info(self.model).supports_json_schema
        )

    def _json_schema_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None,
        prompt_args: dict[str, Any],
    ) -> tuple[list[ChatMessage], dict[str, Any]]:
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        kwargs = dict(llm_kwargs or {})
        for key in ("tool_choice", "tool_required", "allow_parallel_tool_calls"):
            kwargs.pop(key, None)
        kwargs.setdefault("response_format", json_schema_response_format(output_cls))
        return messages, kwargs

    def _structured_program(
        self, output_cls: type[Model], prompt: PromptTemplate
    ) -> BasePydanticProgram[Model]:
        if (
            self.pydantic_program_mode == PydanticProgramMode.DEFAULT
            and self.metadata.is_function_calling_model
        ):
            # Force the output tool, streamed or not (the base class only forces it
            # for non-streamed calls).
            return FunctionCallingProgram.from_defaults(
                output_cls=output_cls, prompt=prompt, llm=self, tool_choice="required"
            )
        return get_program_for_llm(
            output_cls, prompt, self, pydantic_program_mode=self.pydantic_program_mode
        )

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Predict an ``output_cls`` instance.

        Uses the gateway's ``response_format`` json_schema when the catalog says the
        model supports it (and ``pydantic_program_mode`` is the default); otherwise
        function calling with the output tool forced (gpt-oss), or the program mode set.
        """
        if not self._uses_json_schema():
            predicted: Model = super().structured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )
            return predicted
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages, kwargs = self._json_schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        result = parse_structured(self.chat(messages, **kwargs).message.content, output_cls)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async :meth:`structured_predict`."""
        if not self._uses_json_schema():
            predicted: Model = await super().astructured_predict(
                output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args
            )
            return predicted
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages, kwargs = self._json_schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        response = await self.achat(messages, **kwargs)
        result = parse_structured(response.message.content, output_cls)
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    def stream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | FlexibleModel, None, None]:
        """Yield partial objects as the JSON grows, then the full ``output_cls`` object."""
        if not self._uses_json_schema():
            return super().stream_structured_predict(
                output_cls, prompt, llm_kwargs=dict(llm_kwargs or {}), **prompt_args
            )
        messages, kwargs = self._json_schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        return stream_structured(
            lambda: self.stream_chat(messages, **kwargs), output_cls, prompt, prompt_args
        )

    @dispatcher.span
    async def astream_structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | FlexibleModel, None]:
        """Async :meth:`stream_structured_predict`."""
        if not self._uses_json_schema():
            return await super().astream_structured_predict(
                output_cls, prompt, llm_kwargs=dict(llm_kwargs or {}), **prompt_args
            )
        messages, kwargs = self._json_schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        return astream_structured(
            lambda: self.astream_chat(messages, **kwargs), output_cls, prompt, prompt_args
        )

    def _structured_stream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None, None]:
        program = self._structured_program(output_cls, prompt)
        return program.stream_call(llm_kwargs=llm_kwargs, **prompt_args)

    async def _structured_astream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | list[Model] | FlexibleModel | list[FlexibleModel], None]:
        program = self._structured_program(output_cls, prompt)
        return await program.astream_call(llm_kwargs=llm_kwargs, **prompt_args)
