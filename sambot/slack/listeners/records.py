"""Correcting what is stored: an action's status and form, a stakeholder, the account,
its objectives, and the touchpoint history (`/sam account edit|archive|unarchive`,
`/sam objectives`, `/sam history`). The rules are the domain's; this only wires Slack."""

from datetime import date

from slack_bolt import App
from slack_sdk.webhook import WebhookClient

from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.actions.models import ActionStatus
from sambot.dates import parse_date
from sambot.plans import service as plans
from sambot.slack import blocks as bk
from sambot.slack import edit_modals, messages, record_messages
from sambot.slack.context import Interaction
from sambot.slack.edit_modals import YES
from sambot.slack.errors import reported
from sambot.slack.forms import form_values
from sambot.slack.ids import ActionButton, Button, Callback
from sambot.slack.labels import KIND_LABELS, KIND_WORDS
from sambot.slack.listeners.common import open_form, redrawn_action_list
from sambot.slack.listeners.events import publish_home
from sambot.slack.listeners.views import filled, save
from sambot.slack.permissions import require_change
from sambot.slack.refs import (
    AccountFormRef,
    AccountRef,
    ActionFormRef,
    ActionRef,
    ActionStatusChoice,
    HistoryPage,
    ObjectiveFormRef,
    ObjectiveRef,
    ObjectiveStatusChoice,
    StakeholderFormRef,
    StakeholderRef,
)
from sambot.slack.text import escape
from sambot.slack.updates import compact_origin, full_origin, origin_of, show_change
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints import service as touchpoints
from sambot.touchpoints.models import TouchpointKind
from sambot.validation import DomainError


def register(app: App) -> None:
    app.action(ActionButton.EDIT)(reported(open_action_edit))
    app.action(ActionButton.MORE)(reported(action_status_chosen))
    app.view(Callback.ACTION_EDIT)(reported(submit_action_edit))
    app.view(Callback.ACTION_BLOCKED)(reported(submit_action_blocked))
    app.view(Callback.ACTION_CANCEL)(reported(submit_action_cancel))
    app.action(Button.STAKEHOLDER_EDIT)(reported(open_stakeholder_edit))
    app.view(Callback.STAKEHOLDER_EDIT)(reported(submit_stakeholder_edit))
    app.view(Callback.ACCOUNT_EDIT)(reported(submit_account_edit))
    app.action(Button.OBJECTIVE_NEW)(reported(open_objective_new))
    app.action(Button.OBJECTIVE_EDIT)(reported(open_objective_edit))
    app.action(Button.OBJECTIVE_STATUS)(reported(objective_status_chosen))
    app.view(Callback.OBJECTIVE)(reported(submit_objective))
    app.action(f"{Button.HISTORY_PAGE}_previous")(reported(history_page))
    app.action(f"{Button.HISTORY_PAGE}_next")(reported(history_page))


def reply(respond, message: messages.Message, *, replace: bool = False) -> None:
    text, blocks = message
    if replace:
        respond(text=text, blocks=blocks, replace_original=True)
    else:
        respond(text=text, blocks=blocks, response_type="ephemeral")


# Actions ------------------------------------------------------------------------------------

FIELD_NAMES = {
    "title": "title",
    "detail": "detail",
    "obstacle": "obstacle",
    "objective_id": "objective",
    "owner_id": "owner",
    "due_date": "due date",
    "shared_with_client": "sharing with the client",
}

STATUS_NOTES = {
    ActionStatus.OPEN: ":leftwards_arrow_with_hook: <@{user}> moved it back to open",
    ActionStatus.IN_PROGRESS: ":arrow_forward: <@{user}> set it in progress",
    ActionStatus.BLOCKED: ":construction: <@{user}> marked it blocked",
    ActionStatus.CANCELLED: ":heavy_multiplication_x: <@{user}> cancelled it",
}


def open_action_edit(ack, body, action, client, respond, interaction: Interaction):
    ack()
    action_id = ActionRef.decode(action["value"]).id
    _open_for_action(body, client, respond, interaction, action_id, kind="edit")


