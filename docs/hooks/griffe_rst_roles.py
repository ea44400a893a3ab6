"""Griffe extension: Sphinx roles in docstrings render as code in the API reference.

The docstrings use Sphinx roles such as ``:class:`~assemblyai_gateway._wire.types.ChatCompletion```
(read by IDEs and ``help()``); Markdown would show them literally, so this extension
rewrites each to inline code with the name a reader would write (``ChatCompletion``).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from griffe import Extension, Object, ObjectNode

__all__ = ["SphinxRolesAsCode", "roles_as_code"]

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj):`(~?)([^`]+)`")


def _as_code(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def roles_as_code(text: str) -> str:
    """``:class:`~a.b.C``` becomes ```C```, and ``:func:`f``` becomes ```f```."""
    return _ROLE.sub(_as_code, text)


class SphinxRolesAsCode(Extension):
    """Rewrite the Sphinx roles of every docstring griffe loads."""

    def on_instance(self, *, node: ast.AST | ObjectNode, obj: Object, **kwargs: Any) -> None:
        """Called by griffe for each module, class, function and attribute it loads."""
        if obj.docstring is not None:
            obj.docstring.value = roles_as_code(obj.docstring.value)
