"""The whole account plan as a Markdown file and a standalone HTML page.

Both come from Jinja2 templates that escape everything people typed: the HTML with
Jinja2's autoescaping, the Markdown with a finalize step that escapes HTML and Markdown's
own marks, so a stakeholder named `<script>alert(1)</script>` stays text in both. The
page needs no network (inline CSS, no fonts or scripts) and prints cleanly.
"""

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sambot.accountplan import labels
from sambot.accountplan.models import FIELD_SECTIONS, Section
from sambot.accountplan.schemas import FIELD_SCHEMAS
from sambot.accountplan.service import (
    RECENT_TOUCHPOINT_DAYS,
    AccountPlan,
    LastUpdate,
    plan_for_account,
)
from sambot.accounts.models import Account
from sambot.actions.models import Action
from sambot.relationships import cadence
from sambot.relationships.stakeholder_map import QUADRANT_MEANING, by_quadrant, map_points
from sambot.stakeholders.models import ATTITUDE_LABELS, Stakeholder
from sambot.workspaces.models import Workspace


@dataclass
class PlanDocument:
    account: Account
    plan: AccountPlan
    stakeholders: list[Stakeholder]
    today: date
    name_of: Callable[[str], str]
    managers: dict[int, str] = field(default_factory=dict)
    # The active stakeholders as the stakeholder map places them.
    touches: list[cadence.Touch] = field(default_factory=list)

    @property
    def since(self) -> date:
        return self.today - timedelta(days=RECENT_TOUCHPOINT_DAYS)

    @property
    def quadrants(self) -> list[tuple[str, str, list[cadence.Touch]]]:
        """The stakeholder map as text: each quadrant's name, meaning and people."""
        return [
            (name.value.capitalize(), QUADRANT_MEANING[name], members)
            for name, members in by_quadrant(self.touches).items()
        ]


def plan_document(
    db: Session, *, account: Account, today: date, name_of: Callable[[str], str] | None = None
) -> PlanDocument:
    """What the export shows; `name_of` turns a Slack user id into a name (the id itself
    when there is no Slack to ask, as in the command line)."""
    plan = plan_for_account(db, account_id=account.id, today=today)
    people = list(
        db.scalars(
            select(Stakeholder)
            # Those who left stay on their touchpoints, not in the stakeholder table.
            .where(Stakeholder.account_id == account.id, Stakeholder.left_on.is_(None))
            .order_by(Stakeholder.power.desc(), Stakeholder.name)
        )
    )
    for touchpoint in plan.recent_touchpoints:
        _ = touchpoint.stakeholders  # loaded now, while the session is open
    # The map shows no cadence, so the default cadences do.
    touches = cadence.touches(
        db, account_ids=[account.id], as_of=today, cadences=cadence.DEFAULT_CADENCES
    ).get(account.id, [])
    return PlanDocument(
        account=account,
        plan=plan,
        stakeholders=people,
        today=today,
        name_of=name_of or (lambda user_id: user_id),
        managers={person.id: person.name for person in people},
        touches=touches,
    )


def filename(account: Account, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", account.name.lower()).strip("-") or "account"
    return f"account-plan-{slug}.{extension}"


# Rendering -----------------------------------------------------------------------------------

# Marks that would format, link or break a table; HTML is escaped as entities.
_MARKDOWN_MARKS = re.compile(r"([\\`*_\[\]#|~])")


def markdown_escape(value: Any) -> str:
    """Text people typed, safe in Markdown: no HTML, no formatting marks, no line breaks
    that would end a list item."""
    if isinstance(value, Markup):
        return str(value)
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_MARKS.sub(r"\\\1", text)
    return "  \n  ".join(line.strip() for line in text.splitlines()) if "\n" in text else text


def _money(value: Decimal | None, currency: str) -> str:
    return f"{value:,.0f} {currency}" if value is not None else "no estimate"


def _day(value: date | None) -> str:
    return f"{value:%d %b %Y}" if value else ""


def _updated(update: LastUpdate | None, name_of) -> str:
    if update is None:
        return "never updated"
    by = f" by {name_of(update.by)}" if update.by else ""
    return f"updated{by} on {_day(update.at.date())}"


def _words(value: Any) -> str:
    raw = getattr(value, "value", value)
    return str(raw).replace("_", " ")


def _environment(*, html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("sambot.accountplan", "templates"),
        autoescape=html,
        finalize=None if html else markdown_escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(day=_day, words=_words, sentence=lambda text: text[:1].upper() + text[1:])
    env.globals.update(
        Section=Section,
        FIELD_SECTIONS=FIELD_SECTIONS,
        FIELD_SCHEMAS=FIELD_SCHEMAS,
        labels=labels,
        money=_money,
        updated=_updated,
        attitude=ATTITUDE_LABELS,
        open_actions=lambda actions: [a for a in actions if a.is_open],
        Action=Action,
    )
    return env


@cache
def _template(name: str):
    return _environment(html=name.endswith(".html.j2")).get_template(name)


def render_markdown(document: PlanDocument) -> str:
    text = _template("plan.md.j2").render(
        doc=document, plan=document.plan, account=document.account
    )
    # One blank line between blocks, and before every heading, whatever the loops left.
    text = re.sub(r"([^\n])\n(#+ )", r"\1\n\n\2", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def map_image(document: PlanDocument) -> str | None:
    """The stakeholder map as a data: URI, so that the page stays without network; None
    when the account has no active stakeholder."""
    if not document.touches:
        return None
    # Imported here: matplotlib costs about a second and 40 MB, paid only by who exports.
    from sambot.relationships.drawing import draw_map

    title = f"{document.account.name}: stakeholder map (power x interest)"
    png = draw_map(map_points(document.touches), title=title)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(document: PlanDocument) -> str:
    return _template("plan.html.j2").render(
        doc=document, plan=document.plan, account=document.account, map_image=map_image(document)
    )


def export_plan(
    db: Session, *, account_name: str, today: date, format: str, team: str | None = None
) -> str:
    """`sambot export plan ACCOUNT [--team T]`: the plan of the account of that name (in
    workspace `team`, else in the only workspace that has one; LookupError when none or
    several have it), with user ids for names."""
    query = (
        select(Account, Workspace.team_id)
        .join(Workspace, Workspace.id == Account.workspace_id)
        .where(func.lower(Account.name) == account_name.strip().lower())
    )
    if team:
        query = query.where(Workspace.team_id == team)
    found = list(db.execute(query.order_by(Workspace.team_id)))
    if not found:
        where = f" in workspace {team}" if team else ""
        raise LookupError(f"no account named {account_name!r}{where}")
    if len(found) > 1:
        teams = ", ".join(row.team_id for row in found)
        raise LookupError(
            f"{len(found)} workspaces have an account named {account_name!r}: "
            f"choose one with --team ({teams})"
        )
    document = plan_document(db, account=found[0].Account, today=today)
    return render_html(document) if format == "html" else render_markdown(document)
