"""Prometheus metrics (served at /metrics by the web server, and on SAMBOT_METRICS_PORT by
a scheduler process). Labels stay few and bounded: kinds, methods, Slack's error codes."""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

ACK_SECONDS = Histogram(
    "sambot_ack_seconds",
    "Time from a Slack request's arrival to its answer (Slack waits 3 s at most)",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
INTERACTIONS = Counter(
    "sambot_interactions_total",
    "Requests to the request URL, by payload kind and outcome",
    ["kind", "outcome"],
)
WEB_API_CALLS = Counter(
    "sambot_slack_api_calls_total",
    "Slack Web API calls, by method and error ('' when ok)",
    ["method", "error"],
)
JOB_RUNS = Counter(
    "sambot_job_runs_total",
    "Runs of a scheduled job in a workspace, by outcome",
    ["job", "outcome"],
)
POSTS = Counter(
    "sambot_posts_total",
    "Scheduled posts: delivered, failed, retried (taken over), found (already in history)",
    ["job", "outcome"],
)
DELIVERY_LAG = Histogram(
    "sambot_delivery_lag_seconds",
    "Time from a run's scheduled moment to each of its posts",
    ["job"],
    buckets=(1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600),
)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type: with several web
    processes (SAMBOT_WEB_PROCESSES), the sum over all of them."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
