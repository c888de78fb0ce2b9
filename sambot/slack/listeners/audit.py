"""`/sam changes [account] [since DATE]`: who changed what, and from where."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_bolt import App
from sqlalchemy import select

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.accounts.permissions import visible_to
from sambot.audit import service as audit
from sambot.slack import audit_render
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import Button
from sambot.slack.listeners.records import parse_past_date
from sambot.slack.permissions import can_see, viewer
from sambot.slack.refs import ChangesPage
from sambot.slack.text import escape
from sambot.validation import DomainError

CHANGES_USAGE = "`/sam changes`, `/sam changes Acme`, `/sam changes since 2026-11-01`"


def register(app: App) -> None:
    app.action(f"{Button.CHANGES_PAGE}_previous")(reported(changes_page))
    app.action(f"{Button.CHANGES_PAGE}_next")(reported(changes_page))


def show_changes(*, respond, interaction: Interaction, rest: str, **_):
    """`/sam changes [account] [since DATE]`: in an account's channel, that account."""
    with interaction.sam.session() as session:
        page = read_filters(session, interaction, rest)
        message = _changes_message(session, interaction, page)
    respond(text=message.text, blocks=message.blocks, response_type="ephemeral")


def changes_page(ack, action, respond, interaction: Interaction):
    ack()
    page = ChangesPage.decode(action["value"])
    with interaction.sam.session() as session:
        message = _changes_message(session, interaction, page)
    respond(text=message.text, blocks=message.blocks, replace_original=True)


def read_filters(session, interaction: Interaction, text: str) -> ChangesPage:
    words = text.split()
    lowered = [word.lower() for word in words]
    since = None
    if "since" in lowered:
        at = lowered.index("since")
        since_text, words = " ".join(words[at + 1 :]), words[:at]
        if not since_text:
            raise DomainError(f"Since when? Try {CHANGES_USAGE}.")
        since = parse_past_date(since_text, interaction.today)
    name = " ".join(words)
    if name:
        account = accounts.find_by_name(session, workspace_id=interaction.workspace.id, name=name)
        if account is None or not can_see(interaction, account):
            # A private account the reader may not see is as unknown as a missing one.
            raise DomainError(
                f"I know no account called `{escape(name)}`: `/sam accounts` lists them. "
                f"Try {CHANGES_USAGE}."
            )
    else:
        account = interaction.account(session)
        if account is not None and not can_see(interaction, account):
            raise DomainError(
                f"{escape(account.name)} is private: only its account team and workspace "
                f"admins see its changes. Ask <@{account.owner_id}>."
            )
    return ChangesPage(
        account_id=account.id if account else None,
        since=since.isoformat() if since else None,
    )


def hidden_accounts(session, interaction: Interaction) -> list[int]:
    """The private accounts whose changes the reader may not see."""
    return list(
        session.scalars(
            select(Account.id).where(
                Account.workspace_id == interaction.workspace.id,
                ~visible_to(viewer(interaction, session)),
            )
        )
    )


def _changes_message(session, interaction: Interaction, page: ChangesPage):
    zone = ZoneInfo(interaction.sam.people.timezone(interaction.user_id, token=interaction.token))
    about = "this workspace's accounts"
    if page.account_id is not None:
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=page.account_id
        )
        about = escape(account.name)
    since = None
    if page.since:
        # The day starts at midnight where the reader is.
        since = datetime.combine(date.fromisoformat(page.since), datetime.min.time(), zone)
        about += f" since {since:%d %b %Y}"
    events, total = audit.page(
        session,
        workspace_id=interaction.workspace.id,
        account_id=page.account_id,
        hidden=hidden_accounts(session, interaction) if page.account_id is None else (),
        since=since,
        offset=page.page * audit_render.CHANGES_PAGE_SIZE,
        limit=audit_render.CHANGES_PAGE_SIZE,
    )
    moved = audit_render.moved_accounts(events)
    names = dict(
        session.execute(
            select(Account.id, Account.name).where(
                Account.workspace_id == interaction.workspace.id, Account.id.in_(moved)
            )
        ).all()
        if moved
        else {}
    )
    return audit_render.changes_message(
        events, total=total, page=page, about=about, zone=zone, accounts=names
    )
