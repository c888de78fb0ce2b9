"""The stakeholder map's data and images: one point per stakeholder in its power x interest
cell, no two points or names on the same spot however crowded a cell is, quadrants, and
real PNGs."""

import io
import struct
from itertools import combinations

from sambot.relationships.drawing import DPI, MAP_SIZE, draw_map, draw_org_chart
from sambot.relationships.stakeholder_map import (
    CELL,
    Quadrant,
    by_quadrant,
    key_without_owner,
    map_points,
    org_chart,
    quadrant,
)
from tests.relationships.builders import touch


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def twenty_five():
    """25 stakeholders: seven on one cell, four on another, the rest spread out."""
    people = [touch(n, power=5, interest=5, influence=1 + n % 5) for n in range(1, 8)]
    people += [touch(n, power=2, interest=1) for n in range(8, 12)]
    cells = [(p, i) for p in range(5, 0, -1) for i in range(1, 6) if (p, i) not in {(5, 5), (2, 1)}]
    people += [
        touch(n, power=p, interest=i, attitude=(n % 5) - 2, reports_to_id=1)
        for n, (p, i) in zip(range(12, 26), cells, strict=False)
    ]
    return people


def test_one_point_per_stakeholder_in_its_own_cell():
    people = twenty_five()
    points = map_points(people)
    assert sorted(p.person.id for p in points) == list(range(1, 26))
    for point in points:
        person = point.person
        # Spread within the cell, never into the next one.
        assert abs(point.x - person.interest) <= CELL / 2, person
        assert abs(point.y - person.power) <= CELL / 2, person
        assert point.quadrant == quadrant(power=person.power, interest=person.interest)
    crowded = [p for p in points if (p.person.power, p.person.interest) == (5, 5)]
    assert len(crowded) == 7 and {p.crowd for p in crowded} == {7}


def test_no_two_points_or_labels_coincide_even_on_one_cell():
    points = map_points(twenty_five())
    spots = [(round(p.x, 3), round(p.y, 3)) for p in points]
    labels = [(round(p.label_x, 3), round(p.label_y, 3)) for p in points]
    assert len(set(spots)) == len(spots) and len(set(labels)) == len(labels)
    # Names stacked in a cell are at least a line apart (the cell is about 130 points high).
    for a, b in combinations(points, 2):
        if (a.person.power, a.person.interest) == (b.person.power, b.person.interest):
            assert abs(a.label_y - b.label_y) >= 0.12 or abs(a.label_x - b.label_x) >= 0.4


def test_a_cell_beyond_one_column_gets_a_second():
    points = map_points([touch(n, power=1, interest=1) for n in range(1, 11)])
    columns = sorted({round(p.x, 3) for p in points})
    assert len(columns) == 2 and columns[1] - columns[0] >= 0.4


def test_quadrants_high_is_four_or_five():
    assert quadrant(power=4, interest=4) == Quadrant.MANAGE_CLOSELY
    assert quadrant(power=5, interest=3) == Quadrant.KEEP_SATISFIED
    assert quadrant(power=3, interest=5) == Quadrant.KEEP_INFORMED
    assert quadrant(power=3, interest=3) == Quadrant.MONITOR
    grouped = by_quadrant(twenty_five())
    assert sum(len(members) for members in grouped.values()) == 25
    assert len(grouped[Quadrant.MANAGE_CLOSELY]) == 7 + 3  # (5,5) x7, (4,4), (4,5), (5,4)


def test_key_stakeholders_without_owner():
    people = [
        touch(1, power=5),
        touch(2, power=4, relationship_owner_id="UDANA"),
        touch(3, power=3),
    ]
    assert [p.id for p in key_without_owner(people)] == [1]


def test_the_map_is_a_real_png_of_the_right_size():
    image = draw_map(map_points(twenty_five()), title="Acme")
    assert png_size(image) == (MAP_SIZE[0] * DPI, MAP_SIZE[1] * DPI)
    assert png_size(draw_map([], title="Nobody yet")) == (MAP_SIZE[0] * DPI, MAP_SIZE[1] * DPI)
    assert len(image) > 20_000  # drawn, not blank


def test_the_org_chart_follows_reports_to():
    people = [
        touch(1, name="CEO"),
        touch(2, name="CFO", reports_to_id=1),
        touch(3, name="CTO", reports_to_id=1),
        touch(4, name="Buyer", reports_to_id=2),
        touch(5, name="Alone"),
    ]
    nodes = {node.person.name: node for node in org_chart(people)}
    assert {name: node.depth for name, node in nodes.items()} == {
        "CEO": 0,
        "CFO": 1,
        "CTO": 1,
        "Buyer": 2,
        "Alone": 3,  # no manager, no reports: in the rows under the tree
    }
    assert nodes["CFO"].manager_id == 1 and nodes["Buyer"].manager_id == 2
    assert nodes["CEO"].x == (nodes["CFO"].x + nodes["CTO"].x) / 2
    image = draw_org_chart(list(nodes.values()), title="Acme", owner_names={})
    width, height = png_size(image)
    assert width >= 800 and height >= 400


def test_a_loop_in_reports_to_is_cut():
    people = [touch(1, reports_to_id=2), touch(2, reports_to_id=1), touch(3, reports_to_id=1)]
    nodes = org_chart(people)
    assert sorted(node.person.id for node in nodes) == [1, 2, 3]
    assert io.BytesIO(draw_org_chart(nodes, title="Loop", owner_names={})).read(4) == b"\x89PNG"
