"""The monthly report job: each account's report for the month just ended, in its channel."""

from datetime import date

from sqlalchemy import func, select

from sambot.accounts.models import Account
from sambot.deliveries.models import DeliveryStatus
from sambot.jobs import deliveries
from sambot.jobs.job import Job, WorkspaceRun, batches
from sambot.jobs.posting import Target
from sambot.reports.monthly import client_version_for, compute_reports
from sambot.reports.period import Period
from sambot.slack.report_render import render_report

JOB_KIND = "monthly-report"


def period_for(today: date) -> Period:
    """A run reports on the month before the one it runs in."""
    return Period.containing(today).previous


def run(job: WorkspaceRun) -> None:
    period = period_for(job.today)
    with job.database.session() as db:
        query = select(
            Account.id,
            Account.name,
            Account.channel_id,
            Account.owner_id,
            Account.channel_unavailable_at,
            Account.channel_shared_with_client,
        ).where(
            Account.workspace_id == job.workspace_id,
            Account.archived.is_(False),
            Account.channel_id.is_not(None),
        )
        if job.options.account:
            query = query.where(func.lower(Account.name) == job.options.account.strip().lower())
        accounts = db.execute(query.order_by(Account.id)).all()
        done = deliveries.existing(
            db, workspace_id=job.workspace_id, job_kind=JOB_KIND, period_key=period.key
        )
    targets = {}
    client_version = {
        account.id
        for account in accounts
        if client_version_for(channel_shared_with_client=account.channel_shared_with_client)
    }
    for account in accounts:
        target = Target(
            label=f"{account.name} (<#{account.channel_id}>)",
            channel=account.channel_id,
            account_id=account.id,
            account_name=account.name,
            account_owner_id=account.owner_id,
        )
        if done.get(account.id) == DeliveryStatus.POSTED:
            job.summary.skipped.append((target.label, "already posted"))
        elif account.channel_unavailable_at is not None:
            reason = "channel archived or gone: waiting for the account to be linked again"
            job.summary.skipped.append((target.label, reason))
        else:
            targets[account.id] = target

    for batch in batches(list(targets), job.options.batch_size):
        with job.database.session() as db:
            reports = compute_reports(
                db,
                workspace_id=job.workspace_id,
                timezone=job.timezone,
                period=period,
                account_ids=batch,
                today=job.today,
                cadences=job.options.cadences,
                stale_days=job.options.stale_days,
            )
        for report in reports:
            client = report.account_id in client_version
            job.posts.submit(targets[report.account_id], render_report(report, client=client))


JOB = Job(
    kind=JOB_KIND,
    description="Monthly strategic-action report in each account channel",
    schedule_setting="sambot_report_schedule",
    period_key=lambda today: period_for(today).key,
    run=run,
)
