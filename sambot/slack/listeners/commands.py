"""/sam, /touchpoint and /action. Each acks first, then does the work and answers."""

import difflib
import re

from slack_bolt import App

from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.dates import parse_date
from sambot.readcache import choices
from sambot.slack import messages, modals, relationship_render
from sambot.slack.catalog import ACTION, SAM, SAM_SUBCOMMANDS, TOUCHPOINT
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.labels import KIND_LABELS, KIND_WORDS
from sambot.slack.listeners import (
    audit,
    checkpoints,
    plan,
    portfolio,
    programme,
    records,
    relationships,
    reports,
    settings,
    team_follow,
)
from sambot.slack.listeners.common import (
    accounts_to_choose,
    action_modal_for,
    open_action_list,
    open_form,
    touchpoint_modal_for,
)
from sambot.slack.listeners.home import refresh_homes, refresh_team_homes
from sambot.slack.permissions import can_see, require_change, viewer
from sambot.slack.refs import FormOrigin
from sambot.slack.sharing import (
    CLIENT_CHANNEL_NOTE,
    confirm,
    note_client_channel,
    permalink,
    share_action,
    share_touchpoint,
    where,
)
from sambot.slack.text import escape, unescape
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints import service as touchpoints
from sambot.touchpoints.models import Source


def register(app: App) -> None:
    app.command(SAM.command)(reported(sam_command))
    app.command(TOUCHPOINT.command)(reported(touchpoint_command))
    app.command(ACTION.command)(reported(action_command))


def typed_text(command: dict) -> str:
    """What the user typed: Slack escapes &, < and > in command text; the builders escape again."""
    return unescape(command.get("text", "").strip())


def reply(respond, message: messages.Message) -> None:
    text, blocks = message
    respond(text=text, blocks=blocks, response_type="ephemeral")


# /sam ---------------------------------------------------------------------------------------


def sam_command(ack, command, client, respond, context, interaction: Interaction):
    ack()
    text = " ".join(typed_text(command).split())
    words = text.lower().split(" ")
    first, second = words[0], (words[1] if len(words) > 1 else "")
    rest = text.split(" ", 1)[1] if " " in text else ""

    if first in ("", "help"):
        return reply(respond, messages.help_message())
    if (first, second) == ("account", "new"):
        return open_account_modal(command, client, respond, interaction)
    if (first, second) == ("stakeholder", "new"):
        return open_stakeholder_modal(command, client, respond, interaction)
    if first == "account" and second in ("edit", "archive", "unarchive", "private"):
        return records.account_subcommand(
            second, client=client, respond=respond, interaction=interaction, rest=rest
        )
    handlers = {
        "account": show_account,
        "accounts": list_accounts,
        "link": link_channel,
        "stakeholders": list_stakeholders,
        "team": show_team,
        "report": reports.preview_report,
        "objectives": records.list_objectives,
        "history": records.show_history,
        "changes": audit.show_changes,
        "map": relationships.show_map,
        "plan": plan.show_plan,
        "checkpoint": checkpoints.checkpoint_command,
        "programme": programme.programme_command,
        "import": portfolio.import_command,
        "portfolio": portfolio.portfolio_command,
        "settings": settings.settings_command,
    }
    handler = handlers.get(first)
    if handler is None:
        return reply(respond, unknown_subcommand(text))
    return handler(
        command=command,
        client=client,
        respond=respond,
        interaction=interaction,
        rest=rest,
        bot_user_id=context.get("bot_user_id"),
    )


def unknown_subcommand(text: str) -> messages.Message:
    guess = difflib.get_close_matches(text.lower(), SAM_SUBCOMMANDS, n=1, cutoff=0.4)
    if not guess:
        guess = difflib.get_close_matches(
            text.lower().split(" ")[0], SAM_SUBCOMMANDS, n=1, cutoff=0.4
        )
    hint = f" Did you mean `/sam {guess[0]}`?" if guess else ""
    return messages.help_message(f":thinking_face: I don't know `/sam {text}`.{hint}")


def form_origin(command) -> FormOrigin:
    return FormOrigin(channel=command["channel_id"], response_url=command.get("response_url"))


def open_account_modal(command, client, respond, interaction: Interaction, name: str = ""):
    channel_id = command["channel_id"]
    open_form(
        client,
        respond,
        interaction,
        modals.account_modal(
            owner_id=command["user_id"],
            channel_id=channel_id if channel_id[0] in "CG" else None,
            name=name,
            metadata=form_origin(command).encode(),
        ),
    )


