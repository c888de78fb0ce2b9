"""The recorder names its tables rather than importing the models: the names must hold."""

import sambot.models  # noqa: F401  (every table on the metadata)
from sambot.audit.models import AuditEvent
from sambot.audit.recorder import AUDIT_EVENTS, AUDITED
from sambot.db import Base


def test_the_recorder_writes_every_column_of_the_audit_table_but_its_id():
    model = {c.name for c in AuditEvent.__table__.columns} - {"id"}
    assert {c.name for c in AUDIT_EVENTS.columns} == model


def test_audited_tables_exist_and_bookkeeping_and_secrets_are_not_among_them():
    tables = set(Base.metadata.tables)
    assert set(AUDITED) <= tables
    never = {
        "audit_events",
        "deliveries",
        "job_runs",
        "seen_events",
        "kept_messages",
        "slack_installations",
        "slack_bots",
        "slack_oauth_states",
    }
    assert never <= tables and not never & set(AUDITED)
    # Every table holding an account's content is audited.
    content = {
        "accounts",
        "team_members",
        "actions",
        "stakeholders",
        "touchpoints",
        "plan_sections",
        "industry_factors",
        "competitors",
        "expansion_areas",
        "objectives",
    }
    assert content <= set(AUDITED)
    # The workspace row is bookkeeping but for its settings: only those are audited.
    assert AUDITED["workspaces"].only == {"edit_policy"}
