"""Two workspaces with the same account names, channel ids, stakeholders and actions: every
command, modal, options load, shortcut, button, Home tab and scheduled job, run in each,
shows each only its own data; ids taken from the other workspace are never acted on.
Signed requests into the real app, the stand-in's record of calls per workspace, both
databases."""

import json

from tests.isolation.sweep import (
    HOME_USERS,
    command_lines,
    open_home,
    opened_modals,
    options_leaks,
    press,
    run_commands,
    run_jobs,
    run_shortcuts,
    shown_elements,
    submit,
)


def use_every_entry_point(pair) -> None:
    for tenant in pair.tenants.values():
        run_commands(pair, tenant)
        open_home(pair, tenant)
        run_shortcuts(pair, tenant)
    run_jobs(pair)
    pair.settle()


def test_each_workspace_sees_only_its_own_through_every_entry_point(pair, caplog):
    use_every_entry_point(pair)
    option_leaks = []
    for tenant in pair.tenants.values():
        for view in opened_modals(pair, tenant.team):
            submit(pair, tenant, view, tenant.team)
        for element in shown_elements(pair, tenant.team):
            answer = press(pair, tenant, element)
            if "external" in element.kind:
                option_leaks += options_leaks(answer, tenant, pair)

    assert pair.leaks() == []
    assert option_leaks == []
    assert pair.problems(caplog) == []
    # Each workspace was shown its own data, with its own token, through each kind of entry.
    for tenant in pair.tenants.values():
        calls = pair.calls_of(tenant.team)
        methods = {call.method for call in calls if tenant.marker in json.dumps(call.args)}
        assert {"chat.postMessage", "views.open", "views.publish", "response_url"} <= methods
        published = [c for c in calls if c.method == "views.publish" and c.ok]
        assert {c.args["user_id"] for c in published} >= set(HOME_USERS)
        assert len(opened_modals(pair, tenant.team)) >= 10
        kinds = {element.kind for element in shown_elements(pair, tenant.team)}
        assert {"button", "overflow", "static_select", "users_select"} <= kinds
    assert len(command_lines()) >= 40


def test_ids_from_the_other_workspace_are_never_acted_on(pair, caplog):
    use_every_entry_point(pair)
    mark = len(pair.standin.calls())
    option_leaks, changed = [], []
    for tenant in pair.tenants.values():
        owner = pair.other(tenant)
        before = pair.snapshot(owner.team)

        def unchanged(what: str) -> None:
            after = pair.snapshot(owner.team)
            changed.extend(
                f"{what} changed {owner.team}'s {table}"
                for table in before
                if before[table] != after[table]
            )

        for element in shown_elements(pair, owner.team):
            answer = press(pair, tenant, element)
            if "external" in element.kind:
                option_leaks += options_leaks(answer, tenant, pair)
            unchanged(f"{tenant.team} pressing {element.action_id}")
        for view in opened_modals(pair, owner.team):
            submit(pair, tenant, view, owner.team)
            unchanged(f"{tenant.team} submitting {view.get('callback_id')}")

    assert changed == []
    assert pair.leaks(since=mark) == []
    assert option_leaks == []
    assert pair.problems(caplog) == []
