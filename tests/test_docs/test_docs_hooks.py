"""The griffe extension that turns Sphinx roles into inline code for the API reference."""

from __future__ import annotations

import pytest

from tests.support.docs import load_hook

pytest.importorskip("griffe", reason="the docs dependency group is not installed")


ROLES = load_hook("griffe_rst_roles.py")


@pytest.mark.parametrize(
    ("docstring", "rendered"),
    [
        (":class:`~assemblyai_gateway._wire.types.ChatCompletion`", "`ChatCompletion`"),
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
