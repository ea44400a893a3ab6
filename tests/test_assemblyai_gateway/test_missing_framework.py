"""Importing an adapter without its framework says which extra to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from assemblyai_gateway._wire.compat import missing_framework_error

# Run in a fresh interpreter where the framework cannot be found, as in an install
# without the extra (a meta-path finder hides it; nothing is uninstalled).
_HIDE_AND_IMPORT = textwrap.dedent(
    """
    import importlib.abc, sys

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == {hidden!r} or name.startswith({hidden!r} + "."):
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, Hide())
    import {adapter}
    """
)


@pytest.mark.parametrize(
    ("adapter", "hidden", "extra"),
    [
        ("langchain_assemblyai_gateway", "langchain_core", "langchain"),
        ("llama_index_assemblyai_gateway", "llama_index.core", "llama-index"),
        ("llama_index.llms.assemblyai_gateway", "llama_index.core", "llama-index"),
    ],
)
def test_an_adapter_without_its_framework_names_the_extra(
    adapter: str, hidden: str, extra: str
) -> None:
    code = _HIDE_AND_IMPORT.format(hidden=hidden, adapter=adapter)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 1
    last_line = run.stderr.strip().splitlines()[-1]
    assert last_line == (
        f"ModuleNotFoundError: {hidden} is not installed: "
        f"pip install 'assemblyai-llm-gateway[{extra}]'"
    )


def test_another_missing_module_keeps_its_own_error() -> None:
    error = ModuleNotFoundError("No module named 'numpy'", name="numpy")
    assert missing_framework_error(error, framework="langchain_core", extra="langchain") is None
