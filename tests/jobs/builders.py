"""Builders for the jobs' tests, and helpers to run a job and read what Slack received.

Rows are built directly (not through the services) so a test can put an action's due
date in the past or set when it was created and completed.
"""

from datetime import date, datetime

from sambot.accounts.models import Account, TeamMember, TeamRole
from sambot.actions.models import Action, ActionStatus
from sambot.jobs.runner import JobOptions, run_job
from sambot.localslack import SlackStandIn
from sambot.workspaces.models import Workspace

TOKEN = "xoxb-test"
TEAM_ID = "T0001"
# No pacing, small batches: tests post fast and cross batch boundaries.
OPTIONS = JobOptions(post_rate=0, batch_size=3)


def make_workspace(db, timezone: str = "Europe/Paris") -> int:
    with db.session() as s:
        workspace = Workspace(team_id=TEAM_ID, name="Test", timezone=timezone)
        s.add(workspace)
        s.flush()
        return workspace.id


def make_account(
    db, workspace_id: int, name: str, *, channel: str | None, owner: str = "UOWNER", standin=None
) -> int:
    """An account; with `standin`, its channel and owner exist in Slack too."""
    with db.session() as s:
        account = Account(workspace_id=workspace_id, name=name, channel_id=channel, owner_id=owner)
        account.team.append(
            TeamMember(workspace_id=workspace_id, user_id=owner, role=TeamRole.OWNER)
        )
        s.add(account)
        s.flush()
        account_id = account.id
    if standin is not None:
        standin.add_user(owner, owner.lower())
        if channel:
            standin.add_channel(channel, name.lower())
    return account_id


def make_action(
    db,
    workspace_id: int,
    account_id: int,
    title: str,
    *,
    owner: str = "U1",
    due: date | None = None,
    created: datetime,
    completed: datetime | None = None,
    status: ActionStatus | None = None,
    **fields,
) -> int:
    with db.session() as s:
        action = Action(
            workspace_id=workspace_id,
            account_id=account_id,
            title=title,
            owner_id=owner,
            created_by=owner,
            due_date=due,
            status=status or (ActionStatus.DONE if completed else ActionStatus.OPEN),
            completed_at=completed,
            created_at=created,
            updated_at=created,
            **fields,
        )
        s.add(action)
        s.flush()
        return action.id


def run(kind: str, db, client, at: datetime | None = None, **options):
    """Run a job in the (single) test workspace; its summary."""
    opts = JobOptions(**{**OPTIONS.__dict__, **options})
    [summary] = run_job(kind, db, client, at=at, options=opts)
    return summary


def posts(standin: SlackStandIn, channel: str | None = None) -> list:
    """chat.postMessage calls Slack accepted, optionally to one channel."""
    return [
        call
        for call in standin.calls("chat.postMessage")
        if call.ok and (channel is None or call.args.get("channel") == channel)
    ]


def message_text(message: dict) -> str:
    """Everything a message says: its text and every text in its blocks."""
    texts = [message.get("text", "")]

    def walk(value):
        if isinstance(value, dict):
            if isinstance(value.get("text"), str):
                texts.append(value["text"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message.get("blocks", []))
    return "\n".join(texts)