def open_stakeholder_modal(command, client, respond, interaction: Interaction):
    with interaction.sam.session() as session:
        account = interaction.account(session)
        if account is not None:
            require_change(interaction, session, account, "its stakeholders")
        every_account = accounts_to_choose(session, interaction, account)
        managers = stakeholders.list_for_account(session, account_id=account.id) if account else []
    view = modals.stakeholder_modal(
        accounts=every_account,
        account_id=account.id if account else None,
        managers=managers,
        user_id=interaction.user_id,
        metadata=form_origin(command).encode(),
    )
    open_form(client, respond, interaction, view)


def show_account(*, respond, interaction: Interaction, **_):
    today = interaction.today
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="show its account")
        open_count, overdue = actions.open_and_overdue_counts(
            session, account_id=account.id, today=today
        )
        last = touchpoints.last_for_account(session, account_id=account.id)
        message = messages.account_summary_message(
            account, open_count=open_count, overdue_count=overdue, last_touchpoint=last
        )
        covered = relationships.account_coverage(interaction, session, [account.id])[account.id]
    reply(respond, relationship_render.with_coverage(message, covered))


def list_accounts(*, respond, interaction: Interaction, **_):
    workspace_id = interaction.workspace.id
    with interaction.sam.session() as session:
        seen_by = viewer(interaction, session)
        first = accounts.list_accounts(
            session, workspace_id=workspace_id, limit=messages.MAX_LISTED, viewer=seen_by
        )
        total = accounts.count_accounts(session, workspace_id=workspace_id, viewer=seen_by)
        covered = relationships.account_coverage(interaction, session, [a.id for a in first])
        message = messages.accounts_message(first, total, coverage=covered)
    reply(respond, message)


def link_channel(*, command, client, respond, interaction: Interaction, rest: str, **_):
    name = rest.strip()
    if not name:
        return reply(respond, messages.notice("Name the account: `/sam link Acme`."))
    # Direct messages (D…) and group DMs (G… named mpdm-…) are no account's home.
    is_group_dm = command.get("channel_name", "").startswith("mpdm-")
    if command["channel_id"][0] not in "CG" or is_group_dm:
        return reply(respond, messages.notice("Run `/sam link` in the account's channel."))
    workspace_id = interaction.workspace.id
    with interaction.sam.session() as session:
        account = accounts.find_by_name(session, workspace_id=workspace_id, name=name)
        if account is None or not can_see(interaction, account):
            close = accounts.closest_names(
                session, workspace_id=workspace_id, name=name, viewer=viewer(interaction, session)
            )
            return reply(respond, messages.offer_account_creation(name, close))
        require_change(interaction, session, account, "the account")
        previous = interaction.account(session)
        unlinked = previous.name if previous is not None and previous.id != account.id else None
        accounts.link_channel(
            session,
            workspace_id=workspace_id,
            account_id=account.id,
            channel_id=command["channel_id"],
        )
        account_name, account_id = account.name, account.id
    shared = note_client_channel(
        client,
        interaction.sam.database,
        workspace_id=workspace_id,
        account_id=account_id,
        channel_id=command["channel_id"],
    )
    respond(
        text=f":link: <@{command['user_id']}> linked this channel to *{account_name}*. "
        "Touchpoints, actions, nudges and reports for it now land here."
        + (f" ({unlinked} is no longer linked here.)" if unlinked else "")
        + (CLIENT_CHANNEL_NOTE if shared else ""),
        response_type="in_channel",
    )


def list_stakeholders(*, respond, interaction: Interaction, **_):
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="list its stakeholders")
        people = stakeholders.list_for_account(session, account_id=account.id)
        message = messages.stakeholders_message(account, people)
    reply(respond, message)


def show_team(*, client, respond, interaction: Interaction, bot_user_id=None, **_):
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="show its team")
        text, blocks = messages.team_message(account)
        # Who is in the channel but not on the team, and the reverse, before the last hint.
        blocks[-1:-1] = team_follow.gap_blocks(client, account, bot_user_id)
    reply(respond, messages.Message(text, blocks))


# /touchpoint --------------------------------------------------------------------------------


