"""/sam import and /sam portfolio end to end: a CSV shared in Slack, downloaded with the
bot token, imported, answered in its thread; the Pareto analysis with its chart uploaded
and its tier buttons. Signed requests, the Slack stand-in, SQLite and PostgreSQL."""

import csv
import io
import json
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from sambot.accounts.models import Account, Tier
from sambot.portfolio.models import AccountSnapshot
from sambot.slack.ids import Button
from tests.slack.conftest import ACME_CHANNEL, DANA, GENERAL, LEE, OWEN, PRIVATE

CSV = """Name,Annual revenue,Gross margin,Potential revenue,Currency,Tier,Owner,Channel,Region
Acme,1000,500,3000,USD,strategic,,CACME,West
Globex,900,300,,USD,key,owen@example.com,#general,East
Initech,400,100,,USD,strategic,ULEE,,
Umbrella,500,100,,USD,,,,
Hooli,300,0,,USD,strategic,,,
Bosch,2000,900,,EUR,key,,,
Siemens,800,100,,EUR,strategic,,,
Broken,10,20,,USD,,,,
Ghost,10,5,,USD,,nobody@example.com,,
"""


def accounts_in(db) -> dict[str, Account]:
    with db.session() as session:
        return {a.name: a for a in session.scalars(select(Account))}


def thread_reply(slack, channel: str, ts: str, contains: str) -> dict:
    call = slack.wait(
        "chat.postMessage",
        lambda c: c.args.get("thread_ts") == ts and contains in json.dumps(c.args),
    )
    return call.args


def share(slack, channel=ACME_CHANNEL, content=CSV, user=DANA, name="accounts.csv"):
    slack.standin.share_file(channel, user, name, content)
    return slack.standin.messages(channel)[-1]["ts"]


def test_import_a_shared_csv_good_and_bad_rows_answered_in_its_thread(slack, db):
    slack.standin.add_user(OWEN, "owen", real_name="Owen Grady", email="owen@example.com")
    ts = share(slack)
    slack.command("/sam", "import")
    reply = thread_reply(slack, ACME_CHANNEL, ts, "Imported")
    text = json.dumps(reply["blocks"])
    assert "7 created, 0 updated, 0 unchanged; 2 bad rows left out" in text
    assert "Row 9, *Gross margin*: Gross margin cannot exceed annual revenue." in text
    assert (
        "Row 10, *Owner*: No one in this Slack workspace has the email nobody@example.com." in text
    )
    assert "`Region`" in text
    assert "2026-" in text and "snapshot of 7 accounts" in text
    stored = accounts_in(db)
    assert sorted(stored) == ["Acme", "Bosch", "Globex", "Hooli", "Initech", "Siemens", "Umbrella"]
    # The email was looked up in Slack; the #name too; no owner: the person importing.
    assert stored["Globex"].owner_id == OWEN and stored["Globex"].channel_id == GENERAL
    assert stored["Acme"].owner_id == DANA and stored["Acme"].channel_id == ACME_CHANNEL
    assert slack.standin.calls("users.lookupByEmail")
    # The file came with the bot's token.
    assert [d["authorized"] for d in slack.standin.file_downloads()] == [True]
    with db.session() as session:
        assert len(session.scalars(select(AccountSnapshot)).all()) == 7


def test_a_re_import_updates_and_a_dry_run_changes_nothing(slack, db):
    slack.standin.add_user(OWEN, "owen", email="owen@example.com")
    share(slack)
    slack.command("/sam", "import")
    slack.channel_message(ACME_CHANNEL, "Imported")
    ts = share(slack, content="name,gross margin,tier\nacme,600,\nNewco,5,key\n", name="v2.csv")
    slack.command("/sam", "import --dry-run")
    reply = thread_reply(slack, ACME_CHANNEL, ts, "Dry run")
    text = json.dumps(reply["blocks"])
    assert "1 to create, 1 to update, 0 unchanged" in text
    assert "update *Acme*: gross margin 500 \\u2192 600" in text
    assert "create *Newco*" in text
    assert accounts_in(db)["Acme"].gross_margin == D(500)
    slack.command("/sam", "import")
    thread_reply(slack, ACME_CHANNEL, ts, "Imported")
    stored = accounts_in(db)
    assert stored["Acme"].gross_margin == D(600)
    assert len(stored) == 8  # acme matched Acme: no duplicate


