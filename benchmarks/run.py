"""Run the benchmarks, print the tables and save results.md, results.json and a plot.

Usage::

    python -m benchmarks.run                 # full run (make bench), ~2 minutes
    python -m benchmarks.run --quick         # smoke run, ~30 s
    python -m benchmarks.run --only overhead --only import

A full run of every benchmark also rewrites the results section of the documentation's
performance page, ``docs/performance.md`` (between the ``<!-- PERFORMANCE:START -->`` and
``<!-- PERFORMANCE:END -->`` markers), unless ``--no-readme`` is given; ``--readme PATH``
writes the section to PATH instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import (
    bench_bulk,
    bench_concurrency,
    bench_import,
    bench_limiter,
    bench_overhead,
    bench_streaming,
    bench_transcripts,
)
from benchmarks._common import BenchConfig, BenchResult, Measurement, Target, resolve
from benchmarks._plot import format_number, save_plot

__all__ = [
    "BENCHES",
    "PLOT_NAME",
    "main",
    "render_markdown",
    "run_benchmarks",
    "splice_readme",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results"
PERFORMANCE_PAGE = REPO_ROOT / "docs" / "performance.md"
README_START = "<!-- PERFORMANCE:START -->"
README_END = "<!-- PERFORMANCE:END -->"
PLOT_NAME = "benchmarks.png"
# The performance page is also shown on the docs site: link repository files absolutely.
REPO_BLOB = "https://github.com/assemblyai-community/assemblyai-llm-gateway/blob/main"
REPO_RAW = "https://raw.githubusercontent.com/assemblyai-community/assemblyai-llm-gateway/main"

BENCHES: dict[str, Callable[[BenchConfig], BenchResult]] = {
    "overhead": bench_overhead.run,
    "streaming": bench_streaming.run,
    "import": bench_import.run,
    "concurrency": bench_concurrency.run,
    "bulk": bench_bulk.run,
    "limiter": bench_limiter.run,
    "transcripts": bench_transcripts.run,
}
_TITLES = {
    "overhead": "Per-call overhead (in-memory transport)",
    "streaming": "Streaming (SSE bodies from an in-memory transport)",
    "import": "Import time (fresh interpreter)",
    "concurrency": "Concurrency: 1,000 calls at once, each client in its own process",
    "bulk": "Bulk jobs against a rate-limited emulator",
    "limiter": "The adaptive limiter: a storm of 429s, and a bulk run interrupted and resumed",
    "transcripts": "Transcripts: 10 hours of calls summarized three ways, and the naive way",
}
_PACKAGES = [
    "assemblyai-llm-gateway",
    "langchain-core",
    "langchain-openai",
    "llama-index-core",
    "llama-index-llms-openai",
    "llama-index-llms-openai-like",
    "pydantic-ai-slim",
    "openai",
    "httpx",
    "httpcore",
    "httpx-sse",
    "anyio",
    "pydantic",
    "pydantic-core",
    "matplotlib",
]

# ----------------------------------------------------------------------------- machine


def machine_info() -> dict[str, str]:
    """CPU model, cores, memory, OS, Python and the versions of the packages compared."""
    info = {
        "cpu": "unknown",
        "cores": str(os.cpu_count() or "?"),
        "memory": "unknown",
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    versions = []
    for package in _PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    info["packages"] = ", ".join(versions)
    info["load"] = _load_average()
    info["commit"] = _git_commit()
    return info


def _load_average() -> str:
    # The machine is shared: the load when the run started says how noisy it was.
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def _git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=10"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=REPO_ROOT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


# ---------------------------------------------------------------------------- running


def run_benchmarks(
    names: Sequence[str], config: BenchConfig, *, echo: Callable[[str], None] = print
) -> list[BenchResult]:
    """Run the named benchmarks in order; a crashing benchmark becomes an n/a result."""
    results = []
    for name in names:
        echo(f"running {name} ...")
        started = time.perf_counter()
        try:
            result = BENCHES[name](config)
        except Exception as exc:  # one broken benchmark must not lose the others' numbers
            result = BenchResult(
                name, notes=[f"n/a (benchmark crashed: {type(exc).__name__}: {exc})"]
            )
            result.seconds = time.perf_counter() - started
        echo(f"  {name}: {result.seconds:.1f} s")
        results.append(result)
    return results


# -------------------------------------------------------------------------- rendering


def _measurement_table(result: BenchResult) -> list[str]:
    extras: list[str] = []
    for row in result.measurements:
        extras += [k for k in row.extra if k not in extras]
    header = ["Case", "Value", "Unit", *extras, "Note"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in result.measurements:
        cells = [
            row.label,
            format_number(row.value),
            row.unit,
            *(format_number(row.extra.get(k)) for k in extras),
        ]
        lines.append("| " + " | ".join([*cells, row.note.replace("|", "/")]) + " |")
    return lines


def _target_lines(targets: Sequence[Target]) -> list[str]:
    lines = ["| Target | Ratio | Rule | Verdict | Detail |", "|---|---|---|---|---|"]
    for t in targets:
        ratio = "n/a" if t.ratio is None else f"{t.ratio:.2f}"
        if t.comparison == "equals_zero" and t.ratio is not None:
            ratio = f"{t.ratio:g}"
        detail = (t.reason or "").replace("|", "/")
        lines.append(f"| {t.name} | {ratio} | {t.rule} | {t.verdict} | {detail} |")
    return lines


def _describe(ref: str, values: dict[str, Measurement]) -> str:
    """``label value unit`` of a row, or of one of its extras (``name:key``)."""
    name, _, key = ref.partition(":")
    row = values[name]
    if not key:
        return f"{row.label} {format_number(row.value)} {row.unit}"
    return f"{row.label} {key} {format_number(resolve(values, ref))}"


def explain(target: Target, values: dict[str, Measurement]) -> str:
    """One honest line: met / not met, with the numbers that decide it (and why not)."""
    if target.passed is None:
        return f"not measured: {target.reason}"
    if target.reason:  # the benchmark explained the verdict itself
        return f"{'met' if target.passed else 'not met'}: {target.reason}"
    subject = values[target.subject.partition(":")[0]]
    if target.comparison == "equals_zero":
        kinds = subject.extra.get("error_kinds", "-")
        return "met: no errors" if target.passed else f"not met: {target.ratio:g} errors ({kinds})"
    refs = " + ".join(_describe(r, values) for r in target.references)
    verdict = "met" if target.passed else "not met"
    line = (
        f"{verdict}: {target.ratio:.2f}x ({target.rule}); "
        f"{_describe(target.subject, values)} vs {refs}"
    )
    core = {"overhead": "core_create_", "streaming": "core_stream", "import": "core"}.get(
        target.bench
    )
    if core == "core_create_":
        core += target.subject.rsplit("_", 1)[-1]
    if core and core in values and values[core].value is not None:
        alone = f"{format_number(values[core].value)} {values[core].unit}"
        line += f"; the framework-free core alone: {alone}"
    if target.reason:
        line += f". {target.reason}"
    return line


def render_markdown(results: Sequence[BenchResult], info: dict[str, str], mode: str) -> str:
    """The full results.md: targets first, then one table per benchmark."""
    targets = [t for r in results for t in r.targets]
    out = [
        "# Benchmark results",
        "",
        f"Mode: `{mode}`; generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "Machine: " + _machine_line(info),
        "",
        "## Targets (ratios from this run)",
        "",
        *_target_lines(targets),
    ]
    for result in results:
        out += ["", f"## {_TITLES.get(result.bench, result.bench)}", ""]
        if result.measurements:
            out += _measurement_table(result)
        for note in result.notes:
            out += ["", f"- {note}"]
        out.append(f"- took {result.seconds:.1f} s")
    return "\n".join(out) + "\n"


def _machine_line(info: dict[str, str]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory']} RAM, {info['python']}, "
        f"{info['os']}; load average at the start {info.get('load', 'unknown')}; commit "
        f"{info.get('commit', 'unknown')}. Packages: {info['packages']}."
    )


def render_readme_part(results: Sequence[BenchResult], info: dict[str, str], mode: str) -> str:
    """The results section of the documentation's performance page."""
    targets = [t for r in results for t in r.targets if not t.informational]
    # Row names repeat across benchmarks (``ours_langchain``): look up per benchmark.
    values = {r.bench: r.by_name() for r in results}
    lines = [
        "## Latest results",
        "",
        "Every number of the latest run:",
        f"[benchmarks/results/results.md]({REPO_BLOB}/benchmarks/results/results.md).",
        "",
        f"![benchmark results]({REPO_RAW}/benchmarks/results/{PLOT_NAME})",
        "",
        *_target_lines(targets),
        "",
        f"Latest run (`{mode}`) on: {_machine_line(info)}",
        "The machine is shared and noisy; read the ratios (same run), not the absolute times.",
        "",
        "Targets, met or not:",
        "",
    ]
    lines += [f"- **{t.name}**: {explain(t, values[t.bench])}." for t in targets]
    lines += [
        "",
        "Ratios within about 10 % of their limit flip between runs on this machine. The",
        "import targets compare with the framework class a chat model must subclass",
        "(`from langchain_core.language_models import BaseChatModel`): the bare",
        "`import langchain_core.language_models` is lazy and loads no model class.",
    ]
    for row in values.get("concurrency", {}).values():
        leaked = row.extra.get("open_after_loop")
        if row.name.startswith("ours") and isinstance(leaked, int) and leaked > 0:
            lines.append(
                f"Connections: {row.label} left {leaked} socket(s) ESTABLISHED after its "
                "event loop closed (the model was dropped inside the loop); they close only "
                "when the garbage collector finds them."
            )
    return "\n".join(lines) + "\n"


