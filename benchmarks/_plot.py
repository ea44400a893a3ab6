"""The benchmark report's numbers and its plot (``benchmarks.png``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import BenchResult, Target

__all__ = ["format_number", "save_plot"]


def format_number(value: float | int | str | None) -> str:
    """A number as the tables show it: thousands separated, 2 to 0 decimals by size."""
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return (
        f"{value:,.2f}"
        if abs(value) < 10
        else f"{value:,.0f}"
        if abs(value) >= 1000
        else f"{value:,.1f}"
    )


def _plot_ratios(ax: Any, targets: Sequence[Target]) -> None:
    """Each ratio target as a bar, its limit as a black tick; green met, red not met."""
    shown = [t for t in targets if t.comparison != "equals_zero"]
    for i, t in enumerate(shown):
        ratio = t.ratio if t.ratio is not None else 0.0
        color = "lightgray" if t.passed is None else "tab:green" if t.passed else "tab:red"
        ax.barh(i, max(ratio, 1e-3), color=color, alpha=0.5 if t.informational else 1.0)
        ax.plot([t.limit, t.limit], [i - 0.42, i + 0.42], color="black", linewidth=2)
        text = "n/a" if t.ratio is None else f"{ratio:.2f} ({t.rule})"
        ax.text(max(ratio, t.limit) * 1.12, i, text, va="center", fontsize=7)
    labels = [
        (t.name if len(t.name) <= 70 else t.name[:67] + "...") + (" [info]" * t.informational)
        for t in shown
    ]
    ax.set_yticks(range(len(shown)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(0.02, 20)
    ax.set_title("Ratios against their targets (black tick: limit; green: met)", fontsize=9)
    ax.set_xlabel("ratio (log scale)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)


def save_plot(results: Sequence[BenchResult], path: Path, titles: Mapping[str, str]) -> None:
    """The ratios against their targets on top, then one bar chart per benchmark."""
    import matplotlib

    matplotlib.use("Agg")  # no display: CI and headless machines
    import matplotlib.pyplot as plt

    shown = [r for r in results if r.measurements]
    targets = [t for r in results for t in r.targets if t.comparison != "equals_zero"]
    if not shown and not targets:
        return
    heights = [max(1, len(targets))] * bool(targets) + [len(r.measurements) for r in shown]
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(11, 2.0 + 0.3 * sum(heights) + 0.6 * len(heights)),
        gridspec_kw={"height_ratios": heights},
    )
    axes_list = [axes] if len(heights) == 1 else list(axes)
    if targets:
        _plot_ratios(axes_list.pop(0), targets)
    for ax, result in zip(axes_list, shown, strict=True):
        rows = result.measurements
        labels = [m.label if len(m.label) <= 44 else m.label[:41] + "..." for m in rows]
        # A log scale has no zero: a zero or missing value sits at a tenth of the least.
        positive = [m.value for m in rows if m.value is not None and m.value > 0]
        least = min(positive) / 10 if positive else 1.0
        values = [m.value if m.value is not None and m.value > 0 else least for m in rows]
        colors = ["tab:orange" if m.name.startswith("ours") else "tab:blue" for m in rows]
        ax.barh(range(len(rows)), values, color=colors)
        ax.set_yticks(range(len(rows)), labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_title(titles.get(result.bench, result.bench), fontsize=9)
        ax.set_xlabel(", ".join(dict.fromkeys(m.unit for m in rows)) + " (log scale)", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        for i, m in enumerate(rows):
            text = "n/a" if m.value is None else f"{format_number(m.value)} {m.unit}"
            ax.text(values[i], i, f" {text}", va="center", fontsize=7)
    fig.suptitle("lower is better; orange = ours", fontsize=9)
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.98))
    fig.savefig(path, dpi=100)
    plt.close(fig)
