"""The plan overview's stale flags follow SAMBOT_STALE_DAYS, whatever the plan holds."""

import json
from datetime import UTC, date, datetime, timedelta

from sambot.accountplan.models import Section
from sambot.accountplan.service import AccountPlan, LastUpdate
from sambot.accounts.models import Account
from sambot.slack.limits import check_limits
from sambot.slack.plan_render import plan_overview

TODAY = date(2026, 12, 2)


def a_plan(updates: dict) -> AccountPlan:
    return AccountPlan(
        account_id=1,
        fields={Section.PROFILE: {"business": "Chips"}},
        updates=updates,
        factors=[],
        competitors=[],
        expansion=[],
        objectives=[],
        actions=[],
        touchpoint_count=0,
        first_touchpoint_on=None,
    )


def flagged(stale_days: int, plan: AccountPlan) -> list[str]:
    account = Account(id=1, name="Acme", owner_id="UDANA", currency="USD")
    blocks = plan_overview(account, plan, today=TODAY, stale_days=stale_days).blocks
    assert check_limits(blocks) == []
    return [
        block["accessory"]["action_id"].removeprefix("plan_edit_")
        for block in blocks
        if block["type"] == "section" and ":warning:" in block["text"]["text"]
    ]


def test_the_stale_setting_decides_what_is_flagged():
    forty_days_ago = datetime.combine(TODAY - timedelta(days=40), datetime.min.time(), UTC)
    updated = {section: LastUpdate("UDANA", forty_days_ago) for section in Section}
    assert flagged(90, a_plan(updated)) == []
    assert flagged(30, a_plan(updated)) == [section.value for section in Section]
    # Never updated is always flagged, whatever the setting.
    assert flagged(90, a_plan({})) == [section.value for section in Section]
    text = json.dumps(
        plan_overview(
            Account(id=1, name="Acme", owner_id="UDANA", currency="USD"),
            a_plan(updated),
            today=TODAY,
            stale_days=30,
        ).blocks
    )
    assert "not updated in 30 days" in text
