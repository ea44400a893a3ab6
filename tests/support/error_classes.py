"""Every error class of the core's tree, found by walking the package, and one instance of each.

The classes are discovered (every module of ``assemblyai_gateway`` imported, then
``GatewayError``'s subclasses walked), never listed by hand, so a class added anywhere
in the package is covered by the tests that use them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

import assemblyai_gateway
from assemblyai_gateway.errors import GatewayError

__all__ = ["core_error_classes", "sample_error"]

# A value for each argument an error's __init__ may take, unlike any default, so that a
# round trip that lost one shows. A new argument name needs a value here.
SAMPLE_ARGUMENTS: dict[str, Any] = {
    "message": "the gateway said no",
    "status_code": 503,
    "request_id": "req-42",
    "errors": [{"field": "max_tokens", "message": "must be at most 64000"}],
    "code": "invalid_request",
    "metadata": {"errors": [{"field": "max_tokens"}], "provider": "anthropic"},
    "body": {"error": {"code": 503, "message": "the gateway said no"}},
    "headers": {"retry-after": "2", "x-request-id": "req-42"},
    "limit": 1024,
    "transcript_id": "transcript-7",
    "error": "the audio could not be decoded",
    "status": "processing",
    "path": Path("results.jsonl"),
    "message_index": 2,
    "tag": "{{transcript}}",
    "tokens": 250_000,
}


def _import_every_module() -> None:
    prefix = f"{assemblyai_gateway.__name__}."
    for module in pkgutil.walk_packages(assemblyai_gateway.__path__, prefix):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def core_error_classes() -> list[type[GatewayError]]:
    """``GatewayError`` and every subclass the package defines, in a stable order."""
    _import_every_module()
    found: dict[str, type[GatewayError]] = {}
    pending: list[type[GatewayError]] = [GatewayError]
    while pending:
        cls = pending.pop()
        # Only the package's own: not LangChain's combined classes, nor tests' subclasses.
        if cls.__module__.split(".")[0] == assemblyai_gateway.__name__:
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
        pending.extend(cls.__subclasses__())
    return [found[name] for name in sorted(found)]


def sample_error(cls: type[GatewayError]) -> GatewayError:
    """An instance of ``cls`` with every argument its ``__init__`` takes given a value.

    Raises:
        LookupError: ``__init__`` takes an argument :data:`SAMPLE_ARGUMENTS` has no value for.
    """
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]  # not self
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            args.append(SAMPLE_ARGUMENTS["message"])
        elif parameter.kind is parameter.VAR_KEYWORD:
            continue
        elif parameter.name not in SAMPLE_ARGUMENTS:
            raise LookupError(
                f"{cls.__name__}.__init__ takes {parameter.name!r}: add a sample value "
                "for it to SAMPLE_ARGUMENTS"
            )
        elif parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = SAMPLE_ARGUMENTS[parameter.name]
        else:
            args.append(SAMPLE_ARGUMENTS[parameter.name])
    return cls(*args, **kwargs)
