"""Modal submissions: validate through the domain, answer errors under the fields, else save.

Also the interactive parts inside modals: choosing another account refreshes the lists
that depend on it, and "Add a stakeholder" pushes the stakeholder form on top.
"""

from slack_bolt import App
from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.accounts.permissions import NotAllowed
from sambot.actions import service as actions
from sambot.slack import messages, modals
from sambot.slack.context import Interaction, Sam
from sambot.slack.errors import reported
from sambot.slack.forms import VALUE, errors_for_view, form_values
from sambot.slack.ids import Button, Callback
from sambot.slack.listeners import relationships
from sambot.slack.listeners.common import (
    accounts_to_choose,
    action_modal_for,
    redrawn_action_list,
    touchpoint_modal_for,
)
from sambot.slack.listeners.home import refresh_homes, refresh_team_homes
from sambot.slack.permissions import require_change
from sambot.slack.refs import ActionFormRef, FormOrigin, PushedFormRef
from sambot.slack.sharing import (
    CLIENT_CHANNEL_NOTE,
    confirm,
    note_client_channel,
    post_to_account,
    share_action,
    share_touchpoint,
)
from sambot.slack.updates import full_origin, show_change
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints.flows import FOLLOW_UP_PREFIX, log_with_follow_up
from sambot.touchpoints.models import Source
from sambot.validation import InvalidInput, NotFound
from sambot.workspaces.models import Workspace


def register(app: App) -> None:
    app.view(Callback.ACCOUNT_NEW)(reported(submit_account))
    app.view(Callback.STAKEHOLDER_NEW)(reported(submit_stakeholder))
    app.view(Callback.STAKEHOLDER_NEW_PUSHED)(reported(submit_stakeholder))
    app.view(Callback.TOUCHPOINT)(reported(submit_touchpoint))
    app.view(Callback.ACTION)(reported(submit_action))
    app.view(Callback.CHANGE_DUE)(reported(submit_change_due))
    app.view(Callback.REASSIGN)(reported(submit_reassign))
    app.action({"block_id": "account_id", "action_id": VALUE})(reported(account_chosen))
    app.action(Button.ADD_STAKEHOLDER)(reported(push_stakeholder_form))


