"""Gateway errors as the exceptions pydantic-ai's retry and fallback machinery read.

The core's errors know nothing of pydantic-ai. Every error leaving one of the model's
calls is raised as pydantic-ai's own type, with the core's error as its ``__cause__``
(as pydantic-ai's models keep the provider SDK's exception), so ``FallbackModel``, whose
default is to fall back on any ``ModelAPIError``, moves on to its next model:

======================================  ==================================================
core class                              pydantic-ai type
======================================  ==================================================
``APIStatusError`` (any status)         ``ModelHTTPError`` with ``status_code`` and
                                        ``body`` (the gateway's decoded error body, never
                                        the request, so never the key); on pydantic-ai
                                        releases with error categories also the category:
                                        ``ModelContextWindowExceededError`` (an overflow),
                                        ``ModelAuthenticationError`` (401, 403),
                                        ``ModelNotFoundError`` (404), ``ModelRateLimitError``
                                        (429), ``ModelTimeoutError`` (408),
                                        ``ModelUnavailableError`` (503),
                                        ``ModelOverloadedError`` (529), ``ModelServerError``
                                        (other 5xx), ``ModelRequestRejectedError`` (other 4xx)
``StreamError`` naming a status         the same, with ``in_stream`` where supported
``APITimeoutError``                     ``ModelTimeoutError``, else ``ModelAPIError``
``APIConnectionError``, ``StreamError``  ``ModelConnectionError``, else ``ModelAPIError``
``ResponseValidationError``,            ``ModelInvalidResponseError``, else ``ModelAPIError``
``ResponseTooLargeError``
``ModelNotAvailableInRegionError``      ``ModelRequestRejectedError``, else ``ModelAPIError``
                                        (another model, or region, may serve the request)
``MissingAPIKeyError``,                 ``UserError`` (no model can be sent this request)
``InvalidAPIKeyError``,
``ConfigurationError``,
``UnexpectedArgumentError``,
``UnsupportedContentError``
======================================  ==================================================

pydantic-ai added its error categories after the oldest release this package supports;
where a category is missing, the plainer type above is raised, so the same code works on
both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from pydantic_ai import exceptions as pai_errors
from pydantic_ai.exceptions import ModelAPIError, ModelHTTPError, UserError

from assemblyai_gateway import errors

__all__ = ["as_pydantic_ai_error", "raises_pydantic_ai_errors"]

# Each status the gateway answers with (first match wins) and the name of the
# pydantic-ai category it belongs to.
_STATUS_CATEGORIES: tuple[tuple[frozenset[int], str], ...] = (
    (frozenset({401, 403}), "ModelAuthenticationError"),
    (frozenset({404}), "ModelNotFoundError"),
    (frozenset({429}), "ModelRateLimitError"),
    (frozenset({402}), "ModelQuotaExceededError"),
    (frozenset({408}), "ModelTimeoutError"),
    (frozenset({503}), "ModelUnavailableError"),
    (frozenset({529}), "ModelOverloadedError"),
)


def _category(name: str) -> Any:
    """A pydantic-ai error category by name, or ``None`` on a release without it."""
    return getattr(pai_errors, name, None)


def _status_category(error: errors.APIStatusError | errors.StreamError, status: int) -> Any:
    if isinstance(error, errors.ContextWindowExceededError):
        return _category("ModelContextWindowExceededError")
    for statuses, name in _STATUS_CATEGORIES:
        if status in statuses:
            return _category(name)
    if status >= 500:
        return _category("ModelServerError")
    return _category("ModelRequestRejectedError")


def _http_error(
    error: errors.APIStatusError | errors.StreamError,
    status: int,
    model_name: str,
    *,
    headers: dict[str, str] | None,
    in_stream: bool,
) -> ModelHTTPError:
    category = _status_category(error, status)
    for_category = getattr(ModelHTTPError, "for_category", None)
    if for_category is None:  # a pydantic-ai release without error categories
        return ModelHTTPError(status, model_name, error.body)
    built: ModelHTTPError = for_category(
        category,
        status_code=status,
        model_name=model_name,
        body=error.body,
        headers=headers,
        in_stream=in_stream,
    )
    return built


def _plain(name: str, model_name: str, message: str, **kwargs: Any) -> ModelAPIError:
    """``ModelAPIError`` subclass ``name`` where pydantic-ai has it, else ``ModelAPIError``."""
    cls = _category(name)
    if cls is None:
        return ModelAPIError(model_name, message)
    built: ModelAPIError = cls(model_name, message, **kwargs)
    return built


def as_pydantic_ai_error(error: errors.GatewayError, model_name: str) -> Exception:
    """The pydantic-ai exception to raise for a core error (see the module's table).

    Examples:
        >>> from assemblyai_gateway.errors import RateLimitError
        >>> converted = as_pydantic_ai_error(
        ...     RateLimitError("slow down", status_code=429, body={"error": "slow down"}), "gpt-5"
        ... )
        >>> isinstance(converted, ModelHTTPError), converted.status_code, converted.body
        (True, 429, {'error': 'slow down'})
    """
    if isinstance(error, errors.APIStatusError):
        return _http_error(
            error, error.status_code, model_name, headers=error.headers, in_stream=False
        )
    if isinstance(error, errors.StreamError):
        if error.status_code is not None:
            return _http_error(error, error.status_code, model_name, headers=None, in_stream=True)
        return _plain("ModelConnectionError", model_name, str(error), phase="read", in_stream=True)
    if isinstance(error, errors.APITimeoutError):
        return _plain("ModelTimeoutError", model_name, str(error))
    if isinstance(error, errors.APIConnectionError):
        return _plain("ModelConnectionError", model_name, str(error))
    if isinstance(error, (errors.ResponseValidationError, errors.ResponseTooLargeError)):
        return _plain("ModelInvalidResponseError", model_name, str(error))
    if isinstance(error, errors.ModelNotAvailableInRegionError):
        return _plain("ModelRequestRejectedError", model_name, str(error))
    if isinstance(error, errors.APIError):
        return ModelAPIError(model_name, str(error))
    return UserError(str(error))


@contextlib.contextmanager
def raises_pydantic_ai_errors(model_name: str) -> Iterator[None]:
    """Raise every core error leaving the block as its pydantic-ai exception.

    The core's error is the ``__cause__``; its own context (the same error) is not shown.
    """
    try:
        yield
    except errors.GatewayError as error:
        raise as_pydantic_ai_error(error, model_name) from error
