"""A local emulator of the AssemblyAI LLM Gateway, for offline tests and benchmarks.

Start it with ``with GatewayEmulator() as emulator:``, from the command line with
``assemblyai-gateway-emulator``, or in pytest with the ``gateway_emulator`` fixture.
Importing this package needs only the standard library; running the emulator needs
the ``emulator`` extra (``pip install 'assemblyai-llm-gateway[emulator]'``). Its answers
follow deterministic rules, or a script of exact replies (:class:`Reply`), and a
script of :class:`Fault` s breaks them on purpose.

Examples:
    >>> import httpx
    >>> from assemblyai_gateway.emulator import GatewayEmulator
    >>> with GatewayEmulator() as emulator:
    ...     reply = httpx.post(
    ...         f"{emulator.base_url}/chat/completions",
    ...         headers={"Authorization": emulator.api_key},
    ...         json={"model": "claude-sonnet-4-5-20250929", "prompt": "Hello"},
    ...     ).json()
    >>> reply["choices"][0]["message"]["content"]
    'Emulated answer to: "Hello"'
"""

from ._emulator import GatewayEmulator
from ._faults import Fault, FaultKind
from ._model import count_tokens, tokenize
from ._ratelimit import RateLimit
from ._render import ErrorEnvelope, ToolCallPlacement, UsageStyle
from ._schema_instance import instance_for
from ._script import Reply, ReplyKind, ScriptedToolCall, load_script
from ._state import RecordedRequest

__all__ = [
    "ErrorEnvelope",
    "Fault",
    "FaultKind",
    "GatewayEmulator",
    "RateLimit",
    "RecordedRequest",
    "Reply",
    "ReplyKind",
    "ScriptedToolCall",
    "ToolCallPlacement",
    "UsageStyle",
    "count_tokens",
    "instance_for",
    "load_script",
    "tokenize",
]
