"""Every Slack entry point sambot offers, driven from its own catalog, run in a workspace;
and every interactive element it showed there, pressed (or its options loaded)."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sambot.jobs.runner import JobOptions, jobs, run_job
from sambot.localslack.requests import values_for
from sambot.slack import catalog, ids
from sambot.slack.listeners.plan import SECTION_WORDS
from tests.isolation.conftest import ACME_CHANNEL, DANA, LEE, Pair, Tenant

HOME_USERS = (DANA, LEE)
NEWCOMER = "UNEWCOMER"  # joins the account's channel, so its owner is offered to add them

# Each event the app subscribes to, as Slack sends it about the account's channel.
EVENTS = {
    "app_home_opened": [{"user": user, "tab": "home"} for user in HOME_USERS],
    "channel_shared": [{"channel": ACME_CHANNEL, "connected_team_id": "TCLIENT"}],
    "channel_unshared": [{"channel": ACME_CHANNEL, "previously_connected_team_id": "TCLIENT"}],
    "member_joined_channel": [{"user": NEWCOMER, "channel": ACME_CHANNEL, "channel_type": "C"}],
    "channel_unarchive": [{"channel": ACME_CHANNEL, "user": DANA}],
    "member_left_channel": [{"user": LEE, "channel": ACME_CHANNEL, "channel_type": "C"}],
}
# These end the workspace's installation (tests/installs and tests/slack/test_install.py
# show the other workspaces go on untouched).
ENDING_EVENTS = {"app_uninstalled", "tokens_revoked"}
# Run after the catalog's commands, so buttons they leave open can be pressed: a checkpoint
# round open (the catalog's last checkpoint command closes it, and turns the monthly off).
LAST_COMMANDS = [("/sam", "checkpoint monthly on"), ("/sam", "checkpoint")]


def command_lines() -> list[tuple[str, str]]:
    """(command, text) for each use `/sam help` shows, each /sam subcommand and each plan
    section: a command added to the catalog is swept without touching this file."""
    lines = [usage for usage, _ in catalog.HELP]
    lines += [f"/sam {sub}" for sub in catalog.SAM_SUBCOMMANDS]
    lines += [f"/sam plan {word}" for word in SECTION_WORDS]
    known = {command.command for command in catalog.SLASH_COMMANDS}
    found = []
    for line in dict.fromkeys(lines):
        command, _, text = line.partition(" ")
        assert command in known, f"{line!r} uses a command the app does not register"
        found.append((command, text))
    return found


def run_commands(pair: Pair, tenant: Tenant) -> None:
    for command, text in command_lines() + LAST_COMMANDS:
        label = f"{tenant.team} {command} {text}".strip()
        pair.step(label, tenant.team)
        pair.record(label, tenant.command(command, text))
        pair.settle()


def send_events(pair: Pair, tenant: Tenant) -> None:
    assert set(catalog.BOT_EVENTS) == set(EVENTS) | ENDING_EVENTS, "an event not swept"
    for kind, events in EVENTS.items():
        for event in events:
            label = f"{tenant.team} event {kind} {event.get('user', '')}"
            pair.step(label, tenant.team)
            response = tenant.requests.event({"type": kind, "team": tenant.team, **event})
            pair.record(label, response)
            pair.settle()


def run_shortcuts(pair: Pair, tenant: Tenant) -> None:
    for shortcut in catalog.SHORTCUTS:
        message = pair.standin.add_message(
            ACME_CHANNEL, DANA, f"They asked for a roadmap session {tenant.marker}"
        )
        label = f"{tenant.team} shortcut {shortcut.name}"
        pair.step(label, tenant.team)
        response = tenant.requests.message_shortcut(
            shortcut.callback_id, message, ACME_CHANNEL, DANA
        )
        pair.record(label, response)
        pair.settle()


def run_jobs(pair: Pair) -> None:
    """Every scheduled job, in both workspaces at once, as each workspace's token."""
    at = datetime.now(UTC)
    for kind in jobs():
        pair.step(f"job {kind}")
        run_job(
            kind, pair.database, pair.clients(), at=at, options=JobOptions(workspaces_at_once=2)
        )
        # A month on: the monthly posts (report, checkpoint round, programme) are due again.
        pair.step(f"job {kind} next month")
        run_job(
            kind,
            pair.database,
            pair.clients(),
            at=at + timedelta(days=32),
            options=JobOptions(workspaces_at_once=2),
        )


