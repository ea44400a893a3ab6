"""What the per-call argument tests of the core and both adapters share.

* :data:`GATEWAY_EXTRAS`: the gateway's newer request fields, with valid values.
* :data:`SETTING_NAMES`: each adapter's names for client settings (the core's, the
  adapter's aliases and the peers'), written out here rather than read from the code
  under test, so a name the rule forgets fails the tests.
* :class:`CallbackRecorder`: everything LangChain hands a callback handler about a
  chat-model run, as text to search for a key.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

__all__ = ["GATEWAY_EXTRAS", "SETTING_NAMES", "CallbackRecorder"]

GATEWAY_EXTRAS: dict[str, Any] = {
    "reasoning": {"effort": "low"},
    "zero_data_retention": True,
    "model_region": "us-east-1",
    "fail_fast": True,
    "max_timeout": 30,
}
"""``reasoning``, ``zero_data_retention``, ``model_region``, ``fail_fast``, ``max_timeout``."""

_CORE_SETTINGS = (
    "api_key",
    "base_url",
    "api_base",
    "region",
    "timeout",
    "max_retries",
    "enforce_region",
    "attempt_deadline",
    "max_response_bytes",
    "max_event_size",
    "http_client",
    "http_async_client",
    "default_headers",
    "limiter",
    "rate_limiter",
)

SETTING_NAMES: dict[str, tuple[str, ...]] = {
    "langchain": (*_CORE_SETTINGS, "assemblyai_api_key", "request_timeout"),
    "llama_index": (*_CORE_SETTINGS, "async_http_client"),
}
"""Per adapter, every name a client setting may be given by."""


class CallbackRecorder(BaseCallbackHandler):
    """Everything LangChain hands a callback handler about a chat-model run."""

    run_inline = True

    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        **kwargs: Any,
    ) -> None:
        self.seen.append(json.dumps(serialized, default=repr))
        self.seen.append(repr(kwargs))  # invocation_params, options, metadata (ls_*)

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.seen.append(repr(response))

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.seen.append(repr(error))
