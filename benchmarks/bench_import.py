"""Import time: each module in a fresh interpreter, timed around the import itself.

Interpreter start-up is excluded (``time.perf_counter`` brackets the import inside
``-c``). One untimed warm-up run per module first writes the ``.pyc`` files, so a fresh
clone is not billed for byte-compiling. Runs are interleaved across modules.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import BenchConfig, BenchResult, Measurement, median, ratio_target

__all__ = ["MODULES", "ImportCase", "run", "time_import"]

BENCH = "import"
REPO_ROOT = Path(__file__).resolve().parent.parent
_TIMEOUT_S = 60.0

# Resolving ``attr`` is part of the timed import: a package that defers its class
# behind a lazy ``__getattr__`` must not look cheaper than it is in use.
_PROBE = """
import importlib, sys, time
start = time.perf_counter()
module = importlib.import_module(sys.argv[1])
attr = sys.argv[2]
found = (not attr) or getattr(module, attr, None) is not None
elapsed = time.perf_counter() - start
print(f"{elapsed!r} {int(found)}")
"""


@dataclass(frozen=True)
class ImportCase:
    """One module to import (and optionally one attribute to resolve)."""

    name: str
    label: str
    module: str
    attr: str = ""
    ours: bool = False


MODULES = [
    ImportCase(
        "ours_langchain",
        "ours: from langchain_assemblyai_gateway import ChatAssemblyAIGateway",
        "langchain_assemblyai_gateway",
        "ChatAssemblyAIGateway",
        ours=True,
    ),
    ImportCase(
        "ours_llamaindex",
        "ours: from llama_index_assemblyai_gateway import AssemblyAIGateway",
        "llama_index_assemblyai_gateway",
        "AssemblyAIGateway",
        ours=True,
    ),
    ImportCase("core", "core: import assemblyai_gateway", "assemblyai_gateway"),
    ImportCase(
        "langchain_core_bare",
        "import langchain_core.language_models (lazy: BaseChatModel not loaded)",
        "langchain_core.language_models",
    ),
    ImportCase(
        "langchain_core",
        "from langchain_core.language_models import BaseChatModel",
        "langchain_core.language_models",
        "BaseChatModel",
    ),
    ImportCase(
        "llama_index_core",
        "from llama_index.core.llms import LLM",
        "llama_index.core.llms",
        "LLM",
    ),
    ImportCase(
        "langchain_openai",
        "from langchain_openai import ChatOpenAI",
        "langchain_openai",
        "ChatOpenAI",
    ),
]


def time_import(module: str, attr: str = "") -> tuple[float | None, str]:
    """Import ``module`` (and resolve ``attr``) in a fresh interpreter.

    Returns:
        ``(seconds, "")``, or ``(None, reason)`` when the import takes too long.

    Raises:
        RuntimeError: the import fails, or the attribute does not exist.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, module, attr],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            cwd=REPO_ROOT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"n/a (import took over {_TIMEOUT_S:.0f} s)"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1][:200]
        raise RuntimeError(f"importing {module} failed: {last}")
    seconds_text, found = done.stdout.split()
    if found != "1":
        raise RuntimeError(f"{module}.{attr} does not exist")
    return float(seconds_text), ""


def run(config: BenchConfig, modules: list[ImportCase] | None = None) -> BenchResult:
    """Median import time (ms) of our adapters and the frameworks they stand on.

    Args:
        config: ``import_runs`` timed fresh interpreters per module.
        modules: Override the module list (tests).
    """
    started = time.perf_counter()
    result = BenchResult(BENCH)
    cases = modules if modules is not None else MODULES
    reasons: dict[str, str] = {}
    samples: dict[str, list[float]] = {c.name: [] for c in cases}
    # The warm-up writes .pyc files (a fresh clone must not be billed for compiling)
    # and finds the modules that do not exist yet.
    for run_no in range(config.import_runs + int(config.import_warmup)):
        timed = run_no > 0 or not config.import_warmup
        for case in cases:
            if case.name in reasons:
                continue
            seconds, reason = time_import(case.module, case.attr)
            if seconds is None:
                reasons[case.name] = reason
            elif timed:
                samples[case.name].append(seconds * 1000.0)
    for case in cases:
        values = samples[case.name]
        if case.name in reasons or not values:
            note = reasons.get(case.name, "n/a (no sample)")
            result.measurements.append(Measurement(BENCH, case.name, case.label, "ms", None, note))
        else:
            result.measurements.append(
                Measurement(BENCH, case.name, case.label, "ms", median(values), samples=values)
            )
    values_by_name = result.by_name()
    result.targets += [
        ratio_target(
            BENCH,
            "import: ours (LangChain) / langchain_core BaseChatModel",
            values_by_name,
            "ours_langchain",
            ["langchain_core"],
            1.3,
        ),
        ratio_target(
            BENCH,
            "import: ours (LlamaIndex) / llama_index.core.llms",
            values_by_name,
            "ours_llamaindex",
            ["llama_index_core"],
            1.3,
        ),
        ratio_target(
            BENCH,
            "import: ours (LangChain) / bare `import langchain_core.language_models`",
            values_by_name,
            "ours_langchain",
            ["langchain_core_bare"],
            1.3,
            informational=True,
        ),
        ratio_target(
            BENCH,
            "import: ours (LangChain) / langchain_openai",
            values_by_name,
            "ours_langchain",
            ["langchain_openai"],
            1.0,
            informational=True,
        ),
    ]
    result.notes.append(
        f"{config.import_runs} fresh interpreters per module, interleaved"
        + (" after one untimed warm-up (writes .pyc)" if config.import_warmup else "")
        + "; value = median; interpreter start-up excluded; the import includes resolving "
        "the class (a lazy __getattr__ is not free)."
    )
    result.seconds = time.perf_counter() - started
    return result
