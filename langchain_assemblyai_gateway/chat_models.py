"""``ChatAssemblyAIGateway``: AssemblyAI's LLM Gateway as a LangChain chat model."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import aclosing, closing
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from assemblyai_gateway._adapting.client_owner import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MODEL,
    ClientCache,
    ClientSettings,
    GatewayClientOwner,
    request_settings,
)
from assemblyai_gateway._adapting.request_fields import GatewayRequestFields
from assemblyai_gateway._limiter.adaptive import AdaptiveLimiter
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, BASE_URL_ENV, Region
from assemblyai_gateway._transport.streams import amap_stream, map_stream
from langchain_assemblyai_gateway._call_params import CallParams
from langchain_assemblyai_gateway._errors import raises_model_errors
from langchain_assemblyai_gateway._profile import profile_for
from langchain_assemblyai_gateway._rate_limiter import adopt_rate_limiter
from langchain_assemblyai_gateway._request import (
    GatewayCall,
    collect_model_kwargs,
    format_tools,
    to_gateway_call,
    to_gateway_request,
)
from langchain_assemblyai_gateway._response import StreamMapper, completion_to_chat_result
from langchain_assemblyai_gateway._structured import StructuredOutput
from langchain_assemblyai_gateway._tokens import ApproximateTokenCounts

if TYPE_CHECKING:
    from assemblyai_gateway._transport.client import GatewayClient

__all__ = ["DEFAULT_MODEL", "ChatAssemblyAIGateway"]


class ChatAssemblyAIGateway(
    GatewayClientOwner,
    CallParams,
    ApproximateTokenCounts,
    StructuredOutput,
    GatewayRequestFields,
    BaseChatModel,
):
    """AssemblyAI's LLM Gateway (Claude, GPT and Gemini behind one key) as a chat model.

    Setup:
        Install ``assemblyai-llm-gateway[langchain]`` and set ``ASSEMBLYAI_API_KEY``
        (the raw key: the gateway takes it without a ``Bearer`` prefix).

    Attributes:
        model: Gateway model id (alias ``model_name``); default
            ``"claude-sonnet-4-5-20250929"``. Unknown ids work with conservative defaults.
        api_key: Default ``$ASSEMBLYAI_API_KEY`` (alias ``assemblyai_api_key``).
        region: ``"us"`` (default) or ``"eu"`` (EU data residency: Claude and Gemini only).
        base_url: Default ``$ASSEMBLYAI_GATEWAY_BASE_URL``, else the region's endpoint.
        temperature: Sampling temperature (0-2); default: the model's.
        max_tokens: Output token limit (>= 1); default: the gateway's, 1000.
        timeout: Seconds or an ``httpx.Timeout`` (alias ``request_timeout``; default 120 s).
        max_retries: Retries of 408/409/429/5xx and connection errors (default 2).
        enforce_region: With ``region="eu"``, refuse models the catalog marks US-only
            before sending (default True); set False for a model newer than the catalog.
        attempt_deadline, max_response_bytes, max_event_size, max_stream_bytes: Limits
            of one attempt (default 900 s, 32 MiB, 8 Mi characters, 128 MiB); see the
            reliability docs.
        stop: Stop sequences (alias ``stop_sequences``), enforced client-side, see below.
        streaming: Make ``invoke`` use the streaming path (default ``False``).
        stream_usage: Report token usage when streaming (default ``True``).
        fallbacks: Models the gateway tries when the first fails, e.g. ``["gpt-5"]``
            or ``[{"model": "gpt-5", "temperature": 0}]``.
        fallback_config: e.g. ``{"retry": True, "depth": 2}``.
        post_processing_steps: e.g. ``["json-repair"]`` or ``[{"type": "json-repair"}]``.
        transcript_id: An AssemblyAI transcript whose text replaces ``{{ transcript }}``.
        reasoning: Think before answering: an effort level (``"low"``, ``"medium"``,
            ``"high"``) or the gateway's object, e.g. ``{"effort": "high"}``.
        reasoning_effort: ``ChatOpenAI``'s name for the level (sent as ``reasoning``).
        zero_data_retention, model_region, fail_fast, max_timeout: The gateway's newer
            request fields (a bool, a provider region, a bool, seconds > 0); also per call.
        model_kwargs: Extra request fields, sent as given (must not repeat a field above
            or hold a client setting).
        http_client: An ``httpx.Client`` to use (never closed by us, not serialized).
        http_async_client: An ``httpx.AsyncClient`` to use (never closed by us).
        limiter: An ``assemblyai_gateway.AdaptiveLimiter`` every request waits for and
            reports to (429s, ``Retry-After``, token usage); share one object between
            models to share the account's limits. ``rate_limiter=`` takes one too.

    Streaming:
        When the model and all its ``fallbacks`` stream natively (OpenAI's), the call
        streams with server-sent events. Otherwise (a Claude, Gemini or unknown id
        anywhere among them) it is pseudo-streamed: one normal request, no ``stream``
        field, its answer split into chunks. Either way the
        chunks add up to what ``invoke`` returns, the last chunk has
        ``chunk_position="last"``, and exactly one chunk carries ``usage_metadata``.

    Stop sequences:
        The gateway has no ``stop`` field, so ``stop`` is never sent. The text is cut
        just before the first occurrence of any stop sequence, nothing after it is kept
        (text or tool calls) and ``finish_reason`` becomes ``"stop"``. While streaming,
        text that may start a stop sequence is held back until it is known not to be
        one; the model still generates (and bills) the tokens after the match.

    Tool choice:
        ``bind_tools(tools, tool_choice=...)`` maps ``"auto"``/``"none"`` as is;
        ``"any"``, ``"required"`` and ``True`` force the single bound tool by name, or
        send ``"required"`` when several are bound; ``False`` sends ``"none"``; a tool
        name or ``{"type": "function", "function": {"name": ...}}`` forces that tool.
        A name that is not bound raises ``ToolChoiceError`` before anything is sent.

    Structured output:
        ``method="json_schema"`` (default) sends ``response_format`` json_schema; when
        the model or one of its ``fallbacks`` lacks json_schema support (``gpt-oss-*``)
        it uses ``function_calling`` instead. ``function_calling`` forces a tool with
        the schema. ``json_mode`` sends a json_schema of any object (nothing, when a
        model lacks json_schema) and a system instruction asking for a single JSON
        object, then parses the text.

    Conventions:
        As with ``ChatOpenAI``: ``model_name`` reads the model id; per-call and
        ``bind()`` keyword arguments (``seed``, ``reasoning``, ...) are sent as request
        fields, but a client setting (``api_key``, ``base_url``, ...) raises
        ``MisplacedClientSettingError`` and a near miss (``temprature``) raises
        ``UnexpectedArgumentError``, as does one in the constructor, where other
        unknown names move to ``model_kwargs`` with a warning;
        ``get_num_tokens``/``get_num_tokens_from_messages`` count offline
        (approximately). Histories from other providers work: reasoning and thinking
        blocks are dropped from assistant turns, Anthropic ``tool_use`` blocks become
        ``tool_calls``, and the ``developer`` role is ``system``.

    Examples:
        ```python
        from pydantic import BaseModel
        from langchain_assemblyai_gateway import ChatAssemblyAIGateway

        llm = ChatAssemblyAIGateway(model="claude-sonnet-4-5-20250929", max_tokens=500)

        # invoke
        reply = llm.invoke("Name three uses of speech-to-text.")
        print(reply.content, reply.usage_metadata, reply.response_metadata["request_id"])

        # stream
        for chunk in llm.stream("Write a haiku about meetings."):
            print(chunk.content, end="", flush=True)


        # tools
        def get_weather(city: str) -> str:
            \"\"\"Get the weather for a city.\"\"\"
            return "sunny"


        ai_msg = llm.bind_tools([get_weather], tool_choice="any").invoke(
            "Weather in Paris?"
        )
        print(ai_msg.tool_calls)


        # structured output
        class Summary(BaseModel):
            title: str
            action_items: list[str]


        summary = llm.with_structured_output(Summary).invoke(
            "Summarise: we agreed to ship on Friday; Ana writes the notes."
        )

        # fallbacks: the gateway tries gpt-5 if Claude fails
        robust = ChatAssemblyAIGateway(
            model="claude-sonnet-4-5-20250929",
            fallbacks=["gpt-5"],
            fallback_config={"depth": 1},
        )
        print(robust.invoke("Hi").response_metadata["model_name"])  # the serving model
        ```
    """

    model: str = Field(default=DEFAULT_MODEL, alias="model_name", min_length=1)
    """The gateway model id, e.g. ``"claude-sonnet-4-5-20250929"`` or ``"gpt-5"``."""

    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(API_KEY_ENV, default=None), alias="assemblyai_api_key"
    )
    """The AssemblyAI API key; defaults to ``$ASSEMBLYAI_API_KEY``."""

    base_url: str | None = Field(default_factory=from_env(BASE_URL_ENV, default=None))
    """The gateway URL; defaults to ``$ASSEMBLYAI_GATEWAY_BASE_URL``, else the region's."""

    region: Region | None = None
    """``"us"`` (default) or ``"eu"``; ignored when ``base_url`` is set."""

    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    """Sampling temperature (0 to 2); a value outside is refused when the model is built."""

    max_tokens: int | None = Field(default=None, ge=1)
    """The most tokens to generate (the gateway's default is 1000)."""

    # httpx types are spelled Any (as ChatOpenAI does) so importing the model does not
    # import httpx; the core client checks them when it is built.
    timeout: float | Any | None = Field(default=None, alias="request_timeout")
    """Seconds, or an ``httpx.Timeout``; ``None`` means 120 s (10 s to connect)."""

    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0)
    """Retries after the first attempt for retryable failures."""

    enforce_region: bool = True
    """Refuse US-only models on the EU endpoint before sending; False to override."""

    attempt_deadline: float | None = None
    """Seconds one attempt may take in all, first byte to last; ``None`` means 900 s."""

    max_response_bytes: int | None = None
    """Cap on a decompressed response body; ``None`` means 32 MiB."""

    max_event_size: int | None = None
    """Cap on one streamed event, in characters; ``None`` means 8 Mi."""

    max_stream_bytes: int | None = None
    """Cap on a decompressed stream in all, keep-alives included; ``None`` means 128 MiB."""

    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Stop sequences, enforced client-side (never sent)."""

    streaming: bool = False
    """Whether ``invoke`` streams (and aggregates) instead of one plain request."""

    stream_usage: bool = True
    """Whether streamed responses report token usage (``stream_options.include_usage``)."""

    fallbacks: str | list[str | dict[str, Any]] | None = None
    """Fallback models: ids, or objects with ``model`` and request-field overrides.

    A bare string is one model (``"gpt-5"``), never a list of letters."""

    fallback_config: dict[str, Any] | None = None
    """How the gateway falls back: ``retry`` (bool) and ``depth`` (up to 2)."""

    post_processing_steps: str | list[str | dict[str, Any]] | None = None
    """Server-side steps such as ``"json-repair"``."""

    transcript_id: str | None = None
    """An AssemblyAI transcript id whose text replaces ``{{ transcript }}`` in messages."""

    reasoning: str | dict[str, Any] | None = None
    """An effort level or the gateway's ``reasoning`` object; the thinking comes back."""

    reasoning_effort: str | None = None
    """The effort level under ``ChatOpenAI``'s name; must agree with ``reasoning``."""

    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra request fields sent as given (for gateway fields newer than this release);
    never a client setting (``MisplacedClientSettingError``) nor one of the model's own
    parameters (``ValueError``)."""

    http_client: Any | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` for sync calls; never closed by the model."""

    http_async_client: Any | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` for async calls; never closed by the model."""

    limiter: AdaptiveLimiter | None = Field(default=None, exclude=True)
    """An adaptive limiter shared by every model given the same object (opt-in)."""

    # A validation error never quotes the arguments (the key among them).
    model_config = ConfigDict(populate_by_name=True, hide_input_in_errors=True)

    _clients: ClientCache = PrivateAttr(default_factory=ClientCache)

    # ------------------------------------------------------------------ validation

    @model_validator(mode="before")
    @classmethod
    def _build_model_kwargs(cls, values: Any) -> Any:
        """Unknown init args go to ``model_kwargs`` by the core's rule; then the limiter."""
        if not isinstance(values, dict):
            return values
        values = collect_model_kwargs(values, cls._argument_rule(), stacklevel=4)
        return adopt_rate_limiter(values)

    # --------------------------------------------------------- LangChain plumbing

    def _resolve_model_profile(self) -> ModelProfile | None:
        # The gateway's word: a model the table does not know has the live list read once.
        return profile_for(self._model_route(self.model).models[0])

    # ------------------------------------------------------------------- the client

    def _client_settings(self) -> ClientSettings:
        """What the core client is built from: this model's fields, each passed by name."""
        return ClientSettings(
            api_key=self.api_key,
            base_url=self.base_url,
            region=self.region,
            timeout=self.timeout,
            max_retries=self.max_retries,
            enforce_region=self.enforce_region,
            attempt_deadline=self.attempt_deadline,
            max_response_bytes=self.max_response_bytes,
            max_event_size=self.max_event_size,
            max_stream_bytes=self.max_stream_bytes,
            http_client=self.http_client,
            http_async_client=self.http_async_client,
            limiter=self.limiter,
        )

    @property
    def client(self) -> GatewayClient:
        """The core client, built on first use from the fields (rebuilt if they change)."""
        return self._gateway_client()

    # ------------------------------------------------------------------- requests

    def _prepare(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: Mapping[str, Any]
    ) -> GatewayCall:
        return to_gateway_call(
            messages,
            rule=self._argument_rule(),
            settings=request_settings(self, self.model_kwargs),
            model_kwargs=self.model_kwargs,
            call_kwargs=kwargs,
            stop=stop if stop is not None else self.stop,
            stream_usage=self.stream_usage,
        )

    def _streams_on_invoke(self, kwargs: Mapping[str, Any]) -> bool:
        if "stream" in kwargs:
            return bool(kwargs["stream"])
        if not self.streaming or self.disable_streaming is True:
            return False
        return not (self.disable_streaming == "tool_calling" and kwargs.get("tools"))

    @raises_model_errors
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._streams_on_invoke(kwargs):
            chunks = self._stream(messages, stop=stop, run_manager=run_manager, **kwargs)
            return generate_from_stream(chunks)
        call = self._prepare(messages, stop, kwargs)
        completion = self.client.create(call.request)
        return completion_to_chat_result(completion, requested_model=call.model, stop=call.stop)

    @raises_model_errors
    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._streams_on_invoke(kwargs):
            chunks = self._astream(messages, stop=stop, run_manager=run_manager, **kwargs)
            return await agenerate_from_stream(chunks)
        call = self._prepare(messages, stop, kwargs)
        completion = await self.client.acreate(call.request)
        return completion_to_chat_result(completion, requested_model=call.model, stop=call.stop)

    @raises_model_errors
    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        call = self._prepare(messages, stop, kwargs)
        stream = self.client.stream(call.request, include_usage=call.include_usage)
        mapper = StreamMapper(requested_model=call.model, stop=call.stop)
        with closing(map_stream(stream, mapper)) as messages_out:
            for message in messages_out:
                generation = ChatGenerationChunk(message=message)
                if run_manager is not None:
                    run_manager.on_llm_new_token(generation.text, chunk=generation)
                yield generation

    @raises_model_errors
    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = self._prepare(messages, stop, kwargs)
        stream = self.client.astream(call.request, include_usage=call.include_usage)
        mapper = StreamMapper(requested_model=call.model, stop=call.stop)
        async with aclosing(amap_stream(stream, mapper)) as messages_out:
            async for message in messages_out:
                generation = ChatGenerationChunk(message=message)
                if run_manager is not None:
                    await run_manager.on_llm_new_token(generation.text, chunk=generation)
                yield generation

    # ------------------------------------------------------ tools and structured output

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (any form ``convert_to_openai_tool`` takes) to the model.

        Args:
            tools: LangChain tools, functions, pydantic classes, TypedDicts or dicts.
            tool_choice: ``"auto"``, ``"none"``, ``"any"``/``"required"``/``True``
                (force a call; the tool itself when only one is bound), ``False``
                (``"none"``), a tool name, or ``{"type": "function", "function":
                {"name": ...}}``. Checked now: an unknown name raises ``ToolChoiceError``.
            strict: Passed to each tool's definition when not ``None``.
            parallel_tool_calls: Sent as ``parallel_tool_calls`` when not ``None``.
            **kwargs: Other per-call request fields, bound too.
        """
        formatted = format_tools(tools, strict=strict)
        if tool_choice is not None:
            # Resolve now so a bad name fails here; the mapper resolves it again per call.
            to_gateway_request([], {"tools": formatted, "tool_choice": tool_choice})
            kwargs["tool_choice"] = tool_choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return self.bind(tools=formatted, **kwargs)


# LangChain calls inspect.signature(self._generate) (and _agenerate) on every call to
# see whether it takes run_manager; a precomputed __signature__ makes that a lookup.
for _method in (ChatAssemblyAIGateway._generate, ChatAssemblyAIGateway._agenerate):
    _method.__signature__ = inspect.signature(_method)  # type: ignore[union-attr]
del _method
