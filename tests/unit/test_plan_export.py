"""The plan's export: every section, user text escaped in Markdown and HTML, a page that
needs no network, checked in a real browser (headless Chromium) when one is installed;
`sambot export plan` from the command line."""

import base64
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from sambot.accountplan import export
from sambot.accountplan import service as plan
from sambot.accountplan.models import Section
from sambot.accounts import service as accounts
from sambot.actions import service as actions
from sambot.plans import service as objectives
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints import service as touchpoints
from sambot.workspaces import service as workspaces
from tests.unit.test_cli import sambot

TODAY = date(2026, 12, 2)
SCRIPT = "<script>alert(1)</script>"
MARKS = "**bold** [link](javascript:alert(1)) | `code`"
TITLES = [
    "Customer profile and needs",
    "Value proposition",
    "Customer strategy map",
    "Industry analysis",
    "Competitive assessment",
    "Relationship history and expansion",
    "Objectives and actions",
    "Stakeholders",
    "Touchpoints since",
]


def hostile_plan(session) -> export.PlanDocument:
    """A plan with every section filled, and hostile text in every kind of field."""
    workspace = workspaces.ensure(session, team_id="T0001", timezone="UTC")
    account = accounts.create(
        session,
        workspace_id=workspace.id,
        data={"name": "Acme & Sons", "owner_id": "UDANA", "annual_revenue": "1000"},
    )
    ids = {"workspace_id": workspace.id, "account_id": account.id}
    for section, fields in (
        (Section.PROFILE, {"business": SCRIPT, "needs": MARKS, "buying_cycle": "9 months"}),
        (Section.VALUE, {"unique_value": "Second source", "proof_points": SCRIPT}),
        (Section.STRATEGY, {"client_objectives": "Grow EV", "culture": MARKS}),
    ):
        plan.update_fields(session, **ids, section=section, data=fields, updated_by="UDANA")
    plan.save_item(
        session,
        **ids,
        section=Section.INDUSTRY,
        data={"factor": "political", "impact": "up", "trend": SCRIPT, "note": "Subsidies"},
        updated_by="ULEE",
    )
    plan.save_item(
        session,
        **ids,
        section=Section.COMPETITION,
        data={"name": SCRIPT, "position": "behind", "strengths": "Price", "weaknesses": MARKS},
        updated_by="ULEE",
    )
    plan.save_item(
        session,
        **ids,
        section=Section.RELATIONSHIP,
        data={"area": "Automotive line", "estimated_value": "250000", "stage": "proposed"},
        updated_by="ULEE",
    )
    person = stakeholders.create(session, **ids, data={"name": SCRIPT, "power": 5})
    goal = objectives.create(session, **ids, data={"title": "Renew the agreement"})
    actions.create(
        session,
        **ids,
        created_by="UDANA",
        data={"title": "Send the proposal", "owner_id": "UDANA", "objective_id": goal.id},
    )
    for days, summary in ((10, "Recent " + SCRIPT), (200, "Ancient history")):
        touchpoints.create(
            session,
            **ids,
            logged_by="UDANA",
            today=TODAY,
            data={
                "occurred_on": TODAY - timedelta(days=days),
                "kind": "call",
                "summary": summary,
                "stakeholder_ids": [person.id],
            },
        )
    return export.plan_document(session, account=account, today=TODAY, name_of=str.lower)


def test_markdown_escapes_user_text_and_has_every_section(session):
    text = export.render_markdown(hostile_plan(session))
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "**bold**" not in text and r"\*\*bold\*\*" in text
    assert "[link]" not in text and r"\[link\]" in text
    for title in TITLES:
        assert title in text
    assert "Renew the agreement" in text and "Send the proposal" in text
    assert "Recent" in text and "Ancient history" not in text  # the last 90 days only
    assert "Acme &amp; Sons" in text and "udana" in text  # names come from name_of


