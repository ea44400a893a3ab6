"""The griffe extension that turns Sphinx roles into inline code for the API reference."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from tests.support.docs import DOCS_DIR

pytest.importorskip("griffe", reason="the docs dependency group is not installed")


def _load_extension() -> ModuleType:
    path = DOCS_DIR / "hooks" / "griffe_rst_roles.py"
    spec = importlib.util.spec_from_file_location("griffe_rst_roles", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROLES = _load_extension()


@pytest.mark.parametrize(
    ("docstring", "rendered"),
    [
        (":class:`~assemblyai_gateway.types.ChatCompletion`", "`ChatCompletion`"),
        (":func:`register_model` at run time", "`register_model` at run time"),
        (
            ":meth:`create` and :py:mod:`assemblyai_gateway.emulator`",
            "`create` and `assemblyai_gateway.emulator`",
        ),
        ("plain ``code`` stays", "plain ``code`` stays"),
    ],
)
def test_sphinx_roles_become_inline_code(docstring: str, rendered: str) -> None:
    assert ROLES.roles_as_code(docstring) == rendered
