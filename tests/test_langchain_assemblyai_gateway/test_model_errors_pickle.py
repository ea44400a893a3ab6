"""LangChain's combined errors (a core class and a langchain-core ``ModelError`` type in
one, made at run time) pickle whole, as the core's do.

Every class of the core's tree is discovered (tests/support/error_classes.py).
"""

from __future__ import annotations

import pickle

import pytest
from langchain_core.exceptions import ModelError, ModelRateLimitError

from assemblyai_gateway.errors import GatewayError, RateLimitError
from langchain_assemblyai_gateway._errors import as_model_error
from tests.support.error_classes import core_error_classes, sample_error


@pytest.mark.parametrize("cls", core_error_classes(), ids=lambda cls: cls.__name__)
def test_a_combined_error_survives_a_pickle_round_trip(cls: type[GatewayError]) -> None:
    error = as_model_error(sample_error(cls))

    restored = pickle.loads(pickle.dumps(error))

    assert type(restored) is type(error)  # the same combined class, made once
    assert isinstance(restored, cls)
    assert isinstance(restored, ModelError)
    assert restored.is_retryable is error.is_retryable  # type: ignore[attr-defined]
    assert restored.args == error.args
    assert vars(restored) == vars(error)
    assert str(restored) == str(error)


def test_a_rate_limit_stays_a_retryable_model_rate_limit_error_after_pickling() -> None:
    error = as_model_error(RateLimitError("slow down", status_code=429, request_id="req-3"))

    restored = pickle.loads(pickle.dumps(error))

    assert isinstance(restored, ModelRateLimitError)
    assert isinstance(restored, RateLimitError)
    assert (restored.status_code, restored.request_id) == (429, "req-3")
    assert restored.is_retryable is True