def test_html_escapes_user_text_needs_no_network_and_prints(session):
    page = export.render_html(hostile_plan(session))
    assert "<script" not in page  # neither the user's nor any of ours
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for title in TITLES:
        assert title in page
    assert not re.search(r"https?://|<link|@import|url\(|<iframe", page)
    assert "@media print" in page
    assert "Renew the agreement" in page and "Send the proposal" in page
    assert "Ancient history" not in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_a_real_browser_renders_the_page_as_text(session, tmp_path):
    page = tmp_path / "plan.html"
    page.write_text(export.render_html(hostile_plan(session)), encoding="utf-8")
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    # The browser read the hostile names as text: no script element exists in its DOM.
    assert "<script" not in dom and "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "Competitive assessment" in dom
    png = tmp_path / "plan.png"
    subprocess.run(
        [*common, f"--screenshot={png}", "--window-size=1100,2400", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000  # a page drawn, not a blank one
    pdf = tmp_path / "plan.pdf"  # printing: the print stylesheet, pages
    subprocess.run(
        [*common, f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120
    )
    assert pdf.read_bytes()[:5] == b"%PDF-"
    keep = Path("var/plan-export.png")
    keep.parent.mkdir(exist_ok=True)
    shutil.copy(png, keep)  # to look at after the run


def test_cli_exports_the_plan(tmp_path, database_url):
    from sambot.db import Database

    database = Database(database_url)
    try:
        with database.session() as session:
            hostile_plan(session)
        out = tmp_path / "plan.html"
        env = {"DATABASE_URL": database_url}
        done = sambot(
            "export", "plan", "acme & sons", "--format", "html", "--output", str(out), env=env
        )
        assert done.returncode == 0, done.stderr
        assert "&lt;script&gt;" in out.read_text() and "<script" not in out.read_text()
        markdown = sambot("export", "plan", "Acme & Sons", env=env)
        assert markdown.returncode == 0 and markdown.stdout.startswith(
            "# Account plan: Acme &amp; Sons"
        )
        missing = sambot("export", "plan", "Nobody", env=env)
        assert missing.returncode == 1 and "no account named 'Nobody'" in missing.stderr
    finally:
        from tests.conftest import empty_all_tables

        empty_all_tables(database)
        database.dispose()


def test_the_html_holds_the_stakeholder_map_inline_and_the_markdown_its_text(session):
    document = hostile_plan(session)
    page = export.render_html(document)
    [image] = re.findall(r"<img [^>]*>", page)
    [data] = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', image)
    assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'alt="Stakeholder map of Acme &amp; Sons' in image
    assert not re.search(r"https?://", page)  # the image travels in the page
    text = export.render_markdown(document)
    stakeholders_part = text.split("## Stakeholders")[1].split("## Touchpoints")[0]
    for name in ("Manage closely", "Keep satisfied", "Keep informed", "Monitor"):
        assert f"**{name}**" in stakeholders_part
    # The hostile name, power 5 and interest 3 by default, keeps satisfied, escaped.
    assert "**Keep satisfied** (high power, lower interest): 1" in stakeholders_part
    assert "- &lt;script&gt;alert(1)&lt;/script&gt; · power 5" in stakeholders_part


def test_no_map_without_active_stakeholders(session):
    document = hostile_plan(session)
    [person] = document.stakeholders
    stakeholders.set_left(session, stakeholder=person, left=True, today=TODAY)
    again = export.plan_document(session, account=document.account, today=TODAY, name_of=str)
    assert "<img" not in export.render_html(again)
    assert "Manage closely" not in export.render_markdown(again)


def test_someone_who_left_is_out_of_the_stakeholders_but_on_their_touchpoints(session):
    document = hostile_plan(session)
    [person] = document.stakeholders
    stakeholders.set_left(session, stakeholder=person, left=True, today=TODAY)
    again = export.plan_document(session, account=document.account, today=TODAY, name_of=str)
    assert again.stakeholders == []
    assert [p.name for t in again.plan.recent_touchpoints for p in t.stakeholders] == [SCRIPT]