def test_all_or_nothing_imports_nothing_with_a_bad_row(slack, db):
    ts = share(slack, content="name,gross margin,annual revenue\nGood,1,10\nBad,20,10\n")
    slack.command("/sam", "import --all-or-nothing")
    reply = thread_reply(slack, ACME_CHANNEL, ts, "Nothing imported")
    assert "Row 3" in json.dumps(reply["blocks"])
    assert accounts_in(db) == {}


def test_a_csv_shared_in_the_direct_messages_with_sambot(slack, db):
    share(slack, channel=LEE, user=LEE, content="name,gross margin\nSolo,5\n")
    slack.command("/sam", "import", user=LEE, channel=f"D{LEE}")
    slack.channel_message(f"D{LEE}", "Imported")
    assert accounts_in(db)["Solo"].owner_id == LEE


def test_import_without_a_shared_csv_says_how(slack, db):
    slack.command("/sam", "import")
    assert "Share the CSV file in this conversation first" in slack.ephemeral(DANA, "Share")["text"]
    # Not a CSV, someone else's CSV, or one in a channel sambot is not in: not used.
    share(slack, name="notes.txt", content="hello")
    share(slack, user=LEE)
    slack.standin.add_channel(PRIVATE, "secret-deal", is_private=True, bot_is_member=False)
    share(slack, channel=PRIVATE)
    slack.command("/sam", "import")
    slack.command("/sam", "import", channel=PRIVATE)
    slack.in_flight.settle()
    shown = [e for e in slack.standin.ephemerals(DANA) if "Share the CSV" in e["text"]]
    assert len(shown) == 3
    assert accounts_in(db) == {}
    assert slack.standin.file_downloads() == []


def test_import_options_are_checked(slack, db):
    slack.command("/sam", "import --everything")
    assert "I don't know" in slack.ephemeral(DANA, "Options")["text"]


def seed_portfolio(slack):
    slack.standin.add_user(OWEN, "owen", email="owen@example.com")
    share(slack)
    slack.command("/sam", "import")
    slack.channel_message(ACME_CHANNEL, "Imported")


def test_portfolio_posts_the_analysis_and_uploads_the_chart(slack, db):
    seed_portfolio(slack)
    slack.command("/sam", "portfolio")
    answer = slack.ephemeral(DANA, "Pareto selection by gross margin")
    text = json.dumps(answer["blocks"])
    assert "Gross margin in EUR: 2 accounts ranked, total 1,000 EUR" in text
    assert "Gross margin in USD: 5 accounts ranked, total 1,000 USD" in text
    assert "80% cut: the top 2 of 5 accounts (40.0%) make 80.0% of the gross margin." in text
    assert "Strategic tier: 3 accounts make 60.0% of the gross margin; that meets" in text
    assert "Strategic tier: 1 account makes 10.0% of the gross margin; that is below" in text
    assert "never summed" in text
    buttons = [
        (b["text"]["text"].split("*")[1], b["accessory"]["text"]["text"])
        for b in answer["blocks"]
        if b.get("accessory", {}).get("action_id") == Button.PORTFOLIO_TIER
    ]
    assert buttons == [
        ("Bosch", "Make strategic"),
        ("Siemens", "Make key"),
        ("Globex", "Make strategic"),
        ("Initech", "Make key"),
        ("Hooli", "Make key"),
    ]
    png, table = slack.standin.uploads()
    assert png["content"].startswith(b"\x89PNG") and png["filename"] == "pareto-margin.png"
    assert png["channel"] == f"D{DANA}"
    rows = list(csv.DictReader(io.StringIO(table["content"].decode())))
    assert len(rows) == 7
    assert rows[0] == {
        "currency": "EUR",
        "rank": "1",
        "account": "Bosch",
        "tier": "key",
        "gross_margin": "900.00",
        "share": "0.9000",
        "cumulative_share": "0.9000",
        "in_80_cut": "yes",
        "suggested_tier": "strategic",
    }


