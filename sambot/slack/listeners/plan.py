"""/sam plan: the account plan's overview, its sections' forms and lists, and its export."""

import logging
import re

from slack_bolt import App
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from sambot.accountplan import export
from sambot.accountplan import service as plan_service
from sambot.accountplan.labels import SECTION_TITLES, SECTION_WORDS
from sambot.accountplan.models import FIELD_SECTIONS, ITEM_SECTIONS, Section
from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.slack import plan_render
from sambot.slack.blocks import Message
from sambot.slack.context import Interaction
from sambot.slack.errors import reported, tell_user
from sambot.slack.forms import form_values
from sambot.slack.ids import Button, Callback
from sambot.slack.listeners.common import open_form
from sambot.slack.listeners.views import filled, save
from sambot.slack.permissions import require_change
from sambot.slack.refs import PlanFormRef, PlanRef, StaleReference
from sambot.slack.sharing import permalink, post_to_account
from sambot.slack.text import escape
from sambot.validation import DomainError

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    # `/sam plan` itself is a subcommand, dispatched by the /sam listener.
    app.action(re.compile(f"^{Button.PLAN_EDIT}_"))(reported(edit_section))
    app.action(Button.PLAN_OPEN)(reported(open_plan))
    app.action(Button.PLAN_ITEM)(reported(item_menu))
    app.action(Button.PLAN_ADD)(reported(add_item))
    app.action(Button.PLAN_MORE)(reported(more_items))
    app.action(Button.PLAN_POST)(reported(post_plan))
    app.view(Callback.PLAN_FIELDS)(reported(submit_fields))
    app.view(Callback.PLAN_ITEM)(reported(submit_item))


def _say(respond, message: Message, *, replace: bool = False) -> None:
    text, blocks = message
    if replace:
        respond(text=text, blocks=blocks, replace_original=True)
    else:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def _overview(interaction: Interaction, account: Account, *, preview: bool, note=None) -> Message:
    today = interaction.today
    with interaction.sam.session() as session:
        plan = plan_service.plan_for_account(session, account_id=account.id, today=today)
        return plan_render.plan_overview(
            account,
            plan,
            today=today,
            stale_days=interaction.sam.settings.sambot_stale_days,
            preview=preview,
            note=note,
        )


def _section_message(
    interaction: Interaction, account: Account, section: Section, *, offset=0, note=None
) -> Message:
    today = interaction.today
    with interaction.sam.session() as session:
        plan = plan_service.plan_for_account(session, account_id=account.id, today=today)
    if section == Section.ACTIONS:
        return plan_render.objectives_message(account, plan, today=today, offset=offset)
    return plan_render.items_message(account, plan, section, offset=offset, note=note)


def _account(interaction: Interaction, account_id: int) -> Account:
    with interaction.sam.session() as session:
        return accounts.get(session, workspace_id=interaction.workspace.id, account_id=account_id)


def _changeable(interaction: Interaction, account_id: int) -> Account:
    """The account, if the user may change its plan; else NotAllowed says who may."""
    with interaction.sam.session() as session:
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=account_id
        )
        require_change(interaction, session, account, "its plan")
        return account


# /sam plan [export | section] -------------------------------------------------------------------


def show_plan(*, command, client, respond, interaction: Interaction, rest: str, **_):
    word = rest.strip().lower()
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="show its plan")
    if word == "export":
        return export_plan(client, respond, interaction, account)
    if word in SECTION_WORDS and SECTION_WORDS[word] in FIELD_SECTIONS:
        account = _changeable(interaction, account.id)
    if word in SECTION_WORDS:
        return _open_section(client, respond, interaction, account, SECTION_WORDS[word], None)
    if word:
        sections = ", ".join(
            f"`{w}`"
            for w in (
                "export",
                "profile",
                "value",
                "strategy",
                "industry",
                "competition",
                "expansion",
                "objectives",
            )
        )
        return respond(
            text=f":thinking_face: `/sam plan` takes nothing, or one of: {sections}.",
            response_type="ephemeral",
        )
    _say(respond, _overview(interaction, account, preview=True))


