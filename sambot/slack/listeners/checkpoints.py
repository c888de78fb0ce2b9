"""/sam checkpoint, the score buttons in the questions, and the comment form."""

import logging
import re

from slack_bolt import App
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.checkpoints import service as checkpoints
from sambot.checkpoints.models import CheckpointRound, Question
from sambot.checkpoints.service import RoundClosed
from sambot.jobs.checkpoint_job import closed_questions, lock_questions
from sambot.slack import blocks as bk
from sambot.slack import messages
from sambot.slack.blocks import Message
from sambot.slack.checkpoint_render import closed_message, question_message, results_message
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import Checkpoint
from sambot.slack.listeners.common import open_form
from sambot.slack.refs import CheckpointCommentForm, CheckpointRef, CheckpointScoreRef
from sambot.slack.text import escape, format_date, plural
from sambot.validation import DomainError

logger = logging.getLogger(__name__)

SCORE_BUTTON = re.compile(rf"^{Checkpoint.SCORE_PREFIX}(information|roles|coordination)_[1-5]$")


def register(app: App) -> None:
    app.action(SCORE_BUTTON)(reported(press_score))
    app.action(Checkpoint.COMMENT)(reported(open_comment))
    app.view(Checkpoint.COMMENT_FORM)(reported(submit_comment))


def _reply(respond, message: Message) -> None:
    respond(text=message.text, blocks=message.blocks, response_type="ephemeral")


# /sam checkpoint [close | monthly on | monthly off] -----------------------------------------


def checkpoint_command(*, client, respond, interaction: Interaction, rest: str, **_):
    words = rest.lower().split()
    today, user_id = interaction.today, interaction.user_id
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="run a checkpoint")
        if words[:1] == ["monthly"]:
            on = words[1:2] != ["off"]
            checkpoints.set_monthly(
                session,
                workspace_id=interaction.workspace.id,
                account_id=account.id,
                on=on,
                set_by=user_id,
            )
            text = (
                f":calendar: *{escape(account.name)}*'s team will be asked every month "
                "(on the first working day the checkpoints job runs). "
                "`/sam checkpoint monthly off` stops it."
                if on
                else f"No more monthly checkpoints for *{escape(account.name)}*."
            )
            return _reply(respond, messages.notice(text))
        current = checkpoints.open_round(session, account_id=account.id)
        if words[:1] == ["close"]:
            if current is None:
                return _reply(respond, messages.notice("No checkpoint is open for this account."))
            if user_id not in (account.owner_id, current.started_by):
                raise DomainError("Only the account owner or whoever started it can close it.")
            round_id = current.id
        elif current is not None:
            answered = checkpoints.answered_count(session, round_id=current.id)
            return _reply(
                respond,
                messages.notice(
                    f"A checkpoint is open until {format_date(current.closes_on)}: {answered} of "
                    f"{plural(len(current.answers), 'person', 'people')} answered. "
                    "`/sam checkpoint close` closes it now and posts the results."
                ),
            )
        else:
            started = checkpoints.start(
                session,
                workspace_id=interaction.workspace.id,
                account=account,
                started_by=user_id,
                today=today,
            )
            questions = [
                (answer.user_id, question_message(started, account.name, answer))
                for answer in started.answers
            ]
            text = (
                f":compass: <@{user_id}> started an alignment checkpoint for "
                f"*{escape(account.name)}*: {plural(len(questions), 'team member')} asked three "
                f"quick questions by direct message. A reminder goes on "
                f"{format_date(started.remind_on)}; the results are posted here on "
                f"{format_date(started.closes_on)}."
            )
            round_id, started_id = None, started.id
    if round_id is not None:
        if not close_and_post(client, interaction.sam, round_id):
            _reply(respond, messages.notice("That checkpoint was already closed."))
        return None
    sent = [(member, _send(client, member, message)) for member, message in questions]
    with interaction.sam.session() as session:
        for member, posted in sent:
            if posted is not None:
                checkpoints.record_sent(
                    session,
                    round_id=started_id,
                    user_id=member,
                    channel_id=posted["channel"],
                    ts=posted["ts"],
                )
    respond(text=text, response_type="in_channel")
    return None


def _send(client, user_id: str, message: Message):
    try:
        return client.chat_postMessage(channel=user_id, text=message.text, blocks=message.blocks)
    except SlackApiError as exc:  # a deactivated member must not stop the others being asked
        logger.warning("checkpoint not sent to %s: %s", user_id, exc.response.get("error"))
        return None