def action_status_chosen(ack, body, action, client, respond, interaction: Interaction):
    """The status menu: blocked and cancel ask why in a form; the others apply at once."""
    ack()
    choice = ActionStatusChoice.decode(action["selected_option"]["value"])
    if choice.status in ("blocked", "cancelled"):
        kind = "blocked" if choice.status == "blocked" else "cancel"
        return _open_for_action(body, client, respond, interaction, choice.id, kind=kind)
    user_id = interaction.user_id
    with interaction.sam.session() as session:
        item = actions.get(session, workspace_id=interaction.workspace.id, action_id=choice.id)
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=item.account_id
        )
        require_action_change(interaction, session, account, item, status=True)
        actions.change_status(session, action=item, changed_by=user_id, status=choice.status)
    note = STATUS_NOTES[ActionStatus(choice.status)].format(user=user_id)
    _show(client, interaction, item, account, note, origin_of(body))


def require_action_change(interaction: Interaction, session, account, item, *, status: bool):
    """An action's own owner may always change its status; the rest follows the policy."""
    also = {item.owner_id} if status else set()
    require_change(interaction, session, account, "its actions", also=also)


def _open_for_action(body, client, respond, interaction: Interaction, action_id: int, *, kind):
    with interaction.sam.session() as session:
        item = actions.get(session, workspace_id=interaction.workspace.id, action_id=action_id)
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=item.account_id
        )
        require_action_change(interaction, session, account, item, status=kind != "edit")
        metadata = ActionFormRef(
            action_id=item.id, origin=compact_origin(session, origin_of(body))
        ).encode()
        if kind == "edit":
            objectives = plans.list_for_account(session, account_id=item.account_id)
            view = edit_modals.action_edit_modal(item, objectives=objectives, metadata=metadata)
        elif kind == "blocked":
            view = edit_modals.action_blocked_modal(item, metadata=metadata)
        else:
            view = edit_modals.action_cancel_modal(item, metadata=metadata)
    open_form(client, respond, interaction, view)


def submit_action_edit(ack, body, view, client, interaction: Interaction):
    values = form_values(view)
    values["shared_with_client"] = YES in (values.get("shared_with_client") or [])

    def change(session, item):
        changed = actions.edit(
            session,
            action=item,
            changed_by=interaction.user_id,
            data=values,
            today=interaction.today,
        )
        if not changed:
            return f":pencil2: <@{interaction.user_id}> saved it unchanged"
        return f":pencil2: <@{interaction.user_id}> changed the " + ", ".join(
            FIELD_NAMES[name] for name in changed
        )

    _submit_for_action(ack, view, client, interaction, change, status=False)


# A status that asks why: the form field holding the answer, and the domain's name for it.
WHY_ASKED = {
    ActionStatus.BLOCKED: ("obstacle", "obstacle"),
    ActionStatus.CANCELLED: ("cancel_reason", "reason"),
}


def submit_action_blocked(ack, body, view, client, interaction: Interaction):
    _submit_status_with_why(ack, view, client, interaction, ActionStatus.BLOCKED)


def submit_action_cancel(ack, body, view, client, interaction: Interaction):
    _submit_status_with_why(ack, view, client, interaction, ActionStatus.CANCELLED)


def _submit_status_with_why(ack, view, client, interaction: Interaction, status: ActionStatus):
    field, argument = WHY_ASKED[status]
    why = form_values(view).get(field)

    def change(session, item):
        actions.change_status(
            session,
            action=item,
            changed_by=interaction.user_id,
            status=status,
            **{argument: why},
        )
        return STATUS_NOTES[status].format(user=interaction.user_id)

    _submit_for_action(ack, view, client, interaction, change, status=True)


def _submit_for_action(ack, view, client, interaction: Interaction, change, *, status: bool):
    meta = ActionFormRef.decode(view.get("private_metadata"))

    def work(session):
        workspace_id = interaction.workspace.id
        item = actions.get(session, workspace_id=workspace_id, action_id=meta.action_id)
        account = accounts.get(session, workspace_id=workspace_id, account_id=item.account_id)
        require_action_change(interaction, session, account, item, status=status)
        note = change(session, item)
        return item, account, note, full_origin(session, meta.origin)

    saved = save(ack, view, interaction.sam, work)
    if saved is not None:
        item, account, note, origin = saved
        _show(client, interaction, item, account, note, origin)


