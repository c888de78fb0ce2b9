"""The Pareto chart: bars for each account's figure, the cumulative share as a line, the
80% cut marked. One panel per ranking (per currency when they are not converted).

matplotlib's Agg backend draws without a display; a large portfolio shows its first
`MAX_BARS` accounts and one bar for the rest, whose cumulative line still ends at 100%.
"""

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from sambot.portfolio.pareto import Analysis, Group

MAX_BARS = 30


def _panel(axes, analysis: Analysis, group: Group) -> None:
    shown = group.ranked[:MAX_BARS]
    labels = [
        r.account.name if len(r.account.name) <= 18 else r.account.name[:17] + "…" for r in shown
    ]
    values = [float(r.value) for r in shown]
    cumulative = [float(r.cumulative) * 100 for r in shown]
    colours = ["#1d3557" if r.in_cut else "#a8dadc" for r in shown]
    rest = group.ranked[MAX_BARS:]
    if rest:
        labels.append(f"{len(rest)} others")
        values.append(float(sum(r.value for r in rest)))
        cumulative.append(100.0)
        colours.append("#a8dadc")
    positions = list(range(len(values)))
    axes.bar(positions, values, color=colours)
    axes.set_xticks(positions, labels, rotation=60, ha="right", fontsize=8)
    axes.set_ylabel(f"{analysis.metric.label} ({group.currency})")
    converted = f", converted to {group.currency}" if group.converted else ""
    axes.set_title(
        f"{analysis.metric.label.capitalize()}, {group.currency}{converted}: "
        f"{group.cut_count} of {len(group.ranked)} accounts make 80%",
        fontsize=10,
    )
    line = axes.twinx()
    line.plot(positions, cumulative, color="#e63946", marker="o", markersize=3)
    line.set_ylim(0, 105)
    line.set_ylabel("cumulative share (%)")
    line.axhline(80, color="#e63946", linestyle=":", linewidth=1)
    if group.cut_count:
        cut = min(group.cut_count, len(shown) + 1) - 0.5
        axes.axvline(cut, color="#457b9d", linestyle="--", linewidth=1.2)
        line.annotate(
            "80% cut",
            xy=(cut, 82),
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
