"""Every Slack entry point sambot offers, driven from its own catalog, run in a workspace;
and every interactive element it showed there, pressed (or its options loaded)."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sambot.jobs.runner import JobOptions, jobs, run_job
from sambot.localslack.requests import values_for
from sambot.slack import catalog
from sambot.slack.listeners.plan import SECTION_WORDS
from tests.isolation.conftest import ACME_CHANNEL, DANA, LEE, Pair, Tenant

HOME_USERS = (DANA, LEE)


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
    for command, text in command_lines():
        label = f"{tenant.team} {command} {text}".strip()
        pair.step(label)
        pair.record(label, tenant.command(command, text))
        pair.settle()


def open_home(pair: Pair, tenant: Tenant) -> None:
    for user in HOME_USERS:
        pair.step(f"{tenant.team} Home tab of {user}")
        response = tenant.requests.event({"type": "app_home_opened", "user": user, "tab": "home"})
        pair.record(f"{tenant.team} Home tab", response)
        pair.settle()


def run_shortcuts(pair: Pair, tenant: Tenant) -> None:
    for shortcut in catalog.SHORTCUTS:
        message = pair.standin.add_message(
            ACME_CHANNEL, DANA, f"They asked for a roadmap session {tenant.marker}"
        )
        label = f"{tenant.team} shortcut {shortcut.name}"
        pair.step(label)
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
        run_job(kind, pair.database, pair.clients(), at=at, options=JobOptions(workspaces_at_once=2))
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
    """An interactive element shown in a workspace, and what holds it."""

    team: str
    element: dict
    block_id: str | None
    message: dict | None = None  # a channel message or ephemeral: {"ts", "blocks", ...}
    channel: str | None = None
    view: dict | None = None

    @property
    def action_id(self) -> str:
        return self.element.get("action_id", "")

    @property
    def kind(self) -> str:
        return self.element.get("type", "")


def _elements(blocks: list) -> list[tuple[str | None, dict]]:
    found = []
    for block in blocks or []:
        parts = list(block.get("elements") or [])
        parts += [block[key] for key in ("accessory", "element") if isinstance(block.get(key), dict)]
        found += [(block.get("block_id"), part) for part in parts if part.get("action_id")]
    return found


def shown_elements(pair: Pair, team: str) -> list[Element]:
    """Each distinct interactive element (by action id) the workspace's calls showed: in
    channel messages and DMs (as they are now), ephemerals, modals and the Home tab."""
    standin = pair.standin
    views = {view["id"]: view for view in standin.views()}
    found: list[Element] = []
    for call in pair.calls_of(team):
        if not call.ok:
            continue
        if call.method == "chat.postMessage":
            channel, ts = call.response["channel"], call.response["ts"]
            message = next((m for m in standin.messages(channel) if m["ts"] == ts), None)
            if message is not None:
                found += [
                    Element(team, element, block, message=message, channel=channel)
                    for block, element in _elements(message.get("blocks"))
                ]
        elif call.method in ("chat.postEphemeral", "response_url"):
            blocks = call.args.get("blocks")
            channel = call.args.get("channel") or ACME_CHANNEL
            # Pressed as Slack sends a press in an ephemeral: no message, no response_url.
            message = {"ts": "1.000001", "source": call.method, "blocks": blocks}
            found += [
                Element(team, element, block, message=message, channel=channel)
                for block, element in _elements(blocks)
            ]
        elif call.method in ("views.open", "views.push", "views.publish", "views.update"):
            view = views.get(call.response.get("view", {}).get("id"))
            if view is not None:
                found += [
                    Element(team, element, block, view=view)
                    for block, element in _elements(view.get("blocks"))
                ]
    distinct: dict[tuple, Element] = {}
    for element in found:
        distinct.setdefault((element.action_id, element.view is None), element)
    return list(distinct.values())


def opened_modals(pair: Pair, team: str) -> list[dict]:
    """Each modal with a submit button the workspace's calls opened, as it is now."""
    views = {view["id"]: view for view in pair.standin.views()}
    found = {}
    for call in pair.calls_of(team):
        if call.ok and call.method in ("views.open", "views.push"):
            view = views.get(call.response["view"]["id"])
            if view is not None and view.get("submit"):
                found.setdefault(view.get("callback_id"), view)
    return list(found.values())


def _picked(element: dict):
    kind = element.get("type", "")
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options", [])
    if options:
        return options[0]["value"]
    if kind in ("users_select", "multi_users_select"):
        return DANA
    if kind in ("conversations_select", "channels_select"):
        return ACME_CHANNEL
    if kind == "datepicker":
        return (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    return None


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
    pair.step(label)
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
            selected=_picked(shown.element),
        )
    pair.record(label, response)
    pair.settle()
    return response.text


def submit(pair: Pair, tenant: Tenant, view: dict, owner: str) -> str:
    """Submit the modal (opened in `owner`'s workspace) as it was shown, as `tenant`."""
    label = f"{tenant.team} submits {owner}'s modal {view.get('callback_id')}"
    pair.step(label)
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
