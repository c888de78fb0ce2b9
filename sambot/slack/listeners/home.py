"""The App Home tab: publishing it for anyone whose actions changed, and its account buttons."""

from slack_bolt import App
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select

from sambot.accounts import service as accounts
from sambot.accounts.models import TeamMember
from sambot.actions import service as actions
from sambot.actions.models import OPEN_STATUSES, Action
from sambot.programme import service as programme
from sambot.relationships.cadence import Cadences
from sambot.slack.context import Interaction, Sam
from sambot.slack.errors import reported
from sambot.slack.home import HomeAccount, home_view
from sambot.slack.ids import HomeButton
from sambot.slack.listeners.common import action_modal_for, open_form, touchpoint_modal_for
from sambot.slack.refs import AccountRef, FormOrigin
from sambot.slack.relationship_render import coverage_line

# The Home tab groups a person's open actions; more than this are counted, not read.
HOME_ACTIONS_READ = 300


def register(app: App) -> None:
    app.action(HomeButton.LOG_TOUCHPOINT)(reported(log_touchpoint))
    app.action(HomeButton.CREATE_ACTION)(reported(create_action))


def build_home(sam: Sam, workspace_id: int, user_id: str, token: str | None = None) -> dict:
    # The token: the workspace's own (OAuth install), for the user's time zone.
    today = sam.today_for(user_id, token=token)
    with sam.session() as session:
        mine = actions.list_open_for_owner(
            session,
            workspace_id=workspace_id,
            owner_id=user_id,
            today=today,
            limit=HOME_ACTIONS_READ,
        )
        total = session.scalar(
            select(func.count())
            .select_from(Action)
            .where(
                Action.workspace_id == workspace_id,
                Action.owner_id == user_id,
                Action.status.in_(OPEN_STATUSES),
            )
        )
        on_team = accounts.accounts_of_member(session, workspace_id=workspace_id, user_id=user_id)
        ids = [account.id for account in on_team]
        last = programme.last_touchpoints(session, account_ids=ids)
        covered = programme.account_coverage(
            session, account_ids=ids, today=today, cadences=Cadences.from_settings(sam.settings)
        )
        rows = [
            HomeAccount(account, last.get(account.id), coverage_line(covered.get(account.id)))
            for account in on_team
        ]
        return home_view(mine, rows, today, total)


def publish_for(client, sam: Sam, workspace_id: int, *user_ids: str | None) -> None:
    """Publish the Home tab again for each person whose actions changed."""
    for user_id in dict.fromkeys(user_ids):
        if not user_id:
            continue
        try:
            client.views_publish(
                user_id=user_id, view=build_home(sam, workspace_id, user_id, client.token)
            )
        except SlackApiError:
            # Someone who left the workspace has no Home tab; the change itself is saved.
            continue


def refresh_homes(client, interaction: Interaction, *user_ids: str | None) -> None:
    publish_for(client, interaction.sam, interaction.workspace.id, *user_ids)


def refresh_team_homes(
    client, interaction: Interaction, account_id: int, *also: str | None
) -> None:
    """Publish the Home tab again for the account's team (and `also`): it shows the
    account's last touchpoint and coverage, which a logged touchpoint changes."""
    with interaction.sam.session() as session:
        team = session.scalars(
            select(TeamMember.user_id)
            .where(TeamMember.account_id == account_id)
            .order_by(TeamMember.user_id)
        ).all()
    refresh_homes(client, interaction, *team, *also)


def _account(interaction: Interaction, session, action: dict):
    account_id = AccountRef.decode(action.get("value")).id
    return accounts.get(session, workspace_id=interaction.workspace.id, account_id=account_id)


def log_touchpoint(ack, action, client, respond, interaction: Interaction):
    ack()
    with interaction.sam.session() as session:
        account = _account(interaction, session, action)
        view = touchpoint_modal_for(session, interaction, account=account, origin=FormOrigin())
    open_form(client, respond, interaction, view)


def create_action(ack, action, client, respond, interaction: Interaction):
    ack()
    with interaction.sam.session() as session:
        account = _account(interaction, session, action)
        view = action_modal_for(session, interaction, account=account, origin=FormOrigin())
    open_form(client, respond, interaction, view)
