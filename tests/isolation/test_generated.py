"""Generated command texts and form submissions from two workspaces, through signed
requests: never an HTTP 5xx or a logged traceback, never the other workspace's data shown
or changed. Submissions carry the other workspace's ids in their options and metadata."""

import json
import os
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.localslack.requests import element_state
from sambot.plans.models import Objective
from sambot.slack import catalog
from sambot.slack.ids import ActionButton, Button
from sambot.slack.listeners.plan import SECTION_WORDS
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint
from tests.isolation.conftest import ACME_CHANNEL, ALPHA, BRAVO, DANA, LEE, MARKERS
from tests.isolation.sweep import in_workspace, opened_modals, run_commands

# The same examples on every run (derandomized), so CI is repeatable; SAMBOT_FUZZ=explore
# draws new ones, as a fuzzing run should.
settings.register_profile(
    "isolation",
    max_examples=80,
    deadline=None,
    derandomize=os.environ.get("SAMBOT_FUZZ") != "explore",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROFILE = settings.get_profile("isolation")

# Words people type after the commands (no marker: what a workspace types may be echoed
# back to it, and must not look like the other's data).
WORDS = sorted(
    {word for usage, _ in catalog.HELP for word in usage.split()[1:]}
    | {word for sub in catalog.SAM_SUBCOMMANDS for word in sub.split()}
    | set(SECTION_WORDS)
    | {"Acme", "Corporation", "Globex", "Initech", "@dana", "<@UDANA|dana>", "<#CACME|acme>"}
    | {"<@ULEE>", "--period", "2026-13", "tomorrow", "yesterday", "by", "in 2 weeks", "1", "0"}
    | {"-1", "99999999999999999999", "'", '"', "`", "<", "&amp;", "\u202e", "é", "\n", "\x00"}
)
texts = st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=6).map(" ".join)
teams = st.sampled_from([ALPHA, BRAVO])
commands = st.sampled_from([command.command for command in catalog.SLASH_COMMANDS])
users = st.sampled_from([DANA, LEE, "UNOBODY"])


ROW_MODELS = {
    "account": Account,
    "stakeholder": Stakeholder,
    "objective": Objective,
    "action": Action,
    "touchpoint": Touchpoint,
}


def row_ids(pair) -> dict[str, dict[str, list[str]]]:
    """Each workspace's row ids by kind (accounts, stakeholders...): what a forged option
    may name."""
    with pair.database.session() as session:
        return {
            team: {
                kind: [
                    str(row_id)
                    for row_id in session.scalars(
                        select(model.id).where(model.workspace_id == tenant.workspace_id)
                    )
                ]
                for kind, model in ROW_MODELS.items()
            }
            for team, tenant in pair.tenants.items()
        }


# The Edit buttons that open the edit forms, and the kind of row each edits.
EDIT_BUTTONS = {
    ActionButton.EDIT: "action",
    Button.STAKEHOLDER_EDIT: "stakeholder",
    Button.OBJECTIVE_EDIT: "objective",
}


def prepare(pair) -> None:
    """Once per test: each workspace's forms opened (by its commands, and the edit forms by
    their buttons), to submit them as generated."""
    if getattr(pair, "forms", None) is None:
        pair.ids = row_ids(pair)
        message = {"ts": "1700000000.000100", "text": "", "blocks": []}
        for team, tenant in pair.tenants.items():
            run_commands(pair, tenant)
            for button, kind in EDIT_BUTTONS.items():
                pair.record(
                    f"{team} {button}",
                    tenant.requests.block_action(
                        DANA,
                        button,
                        value=pair.ids[team][kind][0],
                        message=message,
                        channel_id=ACME_CHANNEL,
                    ),
                )
                pair.settle()
        pair.forms = {team: opened_modals(pair, team) for team in pair.tenants}


def check(pair, caplog, mark: int, team: str, before: dict) -> None:
    pair.settle()
    other = BRAVO if team == ALPHA else ALPHA
    assert pair.leaks(since=mark) == []
    assert pair.snapshot(other) == before, f"{team} changed {other}'s data"
    assert pair.problems(caplog) == []
    pair.responses.clear()


@settings(PROFILE)
@given(team=teams, command=commands, text=texts, user=users)
def test_generated_commands_stay_in_their_workspace(pair, caplog, team, command, text, user):
    prepare(pair)
    tenant, other = pair.tenants[team], BRAVO if team == ALPHA else ALPHA
    before, mark = pair.snapshot(other), len(pair.standin.calls())
    pair.step(f"{team} {command} {text!r}", team)
    pair.record(f"{command} {text!r}", tenant.command(command, text, user=user))
    check(pair, caplog, mark, team, before)