def filled(values: dict) -> dict:
    """Only what the user filled in; empty inputs fall back to the domain's defaults."""
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def chosen_account(session: Session, workspace: Workspace, values: dict) -> Account:
    try:
        return accounts.get(
            session, workspace_id=workspace.id, account_id=int(values["account_id"])
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidInput({"account_id": "Choose an account."}) from None
    except NotFound:
        raise InvalidInput({"account_id": "That account no longer exists."}) from None


def save(ack, view: dict, sam: Sam, work):
    """Run `work(session)` in a transaction; its field errors go back under the modal's inputs."""
    try:
        with sam.session() as session:
            result = work(session)
    except InvalidInput as exc:
        ack(response_action="errors", errors=errors_for_view(view, exc.errors))
        return None
    ack()
    return result


def submit_account(ack, body, view, client, interaction: Interaction):
    user_id, meta = interaction.user_id, FormOrigin.decode(view.get("private_metadata"))

    def work(session):
        workspace = interaction.workspace
        return accounts.create(session, workspace_id=workspace.id, data=filled(form_values(view)))

    account = save(ack, view, interaction.sam, work)
    if account is None:
        return
    text = f":sparkles: <@{user_id}> created the account *{account.name}*."
    if account.channel_id:
        text += " This channel is its home: touchpoints, actions, nudges and reports land here."
        if note_client_channel(
            client,
            interaction.sam.database,
            workspace_id=account.workspace_id,
            account_id=account.id,
            channel_id=account.channel_id,
        ):
            text += CLIENT_CHANNEL_NOTE
    posted = post_to_account(client, account, messages.notice(text), creator_id=user_id)
    confirm(
        client,
        posted,
        what=f"Account *{account.name}*",
        origin_channel=meta.channel,
        user_id=user_id,
        response_url=meta.response_url,
    )


def submit_stakeholder(ack, body, view, client, interaction: Interaction):
    user_id = interaction.user_id
    pushed = view["callback_id"] == Callback.STAKEHOLDER_NEW_PUSHED
    # Read before saving: a form that is not ours is refused before anything is written.
    reference = (PushedFormRef if pushed else FormOrigin).decode(view.get("private_metadata"))
    values = filled(form_values(view))

    def work(session):
        workspace = interaction.workspace
        account = chosen_account(session, workspace, values)
        require_change(interaction, session, account, "its stakeholders")
        return account, stakeholders.create(
            session, workspace_id=workspace.id, account_id=account.id, data=values
        )

    saved = save(ack, view, interaction.sam, work)
    if saved is None:
        return
    account, person = saved
    if pushed:
        return refresh_touchpoint_form(client, interaction, account, reference, chosen=person.id)
    text = f":bust_in_silhouette: <@{user_id}> added *{person.name}* to the stakeholders of *{account.name}*."
    if reference.channel:
        client.chat_postEphemeral(channel=reference.channel, user=user_id, text=text)
    else:
        client.chat_postMessage(channel=user_id, text=text)


def submit_touchpoint(ack, body, view, client, interaction: Interaction):
    user_id, meta = interaction.user_id, FormOrigin.decode(view.get("private_metadata"))
    values = filled(form_values(view))
    data = {key: value for key, value in values.items() if not key.startswith(FOLLOW_UP_PREFIX)}
    data["source"] = Source.MESSAGE_SHORTCUT if meta.message_ts else Source.MODAL
    if meta.message_link:
        data["message_link"] = meta.message_link
    today = interaction.today

    def work(session):
        workspace = interaction.workspace
        account = chosen_account(session, workspace, values)
        follow_up = follow_up_of(values)
        if follow_up is not None:
            _may_add_follow_up(session, interaction, account)
        touchpoint, action = log_with_follow_up(
            session,
            workspace_id=workspace.id,
            account_id=account.id,
            logged_by=user_id,
            data=data,
            follow_up=follow_up,
            today=today,
            touchpoint_id=meta.touchpoint_id,
        )
        return account, touchpoint, action

    saved = save(ack, view, interaction.sam, work)
    if saved is None:
        return
    account, touchpoint, action = saved
    posted = share_touchpoint(
        client, interaction.sam.database, touchpoint=touchpoint, account=account, creator_id=user_id
    )
    if action is not None:
        share_action(
            client,
            interaction.sam.database,
            action=action,
            account=account,
            today=today,
            note=f"Follow-up of a touchpoint, created by <@{user_id}>",
            creator_id=user_id,
        )
    refresh_team_homes(client, interaction, account.id, action.owner_id if action else None)
    what = "Touchpoint details" if meta.touchpoint_id else "Touchpoint"
    confirm(
        client,
        posted,
        what=what,
        origin_channel=meta.channel,
        user_id=user_id,
        response_url=meta.response_url,
    )
    relationships.offer_actions_to_review(
        client,
        interaction.sam.database,
        touchpoint=touchpoint,
        account=account,
        user_id=user_id,
        channel_id=meta.channel or posted.channel_id,
        today=today,
        follow_up_objective_id=action.objective_id if action else None,
        leave_out=(action.id,) if action else (),
    )


def _may_add_follow_up(session, interaction: Interaction, account: Account) -> None:
    """Anyone may log a touchpoint; its follow-up action is a change to the account's actions,
    so the policy decides, and the refusal shows under the follow-up's title."""
    try:
        require_change(interaction, session, account, "its actions")
    except NotAllowed as refused:
        raise InvalidInput(
            {f"{FOLLOW_UP_PREFIX}title": f"{refused} Or log it without the follow-up action."}
        ) from None


def follow_up_of(values: dict) -> dict | None:
    """The follow-up action's fields, when the user started one (the owner alone is a default)."""
    follow_up = {
        key.removeprefix(FOLLOW_UP_PREFIX): value
        for key, value in values.items()
        if key.startswith(FOLLOW_UP_PREFIX)
    }
    return follow_up if follow_up.get("title") or follow_up.get("due_date") else None


def submit_action(ack, body, view, client, interaction: Interaction):
    user_id, meta = interaction.user_id, FormOrigin.decode(view.get("private_metadata"))
    values = filled(form_values(view))
    values["shared_with_client"] = "yes" in values.get("shared_with_client", [])
    today = interaction.today

    def work(session):
        workspace = interaction.workspace
        account = chosen_account(session, workspace, values)
        require_change(interaction, session, account, "its actions")
        data = {key: value for key, value in values.items() if key != "account_id"}
        action = actions.create(
            session,
            workspace_id=workspace.id,
            account_id=account.id,
            created_by=user_id,
            data=data,
            today=today,
        )
        return account, action

    saved = save(ack, view, interaction.sam, work)
    if saved is None:
        return
    account, action = saved
    posted = share_action(
        client,
        interaction.sam.database,
        action=action,
        account=account,
        today=today,
        note=f"Created by <@{user_id}>",
        creator_id=user_id,
    )
    refresh_homes(client, interaction, action.owner_id)
    confirm(
        client,
        posted,
        what="Action",
        origin_channel=meta.channel,
        user_id=user_id,
        response_url=meta.response_url,
    )


def submit_change_due(ack, body, view, client, interaction: Interaction):
    _change_action(ack, body, view, client, interaction, change="due")


def submit_reassign(ack, body, view, client, interaction: Interaction):
    _change_action(ack, body, view, client, interaction, change="owner")


def _change_action(ack, body, view, client, interaction: Interaction, *, change: str):
    user_id, meta = interaction.user_id, ActionFormRef.decode(view.get("private_metadata"))
    values = form_values(view)
    today = interaction.today
    before = None  # the owner before a reassignment: their Home tab loses the action

    def work(session):
        nonlocal before
        workspace = interaction.workspace
        action = actions.get(session, workspace_id=workspace.id, action_id=meta.action_id)
        account = accounts.get(session, workspace_id=workspace.id, account_id=action.account_id)
        require_change(interaction, session, account, "its actions")
        if change == "due":
            actions.change_due_date(
                session,
                action=action,
                changed_by=user_id,
                due_date=values.get("due_date"),
                today=today,
            )
            note = f"Due date changed by <@{user_id}>"
        else:
            before = action.owner_id
            actions.reassign(
                session, action=action, changed_by=user_id, owner_id=values.get("owner_id") or ""
            )
            note = f"Reassigned to <@{action.owner_id}> by <@{user_id}>"
        return action, account, note, full_origin(session, meta.origin)

    saved = save(ack, view, interaction.sam, work)
    if saved is not None:
        action, account, note, origin = saved
        redraw = redrawn_action_list(interaction, changed=action, note=note)
        show_change(
            client,
            action=action,
            account=account,
            today=today,
            note=note,
            origin=origin,
            ephemeral_blocks=redraw,
        )
        home_user = interaction.user_id if origin.home else None
        refresh_homes(client, interaction, action.owner_id, before, home_user)


# Inside modals -------------------------------------------------------------------------------


def account_chosen(ack, body, action, client, interaction: Interaction):
    """Another account was picked: its stakeholders or objectives replace the old ones."""
    ack()
    with interaction.sam.session() as session:
        account = chosen_account(
            session, interaction.workspace, {"account_id": action["selected_option"]["value"]}
        )
        view = _rebuilt(session, interaction, body["view"], account)
    client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)


