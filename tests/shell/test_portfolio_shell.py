"""The portfolio walked in the local shell: share a CSV, import it, rank it, change a tier."""

import pytest
from sqlalchemy import select

from sambot.accounts.models import Account, Tier
from sambot.config import load_settings
from sambot.db import Database
from tests.shell.test_shell import run_session, steps


@pytest.fixture
def settings(tmp_path):
    return load_settings(
        database_url=f"sqlite:///{tmp_path / 'shell.db'}",
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        sambot_timezone="UTC",
    )


CSV = """name,annual revenue,gross margin,tier,owner
Zenith,1000,700,other,
Nadir,1000,200,strategic,
Broken,10,50,,
"""


def tiers(settings) -> dict[str, Tier]:
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            return {a.name: a.tier for a in session.scalars(select(Account))}
    finally:
        database.dispose()


def test_share_import_rank_and_change_a_tier(settings, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(CSV)
    script = [
        f":share {path}",
        "/sam import --dry-run",
        "/sam import",
        "/sam portfolio",
        ":press 1",
        ":share nowhere.csv",
        ":quit",
    ]
    code, transcript = run_session(settings, script, demo=False)
    assert code == 0
    shown = dict(steps(transcript)[1])
    assert "You shared accounts.csv in" in shown[f":share {path}"]
    assert (
        "Dry run of accounts.csv: nothing was written. 2 to create"
        in shown["/sam import --dry-run"]
    )
    imported = shown["/sam import"]
    assert "Imported accounts.csv: 2 created" in imported
    assert "Row 4, gross margin: Gross margin cannot exceed annual revenue." in imported
    ranked = shown["/sam portfolio"]
    # Zenith alone makes 77.8%: the cut needs both.
    assert "80% cut: the top 2 of 2 accounts (100.0%) make 100.0% of the gross margin." in ranked
    assert "Zenith" in ranked and "[1] Make strategic" in ranked
    assert "DM to @" in ranked and "Pareto selection by gross margin" in ranked
    assert "made Zenith strategic" in shown[":press 1"]
    assert tiers(settings)["Zenith"] == Tier.STRATEGIC
    assert "Share a file from your disk" in shown[":share nowhere.csv"]