def _show(client, interaction: Interaction, item, account, note: str, origin) -> None:
    show_change(
        client,
        action=item,
        account=account,
        today=interaction.today,
        note=note,
        origin=origin,
        ephemeral_blocks=redrawn_action_list(interaction, changed=item, note=note),
    )
    if origin.home:
        publish_home(client, interaction)


# Stakeholders -------------------------------------------------------------------------------


def open_stakeholder_edit(ack, body, action, client, respond, interaction: Interaction):
    ack()
    person_id = StakeholderRef.decode(action["value"]).id
    metadata = StakeholderFormRef(
        stakeholder_id=person_id,
        channel=interaction.channel_id,
        response_url=body.get("response_url"),
    ).encode()
    with interaction.sam.session() as session:
        person = stakeholders.get(
            session, workspace_id=interaction.workspace.id, stakeholder_id=person_id
        )
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=person.account_id
        )
        require_change(interaction, session, account, "its stakeholders")
        managers = stakeholders.list_for_account(session, account_id=person.account_id)
        view = edit_modals.stakeholder_edit_modal(person, managers=managers, metadata=metadata)
    open_form(client, respond, interaction, view)


def submit_stakeholder_edit(ack, body, view, client, interaction: Interaction):
    meta = StakeholderFormRef.decode(view.get("private_metadata"))
    values = form_values(view)
    left = YES in (values.pop("left_company", None) or [])

    def work(session):
        workspace_id = interaction.workspace.id
        before = stakeholders.get(
            session, workspace_id=workspace_id, stakeholder_id=meta.stakeholder_id
        )
        account = accounts.get(session, workspace_id=workspace_id, account_id=before.account_id)
        require_change(interaction, session, account, "its stakeholders")
        person = stakeholders.update(
            session, workspace_id=workspace_id, stakeholder_id=meta.stakeholder_id, data=values
        )
        stakeholders.set_left(session, stakeholder=person, left=left, today=interaction.today)
        people = stakeholders.list_for_account(session, account_id=account.id)
        return person.name, messages.stakeholders_message(account, people)

    saved = save(ack, view, interaction.sam, work)
    if saved is None:
        return
    name, (_, blocks) = saved
    what = "marked *{}* as having left the company" if left else "updated *{}*"
    note = f":bust_in_silhouette: <@{interaction.user_id}> {what.format(escape(name))}."
    _tell(client, interaction, meta, note, blocks)


def _tell(client, interaction: Interaction, meta, note: str, blocks: list[dict]) -> None:
    """Redraw the list the form came from with what changed on top, else tell the user alone."""
    if meta.response_url:
        WebhookClient(meta.response_url).send(
            text=note, blocks=[bk.context(note), *blocks][:50], replace_original=True
        )
    elif meta.channel:
        client.chat_postEphemeral(channel=meta.channel, user=interaction.user_id, text=note)
    else:
        client.chat_postMessage(channel=interaction.user_id, text=note)


# The account --------------------------------------------------------------------------------


def account_subcommand(verb: str, *, client, respond, interaction: Interaction, rest: str = ""):
    """`/sam account edit`, `archive`, `unarchive` and `private on|off`, for this channel's
    account."""
    workspace_id = interaction.workspace.id
    if verb == "private":
        return set_private(respond=respond, interaction=interaction, rest=rest)
    with interaction.sam.session() as session:
        if verb == "unarchive":
            account = accounts.get_by_channel(
                session,
                workspace_id=workspace_id,
                channel_id=interaction.channel_id or "",
                include_archived=True,
            )
            if account is None or not account.archived:
                raise DomainError("This channel's account is not archived.")
        else:
            account = interaction.linked_account(session, doing=f"{verb} its account")
        require_change(interaction, session, account, "the account")
        if verb == "edit":
            metadata = AccountFormRef(account_id=account.id, channel=interaction.channel_id)
            view = edit_modals.account_edit_modal(account, metadata=metadata.encode())
        else:
            accounts.set_archived(
                session,
                workspace_id=workspace_id,
                account_id=account.id,
                archived=verb == "archive",
            )
            name = account.name
    if verb == "edit":
        return open_form(client, respond, interaction, view)
    if verb == "archive":
        text = (
            f":file_cabinet: <@{interaction.user_id}> archived *{escape(name)}*: no more nudges "
            "or reports, and it is out of the lists. Its history is kept; "
            "`/sam account unarchive` here brings it back."
        )
    else:
        text = (
            f":sparkles: <@{interaction.user_id}> brought *{escape(name)}* back from the archive."
        )
    respond(text=text, response_type="in_channel")


