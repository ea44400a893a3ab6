"""Gateway errors as langchain-core ``ModelError`` types, as ``ChatOpenAI`` raises them.

The core's errors know nothing of LangChain. An error leaving one of the model's calls
is raised as a subclass of both its own class and the matching langchain-core type, so
``except AuthenticationError`` and ``except ModelAuthenticationError`` both catch it, and
LangChain's agent middleware can read it: ``ModelRetryMiddleware`` retries only when
``is_retryable`` (the core's :func:`~assemblyai_gateway._transport.retries.retry_may_succeed`), and
``SummarizationMiddleware`` shortens a request that raised ``ContextOverflowError``.

=================================  ====================================
core class                         langchain-core type
=================================  ====================================
``ContextWindowExceededError``     ``ContextOverflowError``
``AuthenticationError`` (401),     ``ModelAuthenticationError``
``MissingAPIKeyError``,
``InvalidAPIKeyError``
``PermissionDeniedError`` (403)    ``ModelPermissionDeniedError``
``NotFoundError`` (404)            ``ModelNotFoundError``
``RateLimitError`` (429)           ``ModelRateLimitError``
``BadRequestError`` (400),         ``ModelInvalidRequestError``
``UnprocessableEntityError``,
``ConfigurationError`` (refused
before sending),
``UnsupportedContentError``
``InternalServerError`` (5xx),     ``ModelAPIError``
``StreamError``,
``ResponseValidationError``
``APITimeoutError``                ``ModelTimeoutError``
``APIConnectionError``             ``ModelConnectionError``
any other ``GatewayError``         ``ModelError``
=================================  ====================================
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import aclosing, closing, contextmanager
from typing import Any, ParamSpec, TypeVar, cast

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from assemblyai_gateway import errors
from assemblyai_gateway._transport.retries import retry_may_succeed

__all__ = ["MODEL_ERROR_TYPES", "as_model_error", "raises_model_errors"]

P = ParamSpec("P")
T = TypeVar("T")

MODEL_ERROR_TYPES: tuple[tuple[type[errors.GatewayError], type[ModelError]], ...] = (
    (errors.ContextWindowExceededError, ContextOverflowError),
    (errors.AuthenticationError, ModelAuthenticationError),
    (errors.MissingAPIKeyError, ModelAuthenticationError),
    (errors.InvalidAPIKeyError, ModelAuthenticationError),
    (errors.PermissionDeniedError, ModelPermissionDeniedError),
    (errors.NotFoundError, ModelNotFoundError),
    (errors.RateLimitError, ModelRateLimitError),
    (errors.BadRequestError, ModelInvalidRequestError),
    (errors.UnprocessableEntityError, ModelInvalidRequestError),
    (errors.ConfigurationError, ModelInvalidRequestError),
    (errors.UnsupportedContentError, ModelInvalidRequestError),
    (errors.InternalServerError, ModelAPIError),
    (errors.StreamError, ModelAPIError),
    (errors.ResponseValidationError, ModelAPIError),
    (errors.APITimeoutError, ModelTimeoutError),
    (errors.APIConnectionError, ModelConnectionError),
    (errors.GatewayError, ModelError),
)
"""Each core error class (first match wins) and the langchain-core type it is raised as."""


# Each (core class, langchain-core type) pair's combined class, built on first use.
_TWINS: dict[tuple[type[Any], type[Any]], type[errors.GatewayError]] = {}


def _twin(
    cls: type[errors.GatewayError], model_type: type[ModelError]
) -> type[errors.GatewayError]:
    """``cls`` and ``model_type`` in one class, named like ``cls`` (built once per pair)."""
    twin = _TWINS.get((cls, model_type))
    if twin is None:
        namespace = {
            "__module__": __name__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
            "__reduce__": _reduce_model_error,
        }
        twin = _TWINS.setdefault(
            (cls, model_type), type(cls.__name__, (cls, model_type), namespace)
        )
    return twin


def _model_error_from_pickle(
    cls: type[errors.GatewayError], model_type: type[ModelError], args: tuple[Any, ...]
) -> errors.GatewayError:
    """An unpickled combined error, without ``__init__`` (its attributes follow)."""
    twin = _twin(cls, model_type)
    return twin.__new__(twin, *args)


def _reduce_model_error(error: errors.GatewayError) -> tuple[Any, ...]:
    # A combined class is made at run time, so pickle cannot find it by its name: it is
    # named by its two bases (core class, langchain-core type) and made again if need be.
    cls, model_type = type(error).__bases__
    return _model_error_from_pickle, (cls, model_type, error.args), error.__dict__


def as_model_error(error: errors.GatewayError) -> errors.GatewayError:
    """``error`` as an instance of its class and its langchain-core type (same fields).

    ``is_retryable`` is set from the core's rule, so a 409 or a broken stream (whose
    langchain-core type has no fixed answer) says what the core knows.
    """
    if isinstance(error, ModelError):
        return error
    model_type = next(model for core, model in MODEL_ERROR_TYPES if isinstance(error, core))
    twin = _twin(type(error), model_type)
    converted = twin.__new__(twin)
    converted.__dict__.update(error.__dict__)
    converted.args = error.args
    converted.is_retryable = retry_may_succeed(error)  # type: ignore[attr-defined]
    return converted


@contextmanager
def _model_errors() -> Iterator[None]:
    try:
        yield
    except errors.GatewayError as error:
        converted = as_model_error(error)
        if converted is error:
            raise
        # Shown as one error, with the original traceback and cause (never the context,
        # which is the same error under its core class).
        raise converted.with_traceback(error.__traceback__) from error.__cause__


def raises_model_errors(method: Callable[P, T]) -> Callable[P, T]:
    """Decorate a ``_generate``/``_agenerate``/``_stream``/``_astream`` method so every
    gateway error it raises is a langchain-core ``ModelError`` too."""
    if inspect.isasyncgenfunction(method):

        @functools.wraps(method)
        async def agen(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[Any]:
            source = cast("AsyncIterator[Any]", method(*args, **kwargs))
            with _model_errors():
                async with aclosing(source) as items:  # type: ignore[type-var]
                    async for item in items:
                        yield item

        return cast("Callable[P, T]", agen)
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def gen(*args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
            with _model_errors(), closing(cast("Any", method(*args, **kwargs))) as items:
                yield from items

        return cast("Callable[P, T]", gen)
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def coroutine(*args: P.args, **kwargs: P.kwargs) -> Any:
            with _model_errors():
                return await method(*args, **kwargs)

        return cast("Callable[P, T]", coroutine)

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        with _model_errors():
            return method(*args, **kwargs)

    return call
