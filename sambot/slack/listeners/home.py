"""The App Home tab: publishing it for anyone whose actions changed, and its account buttons."""

from collections.abc import Sequence

from slack_bolt import App
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from sambot.accounts import service as accounts
from sambot.accounts.models import TeamMember
from sambot.actions import service as actions
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


def build_homes(
    sam: Sam, workspace_id: int, user_ids: Sequence[str], token: str | None = None
) -> dict[str, dict]:
    """Each person's Home tab. What is the accounts' (their last touchpoint, their coverage)
    is read once for everyone: a touchpoint refreshes the whole team's."""
    # The token: the workspace's own (OAuth install), for each user's time zone.
    today = {user_id: sam.today_for(user_id, token=token) for user_id in user_ids}
    cadences = Cadences.from_settings(sam.settings)
    with sam.session() as session:
        on_team = accounts.accounts_of_members(
            session, workspace_id=workspace_id, user_ids=user_ids
        )
        ids = sorted({account.id for team in on_team.values() for account in team})
        last = programme.last_touchpoints(session, account_ids=ids)
        # Coverage depends on the day: once per day among the team's time zones.
        covered = {
            day: programme.account_coverage(session, account_ids=ids, today=day, cadences=cadences)
            for day in set(today.values())
        }
        totals = actions.open_counts_by_owner(
            session, workspace_id=workspace_id, owner_ids=user_ids
        )
        homes = {}
        for user_id in user_ids:
            mine = actions.list_open_for_owner(
                session,
                workspace_id=workspace_id,
                owner_id=user_id,
                today=today[user_id],
                limit=HOME_ACTIONS_READ,
            )
            rows = [
                HomeAccount(
                    account,
                    last.get(account.id),
                    coverage_line(covered[today[user_id]].get(account.id)),
                )
                for account in on_team[user_id]
            ]
            homes[user_id] = home_view(mine, rows, today[user_id], totals[user_id])
        return homes


def publish_for(client, sam: Sam, workspace_id: int, *user_ids: str | None) -> None:
    """Publish the Home tab again for each person whose actions changed."""
    people = [user_id for user_id in dict.fromkeys(user_ids) if user_id]
    for user_id, view in build_homes(sam, workspace_id, people, client.token).items():
        try:
            client.views_publish(user_id=user_id, view=view)
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
