"""Getting started tells a newcomer what the emulator needs and how to start it quietly."""

from __future__ import annotations

import re

from tests.support.docs import DOCS_DIR, doc_pages, shell_blocks

EMULATOR = "assemblyai-gateway-emulator"


def test_an_emulator_started_in_the_background_is_quiet() -> None:
    # Without --quiet, a line per request lands in the shell the user is typing in.
    started = [
        (page.name, line)
        for page in doc_pages()
        for block in shell_blocks(page.read_text(encoding="utf-8"))
        for line in block.splitlines()
        if line.lstrip().startswith(EMULATOR) and line.split("#")[0].rstrip().endswith("&")
    ]
    assert started
    assert [(page, line) for page, line in started if "--quiet" not in line] == []


def test_getting_started_installs_the_emulator_extra_before_starting_it() -> None:
    page = (DOCS_DIR / "getting-started.md").read_text(encoding="utf-8")
    [block] = [block for block in shell_blocks(page) if EMULATOR in block]
    install, start = block.index("pip install"), block.index(EMULATOR)
    assert install < start
    extras = re.search(r"pip install '[^']*\[([^\]]*)\]'", block)
    assert extras is not None
    assert "emulator" in extras.group(1).split(",")