def export_plan(client, respond, interaction: Interaction, account: Account) -> None:
    """The whole plan as a Markdown file and a standalone HTML page, uploaded to the channel
    (to the user alone when the channel is shared with the client: the plan is internal)."""
    with interaction.sam.session() as session:
        document = export.plan_document(
            session, account=account, today=interaction.today, name_of=_namer(interaction)
        )
    files = [
        {
            "content": export.render_markdown(document),
            "filename": export.filename(account, "md"),
            "title": f"Account plan · {account.name} (Markdown)",
        },
        {
            "content": export.render_html(document),
            "filename": export.filename(account, "html"),
            "title": f"Account plan · {account.name} (web page)",
        },
    ]
    comment = (
        f"Account plan of *{escape(account.name)}*, exported by <@{interaction.user_id}>: "
        "Markdown, and a web page that prints cleanly."
    )
    if not account.channel_shared_with_client:
        client.files_upload_v2(
            channel=interaction.channel_id, file_uploads=files, initial_comment=comment
        )
        return
    direct = client.conversations_open(users=interaction.user_id)["channel"]["id"]
    client.files_upload_v2(channel=direct, file_uploads=files, initial_comment=comment)
    respond(
        text=":page_facing_up: The plan's export is in your direct messages: this channel is "
        "shared with the client, and the plan is internal.",
        response_type="ephemeral",
    )


def _namer(interaction: Interaction):
    people = interaction.sam.people

    def name_of(user_id: str) -> str:
        return people.get(user_id, interaction.token).name

    return name_of


# Buttons -------------------------------------------------------------------------------------


def open_plan(ack, body, action, client, respond, interaction: Interaction):
    """`Plan` on the account summary or the Home tab, `Back to the plan` under a section."""
    ack()
    ref = PlanRef.decode(action["value"])
    account = _account(interaction, ref.account_id)
    from_home = (body.get("container") or {}).get("type") == "view"
    if from_home:
        # The Home tab has no conversation to answer in: the plan comes as a direct message.
        text, blocks = _overview(interaction, account, preview=False)
        client.chat_postMessage(channel=interaction.user_id, text=text, blocks=blocks)
        return
    # "Back to the plan" under a section's list replaces that list.
    _say(respond, _overview(interaction, account, preview=True), replace=ref.back is not None)


def edit_section(ack, body, action, client, respond, interaction: Interaction):
    ack()
    ref = PlanRef.decode(action["value"])
    if ref.section is None:
        raise StaleReference()
    if ref.section in FIELD_SECTIONS:
        account = _changeable(interaction, ref.account_id)
    else:  # an item section opens its list, to read
        account = _account(interaction, ref.account_id)
    _open_section(client, respond, interaction, account, ref.section, body, back=ref.back)


def _open_section(client, respond, interaction, account, section, body, *, back=None):
    """A field section opens its form; an item section (and the action plan) its list."""
    if section in FIELD_SECTIONS:
        with interaction.sam.session() as session:
            plan = plan_service.plan_for_account(
                session, account_id=account.id, today=interaction.today
            )
        metadata = PlanFormRef(
            plan=PlanRef(account_id=account.id, section=section, back=back),
            channel=interaction.channel_id,
            response_url=(body or {}).get("response_url") if back else None,
        ).encode()
        view = plan_render.fields_modal(
            account, section, plan.fields.get(section, {}), metadata=metadata
        )
        return open_form(client, respond, interaction, view)
    _say(respond, _section_message(interaction, account, section))


def item_menu(ack, body, action, client, respond, interaction: Interaction):
    ack()
    ref = PlanRef.decode(action["selected_option"]["value"])
    if ref.section not in ITEM_SECTIONS or ref.item_id is None:
        raise StaleReference()
    account = _changeable(interaction, ref.account_id)
    if ref.verb == "remove":
        with interaction.sam.session() as session:
            item = plan_service.remove_item(
                session,
                workspace_id=interaction.workspace.id,
                section=ref.section,
                item_id=ref.item_id,
                removed_by=interaction.user_id,
            )
            what = plan_render.item_line(ref.section, item, account).split("\n")[0]
        note = f":wastebasket: <@{interaction.user_id}> removed {what}"
        return _say(
            respond, _section_message(interaction, account, ref.section, note=note), replace=True
        )
    with interaction.sam.session() as session:
        item = plan_service.get_item(
            session, workspace_id=interaction.workspace.id, section=ref.section, item_id=ref.item_id
        )
        metadata = PlanFormRef(
            plan=ref.model_copy(update={"verb": None}),
            channel=interaction.channel_id,
            response_url=body.get("response_url"),
        ).encode()
        view = plan_render.item_modal(account, ref.section, item, metadata=metadata)
    open_form(client, respond, interaction, view)


