"""The runnable examples in the emulator's docstrings really run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "assemblyai_gateway.emulator",
    "assemblyai_gateway.emulator.__main__",
    "assemblyai_gateway.emulator._emulator",
    "assemblyai_gateway.emulator._faults",
    "assemblyai_gateway.emulator._model",
    "assemblyai_gateway.emulator._ratelimit",
    "assemblyai_gateway.emulator._regex_sample",
    "assemblyai_gateway.emulator._schema_instance",
    "assemblyai_gateway.emulator._script",
    "assemblyai_gateway.emulator._state",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
