"""``with_structured_output`` of the chat model: its method, and one output parser per method.

The method is a mixin of ``ChatAssemblyAIGateway`` (as LlamaIndex's adapter keeps its
structured prediction in a mixin); the parsers turn the model's message into the value.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel

from assemblyai_gateway._wire.compat import StructuredMethod, structured_method
from assemblyai_gateway.catalog import RouteCapabilities
from langchain_assemblyai_gateway._request import to_response_format

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    _ChatModel = BaseChatModel
else:
    _ChatModel = object

__all__ = ["StructuredMethod", "StructuredOutput", "is_pydantic_class", "output_parser", "with_raw"]


def is_pydantic_class(schema: Any) -> bool:
    """Whether ``schema`` is a pydantic model class (then outputs are instances of it)."""
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def output_parser(
    schema: Any, method: StructuredMethod, tool_name: str | None = None
) -> Runnable[AIMessage, Any]:
    """The parser that turns the model's message into the structured value.

    ``json_schema`` and ``json_mode`` parse the message text as JSON (a pydantic class
    validates it); ``function_calling`` reads the first call of ``tool_name``.
    """
    if method == "function_calling":
        if is_pydantic_class(schema):
            return PydanticToolsParser(tools=[schema], first_tool_only=True)
        return JsonOutputKeyToolsParser(key_name=tool_name or "", first_tool_only=True)
    if is_pydantic_class(schema):
        return PydanticOutputParser(pydantic_object=schema)
    return JsonOutputParser()


def with_raw(
    llm: Runnable[LanguageModelInput, AIMessage], parser: Runnable[AIMessage, Any]
) -> Runnable[LanguageModelInput, dict[str, Any]]:
    """``{"raw", "parsed", "parsing_error"}``: parsing errors are captured, not raised."""
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parse.with_fallbacks([no_parse], exception_key="parsing_error")


class StructuredOutput(_ChatModel):
    """The chat model's ``with_structured_output``."""

    if TYPE_CHECKING:  # the model's fields, and its owner's route lookup
        model: str
        fallbacks: Any

        def _model_route(
            self, model: str, fallbacks: Iterable[object] | None = None
        ) -> RouteCapabilities: ...

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """A runnable returning output shaped by ``schema``.

        Args:
            schema: A pydantic class (outputs are instances of it), a TypedDict or a
                JSON schema dict (outputs are dicts). Optional for ``json_mode`` only.
            method: ``"json_schema"`` (default; ``response_format`` json_schema, or
                ``function_calling`` when the model or one of its ``fallbacks`` lacks
                json_schema support, such as ``gpt-oss-*``), ``"function_calling"`` (a
                forced tool call) or ``"json_mode"`` (a json_schema of any object, plus a
                system instruction asking for one JSON object).
            include_raw: Return ``{"raw", "parsed", "parsing_error"}``; parsing errors
                are then captured instead of raised.
            strict: Sent as the schema's ``strict`` flag when not ``None``.
            **kwargs: Other per-call request fields, bound too.
        """
        if schema is None and method != "json_mode":
            raise ValueError(f"schema is required for method={method!r}")
        # Decided for every model the request can reach: a fallback inherits the format.
        method = structured_method(method, self._model_route(self.model, self.fallbacks))
        trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        llm: Runnable[LanguageModelInput, AIMessage]
        tool_name: str | None = None
        if method == "json_schema":
            llm = self.bind(
                response_format=to_response_format(schema, strict=strict),
                ls_structured_output_format=trace,
                **kwargs,
            )
        elif method == "function_calling" and schema is not None:
            tool_name = convert_to_openai_tool(schema)["function"]["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=tool_name,
                strict=strict,
                ls_structured_output_format=trace,
                **kwargs,
            )
        elif method == "json_mode":
            if schema is not None:
                kwargs["ls_structured_output_format"] = {
                    "kwargs": {"method": method},
                    "schema": schema,
                }
            llm = self.bind(response_format={"type": "json_object"}, **kwargs)
        else:
            raise ValueError(
                f"method must be 'json_schema', 'function_calling' or 'json_mode', got {method!r}"
            )
        parser = output_parser(schema, method, tool_name)
        if include_raw:
            return with_raw(llm, parser)
        return llm | parser
