"""The `sambot` command as a person runs it: a real process, its output and exit code."""

import os
import subprocess
import sys

from sqlalchemy import create_engine, inspect


def sambot(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAMBOT_"))}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "sambot", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_version_and_help():
    version = sambot("--version")
    assert version.returncode == 0 and version.stdout.startswith("sambot ")
    usage = sambot("--help")
    for command in ("db", "run", "manifest"):
        assert command in usage.stdout


def test_db_upgrade_creates_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = sambot("db", "upgrade", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    assert "actions" in inspect(engine).get_table_names()
    engine.dispose()


def test_a_wrong_setting_is_one_line_naming_the_variable(tmp_path):
    result = sambot("db", "upgrade", env={"SAMBOT_TIMEZONE": "Nowhere/Special"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "sambot: configuration error: SAMBOT_TIMEZONE: unknown time zone 'Nowhere/Special' "
        "(use an IANA name such as Europe/Paris)"
    ]
    assert "Traceback" not in result.stderr
