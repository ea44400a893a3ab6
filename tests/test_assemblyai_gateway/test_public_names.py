"""The top-level public names: each written once (``_EXPORTS``), and all of today's kept.

``assemblyai_gateway/__init__.py`` lists each name once, in ``_EXPORTS``; ``__all__``
and the lazy ``__getattr__`` read it, and its ``if TYPE_CHECKING:`` block, which type
checkers and IDEs read, is written from it by ``python -m tests.support.public_names``.
"""

from __future__ import annotations

import importlib
from collections import Counter

import pytest

import assemblyai_gateway
from tests.support.public_names import INIT, exported, type_checking_imports

# Every name `from assemblyai_gateway import ...` gave when each name was first written
# once; removing one breaks users, so it fails here.
PUBLIC_NAMES = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_TIMEOUT",
    "REGION_BASE_URLS",
    "Region",
    "__version__",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ContextWindowExceededError",
    "GatewayError",
    "InternalServerError",
    "InvalidAPIKeyError",
    "InvalidRequestError",
    "MisplacedClientSettingError",
    "MissingAPIKeyError",
    "ModelNotAvailableInRegionError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SpeakerLabelsMissingError",
    "StreamError",
    "ToolChoiceError",
    "TranscriptError",
    "TranscriptFailedError",
    "TranscriptNotFoundError",
    "TranscriptNotReadyError",
    "UnexpectedArgumentError",
    "UnprocessableEntityError",
    "UnsupportedContentError",
    "AdaptiveLimiter",
    "LimiterStats",
    "Permit",
    "AsyncChatCompletionStream",
    "ChatCompletionStream",
    "GatewayClient",
    "parse_completion",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "Message",
    "Tool",
    "ToolCall",
    "Usage",
    "CompletionSnapshot",
    "accumulate_chunk",
    "completion_to_chunks",
    "ModelInfo",
    "get_model_info",
    "register_model",
    "TranscriptClient",
    "TranscriptData",
    "TranscriptFormat",
    "TranscriptRecord",
    "TranscriptUnit",
    "afetch_transcript",
    "fetch_transcript",
]


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_each_name_exported_today_still_imports_from_the_top(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from assemblyai_gateway import {name}", namespace)

    assert namespace[name] is getattr(assemblyai_gateway, name)
    assert name in assemblyai_gateway.__all__


def test_each_name_is_written_once_and_comes_from_the_module_named() -> None:
    names = [name for _, name in sorted(exported())]
    table_names = [n for names in assemblyai_gateway._EXPORTS.values() for n in names]

    assert [name for name, count in Counter(table_names).items() if count > 1] == []
    assert assemblyai_gateway.__all__ == sorted(["__version__", *names])
    for module, name in exported():
        defining = importlib.import_module(f"assemblyai_gateway.{module}")
        assert getattr(assemblyai_gateway, name) is getattr(defining, name), name


def test_the_type_checkers_imports_are_exactly_the_table() -> None:
    imported = type_checking_imports(INIT.read_text(encoding="utf-8"))
    expected = {(module, name, name) for module, name in exported()}

    # `X as X`: the explicit re-export strict mypy needs. To mend: run
    # `.venv/bin/python -m tests.support.public_names`.
    assert sorted(imported - expected) == []
    assert sorted(expected - imported) == []