def set_private(*, respond, interaction: Interaction, rest: str):
    """`/sam account private on|off`: a private account is seen by its team and admins only."""
    word = rest.lower().split()[-1:] or [""]
    if word[0] not in ("on", "off"):
        raise DomainError(
            "Say `/sam account private on` (only the account team and workspace admins see "
            "it) or `/sam account private off`."
        )
    private = word[0] == "on"
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="make its account private")
        require_change(interaction, session, account, "who sees the account", team_only=True)
        accounts.set_private(
            session, workspace_id=account.workspace_id, account_id=account.id, private=private
        )
        name = escape(account.name)
    if private:
        text = (
            f":lock: <@{interaction.user_id}> made *{name}* private: only its account team and "
            "workspace admins see it in lists, the roll-up, the portfolio and Home. "
            "Posts in this channel go on as before."
        )
    else:
        text = f":unlock: <@{interaction.user_id}> made *{name}* visible to everyone again."
    respond(text=text, response_type="in_channel")


def submit_account_edit(ack, body, view, client, interaction: Interaction):
    meta = AccountFormRef.decode(view.get("private_metadata"))
    values = form_values(view)

    def work(session):
        workspace_id = interaction.workspace.id
        account = accounts.get(session, workspace_id=workspace_id, account_id=meta.account_id)
        require_change(interaction, session, account, "the account")
        return accounts.update(
            session, workspace_id=workspace_id, account_id=meta.account_id, data=values
        ).name

    name = save(ack, view, interaction.sam, work)
    if name is None:
        return
    text = f":pencil2: <@{interaction.user_id}> updated the account *{escape(name)}*."
    if meta.channel:
        client.chat_postEphemeral(channel=meta.channel, user=interaction.user_id, text=text)
    else:
        client.chat_postMessage(channel=interaction.user_id, text=text)


# Objectives ---------------------------------------------------------------------------------


def _objectives_message(session, account) -> messages.Message:
    return record_messages.objectives_message(
        account,
        plans.list_for_account(session, account_id=account.id),
        progress=plans.progress(session, account_id=account.id),
        actions=plans.actions_by_objective(session, account_id=account.id),
    )


def list_objectives(*, respond, interaction: Interaction, **_):
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="list its objectives")
        message = _objectives_message(session, account)
    reply(respond, message)


def open_objective_new(ack, body, action, client, respond, interaction: Interaction):
    ack()
    account_id = AccountRef.decode(action["value"]).id
    with interaction.sam.session() as session:
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=account_id
        )
        require_change(interaction, session, account, "its objectives")
    metadata = ObjectiveFormRef(account_id=account_id, response_url=body.get("response_url"))
    open_form(
        client, respond, interaction, edit_modals.objective_modal(None, metadata=metadata.encode())
    )


def open_objective_edit(ack, body, action, client, respond, interaction: Interaction):
    ack()
    objective_id = ObjectiveRef.decode(action["value"]).id
    with interaction.sam.session() as session:
        objective = plans.get(
            session, workspace_id=interaction.workspace.id, objective_id=objective_id
        )
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=objective.account_id
        )
        require_change(interaction, session, account, "its objectives")
        metadata = ObjectiveFormRef(
            account_id=objective.account_id,
            objective_id=objective.id,
            response_url=body.get("response_url"),
        )
        view = edit_modals.objective_modal(objective, metadata=metadata.encode())
    open_form(client, respond, interaction, view)


def submit_objective(ack, body, view, client, interaction: Interaction):
    meta = ObjectiveFormRef.decode(view.get("private_metadata"))
    values = filled(form_values(view))
    if "target_date" not in values:
        values["target_date"] = None  # cleared in the form

    def work(session):
        workspace_id = interaction.workspace.id
        account = accounts.get(session, workspace_id=workspace_id, account_id=meta.account_id)
        require_change(interaction, session, account, "its objectives")
        if meta.objective_id:
            plans.update(
                session, workspace_id=workspace_id, objective_id=meta.objective_id, data=values
            )
        else:
            plans.create(session, workspace_id=workspace_id, account_id=account.id, data=values)
        return _objectives_message(session, account)

    message = save(ack, view, interaction.sam, work)
    if message is None:
        return
    verb = "updated" if meta.objective_id else "added"
    title = escape(values.get("title", ""))
    note = f":dart: <@{interaction.user_id}> {verb} the objective *{title}*."
    _tell(client, interaction, meta, note, message.blocks)


