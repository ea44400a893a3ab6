"""The tasks of an adapter's model: its client, its model id and its request settings.

LangChain's ``ChatAssemblyAIGateway`` and LlamaIndex's ``AssemblyAIGateway`` hold the
same request settings (:data:`~assemblyai_gateway._adapting.client_owner.REQUEST_SETTING_FIELDS`)
and extra request fields; this one rule turns either into :class:`TranscriptTasks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack

from .._adapting.client_owner import merge_overrides, request_settings
from ._bound import TranscriptTasks
from ._tasks import TaskOptions

if TYPE_CHECKING:
    from .._transport.client import GatewayClient

__all__ = ["model_tasks"]


def model_tasks(
    owner: object,
    client: GatewayClient,
    extra: Mapping[str, Any],
    **defaults: Unpack[TaskOptions],
) -> TranscriptTasks:
    """:class:`TranscriptTasks` with ``owner``'s model, temperature, answer budget,
    fallbacks and extra request fields (its ``transcript_id`` is not used: each task
    sets its own), and ``defaults`` over them.

    Examples:
        >>> from types import SimpleNamespace
        >>> from assemblyai_gateway import GatewayClient
        >>> from assemblyai_gateway._adapting.client_owner import REQUEST_SETTING_FIELDS
        >>> owner = SimpleNamespace(**dict.fromkeys(REQUEST_SETTING_FIELDS))
        >>> owner.model, owner.temperature, owner.fallbacks = "gpt-4.1", 0.2, ["gpt-5"]
        >>> tasks = model_tasks(owner, GatewayClient(api_key="k"), {"seed": 7})
        >>> tasks.model, tasks.defaults["temperature"], tasks.defaults["request_fields"]
        ('gpt-4.1', 0.2, {'fallbacks': ['gpt-5'], 'seed': 7})
    """
    fields = merge_overrides(request_settings(owner, extra))
    model = str(fields.pop("model"))
    fields.pop("transcript_id", None)
    options: dict[str, Any] = {}
    for name in ("temperature", "max_tokens"):
        if name in fields:
            options[name] = fields.pop(name)
    given = dict(defaults.get("request_fields") or {})
    options["request_fields"] = {**fields, **given}
    merged: dict[str, Any] = {
        **options,
        **{k: v for k, v in defaults.items() if k != "request_fields"},
    }
    return TranscriptTasks(client, model=model, **merged)
