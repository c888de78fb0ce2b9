"""Typed references: each one reads back what it wrote, and refuses anything else."""

import pytest

from sambot.slack.refs import (
    ActionFormRef,
    ActionRef,
    FormOrigin,
    MessageOrigin,
    PushedFormRef,
    ReportChoice,
    StaleReference,
    TeamBlock,
    TeamMemberRef,
    TouchpointRef,
)

ROUND_TRIPS = [
    ActionRef(id=42),
    TouchpointRef(id=7),
    TeamMemberRef(account_id=3, user_id="ULEE"),
    TeamBlock(kind="member", account_id=3, user_id="ULEE"),
    TeamBlock(kind="tools", account_id=3, user_id="W0LEE"),
    TeamBlock(kind="add", account_id=3),
    ReportChoice(account_id=1, period="2026-10", client=True),
    FormOrigin(),
    FormOrigin(channel="C1", response_url="https://hooks.slack.com/x", touchpoint_id=5),
    ActionFormRef(action_id=9, origin=MessageOrigin(channel="C1", ts="1.2", blocks=({"a": 1},))),
    ActionFormRef(action_id=9, origin=MessageOrigin(home=True)),
    PushedFormRef(parent_view_id="V1", parent=FormOrigin(channel="C1")),
]


@pytest.mark.parametrize("reference", ROUND_TRIPS, ids=lambda r: f"{type(r).__name__}")
def test_a_reference_reads_back_what_it_wrote(reference):
    assert type(reference).decode(reference.encode()) == reference


def test_the_formats_already_in_posted_messages_still_read():
    # Messages posted before typed references carry these exact strings.
    assert ActionRef.decode("42") == ActionRef(id=42)
    assert TeamMemberRef.decode("3:ULEE") == TeamMemberRef(account_id=3, user_id="ULEE")
    assert TeamBlock.decode("member_tools_3_ULEE").kind == "tools"
    assert TeamBlock.decode("member_3_ULEE") == TeamBlock(
        kind="member", account_id=3, user_id="ULEE"
    )
    assert TeamBlock.decode("team_add_3") == TeamBlock(kind="add", account_id=3)
    assert FormOrigin.decode("") == FormOrigin()
    assert FormOrigin.decode('{"channel":"C1"}') == FormOrigin(channel="C1")


REFUSED = [
    (ActionRef, "abc"),
    (ActionRef, "0"),
    (ActionRef, "-1"),
    (ActionRef, ""),
    (ActionRef, None),
    (ActionRef, "1e3"),
    (ActionRef, "²"),
    (TouchpointRef, "12; DROP TABLE"),
    (TeamMemberRef, "3"),
    (TeamMemberRef, "x:ULEE"),
    (TeamMemberRef, "3:not-a-user"),
    (TeamBlock, "member_x_ULEE"),
    (TeamBlock, "team_add_"),
    (TeamBlock, "other_3"),
    (ReportChoice, '{"account_id": 1, "period": "2026-13"}'),
    (ReportChoice, '{"account_id": "1; x", "period": "2026-10"}'),
    (ReportChoice, "not json"),
    (FormOrigin, '{"channel": "C1", "admin": true}'),
    (FormOrigin, "[1, 2]"),
    (ActionFormRef, "{}"),
    (PushedFormRef, '{"parent": {}}'),
]


@pytest.mark.parametrize(("kind", "raw"), REFUSED)
def test_anything_else_is_a_stale_reference(kind, raw):
    with pytest.raises(StaleReference, match="out of date"):
        kind.decode(raw)
