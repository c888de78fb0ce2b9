"""Scheduled jobs: the monthly report, the overdue nudges and the weekly touch-cadence
reminder, posted exactly once.

`runner.run_job` runs one job for every workspace; `scheduler` runs them on their
schedules (APScheduler). Imports stay lazy here: the models import this package.
"""


def start_background_scheduler(settings, database, client):
    """Start the jobs' scheduler in a background thread (for `sambot run`); returns it."""
    from sambot.jobs.scheduler import start_background_scheduler as start

    return start(settings, database, client)
