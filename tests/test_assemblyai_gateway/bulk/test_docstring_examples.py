"""The runnable examples in the limiter's, the bulk runner's and the hooks' docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "assemblyai_gateway._limiter.adaptive",
    "assemblyai_gateway.bulk._items",
    "assemblyai_gateway.bulk._job",
    "assemblyai_gateway.bulk._records",
    "assemblyai_gateway.bulk._runner",
    "assemblyai_gateway.bulk._summary",
    "assemblyai_gateway.bulk._template",
    "langchain_assemblyai_gateway._rate_limiter",
    "llama_index_assemblyai_gateway._rate_limiter",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSEMBLYAI_API_KEY", raising=False)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