@dataclass
class Element:
    """An interactive element shown in a workspace, what holds it, and what is picked in it."""

    team: str
    element: dict
    block_id: str | None
    message: dict | None = None  # a channel message or ephemeral: {"ts", "blocks", ...}
    channel: str | None = None
    view: dict | None = None
    picked: object = None

    @property
    def action_id(self) -> str:
        return self.element.get("action_id", "")

    @property
    def kind(self) -> str:
        return self.element.get("type", "")

    @property
    def key(self) -> tuple:
        return (self.action_id, str(self.picked), self.view is None)


def _elements(blocks: list) -> list[tuple[str | None, dict]]:
    """(block id, element) of each element whose use Slack sends to the app: not a form's
    inputs, which reach it with the submission (unless they dispatch actions)."""
    found = []
    for block in blocks or []:
        parts = list(block.get("elements") or [])
        if isinstance(block.get("accessory"), dict):
            parts.append(block["accessory"])
        if isinstance(block.get("element"), dict) and block.get("dispatch_action"):
            parts.append(block["element"])
        found += [(block.get("block_id"), part) for part in parts if part.get("action_id")]
    return found


def _choices(element: dict, in_view: bool) -> list:
    """What to pick: each option of a menu in a message (each does something else), the
    first of one in a form, a person, a channel or a date."""
    kind = element.get("type", "")
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options", [])
    if options:
        values = [option["value"] for option in options]
        return values[:1] if in_view else values
    if kind in ("users_select", "multi_users_select"):
        return [DANA]
    if kind in ("conversations_select", "channels_select"):
        return [ACME_CHANNEL]
    if kind == "datepicker":
        return [(datetime.now(UTC).date() + timedelta(days=7)).isoformat()]
    return [None]


def _held(team: str, blocks, **holder) -> list[Element]:
    in_view = "view" in holder
    return [
        Element(team, element, block, picked=choice, **holder)
        for block, element in _elements(blocks)
        for choice in _choices(element, in_view)
    ]


def shown_elements(pair: Pair, team: str, since: int = 0, homes: bool = True) -> list[Element]:
    """Each distinct interactive element (by action id and pick) the workspace's calls
    showed: in channel messages and DMs (as they are now), ephemerals, modals, Home tabs."""
    standin = pair.standin
    views = {view["id"]: view for view in standin.views()}
    found: list[Element] = []
    for call in pair.calls_of(team, since):
        if not call.ok:
            continue
        if call.method == "chat.postMessage":
            channel, ts = call.response["channel"], call.response["ts"]
            message = next((m for m in standin.messages(channel) if m["ts"] == ts), None)
            if message is not None:
                found += _held(team, message.get("blocks"), message=message, channel=channel)
        elif call.method in ("chat.postEphemeral", "response_url"):
            blocks = call.args.get("blocks")
            channel = call.args.get("channel") or ACME_CHANNEL
            # Pressed as Slack sends a press in an ephemeral: no message, no response_url.
            message = {"ts": "1.000001", "source": call.method, "blocks": blocks}
            found += _held(team, blocks, message=message, channel=channel)
        elif call.method == "views.publish" and not homes:
            continue
        elif call.method in ("views.open", "views.push", "views.publish", "views.update"):
            view = views.get(call.response.get("view", {}).get("id"))
            if view is not None:
                found += _held(team, view.get("blocks"), view=view)
    return list({element.key: element for element in found}.values())


def opened_modals(pair: Pair, team: str, since: int = 0) -> list[dict]:
    """Each modal with a submit button the workspace's calls opened, as it is now."""
    views = {view["id"]: view for view in pair.standin.views()}
    found = {}
    for call in pair.calls_of(team, since):
        if call.ok and call.method in ("views.open", "views.push"):
            view = views.get(call.response["view"]["id"])
            if view is not None and view.get("submit"):
                found.setdefault(view.get("callback_id"), view)
    return list(found.values())


def sweep_own(pair: Pair, tenant: Tenant, rounds: int = 3, since: int = 0) -> list[str]:
    """Submit every form and press every element the workspace was shown, then those the
    presses showed, and so on; returns option loads that answered the other's data."""
    done_forms, done_elements, leaks = set(), set(), []
    for _ in range(rounds):
        forms = opened_modals(pair, tenant.team, since)
        forms = [view for view in forms if view["callback_id"] not in done_forms]
        elements = shown_elements(pair, tenant.team, since)
        elements = [element for element in elements if element.key not in done_elements]
        for view in forms:
            done_forms.add(view["callback_id"])
            submit(pair, tenant, view, tenant.team)
        for element in elements:
            done_elements.add(element.key)
            answer = press(pair, tenant, element)
            if "external" in element.kind:
                leaks += options_leaks(answer, tenant, pair)
    return leaks