def _rebuilt(session, interaction: Interaction, view: dict, account: Account) -> dict:
    origin = FormOrigin.decode(view.get("private_metadata"))
    values = form_values(view)
    if view["callback_id"] == Callback.TOUCHPOINT:
        prefill = {**values, "stakeholder_ids": [], "touchpoint_id": origin.touchpoint_id}
        return touchpoint_modal_for(
            session, interaction, account=account, origin=origin, prefill=prefill
        )
    return action_modal_for(
        session, interaction, account=account, origin=origin, title=values.get("title") or ""
    )


def push_stakeholder_form(ack, body, client, interaction: Interaction):
    ack()
    parent = body["view"]
    parent_origin = FormOrigin.decode(parent.get("private_metadata"))
    values = form_values(parent)
    account_id = int(values["account_id"]) if values.get("account_id") else None
    workspace = interaction.workspace
    with interaction.sam.session() as session:
        chosen = (
            accounts.get(session, workspace_id=workspace.id, account_id=account_id)
            if account_id
            else None
        )
        if chosen is not None:
            require_change(interaction, session, chosen, "its stakeholders")
        every_account = accounts_to_choose(session, interaction, chosen)
        managers = (
            stakeholders.list_for_account(session, account_id=account_id) if account_id else []
        )
    client.views_push(
        trigger_id=body["trigger_id"],
        view=modals.stakeholder_modal(
            accounts=every_account,
            account_id=account_id,
            managers=managers,
            user_id=interaction.user_id,
            callback_id=Callback.STAKEHOLDER_NEW_PUSHED,
            metadata=PushedFormRef(parent_view_id=parent["id"], parent=parent_origin).encode(),
        ),
    )


def refresh_touchpoint_form(
    client, interaction: Interaction, account: Account, pushed: PushedFormRef, *, chosen: int
) -> None:
    """Back on the touchpoint form after adding a stakeholder: listed there, and selected.

    Slack keeps what the user typed in inputs whose block ids do not change.
    """
    with interaction.sam.session() as session:
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=account.id
        )
        view = touchpoint_modal_for(
            session,
            interaction,
            account=account,
            origin=pushed.parent,
            prefill={"stakeholder_ids": [chosen], "touchpoint_id": pushed.parent.touchpoint_id},
        )
    client.views_update(view_id=pushed.parent_view_id, view=view)
