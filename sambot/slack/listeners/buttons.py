"""Buttons and menus in messages: the four action buttons, "Add details", team controls."""

from slack_bolt import App

from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.slack import messages, modals
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import ActionButton, Button
from sambot.slack.listeners.common import (
    open_form,
    redrawn_action_list,
    touchpoint_modal_for,
)
from sambot.slack.listeners.home import refresh_homes
from sambot.slack.permissions import require_change
from sambot.slack.refs import (
    ActionFormRef,
    ActionRef,
    FormOrigin,
    StaleReference,
    TeamBlock,
    TeamMemberRef,
    TouchpointRef,
)
from sambot.slack.updates import compact_origin, origin_of, show_change
from sambot.touchpoints import service as touchpoints


def register(app: App) -> None:
    app.action(ActionButton.DONE)(reported(mark_done))
    app.action(ActionButton.SNOOZE)(reported(snooze))
    app.action(ActionButton.CHANGE_DUE)(reported(open_change_due))
    app.action(ActionButton.REASSIGN)(reported(open_reassign))
    app.action(Button.ADD_DETAILS)(reported(open_touchpoint_details))
    app.action(Button.CREATE_LINKED_ACCOUNT)(reported(open_account_for_channel))
    app.action(Button.TEAM_ADD)(reported(add_team_member))
    app.action(Button.TEAM_ROLE)(reported(change_team_role))
    app.action(Button.TEAM_REMOVE)(reported(remove_team_member))


def mark_done(ack, body, action, client, interaction: Interaction):
    ack()
    _apply(body, action, client, interaction, verb="done")


def snooze(ack, body, action, client, interaction: Interaction):
    ack()
    _apply(body, action, client, interaction, verb="snooze")


def _apply(body, pressed, client, interaction: Interaction, *, verb: str):
    user_id, today, workspace = interaction.user_id, interaction.today, interaction.workspace
    action_id = ActionRef.decode(pressed["value"]).id
    with interaction.sam.session() as session:
        item = actions.get(session, workspace_id=workspace.id, action_id=action_id)
        account = accounts.get(session, workspace_id=workspace.id, account_id=item.account_id)
        # Done and snooze are its status: its own owner may always change that.
        require_change(interaction, session, account, "its actions", also={item.owner_id})
        if verb == "done":
            actions.mark_done(session, action=item, changed_by=user_id)
            note = f":white_check_mark: Marked done by <@{user_id}>"
        else:
            actions.snooze(session, action=item, changed_by=user_id, today=today)
            note = f":zzz: Snoozed until {item.snoozed_until:%a %d %b} by <@{user_id}>"
    origin = origin_of(body)
    show_change(
        client,
        action=item,
        account=account,
        today=today,
        note=note,
        origin=origin,
        ephemeral_blocks=redrawn_action_list(interaction, changed=item, note=note),
    )
    # The owner's Home tab shows the action; the presser's, if they pressed it there.
    refresh_homes(client, interaction, item.owner_id, interaction.user_id if origin.home else None)


def open_change_due(ack, body, action, client, respond, interaction: Interaction):
    ack()
    _open_action_form(body, action, client, respond, interaction, build=modals.change_due_modal)


def open_reassign(ack, body, action, client, respond, interaction: Interaction):
    ack()
    _open_action_form(body, action, client, respond, interaction, build=modals.reassign_modal)


def _open_action_form(body, pressed, client, respond, interaction: Interaction, *, build):
    action_id = ActionRef.decode(pressed["value"]).id
    with interaction.sam.session() as session:
        item = actions.get(session, workspace_id=interaction.workspace.id, action_id=action_id)
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=item.account_id
        )
        require_change(interaction, session, account, "its actions")
        origin = compact_origin(session, origin_of(body))
    metadata = ActionFormRef(action_id=item.id, origin=origin).encode()
    if build is modals.change_due_modal:
        view = build(item, today=interaction.today, metadata=metadata)
    else:
        view = build(item, metadata=metadata)
    open_form(client, respond, interaction, view)


def open_touchpoint_details(ack, body, action, client, respond, interaction: Interaction):
    ack()
    touchpoint_id = TouchpointRef.decode(action["value"]).id
    workspace_id = interaction.workspace.id
    with interaction.sam.session() as session:
        touchpoint = touchpoints.get(
            session, workspace_id=workspace_id, touchpoint_id=touchpoint_id
        )
        account = accounts.get(session, workspace_id=workspace_id, account_id=touchpoint.account_id)
        prefill = {
            "touchpoint_id": touchpoint.id,
            "occurred_on": touchpoint.occurred_on,
            "kind": touchpoint.kind,
            "sentiment": touchpoint.sentiment,
            "summary": touchpoint.summary,
            "stakeholder_ids": [person.id for person in touchpoint.stakeholders],
        }
        view = touchpoint_modal_for(
            session,
            interaction,
            account=account,
            prefill=prefill,
            origin=FormOrigin(
                touchpoint_id=touchpoint.id,
                channel=interaction.channel_id,
                response_url=body.get("response_url"),
            ),
        )
    open_form(client, respond, interaction, view)


def open_account_for_channel(ack, body, action, client, respond, interaction: Interaction):
    ack()
    channel_id = interaction.channel_id
    view = modals.account_modal(
        owner_id=interaction.user_id,
        channel_id=channel_id,
        name=action["value"],
        metadata=FormOrigin(channel=channel_id).encode(),
    )
    open_form(client, respond, interaction, view)


def add_team_member(ack, action, respond, interaction: Interaction):
    ack()
    _change_team(
        respond,
        interaction,
        account_id=TeamBlock.decode(action["block_id"]).account_id,
        user_id=action["selected_user"],
        role="other",
        verb="added",
    )


def change_team_role(ack, action, respond, interaction: Interaction):
    ack()
    row = TeamBlock.decode(action["block_id"])
    if row.user_id is None:
        raise StaleReference()
    _change_team(
        respond,
        interaction,
        account_id=row.account_id,
        user_id=row.user_id,
        role=action["selected_option"]["value"],
        verb="changed",
    )


def remove_team_member(ack, action, respond, interaction: Interaction):
    ack()
    member = TeamMemberRef.decode(action["selected_option"]["value"])
    _change_team(
        respond,
        interaction,
        account_id=member.account_id,
        user_id=member.user_id,
        role=None,
        verb="removed",
    )


def _change_team(
    respond,
    interaction: Interaction,
    *,
    account_id: int,
    user_id: str,
    role: str | None,
    verb: str,
):
    by, workspace = interaction.user_id, interaction.workspace
    with interaction.sam.session() as session:
        account = accounts.get(session, workspace_id=workspace.id, account_id=account_id)
        require_change(interaction, session, account, "its team")
        if role is None:
            accounts.remove_team_member(
                session, workspace_id=workspace.id, account_id=account_id, user_id=user_id
            )
            note = f"<@{by}> removed <@{user_id}> from the team."
        else:
            accounts.set_team_member(
                session,
                workspace_id=workspace.id,
                account_id=account_id,
                data={"user_id": user_id, "role": role},
            )
            note = f"<@{by}> {'added' if verb == 'added' else 'changed the role of'} <@{user_id}>."
        account = accounts.get(session, workspace_id=workspace.id, account_id=account_id)
        text, blocks = messages.team_message(account, note=note)
    respond(text=text, blocks=blocks, replace_original=True)
