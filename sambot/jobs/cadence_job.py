"""The weekly cadence reminder: each relationship owner gets one direct message listing
their stakeholders past their touch cadence (key stakeholders with no owner go to the
account owner), each with "Log touchpoint" and "Snooze two weeks". Once per person and
ISO week, through the same delivery records as every scheduled post."""

from datetime import date

from sambot.deliveries.models import DeliveryStatus
from sambot.jobs import deliveries
from sambot.jobs.job import Job, WorkspaceRun, batches
from sambot.jobs.posting import Target
from sambot.relationships import cadence
from sambot.slack.relationship_render import cadence_reminder

JOB_KIND = "cadence"
ONLY_DRY_RUN = (
    "the cadence reminder gathers each person's stakeholders across accounts: "
    "--account works only with --dry-run"
)


def week_of(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def run(job: WorkspaceRun) -> None:
    today = job.today
    with job.database.session() as db:
        accounts = cadence.accounts_with_stakeholders(db, workspace_id=job.workspace_id)
        done = deliveries.existing(
            db, workspace_id=job.workspace_id, job_kind=JOB_KIND, period_key=week_of(today)
        )
    if job.options.account:
        # A partial list would use up the person's reminder of the week.
        if not job.options.dry_run:
            job.summary.stopped = ONLY_DRY_RUN
            return
        wanted = job.options.account.strip().lower()
        accounts = [account for account in accounts if account[1].lower() == wanted]
    by_recipient: dict[str, list[cadence.Overdue]] = {}
    for batch in batches(accounts, job.options.batch_size):
        with job.database.session() as db:
            found = cadence.overdue_by_recipient(
                db, accounts=batch, today=today, cadences=job.options.cadences
            )
        cadence.merge(by_recipient, found)
    for digest in cadence.digests(by_recipient):
        target = Target(
            label=f"<@{digest.recipient_id}> (direct message)",
            channel=digest.recipient_id,
            recipient_id=digest.recipient_id,
        )
        if done.get(digest.recipient_id) == DeliveryStatus.POSTED:
            job.summary.skipped.append((target.label, "already posted"))
            continue
        job.posts.submit(target, cadence_reminder(digest, today))


JOB = Job(
    kind=JOB_KIND,
    description="Weekly touch-cadence reminder to each relationship owner",
    schedule_setting="sambot_cadence_schedule",
    period_key=week_of,
    run=run,
)
