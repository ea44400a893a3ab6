"""Every Python example in the README and in docs/ runs as written, each on its own.

Each block runs in a fresh namespace (so no example leans on an earlier one's imports)
against the emulator, which the ``gateway_emulator`` fixture puts behind
``ASSEMBLYAI_API_KEY`` and ``ASSEMBLYAI_GATEWAY_BASE_URL``, as a reader's shell would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assemblyai_gateway import catalog
from assemblyai_gateway.emulator import GatewayEmulator

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
# The README's fallback examples use this model as the one that fails.
FAILING_MODEL = "claude-opus-4-6"
TRANSCRIPT_ID = "tr_docs_example"

# The serialization example calls langchain-core's loads(), which warns that it is beta.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The function `loads?` is in beta"
    ":langchain_core._api.beta_decorator.LangChainBetaWarning"
)


def _examples() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
        name = page.relative_to(ROOT).as_posix()
        found += [(f"{name}#{index}", code) for index, code in enumerate(blocks)]
    return found


EXAMPLES = _examples()


def test_the_pages_have_examples() -> None:
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize(("where", "code"), EXAMPLES, ids=[where for where, _ in EXAMPLES])
def test_example_runs_as_written(
    where: str,
    code: str,
    gateway_emulator: GatewayEmulator,
    monkeypatch: pytest.MonkeyPatch,
    retry_waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    gateway_emulator.failing_models.add(FAILING_MODEL)
    gateway_emulator.transcripts[TRANSCRIPT_ID] = "Alice: the launch moves to Friday."
    monkeypatch.setenv("ASSEMBLYAI_TRANSCRIPT_ID", TRANSCRIPT_ID)
    # An example that registers a model changes the catalog process-wide: give it a copy.
    monkeypatch.setattr(catalog, "_CATALOG", dict(catalog._CATALOG))

    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(code, f"<{where}>", "exec"), namespace)
    # An example that shows a pytest test is run as pytest would, with its fixture.
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    for test in tests:
        assert callable(test)
        gateway_emulator.reset()
        test(gateway_emulator)

    # Each example shows something: output, a test it ran, or assertions of its own.
    assert capsys.readouterr().out or tests or "assert " in code, f"{where} shows nothing"
