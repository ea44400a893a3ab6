"""Token counts without a tokenizer: what ``trim_messages(token_counter=llm)`` needs.

The gateway serves models with different tokenizers, so no exact local count exists.
Text is counted by the core's one estimate (:func:`assemblyai_gateway.estimate_tokens`,
the same the transcript chunker plans with), messages by langchain-core's
``count_tokens_approximately`` at the same characters per token (offline, no
download); the gateway's ``usage`` stays the exact count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.tools import BaseTool

from assemblyai_gateway.tokens import CHARS_PER_TOKEN, estimate_tokens
from langchain_assemblyai_gateway._request import format_tools

__all__ = ["CHARS_PER_TOKEN", "ApproximateTokenCounts"]


class ApproximateTokenCounts:
    """``get_num_tokens`` and ``get_num_tokens_from_messages``, approximate and offline.

    Examples:
        >>> from langchain_core.messages import HumanMessage
        >>> from langchain_assemblyai_gateway import ChatAssemblyAIGateway
        >>> llm = ChatAssemblyAIGateway(api_key="my-key")
        >>> llm.get_num_tokens("Hello there")
        3
        >>> llm.get_num_tokens_from_messages([HumanMessage("Hello there")])
        7
    """

    def get_num_tokens(self, text: str) -> int:
        """The core's estimate: about one token per four characters, erring high."""
        return estimate_tokens(text)

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
    ) -> int:
        """langchain-core's ``count_tokens_approximately`` for ``messages`` and ``tools``."""
        formatted: list[BaseTool | dict[str, Any]] | None = (
            list(format_tools(tools)) if tools else None
        )
        return count_tokens_approximately(
            messages, chars_per_token=CHARS_PER_TOKEN, tools=formatted
        )
