"""Importing the packages stays cheap: HTTP machinery loads on the first request."""

from __future__ import annotations

import subprocess
import sys

import pytest

import assemblyai_gateway

HEAVY = ("httpx", "assemblyai_gateway._transport.client")


def modules_loaded_by(statement: str) -> set[str]:
    probe = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "statement",
    [
        "import assemblyai_gateway",
        "from langchain_assemblyai_gateway import ChatAssemblyAIGateway",
    ],
)
def test_importing_does_not_load_the_http_stack(statement: str) -> None:
    loaded = modules_loaded_by(statement)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.slow
def test_llama_index_import_does_not_load_the_client() -> None:
    # llama-index-core itself imports httpx in some releases, so what the framework
    # loads on its own is the baseline; our import must add none of it.
    framework = modules_loaded_by("from llama_index.core.llms.function_calling import *")
    loaded = modules_loaded_by("from llama_index_assemblyai_gateway import AssemblyAIGateway")
    added = (loaded - framework) & set(HEAVY)
    assert not added, sorted(added)
    assert "assemblyai_gateway._transport.client" not in loaded


def test_every_public_name_resolves_lazily() -> None:
    for name in assemblyai_gateway.__all__:
        assert getattr(assemblyai_gateway, name) is not None, name
    assert sorted(dir(assemblyai_gateway)) == sorted(assemblyai_gateway.__all__)


def test_an_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = assemblyai_gateway.nope
