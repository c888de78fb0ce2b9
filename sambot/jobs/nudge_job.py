"""The nudge job: overdue actions in each account channel, and a digest to each owner."""

from sqlalchemy import func, select

from sambot.accounts.models import Account
from sambot.deliveries.models import DeliveryStatus
from sambot.jobs import deliveries
from sambot.jobs.job import Job, WorkspaceRun, batches
from sambot.jobs.posting import Outcome, Target
from sambot.nudges import service as nudges
from sambot.slack.nudge_render import render_channel_nudge, render_owner_digest

JOB_KIND = "nudges"
# Outcomes after which the actions in the message count as nudged today.
NUDGED = (Outcome.POSTED, Outcome.ALREADY_POSTED)


def run(job: WorkspaceRun) -> None:
    today = job.today
    period_key = today.isoformat()
    account_id = None
    with job.database.session() as db:
        if job.options.account:
            account_id = db.scalar(
                select(Account.id).where(
                    Account.workspace_id == job.workspace_id,
                    func.lower(Account.name) == job.options.account.strip().lower(),
                )
            )
            if account_id is None:
                return
        account_ids = nudges.accounts_to_nudge(
            db, workspace_id=job.workspace_id, today=today, account_id=account_id
        )
        done = deliveries.existing(
            db, workspace_id=job.workspace_id, job_kind=JOB_KIND, period_key=period_key
        )
    nudged: list[int] = []

    def post(target: Target, message, action_ids: list[int]) -> None:
        key = target.account_id if target.account_id is not None else target.recipient_id
        if done.get(key) == DeliveryStatus.POSTED:
            job.summary.skipped.append((target.label, "already posted"))
            nudged.extend(action_ids)
            return

        def posted(outcome: Outcome) -> None:
            if outcome in NUDGED:
                nudged.extend(action_ids)

        job.posts.submit(target, message, posted)

    for batch in batches(account_ids, job.options.batch_size):
        with job.database.session() as db:
            channel_nudges = nudges.channel_nudges(
                db,
                workspace_id=job.workspace_id,
                account_ids=batch,
                today=today,
                escalation_days=job.options.escalation_days,
            )
        for nudge in channel_nudges:
            target = Target(
                label=f"{nudge.account_name} (<#{nudge.channel_id}>)",
                channel=nudge.channel_id,
                account_id=nudge.account_id,
                account_name=nudge.account_name,
                account_owner_id=nudge.account_owner_id,
            )
            message = render_channel_nudge(
                nudge, today=today, escalation_days=job.options.escalation_days
            )
            post(target, message, [action.id for action in nudge.actions])

    # With --account only that channel is nudged: a partial digest would use up the day's.
    if account_id is None:
        with job.database.session() as db:
            owners = nudges.owners_to_nudge(db, workspace_id=job.workspace_id, today=today)
        # An owner has many more actions than an account: smaller batches keep memory flat.
        for batch in batches(owners, max(1, job.options.batch_size // 10)):
            with job.database.session() as db:
                digests = nudges.owner_digests(
                    db, workspace_id=job.workspace_id, owner_ids=batch, today=today
                )
            for digest in digests:
                target = Target(
                    label=f"<@{digest.owner_id}> (direct message)",
                    channel=digest.owner_id,
                    recipient_id=digest.owner_id,
                )
                message = render_owner_digest(digest, today=today)
                # Not marked as nudged: the day's mark is for channel nudges (so a failed
                # channel post is still made by a retry); one digest a day is the
                # delivery record's job.
                post(target, message, [])

    # Marked at the end, so that a run killed half-way and run again still sends each owner
    # a complete digest (the channel messages already posted are skipped by their records).
    job.posts.flush()
    if nudged and not job.options.dry_run:
        with job.database.session() as db:
            nudges.mark_nudged(db, action_ids=nudged, today=today)


JOB = Job(
    kind=JOB_KIND,
    description="Overdue-action nudges in account channels and owners' direct messages",
    schedule_setting="sambot_nudge_schedule",
    period_key=lambda today: today.isoformat(),
    run=run,
)