def objective_status_chosen(ack, action, respond, interaction: Interaction):
    ack()
    choice = ObjectiveStatusChoice.decode(action["selected_option"]["value"])
    with interaction.sam.session() as session:
        before = plans.get(session, workspace_id=interaction.workspace.id, objective_id=choice.id)
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=before.account_id
        )
        require_change(interaction, session, account, "its objectives")
        plans.set_status(
            session,
            workspace_id=interaction.workspace.id,
            objective_id=choice.id,
            status=choice.status,
        )
        message = _objectives_message(session, account)
    reply(respond, message, replace=True)


# History ------------------------------------------------------------------------------------


def show_history(*, respond, interaction: Interaction, rest: str, **_):
    """`/sam history [@stakeholder|kind] [since DATE]`."""
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="show its history")
        page = read_history_filters(session, account.id, rest, interaction.today)
        message = _history_message(session, account, page)
    reply(respond, message)


def history_page(ack, action, respond, interaction: Interaction):
    ack()
    page = HistoryPage.decode(action["value"])
    with interaction.sam.session() as session:
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=page.account_id
        )
        message = _history_message(session, account, page)
    reply(respond, message, replace=True)


def read_history_filters(session, account_id: int, text: str, today: date) -> HistoryPage:
    """The filters typed after `/sam history`, in any order: a kind (`call`), a stakeholder
    (`@Walter Boss`), and a date (`since 2026-09-01`, or just the date)."""
    words = text.split()
    lowered = [word.lower() for word in words]
    since_text = ""
    if "since" in lowered:
        at = lowered.index("since")
        since_text, words = " ".join(words[at + 1 :]) or " ", words[:at]
    kind, name, rest = None, [], []
    for word in words:
        if kind is None and word.lower() in KIND_WORDS:
            kind = KIND_WORDS[word.lower()].value
        elif word.startswith("@") or (name and not rest):
            name.append(word)
        else:
            rest.append(word)
    person_id = None
    if name:
        wanted = " ".join(name).lstrip("@")
        person = stakeholders.find_by_name(session, account_id=account_id, name=wanted)
        if person is None:
            raise DomainError(
                f"No single stakeholder of this account is called `{escape(wanted)}`: "
                "`/sam stakeholders` lists them."
            )
        person_id = person.id
    since_text = since_text or " ".join(rest)
    since = parse_past_date(since_text, today) if since_text else None
    return HistoryPage(
        account_id=account_id,
        stakeholder_id=person_id,
        kind=kind,
        since=since.isoformat() if since else None,
    )


HISTORY_USAGE = (
    "`/sam history`, `/sam history @Walter`, `/sam history call`, "
    "`/sam history since 2026-09-01` or `/sam history meeting since 3 months ago`."
)


def parse_past_date(text: str, today: date) -> date:
    day = parse_date(text, today=today, past=True) if text.strip() else None
    if day is None:
        raise DomainError(f"I couldn't read `{escape(text)}` as a date. Try {HISTORY_USAGE}")
    return day


def _history_message(session, account, page: HistoryPage) -> messages.Message:
    kind = TouchpointKind(page.kind) if page.kind else None
    since = date.fromisoformat(page.since) if page.since else None
    found, total = touchpoints.history(
        session,
        account_id=account.id,
        stakeholder_id=page.stakeholder_id,
        kind=kind,
        since=since,
        offset=page.page * record_messages.HISTORY_PAGE_SIZE,
        limit=record_messages.HISTORY_PAGE_SIZE,
    )
    about = ""
    if page.stakeholder_id:
        person = stakeholders.get(
            session, workspace_id=account.workspace_id, stakeholder_id=page.stakeholder_id
        )
        about += f" with {escape(person.name)}" + (" (left the company)" if person.left_on else "")
    if kind:
        about += f" · {KIND_LABELS[kind].lower()}s"
    if since:
        about += f" · since {since:%d %b %Y}"
    return record_messages.history_message(account, found, total=total, page=page, about=about)
