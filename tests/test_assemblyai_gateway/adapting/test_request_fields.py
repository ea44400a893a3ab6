"""The gateway's newer request fields: one set of types for the request and both adapters."""

from __future__ import annotations

import doctest
import math
from typing import Any

import pytest
from pydantic import ValidationError

from assemblyai_gateway._adapting import request_fields as _request_fields
from assemblyai_gateway._adapting.arguments import REQUEST_FIELDS
from assemblyai_gateway._adapting.client_owner import REQUEST_SETTING_FIELDS
from assemblyai_gateway._adapting.request_fields import GATEWAY_REQUEST_FIELDS, GatewayRequestFields
from assemblyai_gateway._wire.types import ChatCompletionRequest

HI = [{"role": "user", "content": "Hi"}]

VALUES: list[tuple[str, Any, bool]] = [
    ("zero_data_retention", True, True),
    ("zero_data_retention", "maybe", False),
    ("model_region", "us-east-1", True),
    ("model_region", "", False),
    ("fail_fast", False, True),
    ("fail_fast", "often", False),
    ("max_timeout", 30, True),
    ("max_timeout", 2.5, True),
    ("max_timeout", 0, False),
    ("max_timeout", -1, False),
    ("max_timeout", True, False),
    ("max_timeout", math.nan, False),
    ("max_timeout", math.inf, False),
    ("max_timeout", "30", False),
]


def test_the_four_fields_are_request_fields_and_settings_of_both_adapters() -> None:
    assert GATEWAY_REQUEST_FIELDS == (
        "zero_data_retention",
        "model_region",
        "fail_fast",
        "max_timeout",
    )
    assert set(GATEWAY_REQUEST_FIELDS) <= REQUEST_FIELDS
    assert set(GATEWAY_REQUEST_FIELDS) <= set(REQUEST_SETTING_FIELDS)


@pytest.mark.parametrize(("field", "value", "valid"), VALUES)
def test_the_settings_and_the_request_take_the_same_values(
    field: str, value: Any, valid: bool
) -> None:
    def settings() -> Any:
        return getattr(GatewayRequestFields(**{field: value}), field)

    def request() -> Any:
        return getattr(ChatCompletionRequest(model="gpt-5", messages=HI, **{field: value}), field)

    for build in (settings, request):
        if valid:
            assert build() == value
        else:
            with pytest.raises(ValidationError, match=field):
                build()


def test_an_int_timeout_is_sent_as_an_int() -> None:
    request = ChatCompletionRequest(model="gpt-5", messages=HI, max_timeout=30)

    assert request.to_json_bytes().endswith(b'"max_timeout":30}')


def test_the_examples_run() -> None:
    result = doctest.testmod(_request_fields, optionflags=doctest.ELLIPSIS)
    assert (result.failed, result.attempted > 0) == (0, True)
