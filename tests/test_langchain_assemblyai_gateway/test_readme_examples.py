"""The README's LangChain examples run, in order and in one namespace, against the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.readme import python_examples

EXAMPLES = python_examples("LangChain")

# The serialization example calls langchain-core's loads(), which warns that it is beta.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The function `loads?` is in beta"
    ":langchain_core._api.beta_decorator.LangChainBetaWarning"
)


def test_the_langchain_section_has_examples() -> None:
    assert len(EXAMPLES) >= 5


def test_every_langchain_readme_example_runs(
    gateway_emulator: GatewayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    # Let the fallback example fall back, and give the transcript example a transcript.
    gateway_emulator.failing_models.add("claude-opus-4-6")
    gateway_emulator.transcripts["your-transcript-id"] = "Alice: the launch moves to Friday."
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for index, code in enumerate(EXAMPLES):
        exec(compile(code, f"<README LangChain example {index}>", "exec"), namespace)
        assert capsys.readouterr().out, f"example {index} printed nothing"
