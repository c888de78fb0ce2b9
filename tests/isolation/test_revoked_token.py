"""Every scheduled job, run while one workspace's token is revoked: that workspace stops at
its first refusal, the other posts all it has, as it would have anyway.
(tests/installs/test_workspaces_jobs.py shows it for the monthly report in three workspaces.)"""

from datetime import UTC, datetime

import pytest

from sambot.jobs.runner import JobOptions, jobs, run_job
from tests.isolation.conftest import ALPHA, BRAVO


@pytest.mark.parametrize("kind", list(jobs()))
def test_a_revoked_token_stops_its_workspace_alone(pair, kind):
    for tenant in pair.tenants.values():  # so every job has something to post in both
        for text in ("programme channel", "checkpoint monthly on"):
            tenant.command("/sam", text)
            pair.settle()
    pair.standin.reset()  # the calls so far
    pair.standin.installs.revoke(BRAVO)

    options = JobOptions(workspaces_at_once=2)
    summaries = {
        s.workspace: s
        for s in run_job(kind, pair.database, pair.clients(), at=datetime.now(UTC), options=options)
    }

    alpha, bravo = summaries[ALPHA], summaries[BRAVO]
    assert alpha.posted and not alpha.failed and not alpha.stopped
    assert "token_revoked" in bravo.stopped
    assert not bravo.posted and len(bravo.failed) <= 1  # nothing tried after the refusal
    posts = pair.standin.calls("chat.postMessage")
    assert {call.team_id for call in posts if call.ok} == {ALPHA}
    assert len([call for call in posts if call.ok]) >= len(alpha.posted)
    assert pair.leaks() == []
