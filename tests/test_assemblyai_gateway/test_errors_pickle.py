"""Every error of the core's tree pickles whole: multiprocessing and Ray send them back.

The classes are discovered (tests/support/error_classes.py), so a new one is covered.
"""

from __future__ import annotations

import doctest
import pickle

import pytest

from assemblyai_gateway import _pickling
from assemblyai_gateway.errors import APIStatusError, GatewayError, RateLimitError
from tests.support.error_classes import core_error_classes, sample_error

CLASSES = core_error_classes()


def test_the_walk_finds_the_whole_tree_including_the_bulk_and_transcript_errors() -> None:
    names = {cls.__name__ for cls in CLASSES}

    assert {"GatewayError", "RateLimitError", "TranscriptFailedError"} <= names
    assert {"BulkInputError", "BulkOutputLockedError", "TemplateError"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_an_error_survives_a_pickle_round_trip_with_every_attribute(
    cls: type[GatewayError], protocol: int
) -> None:
    error = sample_error(cls)
    error.add_note("raised in worker 3")

    restored = pickle.loads(pickle.dumps(error, protocol=protocol))

    assert type(restored) is cls
    assert restored.args == error.args
    assert vars(restored) == vars(error)  # message, status_code, request_id, body, ...
    assert str(restored) == str(error)


def test_a_status_error_keeps_its_message_status_request_id_and_headers() -> None:
    error = RateLimitError(
        "slow down", status_code=429, request_id="req-9", headers={"retry-after": "3"}
    )

    restored = pickle.loads(pickle.dumps(error))

    assert isinstance(restored, APIStatusError)
    assert (restored.message, restored.status_code, restored.request_id) == (
        "slow down",
        429,
        "req-9",
    )
    assert restored.headers == {"retry-after": "3"}
    assert str(restored) == "Error code: 429 - slow down (request_id=req-9)"


def test_the_pickling_recipes_example_runs() -> None:
    assert doctest.testmod(_pickling).failed == 0