def splice_readme(readme: Path, section: str) -> None:
    """Replace the text between the Performance markers of ``readme`` with ``section``."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"{readme} has no {README_START} ... {README_END} markers")
    head, tail = text[: start + len(README_START)], text[end:]
    readme.write_text(f"{head}\n{section}{tail}", encoding="utf-8")


def to_json(
    results: Sequence[BenchResult], info: dict[str, str], config: BenchConfig
) -> dict[str, Any]:
    """Everything measured, machine-readable."""
    return {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "config": dataclasses.asdict(config),
        "benches": [
            {
                "bench": r.bench,
                "seconds": r.seconds,
                "notes": r.notes,
                "measurements": [m.to_json() for m in r.measurements],
                "targets": [t.to_json() for t in r.targets],
            }
            for r in results
        ],
    }


# ------------------------------------------------------------------------------- plot


# -------------------------------------------------------------------------------- CLI


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fast smoke run, fewer samples")
    size.add_argument("--tiny", action="store_true", help="minimal sizes (used by the tests)")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these benchmarks (repeat or comma-separate): {', '.join(BENCHES)}",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory")
    parser.add_argument(
        "--readme", type=Path, default=None, help="write the performance page's part here"
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="never write the performance page's part"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print, save. Returns 0 (1 with ``--strict`` when a target fails; 2 on bad args)."""
    args = _parse(argv)
    names = [n.strip() for item in args.only for n in item.split(",") if n.strip()] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}",
            file=sys.stderr,
        )
        return 2
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    config = (
        BenchConfig.tiny()
        if args.tiny
        else BenchConfig.quick()
        if args.quick
        else BenchConfig.full()
    )
    info = machine_info()
    results = run_benchmarks(names, config)
    markdown = render_markdown(results, info, mode)
    print()
    print(markdown)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(markdown, encoding="utf-8")
    (out / "results.json").write_text(
        json.dumps(to_json(results, info, config), indent=2) + "\n", encoding="utf-8"
    )
    save_plot(results, out / PLOT_NAME, _TITLES)
    section = render_readme_part(results, info, mode)
    if args.no_readme:
        pass
    elif args.readme is not None:
        args.readme.parent.mkdir(parents=True, exist_ok=True)
        args.readme.write_text(section, encoding="utf-8")
        print(f"wrote {args.readme}")
    elif mode == "full" and names == list(BENCHES):
        splice_readme(PERFORMANCE_PAGE, section)
        print(f"updated the results section of {PERFORMANCE_PAGE}")
    print(f"wrote {out / 'results.md'}, {out / 'results.json'}, {out / PLOT_NAME}")
    failed = [t for r in results for t in r.targets if t.passed is False and not t.informational]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
