"""An import's bulk writes and the command line's own writes in the audit trail, and
`sambot audit export`: JSON lines, one change per line."""

import json

import pytest
from sqlalchemy import select

from sambot.accounts.models import Account
from sambot.audit.models import AuditEvent
from sambot.cli import main

FIRST = """name,gross margin,annual revenue,currency,tier,owner
Acme,500,1000,USD,strategic,UDANA
Globex,300,900,USD,key,UDANA
"""
SECOND = """name,annual revenue,tier,owner
Acme,1200,key,UOWEN
Globex,900,,
"""


@pytest.fixture
def env(db, monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SAMBOT_RATES_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db.url)
    return monkeypatch


def audit(db, **where) -> list[AuditEvent]:
    with db.session() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return list(session.scalars(query))


def test_an_import_records_each_account_created_and_each_field_it_changed(env, db, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(FIRST)
    assert main(["import", "accounts", str(path), "--period", "2026-10"]) == 0
    created = audit(db, entity="account", operation="created")
    assert [e.label for e in created] == ["Acme", "Globex"]
    acme = created[0]
    assert (acme.source, acme.detail, acme.actor) == ("import", "sambot import accounts", None)
    with db.session() as session:
        acme_id = session.scalar(select(Account.id).where(Account.name == "Acme"))
    assert (acme.entity_id, acme.account_id) == (acme_id, acme_id)
    changes = {c["field"]: (c["old"], c["new"]) for c in acme.changes}
    assert changes["name"] == (None, "Acme")
    assert changes["tier"] == (None, "strategic")
    assert changes["owner_id"] == (None, "UDANA")
    assert float(changes["annual_revenue"][1]) == 1000

    path.write_text(SECOND)
    assert main(["import", "accounts", str(path), "--period", "2026-11"]) == 0
    # Each field once: the figures by the bulk update, the owner by the team's hand-over.
    updates = audit(db, entity="account", operation="updated", label="Acme")
    assert {e.source for e in updates} == {"import"}
    changes = [(c["field"], c["old"], c["new"]) for e in updates for c in e.changes]
    assert sorted(field for field, _, _ in changes) == ["annual_revenue", "owner_id", "tier"]
    assert ("tier", "strategic", "key") in changes and ("owner_id", "UDANA", "UOWEN") in changes
    [revenue] = [(old, new) for field, old, new in changes if field == "annual_revenue"]
    assert [float(v) for v in revenue] == [1000, 1200]
    # Globex's row changed nothing: no event.
    assert audit(db, operation="updated", label="Globex") == []
    # The new owner joins the team through the ORM, audited as the same import.
    team = audit(db, entity="team member", source="import")
    assert any(e.label == "<@UOWEN>" for e in team)


def test_a_dry_run_or_a_refused_import_records_nothing(env, db, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(FIRST + "Broken,50,10,USD,,UDANA\n")
    assert main(["import", "accounts", str(path), "--dry-run"]) == 1
    assert main(["import", "accounts", str(path), "--all-or-nothing"]) == 1
    assert audit(db) == []


def test_audit_export_writes_one_change_per_line(env, db, tmp_path, capsys):
    path = tmp_path / "accounts.csv"
    path.write_text(FIRST)
    main(["import", "accounts", str(path), "--period", "2026-10"])
    path.write_text(SECOND)
    main(["import", "accounts", str(path), "--period", "2026-11"])
    capsys.readouterr()
    output = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--since", "2026-01-01", "--output", str(output)]) == 0
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    events = audit(db)
    assert len(lines) == sum(len(e.changes) for e in events)
    assert set(lines[0]) == {
        "event_id",
        "at",
        "team",
        "account_id",
        "actor",
        "source",
        "detail",
        "entity",
        "entity_id",
        "label",
        "operation",
        "field",
        "old",
        "new",
    }
    tier = [line for line in lines if line["label"] == "Acme" and line["field"] == "tier"]
    assert [(line["operation"], line["old"], line["new"]) for line in tier] == [
        ("created", None, "strategic"),
        ("updated", "strategic", "key"),
    ]
    assert tier[0]["source"] == "import" and tier[0]["team"]
    assert lines == sorted(lines, key=lambda line: (line["at"], line["event_id"]))
    assert "exported" in capsys.readouterr().err

    # A later --since leaves them out; standard output by default; a bad date is refused.
    assert main(["audit", "export", "--since", "2099-01-01"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["audit", "export", "--since", "yesterday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
