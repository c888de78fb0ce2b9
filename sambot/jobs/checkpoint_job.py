"""The checkpoints job: monthly rounds started, one reminder, rounds closed with their results.

Every post goes through the run's queue with a delivery record: the questions and the
reminder are keyed on the person and the round (so a reminder is sent once per round,
whatever the day), the results on the account. Where a question or reminder went is kept
on the person's answer, for the round's closing to take its buttons away.
"""

import logging

from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sambot.accounts.models import Account
from sambot.checkpoints import service as checkpoints
from sambot.checkpoints.models import CheckpointRound
from sambot.deliveries.models import Delivery
from sambot.jobs.job import Job, WorkspaceRun
from sambot.jobs.posting import OnPosted, Target
from sambot.slack.blocks import Message
from sambot.slack.checkpoint_render import closed_message, question_message, results_message

logger = logging.getLogger(__name__)

JOB_KIND = "checkpoints"


def asked_key(user_id: str, round_id: int) -> str:
    return f"{user_id}/a{round_id}"


def reminder_key(user_id: str, round_id: int) -> str:
    return f"{user_id}/r{round_id}"


def keep_where_sent(round_id: int, user_id: str, *, reminder: bool = False) -> OnPosted:
    """Keeps where a question (or reminder) went on the person's answer, once it is posted."""

    def kept(connection, channel_id: str, ts: str) -> None:
        with Session(connection) as db, db.begin():
            checkpoints.record_sent(
                db,
                round_id=round_id,
                user_id=user_id,
                channel_id=channel_id,
                ts=ts,
                reminder=reminder,
            )

    return kept


def closed_questions(
    checkpoint: CheckpointRound, account_name: str
) -> list[tuple[str, str, Message]]:
    """(channel, ts, closed version) of each question and reminder sent in the round."""
    return [
        (channel, ts, closed_message(checkpoint, account_name, answer))
        for answer, channel, ts in checkpoints.sent_messages(checkpoint)
    ]


def lock_questions(client, closed: list[tuple[str, str, Message]]) -> None:
    """The questions lose their score buttons: the round takes no more answers."""
    for channel, ts, message in closed:
        try:
            client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
        except SlackApiError as exc:  # a deleted message or a member gone: the rest go on
            logger.warning("checkpoint question %s not closed: %s", ts, exc.response.get("error"))


def _account_id(db, job: WorkspaceRun) -> int | None:
    return db.scalar(
        select(Account.id).where(
            Account.workspace_id == job.workspace_id,
            func.lower(Account.name) == job.options.account.strip().lower(),
        )
    )


def run(job: WorkspaceRun) -> None:
    today, dry_run = job.today, job.options.dry_run
    account_id = None
    if job.options.account:
        with job.database.session() as db:
            account_id = _account_id(db, job)
        if account_id is None:
            return
    scope = {"workspace_id": job.workspace_id, "today": today, "account_id": account_id}

    # Accounts asked every month: a round for those with none this month.
    with job.database.session() as db:
        due = checkpoints.accounts_due_monthly(db, **scope)
        due = [(account.id, account.name) for account in due]
    for due_id, name in due:
        if dry_run:
            job.summary.skipped.append((name, "dry run: a monthly checkpoint would start"))
            continue
        with job.database.session() as db:
            account = db.get(Account, due_id)
            started = checkpoints.start(
                db,
                workspace_id=job.workspace_id,
                account=account,
                started_by=checkpoints.SCHEDULED,
                today=today,
            )
            asks = [
                (answer.user_id, question_message(started, name, answer))
                for answer in started.answers
            ]
            round_id = started.id
        for user_id, message in asks:
            target = Target(
                label=f"<@{user_id}> (checkpoint for {name})",
                channel=user_id,
                recipient_id=asked_key(user_id, round_id),
            )
            job.posts.submit(target, message, on_posted=keep_where_sent(round_id, user_id))

    # One reminder per round to whoever has not answered all three questions.
    with job.database.session() as db:
        rounds = checkpoints.rounds_to_remind(db, **scope)
        keys = [
            reminder_key(user_id, checkpoint.id)
            for checkpoint in rounds
            for user_id in checkpoints.not_answered(checkpoint)
        ]
        reminded = set(
            db.scalars(
                select(Delivery.recipient_id).where(
                    Delivery.workspace_id == job.workspace_id,
                    Delivery.job_kind == JOB_KIND,
                    Delivery.recipient_id.in_(keys),
                )
            )
        )
        names = dict(
            db.execute(
                select(Account.id, Account.name).where(
                    Account.id.in_({checkpoint.account_id for checkpoint in rounds})
                )
            ).all()
        )
        reminders = [
            (
                answer.user_id,
                checkpoint.id,
                names[checkpoint.account_id],
                question_message(checkpoint, names[checkpoint.account_id], answer, reminder=True),
            )
            for checkpoint in rounds
            for answer in checkpoint.answers
            if not answer.complete and reminder_key(answer.user_id, checkpoint.id) not in reminded
        ]
    for user_id, round_id, name, message in reminders:
        target = Target(
            label=f"<@{user_id}> (checkpoint reminder for {name})",
            channel=user_id,
            recipient_id=reminder_key(user_id, round_id),
        )
        kept = keep_where_sent(round_id, user_id, reminder=True)
        job.posts.submit(target, message, on_posted=kept)

    # Rounds whose time is up: closed, and their results posted in the account's channel.
    with job.database.session() as db:
        to_close = checkpoints.rounds_to_close(db, **scope)
    for round_id in to_close:
        with job.database.session() as db:
            checkpoint = db.get(CheckpointRound, round_id)
            account = db.get(Account, checkpoint.account_id)
            if dry_run:
                job.summary.skipped.append((account.name, "dry run: the checkpoint would close"))
                continue
            if not checkpoints.close(db, round_id=round_id):
                continue
            earlier = checkpoints.latest_results(
                db, account_ids=[account.id], before=checkpoint.started_on, rounds=1
            ).get(account.id)
            message = results_message(
                checkpoints.results(checkpoint), account.name, earlier[0] if earlier else None
            )
            closed = closed_questions(checkpoint, account.name)
            usable = account.channel_id and account.channel_unavailable_at is None
            target = (
                Target(
                    label=f"{account.name} (<#{account.channel_id}>)",
                    channel=account.channel_id,
                    account_id=account.id,
                    account_name=account.name,
                    account_owner_id=account.owner_id,
                )
                if usable
                else Target(
                    label=f"<@{account.owner_id}> (checkpoint results for {account.name})",
                    channel=account.owner_id,
                    recipient_id=f"{account.owner_id}/c{round_id}",
                )
            )
        job.posts.submit(target, message)
        if job.client is not None:
            lock_questions(job.client, closed)


JOB = Job(
    kind=JOB_KIND,
    description="Alignment checkpoints: monthly rounds, one reminder, results when they close",
    schedule_setting="sambot_checkpoint_schedule",
    period_key=lambda today: today.isoformat(),
    run=run,
)
