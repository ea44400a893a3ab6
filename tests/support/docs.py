"""The Python examples of README.md and every page under docs/, for the tests that run them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DOCS_DIR", "README", "REPO_ROOT", "DocExample", "doc_pages", "python_examples"]

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
DOCS_DIR = REPO_ROOT / "docs"

# A fenced block that starts a line: ```python ... ``` (indented blocks are not examples).
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class DocExample:
    """One fenced ``python`` block of a page."""

    page: str  # relative to the repository root
    index: int  # 0-based, in page order
    line: int  # 1-based line of the opening fence
    code: str

    @property
    def name(self) -> str:
        """Where the example sits, for test ids and tracebacks."""
        return f"{self.page}:{self.line}"


def doc_pages() -> list[Path]:
    """README.md and every Markdown page of the documentation site."""
    return [README, *sorted(DOCS_DIR.rglob("*.md"))]


def python_examples(page: Path) -> list[DocExample]:
    """Every fenced ``python`` block of ``page``, in order."""
    text = page.read_text(encoding="utf-8")
    relative = page.relative_to(REPO_ROOT).as_posix()
    return [
        DocExample(relative, index, text.count("\n", 0, match.start()) + 1, match.group(1))
        for index, match in enumerate(_PYTHON_BLOCK.finditer(text))
    ]
