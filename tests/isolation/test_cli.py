"""Every `sambot` command against two workspaces with the same account names: those that
read or write a workspace's data take `--team` and show or change that workspace's alone;
a name or id from the other workspace is refused with a clear error."""

import argparse
import json
from pathlib import Path

import pytest

from sambot.cli import build_parser, main
from sambot.jobs.runner import jobs
from sambot.localslack.oauth import CLIENT_ID, CLIENT_SECRET
from tests.isolation.conftest import ALPHA, BRAVO, KEY, MARKERS, SIGNING_SECRET

# Commands that never read one workspace's accounts, and why.
NOT_WORKSPACE_DATA = {
    "db upgrade": "the schema",
    "db downgrade": "the schema",
    "db current": "the schema's revision",
    "run": "serves the listeners swept in test_every_entry_point.py",
    "scheduler": "runs the jobs swept in test_every_entry_point.py",
    "shell": "the local shell's own workspace and embedded database",
    "demo load": "the local shell's demo workspace",
    "manifest": "the app manifest",
    "jobs list": "the schedules",
    "workspace list": "the operator's list of installed workspaces",
    "workspace new-key": "a new encryption key",
    "workspace rotate-key": "the stored tokens, re-encrypted",
    "doctor": "the configuration and the token",
    "import all": "an export into an empty database (tests/ops/test_transfer.py)",
}


def per_workspace(team: str, csv_path: str) -> dict[str, list[list[str]]]:
    """The commands that read or write one workspace's data, each run for `team`."""
    return {
        "jobs run": [["jobs", "run", kind, "--team", team, "--dry-run"] for kind in jobs()],
        "export plan": [
            ["export", "plan", "Acme Corporation", "--team", team],
            ["export", "plan", "Acme Corporation", "--team", team, "--format", "html"],
        ],
        "export all": [["export", "all", "--team", team]],
        "portfolio": [["portfolio", "--team", team, "--by", "revenue", "--csv", f"{team}.csv"]],
        "import accounts": [["import", "accounts", csv_path, "--team", team, "--dry-run"]],
        "workspace purge": [["workspace", "purge", "--team", team, "--now"]],
        "audit export": [["audit", "export", "--since", "2020-01-01", "--team", team]],
    }


def leaf_commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every runnable command of the parser, as typed ("jobs run")."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += leaf_commands(sub, f"{prefix} {name}".strip())
    return found or [prefix]


@pytest.fixture
def cli(pair, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {
        "DATABASE_URL": pair.database.url,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": pair.standin.base_url,
        "SAMBOT_ENCRYPTION_KEY": KEY,
        "SAMBOT_TIMEZONE": "UTC",
        "SAMBOT_POST_RATE": "0",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    csv_path = tmp_path / "accounts.csv"
    csv_path.write_text("name,annual revenue\nAcme Corporation,9100000\n")
    return str(csv_path)


def other_marker(team: str) -> str:
    return MARKERS[BRAVO if team == ALPHA else ALPHA]


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_command_is_swept_or_reads_no_workspace_data(tmp_path):
    scoped = set(per_workspace(ALPHA, str(tmp_path)))
    assert set(leaf_commands(build_parser())) == scoped | set(NOT_WORKSPACE_DATA)
    assert not scoped & set(NOT_WORKSPACE_DATA)


def test_each_command_shows_the_chosen_workspace_alone(pair, cli, capsys):
    shown = {}
    for team in MARKERS:
        other = other_marker(team)
        for command, runs in per_workspace(team, cli).items():
            for argv in runs:
                code, out, err = run(capsys, argv)
                assert code == 0, (argv, err)
                assert other not in out + err, argv
                shown[(team, command)] = shown.get((team, command), "") + out + err
    # Each showed its own workspace's data (the dry runs their posts, the exports the plan).
    for team, marker in MARKERS.items():
        for command in ("jobs run", "export plan", "export all", "portfolio", "audit export"):
            assert marker in shown[(team, command)], (team, command)
        assert "Acme Corporation" in shown[(team, "import accounts")]
        ranking = Path(f"{team}.csv").read_text()  # written in the test's directory
        assert marker in ranking and other_marker(team) not in ranking
        assert team in shown[(team, "workspace purge")]
    assert pair.standin.calls("chat.postMessage") == []  # dry runs post nothing


def test_a_job_run_for_one_workspace_posts_with_its_token_alone(pair, cli, capsys):
    code, out, err = run(capsys, ["jobs", "run", "nudges", "--team", BRAVO])
    assert code == 0, err
    posts = pair.standin.calls("chat.postMessage")
    assert posts and {call.team_id for call in posts} == {BRAVO}
    assert pair.leaks() == []
    assert f"nudges {BRAVO}" in out and ALPHA not in out


def test_an_import_for_one_workspace_leaves_the_other_as_it_was(pair, cli, capsys):
    before = pair.snapshot(ALPHA)
    code, _, err = run(capsys, ["import", "accounts", cli, "--team", BRAVO])
    assert code == 0, err
    assert pair.snapshot(ALPHA) == before
    exported = run(capsys, ["export", "all", "--team", BRAVO])[1]
    accounts = [json.loads(line) for line in exported.splitlines() if '"accounts"' in line]
    assert any("9100000" in json.dumps(row) for row in accounts)


def test_a_plan_export_names_the_workspaces_when_several_have_the_account(cli, capsys):
    code, out, err = run(capsys, ["export", "plan", "Acme Corporation"])
    assert code == 1 and out == ""
    assert "2 workspaces have an account named 'Acme Corporation'" in err
    assert f"--team ({ALPHA}, {BRAVO})" in err


def test_an_account_of_the_other_workspace_is_refused(pair, cli, capsys):
    alpha_only = f"Account 0 {MARKERS[ALPHA]}"
    code, out, err = run(capsys, ["export", "plan", alpha_only, "--team", BRAVO])
    assert (code, out) == (1, "")
    assert f"no account named {alpha_only!r} in workspace {BRAVO}" in err

    code, out, err = run(
        capsys, ["jobs", "run", "nudges", "--account", alpha_only, "--team", BRAVO]
    )
    assert (code, out) == (2, "")
    assert f"no account named {alpha_only!r} in workspace {BRAVO}" in err
    assert MARKERS[ALPHA] not in err.replace(alpha_only, "")  # no close name of ALPHA's

    code, out, err = run(capsys, ["jobs", "run", "nudges", "--team", "T0009"])
    assert code == 2 and "no workspace 'T0009'" in err
    assert pair.standin.calls("chat.postMessage") == []
