"""Two workspaces with the same account names, channel ids, stakeholders and actions: every
command, modal, options load, shortcut, button, Home tab and scheduled job, run in each,
shows each only its own data; ids taken from the other workspace are never acted on.
Signed requests into the real app, the stand-in's record of calls per workspace, both
databases."""

import json
from enum import StrEnum

from sambot.slack import catalog, ids
from tests.isolation.sweep import (
    HOME_USERS,
    command_lines,
    cross_sweep,
    run_commands,
    run_jobs,
    run_shortcuts,
    send_events,
    sweep_own,
)

# Message shortcuts' callback ids: they open the touchpoint and action forms.
SHORTCUT_IDS = {shortcut.callback_id for shortcut in catalog.SHORTCUTS}


def registered_ids() -> list[tuple[type, str]]:
    """(enum, id) of every action and callback id the app registers: each StrEnum of
    sambot/slack/ids.py, so an id added there is swept without touching this file."""
    enums = [v for v in vars(ids).values() if isinstance(v, type) and issubclass(v, StrEnum)]
    return [(enum, member) for enum in enums for member in enum if member not in SHORTCUT_IDS]


def not_swept(pair) -> list[str]:
    """Forms never submitted, and elements never pressed (an id is pressed when a pressed
    element's id starts with it, as checkpoint scores' and history pages' do)."""
    return [
        str(member)
        for enum, member in registered_ids()
        if member not in pair.submitted
        and (enum is ids.Callback or not any(p.startswith(member) for p in pair.pressed))
    ]


def use_every_entry_point(pair) -> None:
    for tenant in pair.tenants.values():
        send_events(pair, tenant)
        run_shortcuts(pair, tenant)
        run_commands(pair, tenant)


def test_each_workspace_sees_only_its_own_through_every_entry_point(pair, caplog):
    use_every_entry_point(pair)
    option_leaks = []
    for tenant in pair.tenants.values():
        option_leaks += sweep_own(pair, tenant)
    # The jobs post their own buttons (nudges, cadence reminders): pressed in turn.
    since = len(pair.standin.calls())
    run_jobs(pair)
    for tenant in pair.tenants.values():
        option_leaks += sweep_own(pair, tenant, since=since)

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
        uploads = "".join(pair.uploaded(call) for call in calls)  # the plan export, the CSV
        assert tenant.marker in uploads
        posted = [c for c in pair.calls_of(tenant.team, since) if c.method == "chat.postMessage"]
        assert any(tenant.marker in json.dumps(c.args) for c in posted)  # by the jobs
    assert len(command_lines()) >= 40
    missing = not_swept(pair)
    assert not missing, f"never pressed or submitted: {', '.join(missing)}"
    assert len(registered_ids()) >= 50


def test_ids_from_the_other_workspace_are_refused_and_never_acted_on(pair, caplog):
    use_every_entry_point(pair)
    mark = len(pair.standin.calls())
    changed, unrefused, option_leaks = [], [], []
    cross_sweep(pair, changed, unrefused, option_leaks, since=0)
    since = len(pair.standin.calls())
    run_jobs(pair)
    cross_sweep(pair, changed, unrefused, option_leaks, since=since)

    assert changed == []
    assert not unrefused, "\n".join(unrefused)
    assert pair.leaks(since=mark) == []
    assert option_leaks == []
    assert pair.problems(caplog) == []
    assert {"action_done", "plan_open", "objective_edit", "stakeholder_edit"} <= pair.pressed
    assert {"account_edit", "plan_fields", "touchpoint", "action"} <= pair.submitted