def add_item(ack, body, action, client, respond, interaction: Interaction):
    ack()
    ref = PlanRef.decode(action["value"])
    if ref.section not in ITEM_SECTIONS:
        raise StaleReference()
    account = _changeable(interaction, ref.account_id)
    metadata = PlanFormRef(
        plan=PlanRef(account_id=account.id, section=ref.section, back="items"),
        channel=interaction.channel_id,
        response_url=body.get("response_url"),
    ).encode()
    open_form(
        client,
        respond,
        interaction,
        plan_render.item_modal(account, ref.section, metadata=metadata),
    )


def more_items(ack, action, respond, interaction: Interaction):
    ack()
    ref = PlanRef.decode(action["value"])
    if ref.section is None or ref.section in FIELD_SECTIONS:
        raise StaleReference()
    account = _account(interaction, ref.account_id)
    _say(
        respond,
        _section_message(interaction, account, ref.section, offset=ref.offset),
        replace=True,
    )


def post_plan(ack, action, client, respond, interaction: Interaction):
    ack()
    ref = PlanRef.decode(action["value"])
    account = _account(interaction, ref.account_id)
    if account.channel_shared_with_client:
        raise DomainError(
            "This account's channel is shared with the client: the plan stays internal."
        )
    message = _overview(
        interaction, account, preview=False, note=f"Posted by <@{interaction.user_id}>"
    )
    posted = post_to_account(client, account, message, creator_id=interaction.user_id)
    link = permalink(client, posted)
    where = f"<#{posted.channel_id}>" if posted.in_account_channel else "your direct messages"
    respond(
        text=f":white_check_mark: Plan posted in {where}"
        + (f" · <{link}|view>" if link else "")
        + ".",
        replace_original=True,
    )


# Forms ---------------------------------------------------------------------------------------


def submit_fields(ack, view, client, interaction: Interaction):
    meta = PlanFormRef.decode(view.get("private_metadata"))
    section = meta.plan.section
    if section not in FIELD_SECTIONS:
        raise StaleReference()
    values = form_values(view)

    def work(session):
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=meta.plan.account_id
        )
        require_change(interaction, session, account, "its plan")
        plan_service.update_fields(
            session,
            workspace_id=account.workspace_id,
            account_id=account.id,
            section=section,
            data=values,
            updated_by=interaction.user_id,
            now=interaction.sam.clock(),
        )
        return account

    account = save(ack, view, interaction.sam, work)
    if account is not None:
        _after_save(
            client, interaction, account, meta, f"updated the {SECTION_TITLES[section].lower()}."
        )


def submit_item(ack, view, client, interaction: Interaction):
    meta = PlanFormRef.decode(view.get("private_metadata"))
    section = meta.plan.section
    if section not in ITEM_SECTIONS:
        raise StaleReference()
    values = filled(form_values(view))

    def work(session):
        account = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=meta.plan.account_id
        )
        require_change(interaction, session, account, "its plan")
        item = plan_service.save_item(
            session,
            workspace_id=account.workspace_id,
            account_id=account.id,
            section=section,
            data=values,
            updated_by=interaction.user_id,
            item_id=meta.plan.item_id,
            now=interaction.sam.clock(),
        )
        return account, plan_render.item_line(section, item, account).split("\n")[0]

    saved = save(ack, view, interaction.sam, work)
    if saved is not None:
        account, what = saved
        verb = "changed" if meta.plan.item_id else "added"
        _after_save(client, interaction, account, meta, f"{verb} {what}")


def _after_save(client, interaction: Interaction, account: Account, meta: PlanFormRef, did: str):
    """Redraw the message the form came from (the overview or the section's list); else
    tell the user alone."""
    note = f":pencil2: <@{interaction.user_id}> {did}"
    if meta.response_url and meta.plan.back:
        if meta.plan.back in ("plan", "preview"):
            preview = meta.plan.back == "preview"
            message = _overview(interaction, account, preview=preview, note=note)
        else:
            message = _section_message(interaction, account, meta.plan.section, note=note)
        sent = WebhookClient(meta.response_url).send(
            text=message.text, blocks=message.blocks, replace_original=True
        )
        if sent.status_code == 200:
            return
        # An expired response_url (30 minutes, 5 uses): say it another way.
        logger.warning("could not redraw the plan message after a save: %s", sent.body)
    try:
        tell_user(
            client,
            None,
            interaction.user_id,
            meta.channel,
            False,
            note.replace(":pencil2:", ":white_check_mark:") + f" (*{escape(account.name)}*)",
        )
    except SlackApiError:
        client.chat_postMessage(channel=interaction.user_id, text=note)
