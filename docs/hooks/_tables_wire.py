"""The wire's generated tables: every request field and the setting that sends it, and
the finish reasons each provider word normalises to.

Rendered for ``code_tables.py``'s ``request-fields`` and ``finish-reasons`` markers:

* the request fields are the core request model's
  (:class:`~assemblyai_gateway._wire.types.ChatCompletionRequest`, in its order); for each
  adapter, a field that is one of its settings is named as such, one it builds
  otherwise is described by its ``REQUEST_FIELD_SOURCES``, and any other is sent per
  call or through its extra request fields; "per call" is the core's argument rule's
  answer (:mod:`assemblyai_gateway._adapting.arguments`);
* the finish reasons are ``assemblyai_gateway._wire.finish_reasons.FINISH_REASONS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from _tables_markdown import table

from assemblyai_gateway import ChatCompletionRequest
from assemblyai_gateway._adapting.arguments import PEER_FIELD_NAMES, ArgumentRule
from assemblyai_gateway._wire.finish_reasons import (
    DEFAULT_FINISH_REASON,
    FINISH_REASONS,
    NORMALISED_FINISH_REASONS,
)
from assemblyai_gateway.errors import UnexpectedArgumentError
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from langchain_assemblyai_gateway._request import REQUEST_FIELD_SOURCES as LANGCHAIN_SOURCES
from llama_index_assemblyai_gateway import AssemblyAIGateway
from llama_index_assemblyai_gateway._request import REQUEST_FIELD_SOURCES as LLAMA_INDEX_SOURCES

__all__ = [
    "ADAPTERS",
    "Adapter",
    "adapter_cell",
    "render_finish_reasons",
    "render_request_fields",
    "sent_per_call",
]

OTHER_FIELDS = "any other field (`seed`, `top_k`, ...)"


class Adapter(NamedTuple):
    """One adapter class and how it sends the request fields it holds no setting for."""

    cls: Any
    sources: Mapping[str, str]


ADAPTERS = (
    Adapter(ChatAssemblyAIGateway, LANGCHAIN_SOURCES),
    Adapter(AssemblyAIGateway, LLAMA_INDEX_SOURCES),
)


def _rule(adapter: Adapter) -> ArgumentRule:
    rule: ArgumentRule = adapter.cls._argument_rule()
    return rule


def adapter_cell(adapter: Adapter, field: str) -> str:
    """How ``adapter`` sends ``field``: its setting, its own way, or its extras."""
    fields = adapter.cls.model_fields
    if field in fields:
        # Other names for it: the field's alias, and the peers' names the core folds into
        # it (``reasoning_effort`` is sent as ``reasoning``).
        others = [fields[field].alias] + [
            peer for peer, ours in PEER_FIELD_NAMES.items() if ours == field and peer in fields
        ]
        named = [f"`{other}`" for other in others if other and other != field]
        return f"`{field}`" + (f" (or {', '.join(named)})" if named else "")
    if field in adapter.sources:
        return adapter.sources[field]
    return f"per call, or in `{_rule(adapter).extras}`"


def sent_per_call(field: str) -> bool:
    """Whether a call may give ``field`` (every adapter applies the same core rule)."""
    answers = set()
    for adapter in ADAPTERS:
        try:
            _rule(adapter).check_call([field])
        except UnexpectedArgumentError:
            answers.add(False)
        else:
            answers.add(True)
    (answer,) = answers  # the rule is one: the adapters cannot disagree
    return answer


def render_request_fields() -> str:
    """Every request field, the setting of each adapter that sends it, and whether a call
    may give it."""
    header = [
        "request field",
        f"LangChain (`{ADAPTERS[0].cls.__name__}`)",
        f"LlamaIndex (`{ADAPTERS[1].cls.__name__}`)",
        "per call",
    ]
    rows = []
    for field in ChatCompletionRequest.model_fields:
        per_call = "yes" if sent_per_call(field) else "no: the model builds it"
        rows.append([f"`{field}`", *(adapter_cell(a, field) for a in ADAPTERS), per_call])
    extras = [f"in `{_rule(adapter).extras}`, or per call" for adapter in ADAPTERS]
    rows.append([OTHER_FIELDS, *extras, "yes"])
    return table(header, rows)


def render_finish_reasons() -> str:
    """Each normalised finish reason and the provider words that mean it."""
    rows = []
    for normalised in NORMALISED_FINISH_REASONS:
        words = [word for word, meaning in FINISH_REASONS.items() if meaning == normalised]
        default = " (and any word not listed)" if normalised == DEFAULT_FINISH_REASON else ""
        rows.append([f"`{normalised}`", ", ".join(f"`{w}`" for w in words) + default])
    return table(["normalised_finish_reason", "the provider's finish_reason (any case)"], rows)
