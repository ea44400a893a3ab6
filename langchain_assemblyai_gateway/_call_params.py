"""What LangChain sees of ``ChatAssemblyAIGateway``'s calls: arguments and trace params.

* A call's keyword arguments (``invoke(..., seed=1)``, ``bind(...)``) follow the core's
  rule (:mod:`assemblyai_gateway._adapting.arguments`), checked before anything else sees them:
  ``bind()`` checks at once, and a call checks in ``_get_invocation_params``, which
  LangChain runs before it hands the arguments to callbacks and traces as
  ``invocation_params``. So a client setting given per call (``api_key=...``) raises
  ``MisplacedClientSettingError`` and its value reaches no trace, cache key or body.
* ``_identifying_params`` and ``_get_ls_params`` hold request settings only, and
  ``dumpd``/``dumps`` write the key as a reference to ``ASSEMBLYAI_API_KEY``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.language_models.base import LangSmithParams

from assemblyai_gateway._adapting.arguments import ArgumentRule, argument_rule
from assemblyai_gateway._adapting.request_fields import GATEWAY_REQUEST_FIELDS
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV
from langchain_assemblyai_gateway._request import check_call_arguments

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel, _ChatModelBinding

    _ChatModel = BaseChatModel
else:
    _ChatModel = object

__all__ = ["CallParams"]


class CallParams(_ChatModel):
    """The argument checks and the trace and serialization hooks of the chat model.

    Examples:
        >>> from langchain_assemblyai_gateway import ChatAssemblyAIGateway
        >>> llm = ChatAssemblyAIGateway(api_key="my-key", model="gpt-5", temperature=0)
        >>> params = llm._get_ls_params(max_tokens=50)
        >>> params["ls_provider"], params["ls_model_name"], params["ls_max_tokens"]
        ('assemblyai', 'gpt-5', 50)
        >>> llm.bind(api_key="another-key")
        Traceback (most recent call last):
        ...
        assemblyai_gateway.errors.MisplacedClientSettingError: ChatAssemblyAIGateway got a \
client setting per call: 'api_key' (set it where the model is built: \
ChatAssemblyAIGateway(api_key=...)). Client settings configure how requests are sent \
and are never sent in one.
    """

    if TYPE_CHECKING:  # the model's fields
        model: str
        region: str | None
        temperature: float | None
        max_tokens: int | None
        stop: list[str] | None
        streaming: bool
        stream_usage: bool
        fallbacks: Any
        fallback_config: dict[str, Any] | None
        post_processing_steps: Any
        transcript_id: str | None
        reasoning: str | dict[str, Any] | None
        reasoning_effort: str | None
        model_kwargs: dict[str, Any]

    @classmethod
    def _argument_rule(cls) -> ArgumentRule:
        """The core's rule for this class's keyword arguments (built once)."""
        return argument_rule(cls, extras="model_kwargs")

    def bind(self, **kwargs: Any) -> _ChatModelBinding:
        """Bind keyword arguments to every call, checked now by the per-call rule.

        Raises:
            MisplacedClientSettingError: a client setting (``api_key=...``).
            UnexpectedArgumentError: ``messages``/``prompt``, or a misspelt field.
        """
        check_call_arguments(self._argument_rule(), kwargs, self.model_kwargs)
        return super().bind(**kwargs)

    def _get_invocation_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        # LangChain calls this before callbacks and traces see the call's arguments, so
        # a client setting given per call (api_key=...) is refused before they see it.
        check_call_arguments(self._argument_rule(), kwargs, self.model_kwargs)
        return super()._get_invocation_params(stop=stop, **kwargs)

    @property
    def model_name(self) -> str:
        """The model id, under the name ``ChatOpenAI`` users read it by."""
        return self.model

    @property
    def _llm_type(self) -> str:
        return "assemblyai-gateway"

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The API key is serialized as a reference to ``ASSEMBLYAI_API_KEY``."""
        return {"api_key": API_KEY_ENV}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Serializable with ``dumpd``/``dumps`` (the key only as a secret reference)."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """``["langchain_assemblyai_gateway", "chat_models"]``."""
        return ["langchain_assemblyai_gateway", "chat_models"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "region": self.region,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            "streaming": self.streaming,
            "stream_usage": self.stream_usage,
            "fallbacks": self.fallbacks,
            "fallback_config": self.fallback_config,
            "post_processing_steps": self.post_processing_steps,
            "transcript_id": self.transcript_id,
            "reasoning": self.reasoning,
            "reasoning_effort": self.reasoning_effort,
            **{name: getattr(self, name) for name in GATEWAY_REQUEST_FIELDS},
            "model_kwargs": self.model_kwargs,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        model = kwargs.get("model")
        params = LangSmithParams(
            ls_provider="assemblyai",
            ls_model_name=model if isinstance(model, str) and model else self.model,
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if isinstance(temperature, (int, float)):
            params["ls_temperature"] = float(temperature)
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if isinstance(max_tokens, int):
            params["ls_max_tokens"] = max_tokens
        if ls_stop := stop or kwargs.get("stop") or self.stop:
            params["ls_stop"] = list(ls_stop)
        return params
