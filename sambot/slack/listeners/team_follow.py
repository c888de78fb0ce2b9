"""The account team follows its channel: who joins or leaves is offered to the owner.

Nothing changes on the team until the owner picks a role (or presses "Remove"): people
join channels for many reasons, and the team is the owner's to decide.
"""

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from sambot.accounts import service as accounts
from sambot.accounts.models import Account, TeamRole
from sambot.slack import blocks as bk
from sambot.slack.blocks import Message
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import TeamOffer
from sambot.slack.labels import TEAM_ROLE_LABELS
from sambot.slack.refs import TeamOfferRef
from sambot.slack.text import escape
from sambot.validation import DomainError

MAX_NAMED = 30  # people named per list in /sam team, well within a message's text cap


def register(app: App) -> None:
    app.event("member_left_channel")(reported(member_left))
    app.action(TeamOffer.ADD)(reported(accept_offer))
    app.action(TeamOffer.REMOVE)(reported(accept_offer))
    app.action(TeamOffer.DISMISS)(reported(dismiss_offer))


def _account_of_channel(interaction: Interaction, channel: str | None):
    if not channel:
        return None
    with interaction.sam.session() as session:
        account = accounts.get_by_channel(
            session, workspace_id=interaction.workspace.id, channel_id=channel
        )
        if account is None:
            return None
        team = {member.user_id: member.role for member in account.team}
        return account.id, account.name, account.owner_id, team


def member_joined(event: dict, client, context, interaction: Interaction) -> None:
    """Someone (not the bot) joined an account's channel: offer the owner to add them."""
    user_id, channel = event.get("user"), event.get("channel")
    if not user_id or user_id == context.get("bot_user_id"):
        return
    found = _account_of_channel(interaction, channel)
    if found is None:
        return
    account_id, name, owner_id, team = found
    if user_id in team or user_id == owner_id:
        return
    message = join_offer(account_id, name, user_id, channel)
    client.chat_postMessage(channel=owner_id, text=message.text, blocks=message.blocks)


def member_left(event, client, context, interaction: Interaction) -> None:
    """A team member left the account's channel: offer the owner to take them off the team."""
    user_id, channel = event.get("user"), event.get("channel")
    if not user_id or user_id == context.get("bot_user_id"):
        return
    found = _account_of_channel(interaction, channel)
    if found is None:
        return
    account_id, name, owner_id, team = found
    if user_id not in team or user_id == owner_id:
        return
    message = leave_offer(account_id, name, user_id, channel, team[user_id])
    client.chat_postMessage(channel=owner_id, text=message.text, blocks=message.blocks)


def join_offer(account_id: int, name: str, user_id: str, channel: str) -> Message:
    text = (
        f":wave: <@{user_id}> joined <#{channel}>, the channel of *{escape(name)}*. "
        "Add them to the account team? Pick their role:"
    )
    roles = [
        bk.option(label, TeamOfferRef(account_id=account_id, user_id=user_id, role=role).encode())
        for role, label in TEAM_ROLE_LABELS.items()
        if role != TeamRole.OWNER
    ]
    ref = TeamOfferRef(account_id=account_id, user_id=user_id).encode()
    blocks = [
        bk.section(text),
        bk.actions(
            bk.static_select(TeamOffer.ADD, roles, placeholder="Add to the team as…"),
            bk.button("Not now", TeamOffer.DISMISS, value=ref),
            block_id="team_offer",
        ),
    ]
    return Message(f"{user_id} joined the channel of {name}", blocks)


def leave_offer(account_id: int, name: str, user_id: str, channel: str, role) -> Message:
    text = (
        f":door: <@{user_id}> left <#{channel}>, the channel of *{escape(name)}*. They are on "
        f"the account team as *{TEAM_ROLE_LABELS[role]}*. Remove them from the team?"
    )
    ref = TeamOfferRef(account_id=account_id, user_id=user_id).encode()
    blocks = [
        bk.section(text),
        bk.actions(
            bk.button("Remove from the team", TeamOffer.REMOVE, value=ref, style="danger"),
            bk.button("Keep them", TeamOffer.DISMISS, value=ref),
            block_id="team_offer",
        ),
    ]
    return Message(f"{user_id} left the channel of {name}", blocks)


