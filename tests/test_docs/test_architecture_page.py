"""The architecture page names only modules and folders that exist, and every folder."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.docs import load_hook

ROOT = Path(__file__).resolve().parents[2]
render_modules = load_hook("_tables_modules.py").render_modules
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PACKAGES = (
    "assemblyai_gateway",
    "langchain_assemblyai_gateway",
    "llama_index_assemblyai_gateway",
    "pydantic_ai_assemblyai_gateway",
)
MODULES = [
    path.relative_to(ROOT).as_posix()
    for package in PACKAGES
    if (ROOT / package).is_dir()
    for path in (ROOT / package).rglob("*.py")
]


def test_every_module_the_page_names_exists() -> None:
    named = set(re.findall(r"(?<![\w/.])((?:_?\w+/)*_?\w+\.py)\b", PAGE))
    missing = sorted(name for name in named if not any(m.endswith("/" + name) for m in MODULES))
    assert missing == [], f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_folder_of_the_core_is_on_the_page() -> None:
    core = ROOT / "assemblyai_gateway"
    folders = sorted(p.parent.name for p in core.glob("*/__init__.py"))
    assert len(folders) >= 5
    unnamed = [folder for folder in folders if f"{folder}/" not in PAGE]
    assert unnamed == [], f"docs/architecture.md does not place: {unnamed}"


def test_the_page_maps_every_module_from_the_code() -> None:
    marker = re.search(r"<!-- code: modules ([^>]+) -->", PAGE)
    assert marker is not None
    packages = marker.group(1).split()
    rendered = render_modules(packages)
    for module in MODULES:
        folder, _, name = module.rpartition("/")
        if module.split("/")[0] in packages:
            assert f"#### `{folder}/`" in rendered
            assert f"| `{name}` |" in rendered
