"""Scheduled posts in several workspaces: each with its own token, side by side, each paced
on its own; an uninstalled or revoked workspace stops without touching the others."""

import itertools
import threading
from datetime import UTC, datetime

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.installs import service as installs
from sambot.installs.clients import WorkspaceClients
from sambot.installs.store import InstallationStore, TokenCipher
from sambot.jobs.runner import JobOptions, run_job
from sambot.localslack import SlackStandIn
from sambot.localslack.oauth import CLIENT_ID
from sambot.workspaces.models import Workspace

AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
TEAMS = ["T0001", "T0002", "T0003"]


@pytest.fixture(scope="module")
def slack():
    with SlackStandIn(team_id="T0001") as standin:
        yield standin


@pytest.fixture
def standin(slack):
    slack.reset(everything=True)
    return slack


@pytest.fixture
def store(db):
    return InstallationStore(CLIENT_ID, db.engine, TokenCipher(None))


def install(db, standin, store, team_id: str, accounts: int = 2, enterprise_id=None) -> int:
    """A workspace with its installation (its own token) and accounts with channels."""
    token = standin.installs.add_team(team_id, f"Team {team_id}", enterprise_id=enterprise_id)
    store.save(
        Installation(
            app_id="A1",
            enterprise_id=enterprise_id,
            team_id=team_id,
            team_name=f"Team {team_id}",
            bot_token=token,
            bot_id="B1",
            bot_user_id="UBOT",
            bot_scopes="chat:write",
            user_id="UINSTALLER",
        )
    )
    with db.session() as s:
        workspace = Workspace(team_id=team_id, enterprise_id=enterprise_id, timezone="UTC")
        s.add(workspace)
        s.flush()
        for n in range(accounts):
            channel = f"C{team_id}{n}"
            s.add(
                Account(
                    workspace_id=workspace.id,
                    name=f"Account {n}",
                    channel_id=channel,
                    owner_id="UOWNER",
                )
            )
            standin.add_channel(channel, f"acct-{team_id}-{n}".lower())
        return workspace.id


def run(db, store, standin, **options):
    clients = WorkspaceClients(store, standin.base_url, max_retries=0)
    options = JobOptions(**{"post_rate": 0, "workspaces_at_once": 4, **options})
    return {s.workspace: s for s in run_job("monthly-report", db, clients, at=AT, options=options)}


def test_each_workspace_posts_with_its_own_token(db, standin, store):
    for team in TEAMS:
        install(db, standin, store, team)
    summaries = run(db, store, standin)
    assert {team: len(s.posted) for team, s in summaries.items()} == dict.fromkeys(TEAMS, 2)
    for call in standin.calls("chat.postMessage"):
        # The channel belongs to the workspace whose token posted in it.
        assert call.args["channel"].startswith(f"C{call.team_id}")


def test_a_revoked_token_stops_that_workspace_only(db, standin, store):
    for team in TEAMS:
        install(db, standin, store, team, accounts=3)
    standin.installs.revoke("T0002")
    summaries = run(db, store, standin)
    assert "token_revoked" in summaries["T0002"].stopped
    assert len(summaries["T0002"].failed) == 1  # nothing tried after the refusal
    assert len(summaries["T0001"].posted) == len(summaries["T0003"].posted) == 3
    assert not summaries["T0001"].stopped and not summaries["T0003"].stopped


def test_an_uninstalled_workspace_gets_no_run_and_keeps_its_data(db, standin, store):
    for team in TEAMS[:2]:
        install(db, standin, store, team)
    installs.uninstalled(db, team_id="T0002", enterprise_id=None, store=store)
    summaries = run(db, store, standin)
    assert list(summaries) == ["T0001"]
    assert store.find_bot(enterprise_id=None, team_id="T0002") is None
    with db.session() as s:
        assert len(s.scalars(select(Account)).all()) == 4  # kept until purged


def test_a_workspace_without_installation_is_reported_not_posted(db, standin, store):
    install(db, standin, store, "T0001")
    with db.session() as s:
        s.add(Workspace(team_id="T0009", timezone="UTC"))
    summaries = run(db, store, standin)
    assert "no installation" in summaries["T0009"].stopped
    assert len(summaries["T0001"].posted) == 2


def test_an_org_wide_installation_posts_in_its_workspaces(db, standin, store):
    token = standin.installs.add_team("E0100", "Umbrella")  # the org's token
    standin.installs.tokens[token] = (None, "E0100")
    store.save(
        Installation(
            app_id="A1",
            enterprise_id="E0100",
            team_id=None,
            bot_token=token,
            bot_id="B1",
            bot_user_id="UBOT",
            user_id="UINSTALLER",
            is_enterprise_install=True,
        )
    )
    with db.session() as s:
        workspace = Workspace(team_id="T0101", enterprise_id="E0100", timezone="UTC")
        s.add(workspace)
        s.flush()
        s.add(Account(workspace_id=workspace.id, name="A", channel_id="CT0101", owner_id="U1"))
    standin.add_channel("CT0101", "a")
    summaries = run(db, store, standin)
    assert summaries["T0101"].posted == ["A (<#CT0101>)"]
    assert [c.team_id for c in standin.calls("chat.postMessage")] == ["E0100"]


def test_workspaces_are_served_side_by_side_each_at_its_own_pace(db, standin, store):
    for team in TEAMS:
        install(db, standin, store, team, accounts=3)
    run(db, store, standin, post_rate=5)  # 0.2 s between posts in one workspace
    calls = standin.calls("chat.postMessage")
    by_team = {team: [c.time for c in calls if c.team_id == team] for team in TEAMS}
    # Every workspace began before any finished: not one after another.
    assert max(times[0] for times in by_team.values()) < min(t[-1] for t in by_team.values())
    for times in by_team.values():  # and each kept its own pace
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) >= 0.15


def test_an_uninstall_stops_a_run_under_way_at_once(db, standin, store):
    install(db, standin, store, "T0001", accounts=2)
    install(db, standin, store, "T0002", accounts=6)
    result = {}
    runner = threading.Thread(
        target=lambda: result.update(run(db, store, standin, post_rate=4)), daemon=True
    )
    runner.start()
    standin.wait_for("chat.postMessage", lambda c: c.team_id == "T0002", timeout=5)
    installs.uninstalled(db, team_id="T0002", enterprise_id=None)
    runner.join(timeout=10)
    assert result["T0002"].stopped
    assert len(result["T0002"].posted) < 6
    assert len(result["T0001"].posted) == 2


def test_a_run_that_fails_in_one_workspace_leaves_the_others_posted(
    db, standin, store, monkeypatch
):
    from dataclasses import replace

    from sambot.jobs import report_job

    for team in TEAMS:
        install(db, standin, store, team)
    real = report_job.JOB.run

    def failing_in_t2(job_run):
        if job_run.team_id == "T0002":
            raise RuntimeError("the database went away")
        real(job_run)

    monkeypatch.setattr(report_job, "JOB", replace(report_job.JOB, run=failing_in_t2))
    summaries = run(db, store, standin)
    assert "the database went away" in summaries["T0002"].stopped
    assert len(summaries["T0001"].posted) == len(summaries["T0003"].posted) == 2
