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
    opened_modals,
    options_leaks,
    press,
    run_commands,
    run_jobs,
    run_shortcuts,
    send_events,
    shown_elements,
    submit,
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


# Elements and forms that carry no row id (a channel's name, a page's offset): from the
# other workspace they are a fresh start in one's own, not something to refuse.
NO_ROW_IDS = {
    ids.Button.CREATE_LINKED_ACCOUNT,
    ids.ProgrammeButton.NEXT,
    ids.ProgrammeButton.FIRST,
    ids.Callback.ACCOUNT_NEW,
}


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


def cross_sweep(pair, changed: list, unrefused: list, option_leaks: list, *, since: int):
    """Each workspace presses every element and submits every form the other was shown
    (since the call `since`): the other's rows stay as they were, and each press or
    submission carrying the other's ids is refused to the presser with a message."""
    for tenant in pair.tenants.values():
        owner = pair.other(tenant)
        before = pair.snapshot(owner.team)
        for element in shown_elements(pair, owner.team, since=since):
            start = len(pair.standin.calls())
            answer = press(pair, tenant, element)
            if "external" in element.kind:
                option_leaks += options_leaks(answer, tenant, pair)
            what = f"{tenant.team} pressing {owner.team}'s {element.action_id}"
            changed += changes(pair, owner.team, before, what)
            if element.action_id not in NO_ROW_IDS and not refused(pair, tenant, start, answer):
                unrefused.append(what)
        for view in opened_modals(pair, owner.team, since=since):
            start = len(pair.standin.calls())
            answer = submit(pair, tenant, view, owner.team)
            what = f"{tenant.team} submitting {owner.team}'s {view['callback_id']}"
            changed += changes(pair, owner.team, before, what)
            if view["callback_id"] not in NO_ROW_IDS and not refused(pair, tenant, start, answer):
                unrefused.append(what)


def changes(pair, team: str, before: dict, what: str) -> list[str]:
    after = pair.snapshot(team)
    return [f"{what} changed {team}'s {table}" for table in before if before[table] != after[table]]


def refused(pair, tenant, start: int, answer: str) -> bool:
    """The presser was told, in the form or a message to them alone, that it is not theirs."""
    said = [answer] + [json.dumps(c.args) for c in pair.calls_of(tenant.team, start)]
    return any(REFUSAL in text for text in said for REFUSAL in REFUSALS)


REFUSALS = ("does not exist", "no longer exists", "out of date")
