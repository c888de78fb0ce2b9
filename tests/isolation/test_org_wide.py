"""Enterprise Grid: two workspaces of one org, the app installed org-wide (one token, the
org's, serves both). Each workspace sees only its own accounts. The stand-in records the
org for every call, so each call is the workspace's that was acting when it was made
(each step runs alone, and its work is settled before the next)."""

import json

from tests.isolation.sweep import cross_sweep, run_commands, send_events, sweep_own


def test_each_workspace_of_an_org_sees_only_its_own(org_pair, caplog):
    pair = org_pair
    for tenant in pair.tenants.values():
        send_events(pair, tenant)
        run_commands(pair, tenant)
    for tenant in pair.tenants.values():
        sweep_own(pair, tenant, rounds=1)

    assert pair.leaks() == []
    assert pair.problems(caplog) == []
    for tenant in pair.tenants.values():
        calls = pair.calls_of(tenant.team)
        methods = {c.method for c in calls if tenant.marker in json.dumps(c.args)}
        assert {"chat.postMessage", "views.open", "views.publish", "response_url"} <= methods
        assert {c.team_id for c in calls if c.method == "views.publish"} == {"E0100"}


def test_a_workspace_of_the_org_cannot_act_on_the_others_ids(org_pair, caplog):
    pair = org_pair
    for tenant in pair.tenants.values():
        run_commands(pair, tenant)
    mark = len(pair.standin.calls())
    changed, unrefused, option_leaks = [], [], []
    # Not the Home tabs: the stand-in keeps one Home per user and token, and the org's
    # token serves both workspaces, so each workspace's Home shows the last one published.
    cross_sweep(pair, changed, unrefused, option_leaks, since=0, homes=False)

    assert changed == []
    assert not unrefused, "\n".join(unrefused)
    assert pair.leaks(since=mark) == []
    assert option_leaks == []
    assert pair.problems(caplog) == []
    assert {"plan_open", "objective_edit", "stakeholder_edit"} <= pair.pressed
