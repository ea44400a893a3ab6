"""Lazy access to the optional ``emulator`` extra (jsonschema, json-repair).

The package imports only the standard library; these helpers import the extras on
first use and turn a missing one into an ImportError that says how to install it.
"""

from __future__ import annotations

import functools
import importlib
import json
from types import ModuleType
from typing import Any

__all__ = ["INSTALL_HINT", "check_schema", "repair_json", "require_extras"]

INSTALL_HINT = "pip install 'assemblyai-llm-gateway[emulator]'"


def _load(module: str, distribution: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"The gateway emulator needs {distribution!r}: {INSTALL_HINT}") from exc


def require_extras() -> None:
    """Fail early, with the install command, when the ``emulator`` extra is missing."""
    _load("jsonschema", "jsonschema")
    _load("json_repair", "json-repair")


def repair_json(text: str) -> str:
    """Repair broken JSON text with json-repair; returns ``""`` when nothing is salvageable."""
    module = _load("json_repair", "json-repair")
    repaired: Any = module.repair_json(text, ensure_ascii=False)
    return repaired if isinstance(repaired, str) else json.dumps(repaired, ensure_ascii=False)


@functools.lru_cache(maxsize=512)
def _schema_problem(schema_json: str) -> str | None:
    jsonschema = _load("jsonschema", "jsonschema")
    schema = json.loads(schema_json)
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"is not a valid JSON Schema: {exc.message}"
    return None


def check_schema(schema: object) -> str | None:
    """Why ``schema`` is not a valid JSON Schema, or None when it is (cached)."""
    return _schema_problem(json.dumps(schema, sort_keys=True))
