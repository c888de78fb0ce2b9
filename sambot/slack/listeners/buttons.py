"""Buttons and menus in messages: the four action buttons, "Add details", team controls."""

from slack_bolt import App

from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.slack import messages, modals
from sambot.slack.context import Sam
from sambot.slack.errors import reported
from sambot.slack.ids import ActionButton, Button
from sambot.slack.listeners.common import (
    redrawn_action_list,
    team_id_of,
    touchpoint_modal_for,
)
from sambot.slack.listeners.events import publish_home
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


def mark_done(ack, body, action, client, sam: Sam):
    ack()
    _apply(body, action, client, sam, verb="done")


def snooze(ack, body, action, client, sam: Sam):
    ack()
    _apply(body, action, client, sam, verb="snooze")


def _apply(body, pressed, client, sam: Sam, *, verb: str):
    user_id = body["user"]["id"]
    today = sam.today_for(user_id)
    with sam.session() as session:
        workspace = sam.workspace(session, team_id_of(body))
        item = actions.get(
            session, workspace_id=workspace.id, action_id=ActionRef.decode(pressed["value"]).id
        )
        if verb == "done":
            actions.mark_done(session, action=item, changed_by=user_id)
            note = f":white_check_mark: Marked done by <@{user_id}>"
        else:
            actions.snooze(session, action=item, changed_by=user_id, today=today)
            note = f":zzz: Snoozed until {item.snoozed_until:%a %d %b} by <@{user_id}>"
        account = accounts.get(session, workspace_id=workspace.id, account_id=item.account_id)
    redraw = redrawn_action_list(
        sam, workspace, user_id=user_id, today=today, changed=item, note=note
    )
    origin = origin_of(body)
    show_change(
        client,
        action=item,
        account=account,
        today=today,
        note=note,
        origin=origin,
        ephemeral_blocks=redraw,
    )
    if origin.home:
        publish_home(client, sam, team_id=team_id_of(body), user_id=user_id)


def open_change_due(ack, body, action, client, sam: Sam):
    ack()
    _open_action_form(body, action, client, sam, build=modals.change_due_modal)


def open_reassign(ack, body, action, client, sam: Sam):
    ack()
    _open_action_form(body, action, client, sam, build=modals.reassign_modal)


def _open_action_form(body, pressed, client, sam: Sam, *, build):
    user_id = body["user"]["id"]
    with sam.session() as session:
        workspace = sam.workspace(session, team_id_of(body))
        item = actions.get(
            session, workspace_id=workspace.id, action_id=ActionRef.decode(pressed["value"]).id
        )
    metadata = ActionFormRef(action_id=item.id, origin=compact_origin(origin_of(body))).encode()
    if build is modals.change_due_modal:
        view = build(item, today=sam.today_for(user_id), metadata=metadata)
    else:
        view = build(item, metadata=metadata)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_touchpoint_details(ack, body, action, client, sam: Sam):
    ack()
    user_id = body["user"]["id"]
    with sam.session() as session:
        workspace = sam.workspace(session, team_id_of(body))
        touchpoint = touchpoints.get(
            session,
            workspace_id=workspace.id,
            touchpoint_id=TouchpointRef.decode(action["value"]).id,
        )
        account = accounts.get(session, workspace_id=workspace.id, account_id=touchpoint.account_id)
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
            sam,
            workspace,
            user_id=user_id,
            account=account,
            prefill=prefill,
            origin=FormOrigin(
                touchpoint_id=touchpoint.id,
                channel=(body.get("channel") or {}).get("id"),
                response_url=body.get("response_url"),
            ),
        )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_account_for_channel(ack, body, action, client):
    ack()
    channel_id = (body.get("channel") or {}).get("id")
    client.views_open(
        trigger_id=body["trigger_id"],
        view=modals.account_modal(
            owner_id=body["user"]["id"],
            channel_id=channel_id,
            name=action["value"],
            metadata=FormOrigin(channel=channel_id).encode(),
        ),
    )


def add_team_member(ack, body, action, respond, sam: Sam):
    ack()
    _change_team(
        body,
        respond,
        sam,
        account_id=TeamBlock.decode(action["block_id"]).account_id,
        user_id=action["selected_user"],
        role="other",
        verb="added",
    )


def change_team_role(ack, body, action, respond, sam: Sam):
    ack()
    row = TeamBlock.decode(action["block_id"])
    if row.user_id is None:
        raise StaleReference()
    _change_team(
        body,
        respond,
        sam,
        account_id=row.account_id,
        user_id=row.user_id,
        role=action["selected_option"]["value"],
        verb="changed",
    )


def remove_team_member(ack, body, action, respond, sam: Sam):
    ack()
    member = TeamMemberRef.decode(action["selected_option"]["value"])
    _change_team(
        body,
        respond,
        sam,
        account_id=member.account_id,
        user_id=member.user_id,
        role=None,
        verb="removed",
    )


def _change_team(
    body, respond, sam: Sam, *, account_id: int, user_id: str, role: str | None, verb: str
):
    by = body["user"]["id"]
    with sam.session() as session:
        workspace = sam.workspace(session, team_id_of(body))
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
