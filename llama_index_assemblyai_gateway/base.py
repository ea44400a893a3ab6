"""``AssemblyAIGateway``: AssemblyAI's LLM Gateway as a LlamaIndex ``FunctionCallingLLM``.

This module only translates. Every HTTP concern (requests, retries, errors, SSE or
pseudo-streaming, connection pools) belongs to :class:`assemblyai_gateway.GatewayClient`.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

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
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator
from pydantic.json_schema import SkipJsonSchema

from assemblyai_gateway._adapting.arguments import PEER_SETTING_NAMES, ArgumentRule, argument_rule
from assemblyai_gateway._adapting.client_owner import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MODEL,
    GATEWAY_DEFAULT_MAX_TOKENS,
    ClientCache,
    ClientSettings,
    GatewayClientOwner,
    request_settings,
)
from assemblyai_gateway._adapting.request_fields import GatewayRequestFields
from assemblyai_gateway._limiter.adaptive import AdaptiveLimiter
from assemblyai_gateway._transport.streams import amap_stream, map_stream
from assemblyai_gateway._wire.shapes import FallbackList, PostProcessingList
from llama_index_assemblyai_gateway._call_guard import guard_calls
from llama_index_assemblyai_gateway._rate_limiter import adopt_rate_limiter
from llama_index_assemblyai_gateway._request import prepare_chat_with_tools, to_gateway_request
from llama_index_assemblyai_gateway._response import (
    StreamMapper,
    chat_response,
    dump,
    keep_first_tool_call,
    tool_selections,
)
from llama_index_assemblyai_gateway._structured import StructuredPrediction

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["DEFAULT_MODEL", "GATEWAY_DEFAULT_MAX_TOKENS", "AssemblyAIGateway"]

logger = logging.getLogger("llama_index_assemblyai_gateway")


def _peer_names_renamed(values: dict[str, Any], owner: str) -> dict[str, Any]:
    """Constructor arguments with the peers' names (``api_base``) renamed to ours.

    Raises:
        TypeError: a peer's name given together with ours for the same field.
    """
    renamed = dict(values)
    for peer, ours in PEER_SETTING_NAMES.items():
        if peer in renamed:
            if ours in renamed:
                raise TypeError(f"{owner} got both {peer!r} and {ours!r}; pass {ours!r} only")
            renamed[ours] = renamed.pop(peer)
    return renamed


# Never pickled: connection pools (pickling with injected ones raises TypeError).
_UNPICKLED_FIELDS = frozenset({"http_client", "async_http_client"})


class AssemblyAIGateway(
    GatewayClientOwner, StructuredPrediction, GatewayRequestFields, FunctionCallingLLM
):
    """AssemblyAI's LLM Gateway (Claude, GPT and Gemini behind one key) as a LlamaIndex LLM.

    Chat, completion, streaming (sync and async), tool calling, agents and structured
    output all work for every gateway model. OpenAI models stream natively (SSE);
    the others are fetched in one request and replayed as a stream, through the same
    accumulator, so streamed and non-streamed results are identical.

    Attributes:
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
        attempt_deadline: Seconds one attempt may take in all (default 900).
        max_response_bytes: Cap on a decompressed response body (default 32 MiB).
        max_event_size: Cap on one streamed event, in characters (default 8 Mi).
        max_stream_bytes: Cap on a decompressed stream in all (default 128 MiB).
        fallbacks: Models the gateway tries when the first fails: ``[{"model": ...}]``
            (any request field may be overridden per fallback) or just model ids.
        fallback_config: ``{"retry": bool, "depth": 0-2}``.
        post_processing_steps: e.g. ``[{"type": "json-repair"}]``.
        transcript_id: An AssemblyAI transcript whose text replaces ``{{ transcript }}``.
        reasoning: Think before answering: an effort level (``"low"``, ``"medium"``,
            ``"high"``) or the gateway's object, e.g. ``{"effort": "high"}``. The
            thinking comes back as a ``ThinkingBlock``.
        reasoning_effort: The effort level under ``OpenAI``'s name (sent as ``reasoning``).
        zero_data_retention, model_region, fail_fast, max_timeout: The gateway's newer
            request fields (a bool, a provider region, a bool, seconds > 0); also per call.
        additional_kwargs: Extra request fields sent with every call.
        context_window: Overrides the catalog's context window.
        num_output: Overrides the output budget reported in ``metadata``.
        http_client: An ``httpx.Client`` to send with (not serialised or pickled).
        async_http_client: An ``httpx.AsyncClient`` to send with (not serialised or pickled).
        limiter: An ``assemblyai_gateway.AdaptiveLimiter`` every request waits for and
            reports to (429s, ``Retry-After``, token usage); share one object between
            LLMs to share the account's limits. ``rate_limiter=`` takes one too.

    Examples:
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
    max_retries: int = Field(
        default=DEFAULT_MAX_RETRIES, ge=0, description="Retries after the first attempt."
    )
    enforce_region: bool = Field(
        default=True,
        description="Refuse US-only models on the EU endpoint before sending; False overrides.",
    )
    attempt_deadline: float | None = Field(
        default=None, gt=0, description="Seconds one attempt may take in all (default 900)."
    )
    max_response_bytes: int | None = Field(
        default=None, gt=0, description="Cap on a decompressed response body (default 32 MiB)."
    )
    max_event_size: int | None = Field(
        default=None, gt=0, description="Cap on one streamed event in characters (default 8 Mi)."
    )
    max_stream_bytes: int | None = Field(
        default=None, gt=0, description="Cap on a decompressed stream in all (default 128 MiB)."
    )
    fallbacks: FallbackList[dict[str, Any]] | None = Field(
        default=None, description="Fallback models, each {'model': ..., <overrides>}."
    )
    fallback_config: dict[str, Any] | None = Field(
        default=None, description="{'retry': bool, 'depth': 0-2}."
    )
    post_processing_steps: PostProcessingList[dict[str, Any]] | None = Field(
        default=None,
        description="Server-side steps, e.g. [{'type': 'json-repair'}] or ['json-repair'].",
    )
    transcript_id: str | None = Field(
        default=None, description="Transcript injected at {{ transcript }}."
    )
    reasoning: str | dict[str, Any] | None = Field(
        default=None,
        description="An effort level ('low', 'medium', 'high') or the gateway's reasoning object.",
    )
    reasoning_effort: str | None = Field(
        default=None, description="The effort level under OpenAI's name; sent as reasoning."
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Extra request fields sent with every call; never a client setting "
            "(``MisplacedClientSettingError``)."
        ),
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

    # A validation error never quotes the arguments (the key among them).
    model_config = ConfigDict(hide_input_in_errors=True)

    _clients: ClientCache = PrivateAttr(default_factory=ClientCache)
    # The core's argument rule reads this: LlamaIndex's name for the async httpx client.
    _ASYNC_CLIENT_FIELD: ClassVar[str] = "async_http_client"

    @model_validator(mode="before")
    @classmethod
    def _known_arguments_then_rate_limiter(cls, values: Any) -> Any:
        """Take the peers' names for ours (``api_base``), then the core's argument rule.

        LlamaIndex's OpenAI classes spell the URL ``api_base``. A misspelt argument
        (``temprature``) raises with a suggestion, and another unknown name moves to
        ``additional_kwargs`` with a warning, as in the LangChain adapter. Then an
        ``AdaptiveLimiter`` given as ``rate_limiter`` is adopted.
        """
        if not isinstance(values, dict):
            return values
        renamed = _peer_names_renamed(values, cls.__name__)
        # The warning points at the caller: past pydantic's and LlamaIndex's __init__.
        known = cls._argument_rule().constructor_values(renamed, stacklevel=4)
        return adopt_rate_limiter(known)

    @classmethod
    def _argument_rule(cls) -> ArgumentRule:
        """The core's rule for this class's keyword arguments (built once)."""
        # LlamaIndex's own from_dict() leaves its class_name key in.
        return argument_rule(cls, extras="additional_kwargs", ignored=["class_name"])

    def _refuse_call_settings(self, names: Collection[str]) -> None:
        """Called by the guards of ``chat``, ``complete``, ...: see ``_call_guard``."""
        self._argument_rule().refuse_settings(names)

    @classmethod
    def class_name(cls) -> str:
        """The stable name LlamaIndex serialises this class under."""
        return "AssemblyAIGateway_LLM"

    # ------------------------------------------------------------------ plumbing

    def _client_settings(self) -> ClientSettings:
        """What the core client is built from: this LLM's fields, each passed by name."""
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
            http_async_client=self.async_http_client,
            limiter=self.limiter,
        )

    def _pickle_state(self) -> dict[Any, Any]:
        # Not BaseComponent.__getstate__: it deletes unpicklable fields from the live
        # object. Our own pools are dropped; the core client is rebuilt lazily.
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

    @property
    def metadata(self) -> LLMMetadata:
        """Context window, output budget and capabilities, as the model's gateway says: its
        live model list for a model the built-in table does not know (read once per
        process), else the table.

        ``num_output`` is the ``num_output`` override, else ``max_tokens``, else the
        gateway's default of 1000, capped at the model's output limit.
        """
        info = self._model_route(self.model).models[0]
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

    def _request(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        return to_gateway_request(
            messages,
            rule=self._argument_rule(),
            settings=request_settings(self, self.additional_kwargs),
            call_kwargs=kwargs,
        )

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
        completion = self._gateway_client().create(request)
        return chat_response(completion, requested_model=request["model"], raw=dump(completion))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request = self._request(messages, kwargs)
        completion = await self._gateway_client().acreate(request)
        return chat_response(completion, requested_model=request["model"], raw=dump(completion))

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        request = self._request(messages, kwargs)
        # Validation (and the region guard) happens here, before iteration starts.
        stream = self._gateway_client().stream(request)
        return map_stream(stream, StreamMapper(request["model"]))

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        request = self._request(messages, kwargs)
        stream = self._gateway_client().astream(request)
        return amap_stream(stream, StreamMapper(request["model"]))

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
        return prepare_chat_with_tools(
            tools,
            user_msg=user_msg,
            chat_history=chat_history,
            tool_required=tool_required,
            tool_choice=tool_choice,
            strict=strict,
            extra=kwargs,
        )

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


# Outermost, so a client setting given per call is refused before LlamaIndex's spans,
# events and callbacks see it.
guard_calls(AssemblyAIGateway)