def _owned(session, interaction: Interaction, ref: TeamOfferRef) -> Account:
    account = accounts.get(
        session, workspace_id=interaction.workspace.id, account_id=ref.account_id
    )
    if account.owner_id != interaction.user_id:
        raise DomainError(f"Only the account owner, <@{account.owner_id}>, can change the team.")
    return account


def accept_offer(ack, body, action, client, interaction: Interaction):
    ack()
    raw = (action.get("selected_option") or {}).get("value") or action.get("value")
    ref = TeamOfferRef.decode(raw)
    with interaction.sam.session() as session:
        account = _owned(session, interaction, ref)
        if action["action_id"] == TeamOffer.ADD:
            if ref.role is None or ref.role == TeamRole.OWNER:
                raise DomainError("Pick a role for them.")
            accounts.set_team_member(
                session,
                workspace_id=interaction.workspace.id,
                account_id=account.id,
                data={"user_id": ref.user_id, "role": ref.role},
            )
            done = (
                f":white_check_mark: <@{ref.user_id}> added to the *{escape(account.name)}* team "
                f"as *{TEAM_ROLE_LABELS[TeamRole(ref.role)]}* by <@{interaction.user_id}>."
            )
        else:
            accounts.remove_team_member(
                session,
                workspace_id=interaction.workspace.id,
                account_id=account.id,
                user_id=ref.user_id,
            )
            done = (
                f":white_check_mark: <@{ref.user_id}> removed from the *{escape(account.name)}* "
                f"team by <@{interaction.user_id}>."
            )
    _settle(client, body, done)


def dismiss_offer(ack, body, action, client, interaction: Interaction):
    ack()
    ref = TeamOfferRef.decode(action.get("value"))
    with interaction.sam.session() as session:
        account = _owned(session, interaction, ref)
        name = account.name
    _settle(client, body, f"No change to the *{escape(name)}* team for <@{ref.user_id}>.")


def _settle(client, body: dict, text: str) -> None:
    """The offer gives way to what was decided, so it cannot be pressed twice."""
    container = body.get("container") or {}
    if container.get("channel_id") and container.get("message_ts"):
        client.chat_update(
            channel=container["channel_id"],
            ts=container["message_ts"],
            text=text,
            blocks=[bk.section(text)],
        )


# /sam team: who is in the channel but not on the team, and the reverse --------------------


def channel_members(client, channel: str) -> list[str] | None:
    members, cursor = [], None
    try:
        while True:
            page = client.conversations_members(channel=channel, cursor=cursor, limit=200)
            members += page.get("members") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return members
    except SlackApiError:
        return None  # a channel the bot cannot read: say nothing rather than guess


def _names(users: list[str]) -> str:
    shown = ", ".join(f"<@{user}>" for user in users[:MAX_NAMED])
    return shown + (f" and {len(users) - MAX_NAMED} more" if len(users) > MAX_NAMED else "")


def gap_blocks(client, account: Account, bot_user_id: str | None) -> list[dict]:
    """Two lines for `/sam team`: in the channel but not on the team, on the team but not
    in the channel."""
    if not account.channel_id:
        return []
    members = channel_members(client, account.channel_id)
    if members is None:
        return [bk.context("I can't read the channel's members (am I in it?).")]
    in_channel = [user for user in members if user != bot_user_id]
    team = [member.user_id for member in account.team]
    not_on_team = [user for user in in_channel if user not in team]
    not_in_channel = [user for user in team if user not in set(in_channel)]
    lines = []
    if not_on_team:
        lines.append(f"*In <#{account.channel_id}> but not on the team:* {_names(not_on_team)}")
    if not_in_channel:
        lines.append(f"*On the team but not in <#{account.channel_id}>:* {_names(not_in_channel)}")
    if not lines:
        lines.append(f"The team and <#{account.channel_id}> have the same people.")
    return [bk.section("\n".join(lines))]