def in_workspace(view: dict | None, team: str) -> dict | None:
    """The view as `team`'s own: Slack names the workspace a view was opened in (Bolt
    authorizes by it), so ids taken from another workspace arrive in a view of one's own,
    carrying that workspace's private_metadata and values."""
    if view is None:
        return None
    return {**view, "team_id": team, "app_installed_team_id": team}


def press(pair: Pair, tenant: Tenant, shown: Element) -> str:
    """Press (or pick in) the element as `tenant`'s user; an external select loads its
    options instead. Returns the app's answer (the options, for an options load)."""
    requests = tenant.requests
    label = f"{tenant.team} presses {shown.team}'s {shown.kind} {shown.action_id}"
    pair.step(label, tenant.team)
    pair.pressed.add(shown.action_id)
    if "external" in shown.kind:
        response = requests.block_suggestion(
            shown.action_id,
            "",
            DANA,
            view=in_workspace(shown.view, tenant.team),
            block_id=shown.block_id,
        )
    else:
        response = requests.block_action(
            DANA,
            shown.action_id,
            block_id=shown.block_id,
            message=shown.message,
            channel_id=shown.channel,
            view=in_workspace(shown.view, tenant.team),
            selected=shown.picked,
        )
    pair.record(label, response)
    pair.settle()
    return response.text


def submit(pair: Pair, tenant: Tenant, view: dict, owner: str) -> str:
    """Submit the modal (opened in `owner`'s workspace) as it was shown, as `tenant`."""
    label = f"{tenant.team} submits {owner}'s modal {view.get('callback_id')}"
    pair.step(label, tenant.team)
    pair.submitted.add(view.get("callback_id"))
    view = in_workspace(view, tenant.team)
    response = tenant.requests.view_submission(view, values_for(view, {}), DANA)
    pair.record(label, response)
    pair.settle()
    return response.text


def options_leaks(answer: str, tenant: Tenant, pair: Pair) -> list[str]:
    other = pair.other(tenant).marker
    return [f"options answered to {tenant.team} carry {other}"] if other in answer else []


def as_json(text: str) -> dict:
    try:
        return json.loads(text)
    except ValueError:
        return {}


# Elements and forms that carry no row id (a channel's name, a page's offset): from the
# other workspace they are a fresh start in one's own, not something to refuse.
NO_ROW_IDS = {
    ids.Button.CREATE_LINKED_ACCOUNT,
    ids.ProgrammeButton.NEXT,
    ids.ProgrammeButton.FIRST,
    ids.Callback.ACCOUNT_NEW,
    ids.SettingsButton.POLICY_PREFIX,  # the edit policy of the presser's own workspace
}


def names_no_row(action_id: str) -> bool:
    return any(action_id.startswith(no_row) for no_row in NO_ROW_IDS)


def cross_sweep(
    pair, changed: list, unrefused: list, option_leaks: list, *, since: int, homes: bool = True
):
    """Each workspace presses every element and submits every form the other was shown
    (since the call `since`): the other's rows stay as they were, and each press or
    submission carrying the other's ids is refused to the presser with a message."""
    for tenant in pair.tenants.values():
        owner = pair.other(tenant)
        before = pair.snapshot(owner.team)
        for element in shown_elements(pair, owner.team, since=since, homes=homes):
            start = len(pair.standin.calls())
            answer = press(pair, tenant, element)
            if "external" in element.kind:
                option_leaks += options_leaks(answer, tenant, pair)
            what = f"{tenant.team} pressing {owner.team}'s {element.action_id}"
            changed += changes(pair, owner.team, before, what)
            if not names_no_row(element.action_id) and not refused(pair, tenant, start, answer):
                unrefused.append(what)
        for view in opened_modals(pair, owner.team, since=since):
            start = len(pair.standin.calls())
            answer = submit(pair, tenant, view, owner.team)
            what = f"{tenant.team} submitting {owner.team}'s {view['callback_id']}"
            changed += changes(pair, owner.team, before, what)
            if not names_no_row(view["callback_id"]) and not refused(pair, tenant, start, answer):
                unrefused.append(what)


def changes(pair, team: str, before: dict, what: str) -> list[str]:
    after = pair.snapshot(team)
    return [f"{what} changed {team}'s {table}" for table in before if before[table] != after[table]]


def refused(pair, tenant, start: int, answer: str) -> bool:
    """The presser was told, in the form or a message to them alone, that it is not theirs."""
    said = [answer] + [json.dumps(c.args) for c in pair.calls_of(tenant.team, start)]
    return any(REFUSAL in text for text in said for REFUSAL in REFUSALS)


REFUSALS = ("does not exist", "no longer exists", "out of date")