def results_for(session: Session, round_id: int):
    """(account, results message) of a closed round, compared with the round before."""
    checkpoint = session.get(CheckpointRound, round_id)
    account = accounts.get(
        session, workspace_id=checkpoint.workspace_id, account_id=checkpoint.account_id
    )
    earlier = checkpoints.latest_results(
        session, account_ids=[account.id], before=checkpoint.started_on, rounds=1
    ).get(account.id)
    result = checkpoints.results(checkpoint)
    return account, results_message(result, account.name, earlier[0] if earlier else None)


def close_and_post(client, sam, round_id: int) -> bool:
    """Close now and post the results in the account's channel (or to its owner)."""
    with sam.session() as session:
        if not checkpoints.close(session, round_id=round_id):
            return False
        account, message = results_for(session, round_id)
        where = account.channel_id or account.owner_id
        closed = closed_questions(session.get(CheckpointRound, round_id), account.name)
    client.chat_postMessage(channel=where, text=message.text, blocks=message.blocks)
    lock_questions(client, closed)
    return True


# Buttons in the questions -----------------------------------------------------------------


def _where(body: dict) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    return container.get("channel_id"), container.get("message_ts")


def _redraw(client, channel: str | None, ts: str | None, message: Message) -> None:
    if channel and ts:
        client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)


def _show_closed(client, interaction: Interaction, round_id: int, channel, ts) -> None:
    """A late press: the questions give way to the person's answers, without buttons."""
    with interaction.sam.session() as session:
        checkpoint = checkpoints.get_round(
            session, workspace_id=interaction.workspace.id, round_id=round_id
        )
        account = accounts.get(
            session, workspace_id=checkpoint.workspace_id, account_id=checkpoint.account_id
        )
        mine = next((a for a in checkpoint.answers if a.user_id == interaction.user_id), None)
        message = closed_message(checkpoint, account.name, mine)
    _redraw(client, channel, ts, message)


def press_score(ack, body, action, client, interaction: Interaction):
    ack()
    ref = CheckpointScoreRef.decode(action.get("value"))
    channel, ts = _where(body)
    try:
        with interaction.sam.session() as session:
            answer = checkpoints.answer(
                session,
                workspace_id=interaction.workspace.id,
                round_id=ref.round_id,
                user_id=interaction.user_id,
                question=Question(ref.question),
                score=ref.score,
            )
            checkpoint = answer.round
            account = accounts.get(
                session, workspace_id=checkpoint.workspace_id, account_id=checkpoint.account_id
            )
            message = question_message(checkpoint, account.name, answer)
    except RoundClosed:
        _show_closed(client, interaction, ref.round_id, channel, ts)
        raise
    _redraw(client, channel, ts, message)


def open_comment(ack, body, action, client, respond, interaction: Interaction):
    ack()
    round_id = CheckpointRef.decode(action.get("value")).id
    channel, ts = _where(body)
    with interaction.sam.session() as session:
        checkpoint = checkpoints.get_round(
            session, workspace_id=interaction.workspace.id, round_id=round_id
        )
        if not checkpoint.is_open:
            raise RoundClosed(checkpoint.closes_on)
        mine = next((a for a in checkpoint.answers if a.user_id == interaction.user_id), None)
        current = mine.comment if mine else None
    view = bk.modal(
        Checkpoint.COMMENT_FORM,
        "Checkpoint comment",
        [
            bk.input_block(
                "comment",
                "Anything the team should know?",
                bk.element(
                    "plain_text_input",
                    "comment",
                    multiline=True,
                    max_length=1000,
                    initial_value=current,
                ),
                optional=True,
                hint="Shown with the results, without your name.",
            )
        ],
        submit="Save",
        private_metadata=CheckpointCommentForm(round_id=round_id, channel=channel, ts=ts).encode(),
    )
    open_form(client, respond, interaction, view)


def submit_comment(ack, view, client, interaction: Interaction):
    meta = CheckpointCommentForm.decode(view.get("private_metadata"))
    value = (view["state"]["values"].get("comment") or {}).get("comment") or {}
    try:
        with interaction.sam.session() as session:
            answer = checkpoints.comment(
                session,
                workspace_id=interaction.workspace.id,
                round_id=meta.round_id,
                user_id=interaction.user_id,
                text=value.get("value") or "",
            )
            checkpoint = answer.round
            account = accounts.get(
                session, workspace_id=checkpoint.workspace_id, account_id=checkpoint.account_id
            )
            message = question_message(checkpoint, account.name, answer)
    except RoundClosed as exc:
        ack(response_action="errors", errors={"comment": str(exc)})
        return
    ack()
    _redraw(client, meta.channel, meta.ts, message)
