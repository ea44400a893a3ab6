"""The examples in the docstrings the API reference renders run too.

Doctests (``>>>``) run with :mod:`doctest`, self-contained; fenced ``python`` blocks run
against the emulator, like the pages' examples.
"""

from __future__ import annotations

import doctest
from types import ModuleType
from typing import Any

import pytest

from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.docs import (
    DocExample,
    docstring_examples,
    reference_modules,
    reference_targets,
)

MODULES = reference_modules()
FENCED = docstring_examples()


def test_the_reference_renders_the_four_packages() -> None:
    roots = {target.split(".")[0] for target in reference_targets()}
    assert roots == {
        "assemblyai_gateway",
        "langchain_assemblyai_gateway",
        "llama_index_assemblyai_gateway",
        "pydantic_ai_assemblyai_gateway",
    }


def test_every_adapter_shows_a_fenced_example() -> None:
    owners = {example.page for example in FENCED}
    assert "langchain_assemblyai_gateway.chat_models.ChatAssemblyAIGateway" in owners
    assert "llama_index_assemblyai_gateway.base.AssemblyAIGateway" in owners
    assert "pydantic_ai_assemblyai_gateway._model.AssemblyAIGatewayModel" in owners


@pytest.mark.parametrize("module", MODULES, ids=[module.__name__ for module in MODULES])
@pytest.mark.usefixtures("no_api_key_env")
def test_reference_doctests_pass(module: ModuleType) -> None:
    # Doctests are self-contained: a base URL in the environment would change answers.
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("example", FENCED, ids=[example.name for example in FENCED])
def test_reference_fenced_example_runs(
    example: DocExample, gateway_emulator: GatewayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(example.code, example.name, "exec"), namespace)
    assert capsys.readouterr().out, f"{example.name} printed nothing"
