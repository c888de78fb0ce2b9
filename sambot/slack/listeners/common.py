"""Small pieces the listeners share."""

from datetime import date

from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.actions import service as actions
from sambot.actions.models import Action
from sambot.plans import service as plans
from sambot.slack import messages, modals
from sambot.slack.action_blocks import action_line
from sambot.slack.context import Sam
from sambot.slack.modals import MAX_OPTIONS
from sambot.slack.refs import FormOrigin
from sambot.stakeholders import service as stakeholders
from sambot.validation import DomainError
from sambot.workspaces.models import Workspace


def team_id_of(body: dict) -> str:
    return body.get("team_id") or (body.get("team") or {}).get("id") or body["user"]["team_id"]


def user_id_of(body: dict) -> str:
    return body.get("user_id") or body["user"]["id"]


def channel_id_of(body: dict) -> str | None:
    return body.get("channel_id") or (body.get("channel") or {}).get("id")


def accounts_to_choose(
    session: Session, workspace: Workspace, chosen: Account | None = None
) -> list[Account]:
    """The accounts a form's select offers: the chosen one first, then the first by name.

    A select shows 100 options at most, so no more are read, however large the portfolio.
    """
    first = accounts.list_accounts(session, workspace_id=workspace.id, limit=MAX_OPTIONS)
    if chosen is not None:
        first = [chosen, *(account for account in first if account.id != chosen.id)]
    if not first:
        raise DomainError("Create an account first with `/sam account new`.")
    return first[:MAX_OPTIONS]


def touchpoint_modal_for(
    session: Session,
    sam: Sam,
    workspace: Workspace,
    *,
    user_id: str,
    account: Account | None,
    origin: FormOrigin,
    prefill: dict | None = None,
) -> dict:
    """The touchpoint form; its date starts at today in the user's own time zone."""
    every_account = accounts_to_choose(session, workspace, account)
    people = stakeholders.list_for_account(session, account_id=account.id) if account else []
    return modals.touchpoint_modal(
        accounts=every_account,
        account_id=account.id if account else None,
        stakeholders=people,
        user_id=user_id,
        today=sam.today_for(user_id),
        metadata=origin.encode(),
        prefill=prefill,
    )


def action_modal_for(
    session: Session,
    workspace: Workspace,
    *,
    user_id: str,
    account: Account | None,
    origin: FormOrigin,
    title: str = "",
) -> dict:
    every_account = accounts_to_choose(session, workspace, account)
    objectives = plans.list_for_account(session, account_id=account.id) if account else []
    return modals.action_modal(
        accounts=every_account,
        account_id=account.id if account else None,
        objectives=objectives,
        user_id=user_id,
        metadata=origin.encode(),
        title=title,
    )


def redrawn_action_list(
    sam: Sam, workspace: Workspace, *, user_id: str, today: date, changed: Action, note: str
):
    """The `/action list` again, after a change, with what changed on top."""

    def draw() -> list[dict]:
        with sam.session() as session:
            mine = actions.list_open_for_owner(
                session, workspace_id=workspace.id, owner_id=user_id, today=today
            )
            _, blocks = messages.action_list_message(mine, today)
        top = messages.context(f"{note}: {action_line(changed, today)}").to_dict()
        return [top, *blocks][:50]

    return draw