@st.composite
def submissions(draw, pair):
    """A form of one workspace, its metadata its own or the other's; each input answered
    as a person would, but one (or none): that one gets an id of the other workspace or a
    value of the wrong shape. The form then gets past its other checks to that one."""
    team = draw(teams)
    other = BRAVO if team == ALPHA else ALPHA
    view = draw(st.sampled_from(pair.forms[team]))
    if draw(st.booleans()):  # the other workspace's metadata for the same form, if shown
        theirs = [v for v in pair.forms[other] if v["callback_id"] == view["callback_id"]]
        if theirs:
            view = {**view, "private_metadata": theirs[0]["private_metadata"]}
    theirs_ids = [row_id for ids in pair.ids[other].values() for row_id in ids]
    inputs = [block for block in view["blocks"] if block.get("type") == "input"]
    # Mostly a choice (where ids travel), sometimes any input, sometimes none.
    choices = [block["block_id"] for block in inputs if offered(block["element"])]
    spoiled = draw(
        st.sampled_from(choices or [None])
        | st.sampled_from([None, *[b["block_id"] for b in inputs]])
    )
    values = {}
    for block in inputs:
        element = block["element"]
        if block["block_id"] == spoiled:
            answer = draw(off(element, theirs_ids))
        else:
            answer = draw(fitting(element))
        state = element_state(element, answer) if answer is not None else element_state(element)
        values[block["block_id"]] = {element["action_id"]: state}
    return team, view, values


def offered(element: dict) -> list[str]:
    return [o["value"] for o in element.get("options") or []]


def fitting(element: dict):
    """What a person picks or types in this input (None: leave it as shown)."""
    kind, own = element["type"], offered(element)
    today = datetime.now(UTC).date().isoformat()
    pick = st.sampled_from(own).map(option) if own else st.none()
    if kind == "plain_text_input":  # a required one left empty would stop the form there
        return st.sampled_from(["Met the CFO about the renewal", "Acme", "x"])
    return st.none() | {
        "number_input": st.integers(1, 5).map(str),
        "datepicker": st.just(today),
        "static_select": pick,
        "radio_buttons": pick,
        "multi_static_select": st.lists(pick, max_size=3) if own else st.none(),
        "checkboxes": st.lists(pick, max_size=2) if own else st.none(),
        "users_select": st.sampled_from([DANA, LEE]),
        "multi_users_select": st.lists(st.sampled_from([DANA, LEE]), max_size=2),
        "conversations_select": st.sampled_from([ACME_CHANNEL, "CGENERAL"]),
        "channels_select": st.sampled_from([ACME_CHANNEL, "CGENERAL"]),
    }.get(kind, st.none())


def off(element: dict, theirs: list[str]):
    """An id of the other workspace where the input offers choices (alone, or among the
    input's own), else a value of the wrong shape."""
    kind, own = element["type"], offered(element)
    foreign = st.sampled_from(theirs).map(option)
    mixed = st.tuples(st.lists(st.sampled_from(own or theirs).map(option), max_size=2), foreign)
    text = st.text(max_size=40) | st.sampled_from(["", " ", "2026-02-30", "-5", "1e9"])
    return {
        "static_select": foreign,
        "radio_buttons": foreign,
        "multi_static_select": mixed.map(lambda picked: [*picked[0], picked[1]]),
        "checkboxes": mixed.map(lambda picked: [*picked[0], picked[1]]),
        "plain_text_input": text,
        "number_input": text | st.integers(-10, 10**12).map(str),
        "datepicker": st.sampled_from(["2020-01-01", "2026-02-30", "tomorrow"]),
        "users_select": st.sampled_from(["UNOBODY", "not-a-user"]),
        "conversations_select": st.just("CNONE"),
    }.get(kind, st.none())


def option(value: str) -> dict:
    return {"text": {"type": "plain_text", "text": value}, "value": value}


@settings(PROFILE)
@given(data=st.data())
def test_generated_form_submissions_stay_in_their_workspace(pair, caplog, data):
    prepare(pair)
    team, view, values = data.draw(submissions(pair))
    tenant, other = pair.tenants[team], BRAVO if team == ALPHA else ALPHA
    before, mark = pair.snapshot(other), len(pair.standin.calls())
    label = f"{team} submits {view['callback_id']} {json.dumps(values)[:300]}"
    pair.step(label, team)
    response = tenant.requests.view_submission(in_workspace(view, team), values, DANA)
    pair.record(label, response)
    check(pair, caplog, mark, team, before)
    assert MARKERS[other] not in response.text
