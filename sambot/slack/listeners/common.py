"""Small pieces the listeners share."""

from slack_sdk.errors import SlackApiError
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.actions import service as actions
from sambot.actions.models import Action
from sambot.plans import service as plans
from sambot.readcache import Named, choices, session_on
from sambot.slack import blocks as bk
from sambot.slack import messages, modals
from sambot.slack.action_blocks import action_line
from sambot.slack.context import Interaction
from sambot.slack.errors import tell_user
from sambot.slack.modals import MAX_OPTIONS
from sambot.slack.permissions import viewer
from sambot.slack.refs import FormOrigin
from sambot.stakeholders import service as stakeholders
from sambot.validation import DomainError

WINDOW_CLOSED = (
    ":hourglass: Slack's window to open that form closed before I could open it. "
    "Please run the command again."
)


def open_form(client, respond, interaction: Interaction, view: dict) -> None:
    """Open a modal with the interaction's trigger, unless Slack's 3-second trigger has
    certainly expired: then tell the user, alone, to run the command again."""
    if not interaction.trigger_expired():
        try:
            client.views_open(trigger_id=interaction.trigger_id, view=view)
            return
        except SlackApiError as exc:
            if exc.response.get("error") != "expired_trigger_id":
                raise
    tell_user(
        client,
        respond,
        interaction.user_id,
        interaction.channel_id,
        bool(interaction.response_url),
        WINDOW_CLOSED,
    )


def accounts_to_choose(
    reader: Session | Connection, interaction: Interaction, chosen: Named | None = None
) -> list[Named]:
    """The accounts a form's select offers the user: the chosen one first, then the first
    by name, private ones only to their team and admins.

    A select shows 100 options at most, so no more are read, however large the portfolio.
    """
    workspace_id, seen_by = interaction.workspace.id, viewer(interaction, reader)
    first = interaction.sam.reads.get(
        reader,
        ("accounts to choose", workspace_id, seen_by),
        lambda session: choices(
            accounts.list_accounts(
                session, workspace_id=workspace_id, limit=MAX_OPTIONS, viewer=seen_by
            )
        ),
    )
    if chosen is not None:
        first = [chosen, *(account for account in first if account.id != chosen.id)]
    if not first:
        raise DomainError("Create an account first with `/sam account new`.")
    return list(first[:MAX_OPTIONS])


def touchpoint_modal_for(
    reader: Session | Connection,
    interaction: Interaction,
    *,
    account: Named | None,
    origin: FormOrigin,
    prefill: dict | None = None,
) -> dict:
    """The touchpoint form; its date starts at today in the user's own time zone."""
    every_account = accounts_to_choose(reader, interaction, account)
    people: list[Named] = []
    if account:
        people += interaction.sam.reads.get(
            reader,
            ("stakeholders", account.id),
            lambda session: choices(stakeholders.list_for_account(session, account_id=account.id)),
        )
    linked = set((prefill or {}).get("stakeholder_ids") or []) - {person.id for person in people}
    if account and linked:
        # Someone who has left stays on the touchpoints they were at.
        with session_on(reader) as session:
            people += choices(
                stakeholders.get_many(session, account_id=account.id, stakeholder_ids=linked)
            )
    return modals.touchpoint_modal(
        accounts=every_account,
        account_id=account.id if account else None,
        stakeholders=people,
        user_id=interaction.user_id,
        today=interaction.today,
        metadata=origin.encode(),
        prefill=prefill,
    )


def action_modal_for(
    session: Session,
    interaction: Interaction,
    *,
    account: Account | None,
    origin: FormOrigin,
    title: str = "",
) -> dict:
    every_account = accounts_to_choose(session, interaction, account)
    objectives = plans.list_for_account(session, account_id=account.id) if account else []
    return modals.action_modal(
        accounts=every_account,
        account_id=account.id if account else None,
        objectives=objectives,
        user_id=interaction.user_id,
        metadata=origin.encode(),
        title=title,
    )


# How many open actions a list reads: it shows 23 and counts the rest.
OPEN_ACTIONS_READ = 500


def open_action_list(interaction: Interaction) -> messages.Message:
    """The user's `/action list`: read on a bare connection, as it writes nothing."""
    with interaction.sam.reading() as connection:
        mine = actions.list_open_for_owner(
            connection,
            workspace_id=interaction.workspace.id,
            owner_id=interaction.user_id,
            today=interaction.today,
            limit=OPEN_ACTIONS_READ,
        )
    return messages.action_list_message(mine, interaction.today)


def redrawn_action_list(interaction: Interaction, *, changed: Action, note: str):
    """The `/action list` again, after a change, with what changed on top."""

    def draw() -> list[dict]:
        _, blocks = open_action_list(interaction)
        top = bk.context(f"{note}: {action_line(changed, interaction.today)}")
        return [top, *blocks][:50]

    return draw
