"""The monthly programme roll-up: every strategic account, in the programme channel."""

from sambot.accounts.permissions import Viewer
from sambot.deliveries.models import DeliveryStatus
from sambot.jobs import deliveries
from sambot.jobs.job import Job, WorkspaceRun
from sambot.jobs.posting import Target
from sambot.programme import service as programme
from sambot.reports.period import Period
from sambot.slack.programme_render import programme_message
from sambot.slack.text import format_date

JOB_KIND = "programme"


def run(job: WorkspaceRun) -> None:
    today = job.today
    period = Period.containing(today).previous
    with job.database.session() as db:
        channel = programme.programme_channel(db, workspace_id=job.workspace_id)
        if channel is None:
            job.summary.skipped.append(("programme", "no channel: `/sam programme channel`"))
            return
        done = deliveries.existing(
            db, workspace_id=job.workspace_id, job_kind=JOB_KIND, period_key=f"{today:%Y-%m}"
        )
        target = Target(label=f"programme (<#{channel}>)", channel=channel, recipient_id=channel)
        if done.get(channel) == DeliveryStatus.POSTED:
            job.summary.skipped.append((target.label, "already posted"))
            return
        # Posted early in the month: completed actions count from the start of the last one.
        rows = programme.rows(
            db,
            workspace_id=job.workspace_id,
            today=today,
            timezone=job.timezone,
            completed_since=period.start,
            # A channel anyone may read: private accounts stay with their teams.
            viewer=Viewer(None),
        )
    label = f"done since {format_date(period.start)}"
    job.posts.submit(target, programme_message(rows, today, completed_label=label))


JOB = Job(
    kind=JOB_KIND,
    description="Monthly programme roll-up of every strategic account, in the programme channel",
    schedule_setting="sambot_programme_schedule",
    period_key=lambda today: f"{today:%Y-%m}",
    run=run,
)