def test_a_tier_button_changes_the_tier_and_redraws(slack, db):
    seed_portfolio(slack)
    slack.command("/sam", "portfolio revenue")
    answer = slack.ephemeral(DANA, "Pareto selection by annual revenue")
    block = next(
        b
        for b in answer["blocks"]
        if b.get("accessory", {}).get("action_id") == Button.PORTFOLIO_TIER
        and "*Globex*" in b["text"]["text"]
    )
    slack.requests.block_action(
        DANA,
        Button.PORTFOLIO_TIER,
        value=block["accessory"]["value"],
        message=answer,
        channel_id=ACME_CHANNEL,
    )
    redrawn = slack.ephemeral(DANA, "made *Globex* strategic")
    assert "*Globex*" not in json.dumps(redrawn["blocks"]).split("made *Globex*")[1]
    assert accounts_in(db)["Globex"].tier == Tier.STRATEGIC


def test_a_forged_tier_button_changes_nothing(slack, db):
    seed_portfolio(slack)
    slack.command("/sam", "portfolio")
    answer = slack.ephemeral(DANA, "Pareto selection")
    slack.requests.block_action(
        DANA,
        Button.PORTFOLIO_TIER,
        value='{"account_id": 1, "tier": "platinum"}',
        message=answer,
        channel_id=ACME_CHANNEL,
    )
    assert "out of date" in slack.ephemeral(DANA, "out of date")["text"]
    assert {a.tier for a in accounts_in(db).values()} == {Tier.STRATEGIC, Tier.KEY, Tier.OTHER}


def test_portfolio_of_an_empty_workspace_and_a_wrong_metric(slack, db):
    slack.command("/sam", "portfolio")
    assert "No account has a gross margin" in json.dumps(slack.ephemeral(DANA, "Pareto")["blocks"])
    assert slack.standin.uploads() == []
    slack.command("/sam", "portfolio profit")
    assert "margin, revenue or potential" in slack.ephemeral(DANA, "profit")["text"]


@pytest.fixture
def rates_file(tmp_path, monkeypatch):
    """SAMBOT_RATES_FILE, set before the `slack` fixture reads the settings."""
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate_to_USD\nEUR,1.10\n")
    monkeypatch.setenv("SAMBOT_RATES_FILE", str(rates))
    return rates


def test_portfolio_with_rates_ranks_every_currency_as_one(rates_file, slack, db):
    seed_portfolio(slack)
    slack.command("/sam", "portfolio")
    text = json.dumps(slack.ephemeral(DANA, "Pareto selection")["blocks"])
    assert "Gross margin in USD, converted to USD: 7 accounts ranked, total 2,100 USD" in text
    assert "never summed" not in text
    [_chart, table] = slack.standin.uploads()
    assert b"EUR" not in table["content"]


def test_a_large_portfolio_fits_in_one_message(slack, db):
    """300 accounts in three currencies, many tier disagreements: the message keeps within
    Slack's limits (the fixture fails on any Block Kit violation) and says what it left out."""
    from sambot.portfolio.imports import import_accounts
    from sambot.portfolio.sheet import read_sheet
    from sambot.workspaces import service as workspaces

    lines = ["name,gross margin,currency,tier,owner"]
    for n in range(300):
        lines.append(
            f"Account {n:03d} with a rather long name,{1000 - n},{['USD', 'EUR', 'GBP'][n % 3]},{['other', 'strategic'][n % 2]},{DANA}"
        )
    with db.session() as session:
        workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
        import_accounts(
            session,
            workspace_id=workspace.id,
            sheet=read_sheet("\n".join(lines).encode()),
            period="2026-11",
        )
    slack.command("/sam", "portfolio")
    answer = slack.ephemeral(DANA, "Pareto selection")
    text = json.dumps(answer["blocks"])
    assert len(answer["blocks"]) <= 50
    assert "and 85 more" in text  # 100 accounts per currency, 15 shown
    assert "more tier disagreements (the CSV lists them all)" in text
    [_chart, table] = slack.standin.uploads()
    assert len(table["content"].decode().splitlines()) == 301


def test_the_analysis_shows_even_when_the_chart_cannot_be_uploaded(slack, db):
    seed_portfolio(slack)
    slack.standin.fail("files.getUploadURLExternal", "missing_scope")
    slack.command("/sam", "portfolio")
    answer = slack.ephemeral(DANA, "Pareto selection")
    text = json.dumps(answer["blocks"])
    assert "I could not send the chart" in text and "missing_scope" in text
    assert "80% cut" in text
    assert slack.standin.uploads() == []
