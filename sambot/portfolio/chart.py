"""The Pareto chart: bars for each account's figure, the cumulative share as a line, the
80% cut marked. One panel per ranking (per currency when they are not converted).

matplotlib's Agg backend draws without a display. A portfolio of more than `MAX_BARS`
accounts is drawn as `MAX_BARS` bands of equal size by rank.
"""

import io
import math

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sambot.portfolio.pareto import Analysis, Group

MAX_BARS = 30


def _bars(group: Group) -> tuple[list[tuple[str, float, float, bool]], float, int]:
    """(label, figure, cumulative %, inside the cut) per bar, where the cut falls on the
    x axis, and how many accounts a bar stands for: one each, or equal bands by rank when
    there are more than MAX_BARS accounts (the cumulative line is then exact at each
    band's end)."""
    ranked = group.ranked
    size = max(1, math.ceil(len(ranked) / MAX_BARS))
    bars = []
    for start in range(0, len(ranked), size):
        band = ranked[start : start + size]
        if size == 1:
            name = band[0].account.name
            label = name if len(name) <= 18 else name[:17] + "…"
        else:
            label = f"#{start + 1}-{start + len(band)}"
        value = float(sum(r.value for r in band))
        bars.append((label, value, float(band[-1].cumulative) * 100, band[0].in_cut))
    return bars, group.cut_count / size - 0.5, size


def _panel(axes, analysis: Analysis, group: Group) -> None:
    bars, cut, size = _bars(group)
    positions = list(range(len(bars)))
    axes.bar(
        positions,
        [value for _, value, _, _ in bars],
        color=["#1d3557" if inside else "#a8dadc" for *_, inside in bars],
    )
    axes.set_xticks(positions, [label for label, *_ in bars], rotation=60, ha="right", fontsize=8)
    axes.set_ylabel(f"{analysis.metric.label} ({group.currency})")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    converted = f", converted to {group.currency}" if group.converted else ""
    banded = f"; bars of {size} accounts by rank" if size > 1 else ""
    axes.set_title(
        f"{analysis.metric.label.capitalize()}, {group.currency}{converted}: "
        f"{group.cut_count} of {len(group.ranked)} accounts make 80%{banded}",
        fontsize=10,
    )
    line = axes.twinx()
    line.plot(
        positions,
        [cumulative for _, _, cumulative, _ in bars],
        color="#e63946",
        marker="o",
        markersize=3,
    )
    line.set_ylim(0, 105)
    line.set_ylabel("cumulative share (%)")
    line.axhline(80, color="#e63946", linestyle=":", linewidth=1)
    if group.cut_count:
        axes.axvline(cut, color="#457b9d", linestyle="--", linewidth=1.2)
        line.annotate(
            "80% cut",
            xy=(cut, 3),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=8,
            color="#457b9d",
        )


def pareto_png(analysis: Analysis) -> bytes:
    """The chart as PNG bytes; a figure with one panel per group (at least one)."""
    groups = analysis.groups
    figure = Figure(figsize=(10, 4.8 * max(1, len(groups))), dpi=100, layout="constrained")
    if not groups:
        axes = figure.subplots()
        axes.text(0.5, 0.5, f"No account has a {analysis.metric.label}", ha="center")
        axes.set_axis_off()
    for i, group in enumerate(groups):
        _panel(figure.add_subplot(len(groups), 1, i + 1), analysis, group)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
