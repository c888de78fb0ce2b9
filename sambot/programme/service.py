"""The programme's view across accounts: the roll-up rows for leadership, and its channel.

Figures are read in a few grouped queries for every account at once, so 300 accounts cost
the same handful of queries as three.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from sambot.accounts.models import Account, TeamMember, TeamRole, Tier
from sambot.accounts.permissions import Viewer, visible_to
from sambot.actions.models import OPEN_STATUSES, Action, ActionStatus
from sambot.portfolio.imports import changes_since_last_snapshot
from sambot.programme.models import ProgrammeChannel
from sambot.relationships.cadence import DEFAULT_CADENCES, Cadences
from sambot.relationships.coverage import Coverage, coverage_of
from sambot.touchpoints.models import Touchpoint

QUIET_DAYS = 30  # no touchpoint for this long: the account is named first


@dataclass
class ProgrammeRow:
    account_id: int
    name: str
    owner_id: str
    channel_id: str | None
    sponsor_ids: list[str]
    open_actions: int
    overdue_actions: int
    completed_this_month: int
    last_touchpoint: date | None
    annual_revenue: Decimal | None
    gross_margin: Decimal | None
    currency: str
    # Relationship coverage (red / amber / green and its reasons), and how revenue and
    # margin moved between the last two snapshots (imports).
    coverage: Coverage | None = None
    revenue_change: Decimal | None = None
    margin_change: Decimal | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.warnings)


def last_touchpoints(db: Session, *, account_ids: Sequence[int]) -> dict[int, date]:
    if not account_ids:
        return {}
    rows = db.execute(
        select(Touchpoint.account_id, func.max(Touchpoint.occurred_on))
        .where(Touchpoint.account_id.in_(account_ids))
        .group_by(Touchpoint.account_id)
    )
    return dict(rows.all())


def account_coverage(
    db: Session, *, account_ids: Sequence[int], today: date, cadences: Cadences = DEFAULT_CADENCES
) -> dict[int, Coverage]:
    """Each account's relationship coverage (relationships/coverage.py), in two queries."""
    return coverage_of(db, account_ids=account_ids, today=today, cadences=cadences)


def _start_of(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def rows(
    db: Session,
    *,
    workspace_id: int,
    today: date,
    timezone: str = "UTC",
    completed_since: date | None = None,
    cadences: Cadences = DEFAULT_CADENCES,
    viewer: Viewer | None = None,
) -> list[ProgrammeRow]:
    """Every strategic account's row, those needing attention first, then by overdue
    actions, open actions and name. Completed actions are counted from `completed_since`
    (the first of this month unless said). With a viewer, private accounts they may not
    see are left out."""
    completed_since = completed_since or today.replace(day=1)
    accounts = db.execute(
        select(
            Account.id,
            Account.name,
            Account.owner_id,
            Account.channel_id,
            Account.annual_revenue,
            Account.gross_margin,
            Account.currency,
        ).where(
            Account.workspace_id == workspace_id,
            Account.archived.is_(False),
            Account.tier == Tier.STRATEGIC,
            visible_to(viewer),
        )
    ).all()
    ids = [account.id for account in accounts]
    if not ids:
        return []
    sponsors: dict[int, list[str]] = {}
    for account_id, user_id in db.execute(
        select(TeamMember.account_id, TeamMember.user_id)
        .where(TeamMember.account_id.in_(ids), TeamMember.role == TeamRole.EXECUTIVE_SPONSOR)
        .order_by(TeamMember.id)
    ):
        sponsors.setdefault(account_id, []).append(user_id)
    is_open = Action.status.in_(OPEN_STATUSES)
    counts = {
        row.account_id: row
        for row in db.execute(
            select(
                Action.account_id,
                func.count().filter(is_open).label("open"),
                func.count().filter(and_(is_open, Action.due_date < today)).label("overdue"),
                func.sum(
                    case(
                        (
                            and_(
                                Action.status == ActionStatus.DONE,
                                Action.completed_at >= _start_of(completed_since, timezone),
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ).label("completed"),
            )
            .where(Action.account_id.in_(ids))
            .group_by(Action.account_id)
        )
    }
    touched = last_touchpoints(db, account_ids=ids)
    coverage = account_coverage(db, account_ids=ids, today=today, cadences=cadences)
    changes = changes_since_last_snapshot(db, account_ids=ids)
    quiet_since = today - timedelta(days=QUIET_DAYS)
    result = []
    for account in accounts:
        count = counts.get(account.id)
        row = ProgrammeRow(
            account_id=account.id,
            name=account.name,
            owner_id=account.owner_id,
            channel_id=account.channel_id,
            sponsor_ids=sponsors.get(account.id, []),
            open_actions=count.open if count else 0,
            overdue_actions=count.overdue if count else 0,
            completed_this_month=int(count.completed or 0) if count else 0,
            last_touchpoint=touched.get(account.id),
            annual_revenue=account.annual_revenue,
            gross_margin=account.gross_margin,
            currency=account.currency,
            coverage=coverage.get(account.id),
        )
        if account.id in changes:
            row.revenue_change = changes[account.id].revenue
            row.margin_change = changes[account.id].margin
        if not row.sponsor_ids:
            row.warnings.append("no executive sponsor")
        if not row.channel_id:
            row.warnings.append("no linked channel")
        if row.last_touchpoint is None or row.last_touchpoint < quiet_since:
            row.warnings.append(f"no touchpoint in {QUIET_DAYS} days")
        result.append(row)
    result.sort(
        key=lambda r: (
            not r.needs_attention,
            -len(r.warnings),
            -r.overdue_actions,
            -r.open_actions,
            r.name.lower(),
        )
    )
    return result


def programme_channel(db: Session, *, workspace_id: int) -> str | None:
    found = db.get(ProgrammeChannel, workspace_id)
    return found.channel_id if found else None


def set_programme_channel(db: Session, *, workspace_id: int, channel_id: str, set_by: str) -> None:
    found = db.get(ProgrammeChannel, workspace_id)
    if found is None:
        db.add(ProgrammeChannel(workspace_id=workspace_id, channel_id=channel_id, set_by=set_by))
    else:
        found.channel_id, found.set_by = channel_id, set_by
    db.flush()


def programme_channels(db: Session) -> dict[int, str]:
    return dict(db.execute(select(ProgrammeChannel.workspace_id, ProgrammeChannel.channel_id)))
