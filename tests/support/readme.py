"""The README's Python examples, by section, for tests that run them."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def section(title: str) -> str:
    """The text of the README's ``## <title>`` section, up to the next ``## `` heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def python_examples(title: str) -> list[str]:
    """Every fenced ``python`` block of a README section, in order."""
    return re.findall(r"```python\n(.*?)```", section(title), re.DOTALL)
