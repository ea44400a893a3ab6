"""A bulk job: one prompt template (and optional schema) applied to every item."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .._wire.types import ChatCompletion
from ..errors import ConfigurationError, ResponseValidationError
from ._items import BulkItem
from ._records import failure_record, success_record
from ._template import render_template

if TYPE_CHECKING:
    from .._transport.client import GatewayClient

__all__ = ["BulkJob", "BulkWork"]


@runtime_checkable
class BulkWork(Protocol):
    """What a bulk runner runs per item: anything that turns an item into its record.

    A record is a JSON object whose first key is ``id`` (the item's) and which has
    ``ok``; a success also has ``output`` and, for the summary, ``model`` and
    ``usage``; a failure has ``error``. Neither method raises for an item's own
    failure: it is recorded, and the rerun retries it.
    """

    def record(self, client: GatewayClient, item: BulkItem) -> dict[str, Any]:
        """The record of ``item``, done with ``client`` (from a worker thread)."""
        ...

    async def arecord(self, client: GatewayClient, item: BulkItem) -> dict[str, Any]:
        """The record of ``item``, awaited (from a worker task)."""
        ...


_SCHEMA_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class BulkJob:
    """What to ask for each item.

    Attributes:
        model: The gateway model id.
        prompt: The user message, with ``{{ field }}`` placeholders filled per item;
            ``{{ transcript }}`` is filled by the gateway from the item's
            ``transcript_id``.
        system: An optional system message (templated the same way).
        schema: A JSON schema: answers are requested as ``response_format``
            json_schema and stored parsed; an answer that is not JSON fails its item.
        max_tokens: Output limit per item (the gateway's default is 1000).
        temperature: Sampling temperature.
        request_fields: Other request fields sent with every item (``fallbacks``...).

    Example:
        >>> from assemblyai_gateway.bulk import BulkJob
        >>> job = BulkJob(model="gpt-5", prompt="Summarise {{ title }}: {{ transcript }}")
        >>> job.request_for_fields({"title": "Standup", "transcript_id": "tr_1"})["messages"]
        [{'role': 'user', 'content': 'Summarise Standup: {{ transcript }}'}]
    """

    model: str
    prompt: str
    system: str | None = None
    schema: Mapping[str, Any] | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    request_fields: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.model:
            raise ConfigurationError("a bulk job needs a model")
        if not self.prompt.strip():
            raise ConfigurationError("a bulk job needs a non-empty prompt")
        if self.schema is not None and not isinstance(self.schema, Mapping):
            raise ConfigurationError("schema must be a JSON schema object")
        owned = {"model", "messages", "prompt", "transcript_id", "stream"} & set(
            self.request_fields
        )
        if owned:
            raise ConfigurationError(
                f"request_fields must not set {sorted(owned)}: the job sets them per item"
            )

    def response_format(self) -> dict[str, Any] | None:
        """The ``response_format`` sent when the job has a schema."""
        if self.schema is None:
            return None
        title = str(self.schema.get("title") or "bulk_result")
        name = _SCHEMA_NAME.sub("_", title)[:64] or "bulk_result"
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": dict(self.schema), "strict": True},
        }

    def request_for_fields(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """The request body for one item's fields.

        Raises:
            TemplateError: the item lacks a field the templates use.
        """
        messages = []
        if self.system is not None:
            messages.append({"role": "system", "content": render_template(self.system, fields)})
        messages.append({"role": "user", "content": render_template(self.prompt, fields)})
        request: dict[str, Any] = {**self.request_fields, "model": self.model}
        request["messages"] = messages
        for name, value in (
            ("max_tokens", self.max_tokens),
            ("temperature", self.temperature),
            ("response_format", self.response_format()),
            ("transcript_id", fields.get("transcript_id")),
        ):
            if value is not None:
                request[name] = value
        return request

    def request_for(self, item: BulkItem) -> dict[str, Any]:
        """The request body for ``item``."""
        return self.request_for_fields(item.fields)

    def parse_output(self, completion: ChatCompletion) -> Any:
        """The stored output: the text, or with a schema the parsed JSON.

        Raises:
            ResponseValidationError: the job has a schema and the answer is not JSON.
        """
        content = completion.choices[0].message.content
        text = content if isinstance(content, str) else ""
        if self.schema is None:
            return text
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ResponseValidationError(
                f"the answer is not JSON for the job's schema ({exc.msg})",
                body=text[:500],
                request_id=completion.request_id,
            ) from None

    def _recorded(self, item: BulkItem, completion: ChatCompletion) -> dict[str, Any]:
        try:
            return success_record(item, completion, self.parse_output(completion))
        except Exception as error:  # an unusable answer fails its item, not the run
            return failure_record(item, error)

    def record(self, client: GatewayClient, item: BulkItem) -> dict[str, Any]:
        """Send ``item``'s request and make its record (a failure is recorded)."""
        try:
            completion = client.create(self.request_for(item))
        except Exception as error:
            return failure_record(item, error)
        return self._recorded(item, completion)

    async def arecord(self, client: GatewayClient, item: BulkItem) -> dict[str, Any]:
        """:meth:`record`, awaited."""
        try:
            completion = await client.acreate(self.request_for(item))
        except Exception as error:
            return failure_record(item, error)
        return self._recorded(item, completion)
