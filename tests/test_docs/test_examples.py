"""Every Python example in README.md and docs/ runs, as written, against the emulator.

Each example runs on its own, in a fresh namespace, so each must be self-contained. A
block that defines pytest-style ``test_*`` functions has them called too, with the
emulator fixture, so testing examples are executed rather than only defined.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

import pytest

from assemblyai_gateway import catalog
from assemblyai_gateway.emulator import GatewayEmulator
from assemblyai_gateway.model_list import (
    CACHE_DIR_ENV,
    MODEL_LIST_ENV,
    MODEL_LIST_TIMEOUT_ENV,
    MODEL_LIST_TTL_ENV,
)
from tests.support.docs import REPO_ROOT, DocExample, doc_pages, python_examples

EXAMPLES = [example for page in doc_pages() for example in python_examples(page)]

# The placeholder the docs label as "the id of one of your transcripts".
PLACEHOLDER_TRANSCRIPT_ID = "your-transcript-id"
# The primary model of the fallback examples; failing here shows a fallback serving.
FAILING_PRIMARY = "claude-opus-4-6"

# Pages whose examples are their point: each must keep at least this many.
MINIMUM_EXAMPLES = {
    "README.md": 2,
    "docs/getting-started.md": 2,
    "docs/langchain.md": 5,
    "docs/llamaindex.md": 5,
    "docs/pydantic-ai.md": 8,
    "docs/configuration.md": 3,
    "docs/streaming.md": 1,
    "docs/tools-and-structured-output.md": 6,
    "docs/gateway-extras.md": 7,
    "docs/reasoning.md": 5,
    "docs/prompt-caching.md": 4,
    "docs/errors-and-retries.md": 5,
    "docs/request-fields.md": 3,
    "docs/reliability.md": 3,
    "docs/emulator.md": 5,
    "docs/troubleshooting.md": 1,
    "docs/models.md": 1,
    "docs/bulk-jobs.md": 2,
    "docs/transcripts.md": 16,
    "docs/coming-from-lemur.md": 2,
    "docs/compatibility.md": 1,
    "docs/model-list.md": 6,
}

# The serialization example calls langchain-core's loads(), which warns that it is beta.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The function `loads?` is in beta"
    ":langchain_core._api.beta_decorator.LangChainBetaWarning"
)


@pytest.fixture
def docs_emulator(gateway_emulator: GatewayEmulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The emulator as the docs describe it, a scratch catalog for register_model, and the
    model list as users get it (read lazily); what an example sets in the environment is
    undone after it."""
    for name in (MODEL_LIST_ENV, MODEL_LIST_TTL_ENV, MODEL_LIST_TIMEOUT_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(CACHE_DIR_ENV, os.environ[CACHE_DIR_ENV])  # restored when changed
    gateway_emulator.failing_models.add(FAILING_PRIMARY)
    gateway_emulator.transcripts[PLACEHOLDER_TRANSCRIPT_ID] = "Alice: the launch moves to Friday."
    monkeypatch.setattr(catalog, "_CATALOG", dict(catalog._CATALOG))
    return gateway_emulator


def _run_test_functions(namespace: dict[str, Any], fixtures: dict[str, Any]) -> int:
    """Call the ``test_*`` functions an example defines, with the fixtures they name."""
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    for test in tests:
        parameters = inspect.signature(test).parameters
        test(**{name: fixtures[name] for name in parameters})
    return len(tests)


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_doc_example_runs(
    example: DocExample, docs_emulator: GatewayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(example.code, example.name, "exec"), namespace)
    ran_tests = _run_test_functions(namespace, {"gateway_emulator": docs_emulator})
    assert capsys.readouterr().out or ran_tests, f"{example.name} printed nothing"


@pytest.mark.parametrize("page", sorted(MINIMUM_EXAMPLES))
def test_page_keeps_its_examples(page: str) -> None:
    assert len(python_examples(REPO_ROOT / page)) >= MINIMUM_EXAMPLES[page]


def test_every_page_with_examples_is_listed() -> None:
    # A new page with examples is run anyway; listing it guards it against losing them.
    pages = {example.page for example in EXAMPLES}
    assert pages <= set(MINIMUM_EXAMPLES), pages - set(MINIMUM_EXAMPLES)


def test_placeholders_are_labelled() -> None:
    for example in EXAMPLES:
        for line in example.code.splitlines():
            if f'"{PLACEHOLDER_TRANSCRIPT_ID}"' in line:
                assert "placeholder" in line, f"{example.name}: label the placeholder"
