"""What the stakeholder map shows, computed without drawing: the power x interest grid with
a point per stakeholder (spread within its cell so that no two points or names sit on each
other), and the org chart's tree from reports-to.

High power or interest is 4 or 5, as for key stakeholders.
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sambot.relationships.cadence import KEY_POWER, Touch

HIGH = KEY_POWER
CELL = 0.9  # the share of a grid cell that its points may use
ALONE_PER_ROW = 8  # org chart: people with no manager and no reports, side by side
PER_COLUMN = 7  # stakeholders stacked in one column of a cell before a second column starts


class Quadrant(StrEnum):
    MANAGE_CLOSELY = "manage closely"
    KEEP_SATISFIED = "keep satisfied"
    KEEP_INFORMED = "keep informed"
    MONITOR = "monitor"


# In reading order: the powerful first.
QUADRANTS = (
    Quadrant.MANAGE_CLOSELY,
    Quadrant.KEEP_SATISFIED,
    Quadrant.KEEP_INFORMED,
    Quadrant.MONITOR,
)
QUADRANT_MEANING = {
    Quadrant.MANAGE_CLOSELY: "high power, high interest",
    Quadrant.KEEP_SATISFIED: "high power, lower interest",
    Quadrant.KEEP_INFORMED: "lower power, high interest",
    Quadrant.MONITOR: "lower power, lower interest",
}


def quadrant(*, power: int, interest: int) -> Quadrant:
    if power >= HIGH:
        return Quadrant.MANAGE_CLOSELY if interest >= HIGH else Quadrant.KEEP_SATISFIED
    return Quadrant.KEEP_INFORMED if interest >= HIGH else Quadrant.MONITOR


@dataclass(frozen=True)
class MapPoint:
    """A stakeholder on the grid: x is interest, y is power, moved within their cell."""

    person: Touch
    x: float
    y: float
    label_x: float
    label_y: float
    # How many share the cell: the drawing makes crowded points smaller.
    crowd: int

    @property
    def quadrant(self) -> Quadrant:
        return quadrant(power=self.person.power, interest=self.person.interest)


def map_points(people: Sequence[Touch]) -> list[MapPoint]:
    """One point per stakeholder. Those sharing a cell are stacked in columns of up to
    PER_COLUMN, names to the right of their point, so every name can be read."""
    cells: dict[tuple[int, int], list[Touch]] = defaultdict(list)
    for person in people:
        cells[(person.interest, person.power)].append(person)
    points = []
    for (interest, power), crowd in cells.items():
        crowd.sort(key=lambda p: (-p.influence, p.name.lower(), p.id))
        columns = math.ceil(len(crowd) / PER_COLUMN)
        rows = math.ceil(len(crowd) / columns)
        width, height = CELL / columns, CELL / rows
        left, top = interest - CELL / 2, power + CELL / 2
        for n, person in enumerate(crowd):
            column, row = divmod(n, rows)
            if len(crowd) == 1:
                x, y = float(interest), float(power)
            else:
                x = left + width * column + 0.06
                y = top - height * (row + 0.5)
            points.append(MapPoint(person, x, y, x + 0.07, y, len(crowd)))
    points.sort(key=lambda p: (-p.person.power, -p.person.interest, p.person.name.lower()))
    return points


def by_quadrant(people: Sequence[Touch]) -> dict[Quadrant, list[Touch]]:
    """The stakeholders of each quadrant, the most powerful and interested first."""
    grouped: dict[Quadrant, list[Touch]] = {q: [] for q in QUADRANTS}
    for person in people:
        grouped[quadrant(power=person.power, interest=person.interest)].append(person)
    for members in grouped.values():
        members.sort(key=lambda p: (-p.power, -p.interest, -p.influence, p.name.lower()))
    return grouped


def key_without_owner(people: Sequence[Touch]) -> list[Touch]:
    return [p for p in people if p.is_key and not p.relationship_owner_id]


@dataclass(frozen=True)
class OrgNode:
    person: Touch
    x: float
    depth: int
    manager_id: int | None  # drawn as a line only when the manager is on the chart


def org_chart(people: Sequence[Touch]) -> list[OrgNode]:
    """The tree from reports-to: roots on top, each person under their manager, leaves
    side by side and each manager centred over their reports. A loop in reports-to (which
    the forms refuse) is cut where it closes."""
    by_id = {p.id: p for p in people}
    reports: dict[int, list[Touch]] = defaultdict(list)
    roots = []
    for person in people:
        if person.reports_to_id in by_id:
            reports[person.reports_to_id].append(person)
        else:
            roots.append(person)
    order = lambda p: (-p.power, p.name.lower(), p.id)  # noqa: E731
    placed: dict[int, OrgNode] = {}
    next_leaf = [0.0]

    def place(person: Touch, depth: int, manager_id: int | None) -> float:
        placed[person.id] = None  # type: ignore[assignment]  # visiting: cuts a loop
        children = [c for c in sorted(reports[person.id], key=order) if c.id not in placed]
        xs = [place(child, depth + 1, person.id) for child in children]
        if xs:
            x = (xs[0] + xs[-1]) / 2
        else:
            x, next_leaf[0] = next_leaf[0], next_leaf[0] + 1
        placed[person.id] = OrgNode(person, x, depth, manager_id)
        return x

    alone = [p for p in sorted(roots, key=order) if not reports[p.id]]
    for root in sorted(roots, key=order):
        if reports[root.id]:
            place(root, 0, None)
    # People only in a loop have no root: start from the most powerful of them.
    for person in sorted(people, key=order):
        if person.id not in placed and person not in alone:
            place(person, 0, None)
    # People with no manager and no reports on the chart: in rows under the trees, rather
    # than one very wide row.
    first_row = 1 + max((node.depth for node in placed.values()), default=-1)
    per_row = max(ALONE_PER_ROW, int(next_leaf[0]))
    for n, person in enumerate(alone):
        row, column = divmod(n, per_row)
        placed[person.id] = OrgNode(person, float(column), first_row + row, None)
    return sorted(placed.values(), key=lambda n: (n.depth, n.x))
