"""The stakeholder map and the org chart as PNG images (matplotlib, headless).

matplotlib's object API (a Figure drawn by the Agg canvas) is used rather than pyplot:
no global state, so listeners on several threads can draw at once.
"""

import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sambot.relationships.stakeholder_map import HIGH, MapPoint, OrgNode, Quadrant
from sambot.stakeholders.models import ATTITUDE_LABELS

# Blocker red to champion green.
ATTITUDE_COLOURS = {-2: "#d7301f", -1: "#fc8d59", 0: "#9e9e9e", 1: "#91cf60", 2: "#1a9850"}
MAP_SIZE = (13, 10)  # inches, at DPI: 1300 x 1000 pixels
DPI = 100
NAME_LENGTH = 28


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _short(name: str, length: int = NAME_LENGTH) -> str:
    return name if len(name) <= length else name[: length - 1] + "…"


def _legend(axes, title: str = "Attitude") -> None:
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=9,
            color=ATTITUDE_COLOURS[value],
            label=label,
        )
        for value, label in sorted(ATTITUDE_LABELS.items())
    ]
    axes.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=9,
    )


def marker_area(influence: int, crowd: int) -> float:
    """Points² of a marker: bigger with influence, smaller in a crowded cell."""
    diameter = 5 + 2.2 * influence
    if crowd > 4:
        diameter *= 4 / crowd + 0.2
    return diameter**2


def draw_map(points: Sequence[MapPoint], *, title: str) -> bytes:
    figure = Figure(figsize=MAP_SIZE)
    axes = figure.add_axes((0.06, 0.07, 0.76, 0.86))
    # A band above and below the grid holds the quadrants' names, clear of any point.
    axes.set_xlim(0.5, 5.5)
    axes.set_ylim(0.1, 5.9)
    axes.set_xticks(range(1, 6))
    axes.set_yticks(range(1, 6))
    axes.set_xlabel("Interest")
    axes.set_ylabel("Power")
    axes.set_title(title, fontsize=14, loc="left")
    edge = HIGH - 0.5
    axes.axvline(edge, color="#555555", linewidth=1)
    axes.axhline(edge, color="#555555", linewidth=1)
    places = {  # x span, y span, where the name goes
        Quadrant.MANAGE_CLOSELY: ((edge, 5.5), (edge, 5.9), "#fdecea", 5.85, "top"),
        Quadrant.KEEP_SATISFIED: ((0.5, edge), (edge, 5.9), "#fff7e0", 5.85, "top"),
        Quadrant.KEEP_INFORMED: ((edge, 5.5), (0.1, edge), "#eaf4fb", 0.15, "bottom"),
        Quadrant.MONITOR: ((0.5, edge), (0.1, edge), "#f4f4f4", 0.15, "bottom"),
    }
    for name, ((x0, x1), (y0, y1), shade, text_y, align) in places.items():
        axes.axhspan(y0, y1, xmin=(x0 - 0.5) / 5, xmax=(x1 - 0.5) / 5, color=shade, zorder=0)
        axes.text(
            (x0 + x1) / 2,
            text_y,
            name.upper(),
            ha="center",
            va=align,
            fontsize=11,
            color="#666666",
            fontweight="bold",
            zorder=1,
        )
    at = {point.person.id: point for point in points}
    for point in points:
        manager = at.get(point.person.reports_to_id)
        if manager is not None:
            axes.plot(
                [point.x, manager.x],
                [point.y, manager.y],
                color="#999999",
                linewidth=0.8,
                alpha=0.45,
                zorder=2,
            )
    for point in points:
        person = point.person
        axes.scatter(
            [point.x],
            [point.y],
            s=marker_area(person.influence, point.crowd),
            color=ATTITUDE_COLOURS[person.attitude],
            edgecolors="#333333",
            linewidths=0.6,
            zorder=3,
        )
        size = 9 if point.crowd <= 3 else 8 if point.crowd <= 5 else 7
        axes.text(
            point.label_x,
            point.label_y,
            _short(person.name),
            fontsize=size,
            va="center",
            ha="left",
            zorder=4,
        )
    if not points:
        axes.text(3, 3, "No stakeholders yet", ha="center", va="center", fontsize=14)
    _legend(axes, "Attitude (size: influence)")
    return _png(figure)


def draw_org_chart(
    nodes: Sequence[OrgNode], *, title: str, owner_names: Mapping[str, str]
) -> bytes:
    """Boxes (name, title, relationship owner) coloured by attitude, joined to managers."""
    leaves = max((node.x for node in nodes), default=0) + 1
    depth = max((node.depth for node in nodes), default=0) + 1
    width = min(max(8.0, leaves * 2.1 + 2.5), 60.0)
    height = max(4.0, depth * 1.5 + 1.5)
    figure = Figure(figsize=(width, height))
    axes = figure.add_axes((0.02, 0.02, 0.78 if width < 12 else 0.86, 0.88))
    axes.set_axis_off()
    axes.set_xlim(-0.6, leaves - 0.4)
    axes.set_ylim(-depth + 0.4, 0.6)
    axes.set_title(title, fontsize=14, loc="left")
    at = {node.person.id: node for node in nodes}
    for node in nodes:
        manager = at.get(node.manager_id)
        if manager is not None:
            axes.plot(
                [manager.x, manager.x, node.x, node.x],
                [-manager.depth - 0.25, -node.depth + 0.4, -node.depth + 0.4, -node.depth + 0.25],
                color="#888888",
                linewidth=1,
                zorder=1,
            )
    for node in nodes:
        person = node.person
        owner = person.relationship_owner_id
        lines = [_short(person.name, 22)]
        if person.title:
            lines.append(_short(person.title, 24))
        lines.append("owner: " + (_short(owner_names.get(owner, owner), 16) if owner else "none"))
        axes.text(
            node.x,
            -node.depth,
            "\n".join(lines),
            ha="center",
            va="center",
            fontsize=8,
            zorder=2,
            bbox={
                "boxstyle": "round,pad=0.4",
                "facecolor": ATTITUDE_COLOURS[person.attitude],
                "edgecolor": "#333333",
                "alpha": 0.9,
            },
        )
    if not nodes:
        axes.text(0, 0, "No stakeholders yet", ha="center", va="center", fontsize=14)
    _legend(axes)
    return _png(figure)
