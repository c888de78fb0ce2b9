"""`sambot import accounts` and `sambot portfolio` in the terminal, on SQLite and PostgreSQL,
with and without a Slack connection (the stand-in resolves emails and #names)."""

import csv

import pytest
from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.cli import main
from sambot.localslack import SlackStandIn

CSV = """name,gross margin,annual revenue,currency,tier,owner,channel,notes
Acme,500,1000,USD,strategic,UDANA,,x
Globex,300,900,USD,key,owen@example.com,#globex,
Bosch,900,2000,EUR,key,UDANA,,
Siemens,100,800,EUR,strategic,UDANA,,
Broken,50,10,USD,,UDANA,,
"""


@pytest.fixture
def env(db, monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SAMBOT_RATES_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db.url)
    return monkeypatch


def names(db) -> dict[str, Account]:
    with db.session() as session:
        return {a.name: a for a in session.scalars(select(Account))}


def test_import_offline_dry_run_then_for_real(env, db, tmp_path, capsys):
    path = tmp_path / "accounts.csv"
    path.write_text(CSV)
    assert main(["import", "accounts", str(path), "--dry-run"]) == 1  # bad rows: exit 1
    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out
    assert "3 to create, 0 to update, 0 unchanged, 2 bad rows." in out
    assert (
        "row 3, owner: Without a Slack connection, give the Slack user id instead of owen@example.com."
        in out
    )
    assert "row 6, gross margin: Gross margin cannot exceed annual revenue." in out
    assert "Unknown columns, left out: notes" in out
    assert "row 2, create Acme: annual_revenue: 1,000" in out
    assert names(db) == {}
    assert main(["import", "accounts", str(path), "--period", "2026-10"]) == 1
    out = capsys.readouterr().out
    assert "3 created, 0 updated, 0 unchanged, 2 bad rows." in out
    assert "Snapshot 2026-10 recorded for 3 accounts." in out
    assert sorted(names(db)) == ["Acme", "Bosch", "Siemens"]


def test_import_through_slack_resolves_emails_and_channels(env, db, tmp_path, capsys):
    with SlackStandIn(bot_token="xoxb-cli") as standin:
        standin.add_user("UOWEN", "owen", email="owen@example.com")
        standin.add_channel("CGLOBEX", "globex")
        env.setenv("SLACK_BOT_TOKEN", "xoxb-cli")
        env.setenv("SLACK_API_URL", standin.base_url)
        path = tmp_path / "accounts.csv"
        path.write_text(CSV)
        assert main(["import", "accounts", str(path)]) == 1
    assert "4 created" in capsys.readouterr().out
    globex = names(db)["Globex"]
    assert (globex.owner_id, globex.channel_id) == ("UOWEN", "CGLOBEX")


def test_portfolio_table_csv_chart_and_rates(env, db, tmp_path, capsys):
    path = tmp_path / "accounts.csv"
    path.write_text(CSV)
    main(["import", "accounts", str(path)])
    capsys.readouterr()
    ranking, chart = tmp_path / "ranking.csv", tmp_path / "chart.png"
    assert main(["portfolio", "--csv", str(ranking), "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "Gross margin in EUR: 2 accounts ranked, total 1,000 EUR" in out
    assert "Gross margin in USD: 1 account ranked, total 500 USD" in out
    assert "Bosch: rank 1, inside the cut; tier key, suggested strategic" in out
    rows = list(csv.DictReader(ranking.open()))
    assert [(r["currency"], r["account"], r["in_80_cut"]) for r in rows] == [
        ("EUR", "Bosch", "yes"),
        ("EUR", "Siemens", "no"),
        ("USD", "Acme", "yes"),
    ]
    assert chart.read_bytes().startswith(b"\x89PNG")
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate_to_usd\nEUR,1.10\n")
    assert main(["portfolio", "--by", "revenue", "--rates", str(rates)]) == 0
    out = capsys.readouterr().out
    assert "Annual revenue in USD, converted to USD: 3 accounts ranked, total 4,080 USD" in out
    assert main(["portfolio", "--rates", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_import_refuses_what_it_cannot_read(env, db, tmp_path, capsys):
    assert main(["import", "accounts", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("revenue\n1\n")
    assert main(["import", "accounts", str(bad)]) == 2
    assert "no name column" in capsys.readouterr().err
