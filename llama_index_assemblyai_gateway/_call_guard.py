"""A client setting given per call is refused before LlamaIndex's instrumentation sees it.

LlamaIndex wraps ``chat``, ``complete``, ``predict_and_call`` and the structured
predictions in a span, which hands the bound arguments to every span handler, and the
chat and completion methods in a callback that puts the call's keyword arguments in
``LLMChatStartEvent.additional_kwargs`` and the callback manager's payload, all before
the method itself runs. :func:`guard_calls` wraps each of them once more, outermost, so
``llm.chat(messages, api_key=...)`` raises
:class:`~assemblyai_gateway.errors.MisplacedClientSettingError` before any handler sees
the value. The rest of the core's rule (fields the LLM builds, near misses) is applied
where the request is built.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

__all__ = ["GUARDED_METHODS", "guard_calls"]


class _Guarded(Protocol):
    def _refuse_call_settings(self, names: Collection[str]) -> None: ...


def _keyword_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Collection[str]:
    return kwargs


def _llm_kwargs(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Collection[str]:
    # structured_predict(output_cls, prompt, llm_kwargs=None, **prompt_args)
    given = kwargs.get("llm_kwargs", args[2] if len(args) > 2 else None)
    return given if isinstance(given, Mapping) else ()


_NamesOf = Callable[[tuple[Any, ...], dict[str, Any]], Collection[str]]

GUARDED_METHODS: dict[str, _NamesOf] = {
    **dict.fromkeys(
        (
            "chat",
            "achat",
            "stream_chat",
            "astream_chat",
            "complete",
            "acomplete",
            "stream_complete",
            "astream_complete",
            "chat_with_tools",
            "achat_with_tools",
            "stream_chat_with_tools",
            "astream_chat_with_tools",
            "predict_and_call",
            "apredict_and_call",
        ),
        _keyword_arguments,
    ),
    **dict.fromkeys(
        (
            "structured_predict",
            "astructured_predict",
            "stream_structured_predict",
            "astream_structured_predict",
        ),
        _llm_kwargs,
    ),
}
"""The methods guarded, each with where its request keyword arguments are."""


def _guarded(method: Callable[..., Any], names_of: _NamesOf) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def guarded_coroutine(self: _Guarded, *args: Any, **kwargs: Any) -> Any:
            self._refuse_call_settings(names_of(args, kwargs))
            return await method(self, *args, **kwargs)

        return guarded_coroutine

    @functools.wraps(method)
    def guarded(self: _Guarded, *args: Any, **kwargs: Any) -> Any:
        self._refuse_call_settings(names_of(args, kwargs))
        return method(self, *args, **kwargs)

    return guarded


def guard_calls(cls: type) -> None:
    """Wrap :data:`GUARDED_METHODS` of ``cls``, after LlamaIndex wrapped them.

    Called once, right after the class is defined (a subclass inherits the guards).
    """
    for name, names_of in GUARDED_METHODS.items():
        method = getattr(cls, name, None)
        if method is not None:  # every supported llama-index-core has them all
            setattr(cls, name, _guarded(method, names_of))
