"""The gateway's wire contract, from the repository's copy of the vendor's spec.

``tests/contract/chat-completions.openapi.yml`` holds the spec's chat-completions
schemas verbatim; ``tests/contract/deviations.yml`` lists what the vendor documents
elsewhere and the project's deliberate extensions. :func:`load_contract` combines them:

* request objects are closed (``additionalProperties: false``), so a field the spec does
  not name fails unless an entry of ``deviations.yml`` adds it;
* response objects stay open, as OpenAPI objects are by default: clients must tolerate
  fields they do not know, so only the named fields are checked.

Nothing here reads files outside the repository, so no contract test ever skips.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import yaml

__all__ = [
    "CONTRACT_DIR",
    "Contract",
    "ContractViolation",
    "Deviation",
    "error_envelope",
    "load_contract",
    "load_deviations",
]

Json = dict[str, Any]

CONTRACT_DIR = Path(__file__).resolve().parents[1] / "contract"
SPEC_FILE = CONTRACT_DIR / "chat-completions.openapi.yml"
DEVIATIONS_FILE = CONTRACT_DIR / "deviations.yml"

# The request side of the spec: closed, so unnamed fields are caught.
_REQUEST_SCHEMAS = (
    "LLMGatewayRequest",
    "UserAssistantSystemMessage",
    "ToolMessage",
    "TextContent",
    "Tool",
    "FunctionDescription",
    "ToolChoice",
    "ResponseFormat",
    "JsonSchemaConfig",
)


class ContractViolation(AssertionError):
    """A request or response that the contract (with its deviations) does not allow."""


@dataclass(frozen=True)
class Deviation:
    """One entry of ``deviations.yml``: where it applies, and why it exists."""

    kind: str  # "documented" (by the vendor, outside the spec) or "extension" (ours)
    name: str
    at: str
    entry: Mapping[str, Any]

    def apply(self, document: Json) -> None:
        """Change ``document`` (the contract) as this entry says."""
        parent, key, node = _resolve(document, self.at)
        if "property" in self.entry:
            node.setdefault("properties", {})[self.entry["property"]] = copy.deepcopy(
                self.entry["definition"]
            )
        elif "append" in self.entry:
            node.append(self.entry["append"])
        elif "or" in self.entry:
            parent[key] = {"anyOf": [node, copy.deepcopy(self.entry["or"])]}
        elif "schema" in self.entry:
            node[self.entry["schema"]] = copy.deepcopy(self.entry["definition"])
        else:
            raise ValueError(f"deviation {self.name!r} has no property, append, or or schema")


def _resolve(document: Json, pointer: str) -> tuple[Any, Any, Any]:
    parts = [part for part in pointer.split("/") if part]
    parent: Any = None
    key: Any = None
    node: Any = document
    for part in parts:
        parent, key = node, int(part) if isinstance(node, list) else part
        node = node[key]
    return parent, key, node


def _close(schema: Any) -> None:
    """``additionalProperties: false`` on every object with named properties, recursively."""
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        for value in schema.values():
            _close(value)
    elif isinstance(schema, list):
        for item in schema:
            _close(item)


@functools.cache
def load_deviations() -> tuple[Deviation, ...]:
    """Every entry of ``deviations.yml``, documented ones first."""
    data = yaml.safe_load(DEVIATIONS_FILE.read_text(encoding="utf-8"))
    return tuple(
        Deviation(kind, entry["name"], entry["at"], entry)
        for section, kind in (("documented", "documented"), ("extensions", "extension"))
        for entry in data[section]
    )


def _validator(components: Json, name: str) -> jsonschema.protocols.Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": components}
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _problems(validator: jsonschema.protocols.Validator, body: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<body>'}: {error.message}"
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    ]


# Each error envelope (see deviations.yml), told apart by its shape, and its status field.
_ERROR_ENVELOPES = {
    "spec": ("ErrorResponse", ("error", "code")),
    "business": ("BusinessErrorResponse", ("code",)),
    "auth": ("AuthErrorResponse", ("status",)),
}


def error_envelope(body: object) -> str:
    """Which envelope an error body is in: ``spec``, ``business`` or ``auth``."""
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return "auth"
    if isinstance(body, dict) and "error" not in body and "message" in body:
        return "business"
    return "spec"


class Contract:
    """Validators for the request, the 200 response and each error envelope."""

    def __init__(self, document: Json) -> None:
        components = document["components"]
        self.request = _validator(components, "LLMGatewayRequest")
        self.response = _validator(components, "Response")
        self.errors = {
            envelope: _validator(components, schema)
            for envelope, (schema, _) in _ERROR_ENVELOPES.items()
            if schema in components["schemas"]
        }
        self.error = self.errors["spec"]

    def check_request(self, body: object) -> None:
        """Raise :class:`ContractViolation` naming every field the contract refuses."""
        if problems := _problems(self.request, body):
            raise ContractViolation("request outside the contract: " + "; ".join(problems))

    def check_response_body(self, status: int, body: object) -> None:
        """Validate a parsed JSON body as the 200 response or the error for ``status``.

        An error body may come in any envelope the contract knows; its status field must
        name ``status``.
        """
        if status == 200:
            if problems := _problems(self.response, body):
                raise ContractViolation("200 body outside the contract: " + "; ".join(problems))
            return
        envelope = error_envelope(body)
        validator = self.errors.get(envelope)
        if validator is None:
            raise ContractViolation(
                f"{status} body in the {envelope} envelope, not in the contract"
            )
        if problems := _problems(validator, body):
            raise ContractViolation(f"{status} body outside the contract: " + "; ".join(problems))
        assert isinstance(body, dict)
        named: Any = body
        for key in _ERROR_ENVELOPES[envelope][1]:
            named = named[key]
        assert named == status, f"a {status} whose {envelope} envelope names {named!r}"

    def check_response(self, response: httpx.Response) -> None:
        """Validate a complete JSON response by its status (SSE has no schema in the spec).

        A 200 that is not a completion is left alone: only the emulator's
        ``malformed_body`` fault sends one, on purpose.
        """
        if not response.headers.get("content-type", "").startswith("application/json"):
            return
        try:
            body = response.json()
        except json.JSONDecodeError:
            assert response.status_code == 200, "only a malformed_body fault sends broken JSON"
            return
        if response.status_code == 200 and not (isinstance(body, dict) and "choices" in body):
            return
        self.check_response_body(response.status_code, body)


def contract_document(deviations: Sequence[Deviation] | None = None) -> Json:
    """The spec copy with request objects closed and ``deviations`` applied."""
    document: Json = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    for name in _REQUEST_SCHEMAS:
        _close(schemas[name])
    for deviation in load_deviations() if deviations is None else deviations:
        deviation.apply(document)
    return document


@functools.cache
def load_contract() -> Contract:
    """The contract with every deviation of ``deviations.yml`` applied."""
    return Contract(contract_document())
