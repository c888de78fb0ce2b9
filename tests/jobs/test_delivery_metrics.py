"""The jobs' metrics (sambot.ops.metrics) and the edge cases of taking a post over."""

from prometheus_client import REGISTRY

from sambot.deliveries.models import DeliveryStatus
from sambot.jobs.posting import UNANSWERED
from sambot.slack.client import build_web_client
from tests.jobs.builders import TOKEN, posts, run
from tests.jobs.test_report_job import AT, deliveries, portfolio


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_posts_job_runs_api_calls_and_delivery_lag_are_counted(db, standin, client):
    portfolio(db, standin, count=3)
    before = {
        "delivered": sample("sambot_posts_total", job="monthly-report", outcome="delivered"),
        "runs": sample("sambot_job_runs_total", job="monthly-report", outcome="ok"),
        "calls": sample("sambot_slack_api_calls_total", method="chat.postMessage", error=""),
        "lag": sample("sambot_delivery_lag_seconds_count", job="monthly-report"),
    }
    summary = run("monthly-report", db, client, at=AT)
    assert len(summary.posted) == 3
    assert sample("sambot_posts_total", job="monthly-report", outcome="delivered") == (
        before["delivered"] + 3
    )
    assert sample("sambot_job_runs_total", job="monthly-report", outcome="ok") == before["runs"] + 1
    assert sample("sambot_slack_api_calls_total", method="chat.postMessage", error="") == (
        before["calls"] + 3
    )
    # Posted long after the run's moment (AT is in the past): the lag says so.
    assert sample("sambot_delivery_lag_seconds_count", job="monthly-report") == before["lag"] + 3
    assert sample("sambot_delivery_lag_seconds_bucket", job="monthly-report", le="60.0") == (
        sample("sambot_delivery_lag_seconds_bucket", job="monthly-report", le="1.0")
    )


def test_a_post_of_unknown_outcome_whose_channel_is_gone_is_not_looked_for_again(db, standin):
    portfolio(db, standin, count=1)
    slow = build_web_client(TOKEN, standin.base_url)
    slow.timeout = 0.2
    standin.answer_late("chat.postMessage", 0.5)
    first = run("monthly-report", db, slow, at=AT)
    assert first.failed == [("Account 1 (<#C1>)", UNANSWERED)]
    retried = sample("sambot_posts_total", job="monthly-report", outcome="retried")
    # Archived meanwhile: its history cannot tell, and nothing can be posted there.
    standin.add_channel("C1", "account 1", is_archived=True)
    standin.fail("conversations.history", "channel_not_found")
    again = run("monthly-report", db, build_web_client(TOKEN, standin.base_url), at=AT)
    assert again.failed == [("Account 1 (<#C1>)", "channel_not_found")]
    report = [d for d in deliveries(db) if d.job_kind == "monthly-report"]
    assert [d.status for d in report] == [DeliveryStatus.FAILED]
    assert len(posts(standin, "C1")) == 1
    assert "could not post" in standin.messages("U1")[0]["text"]  # the owner is told
    assert sample("sambot_posts_total", job="monthly-report", outcome="retried") == retried + 1
    # A third run leaves it alone until the channel is linked again.
    third = run("monthly-report", db, build_web_client(TOKEN, standin.base_url), at=AT)
    assert third.posted == [] and len(posts(standin, "C1")) == 1