def touchpoint_command(ack, command, client, respond, interaction: Interaction):
    ack()
    text = typed_text(command)
    if not text:
        return open_touchpoint_modal(command, client, respond, interaction)
    kind_word, _, summary = text.partition(" ")
    kind = KIND_WORDS.get(kind_word.lower())
    if kind is None or not summary.strip():
        kinds = ", ".join(KIND_WORDS[k] for k in KIND_LABELS)
        return reply(
            respond,
            messages.notice(
                f"Start with the kind, then the summary: `/touchpoint call Discussed the renewal timeline`. "
                f"Kinds: {kinds}. Or type `/touchpoint` alone for the form."
            ),
        )
    user_id, channel_id, today = interaction.user_id, command["channel_id"], interaction.today
    sam = interaction.sam
    with sam.session() as session:
        account = interaction.linked_account(session, doing="log a touchpoint")
        touchpoint = touchpoints.create(
            session,
            workspace_id=interaction.workspace.id,
            account_id=account.id,
            logged_by=user_id,
            today=today,
            data={"occurred_on": today, "kind": kind, "summary": summary, "source": Source.COMMAND},
        )
    posted = share_touchpoint(
        client, sam.database, touchpoint=touchpoint, account=account, creator_id=user_id
    )
    posted_in = None if posted.channel_id == channel_id else where(posted)
    link = permalink(client, posted) if posted_in else None
    reply(respond, messages.touchpoint_logged(touchpoint, account, posted_in=posted_in, link=link))
    relationships.offer_actions_to_review(
        client,
        sam.database,
        touchpoint=touchpoint,
        account=account,
        user_id=user_id,
        channel_id=channel_id,
        today=today,
    )
    refresh_team_homes(client, interaction, account.id)


def open_touchpoint_modal(command, client, respond, interaction: Interaction):
    # It writes nothing, and what it lists is kept: a bare connection, a session only to read
    # what is not kept (sambot/readcache.py).
    with interaction.sam.reading() as connection:
        linked = interaction.sam.reads.get(
            connection,
            ("channel's account", interaction.workspace.id, interaction.channel_id),
            lambda session: choices(filter(None, [interaction.account(session)])),
        )
        view = touchpoint_modal_for(
            connection,
            interaction,
            account=linked[0] if linked else None,
            origin=form_origin(command),
        )
    open_form(client, respond, interaction, view)


# /action ------------------------------------------------------------------------------------

QUICK_ACTION = re.compile(
    r"^(?:<@(?P<owner>[UW][A-Z0-9]+)(?:\|[^>]*)?>\s*)?(?P<title>.+?)(?:\s+by\s+(?P<due>[^\s].*))?$",
    re.IGNORECASE | re.DOTALL,
)


def action_command(ack, command, client, respond, interaction: Interaction):
    ack()
    text = typed_text(command)
    if not text:
        return open_action_modal(command, client, respond, interaction)
    first_word = text.lower().split(" ", 1)[0]
    if first_word == "list":
        return reply(respond, open_action_list(interaction))
    if first_word == "help":
        return reply(respond, messages.help_message())
    return quick_action(command, client, respond, interaction, text)


def open_action_modal(command, client, respond, interaction: Interaction):
    with interaction.sam.session() as session:
        account = interaction.account(session)
        if account is not None:
            require_change(interaction, session, account, "its actions")
        view = action_modal_for(session, interaction, account=account, origin=form_origin(command))
    open_form(client, respond, interaction, view)


def quick_action(command, client, respond, interaction: Interaction, text: str):
    user_id, today, sam = interaction.user_id, interaction.today, interaction.sam
    match = QUICK_ACTION.match(text)
    owner_id, title, due_text = match["owner"] or user_id, match["title"], match["due"]
    if not title or title.lower().startswith("by "):
        return reply(
            respond,
            messages.notice(
                "Give the action a title: `/action @dana Send the revised proposal by next friday`."
            ),
        )
    due_date = parse_date(due_text, today=today) if due_text else None
    unread_date = due_text and due_date is None
    if unread_date:
        # "Review contract by legal": "by" was part of the title, not a date.
        title = f"{title} by {due_text}"
    with sam.session() as session:
        account = interaction.linked_account(session, doing="create an action")
        require_change(interaction, session, account, "its actions")
        action = actions.create(
            session,
            workspace_id=interaction.workspace.id,
            account_id=account.id,
            created_by=user_id,
            today=today,
            data={"title": title, "owner_id": owner_id, "due_date": due_date},
        )
    posted = share_action(
        client,
        sam.database,
        action=action,
        account=account,
        today=today,
        note=f"Created by <@{user_id}>",
        creator_id=user_id,
    )
    refresh_homes(client, interaction, action.owner_id)
    if unread_date:
        reply(
            respond,
            messages.notice(
                f"Created *{escape(title)}* with no due date: I couldn't read `{escape(due_text)}` as a "
                "date. Use its *Change due date* button, or type dates like `tomorrow`, "
                "`next friday`, `in 2 weeks`, `the 5th` or `2026-12-05`."
            ),
        )
    confirm(
        client,
        posted,
        what="Action",
        origin_channel=command["channel_id"],
        user_id=user_id,
        respond=respond,
    )
