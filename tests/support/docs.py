"""The Python examples of README.md, the docs/ pages and the API reference's docstrings."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "DOCS_DIR",
    "README",
    "REPO_ROOT",
    "DocExample",
    "doc_pages",
    "docstring_examples",
    "load_hook",
    "python_examples",
    "reference_modules",
    "reference_objects",
    "reference_targets",
    "shell_blocks",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
DOCS_DIR = REPO_ROOT / "docs"
# The packages whose docstrings the API reference renders.
OUR_PACKAGES = (
    "assemblyai_gateway",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
    "pydantic_ai_assemblyai_gateway",
)

# A fenced block that starts a line: ```python ... ``` (indented blocks are not examples).
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class DocExample:
    """One fenced ``python`` block of a page."""

    page: str  # relative to the repository root, or a docstring owner's dotted name
    index: int  # 0-based, in page (or docstring) order
    line: int  # 1-based line of the opening fence; 0 for a docstring
    code: str

    @property
    def name(self) -> str:
        """Where the example sits, for test ids and tracebacks."""
        return f"{self.page}:{self.line}" if self.line else f"{self.page}[{self.index}]"


def load_hook(filename: str) -> ModuleType:
    """A module of ``docs/hooks/`` (not a package), loaded from its file as MkDocs loads a
    hook: with that folder on ``sys.path`` meanwhile, so it imports the modules beside it."""
    path = DOCS_DIR / "hooks" / filename
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = sys.path.copy()
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


_SHELL_BLOCK = re.compile(r"^```bash\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def shell_blocks(text: str) -> list[str]:
    """The bodies of a Markdown page's fenced ``bash`` blocks, in order."""
    return _SHELL_BLOCK.findall(text)


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


# ``::: dotted.path`` lines of the API reference pages (what mkdocstrings renders).
_REFERENCE_TARGET = re.compile(r"^::: *([\w.]+)\s*$", re.MULTILINE)
# A fenced ``python`` block inside a docstring, at any indentation.
_DOCSTRING_BLOCK = re.compile(r"^([ \t]*)```python\n(.*?)^\1```[ \t]*$", re.DOTALL | re.MULTILINE)


_API_MARKER = re.compile(r"<!-- code: api ([^>]+) -->")


def reference_targets() -> list[str]:
    """The dotted paths the API reference pages under docs/reference/ render (their
    ``<!-- code: api ... -->`` markers expanded as the docs hook expands them)."""
    render_api = load_hook("_tables_api.py").render_api
    pages = [
        page.read_text(encoding="utf-8") for page in sorted((DOCS_DIR / "reference").glob("*.md"))
    ]
    return [
        target
        for text in pages
        for target in _REFERENCE_TARGET.findall(
            _API_MARKER.sub(lambda marker: render_api(marker.group(1).split()), text)
        )
    ]


def _resolve(target: str) -> Any:
    module_name, _, attribute = target.rpartition(".")
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError:
        return getattr(importlib.import_module(module_name), attribute)


def _public_members(owner: Any) -> list[Any]:
    """What mkdocstrings shows below ``owner``: ``__all__``, or non-underscore names."""
    if inspect.ismodule(owner):
        names = getattr(owner, "__all__", [n for n in vars(owner) if not n.startswith("_")])
        members = [getattr(owner, name) for name in names]
        return [m for m in members if inspect.isclass(m) or inspect.isfunction(m)]
    return [value for name, value in vars(owner).items() if not name.startswith("_")]


def _ours(obj: Any) -> bool:
    name = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", None) or ""
    return name.split(".")[0] in OUR_PACKAGES


def reference_objects() -> list[Any]:
    """Every module, class and function the API reference renders, with their members."""
    found: dict[int, Any] = {}
    pending = [_resolve(target) for target in reference_targets()]
    while pending:
        current = pending.pop()
        if id(current) in found or not _ours(current):
            continue
        found[id(current)] = current
        if inspect.ismodule(current) or inspect.isclass(current):
            pending += [m for m in _public_members(current) if inspect.isclass(m)]
            found.update({id(m): m for m in _public_members(current) if _ours(m)})
    return list(found.values())


def reference_modules() -> list[ModuleType]:
    """The modules that define what the API reference renders (for their doctests)."""
    names = {
        obj.__name__ if inspect.ismodule(obj) else obj.__module__ for obj in reference_objects()
    }
    return [importlib.import_module(name) for name in sorted(names)]


def docstring_examples() -> list[DocExample]:
    """Every fenced ``python`` block in the docstrings the API reference renders."""
    examples: list[DocExample] = []
    seen: set[str] = set()
    for obj in reference_objects():
        docstring = inspect.getdoc(obj) or ""
        qualified = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
        module = obj.__name__ if inspect.ismodule(obj) else getattr(obj, "__module__", "")
        for index, match in enumerate(_DOCSTRING_BLOCK.finditer(docstring)):
            code = textwrap.dedent(match.group(2))
            if code in seen:
                continue
            seen.add(code)
            examples.append(DocExample(f"{module}.{qualified}", index, 0, code))
    return examples
