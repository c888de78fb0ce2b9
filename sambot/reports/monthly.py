"""The monthly strategic-action report: what happened on each account during one month.

Computed for a batch of accounts at once, with the same fourteen grouped queries whatever
the batch size, so a portfolio of thousands of accounts costs a few queries per batch.
The result is plain dataclasses; rendering them for Slack is `sambot.slack.report_render`.

Dates people enter (due dates, touchpoint dates) are already local dates; timestamps
(`completed_at`, `created_at`) are UTC instants, compared with the month's bounds taken at
local midnight in the workspace's time zone, so a month is right across a DST change.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from sambot.accountplan.models import Section
from sambot.accountplan.service import DEFAULT_STALE_DAYS, is_stale, last_updates
from sambot.accounts.models import Account
from sambot.actions.models import OPEN_STATUSES, Action, ActionStatus
from sambot.checkpoints.service import RoundResults, latest_results
from sambot.dates import today_in
from sambot.plans.models import Horizon, Objective, ObjectiveStatus
from sambot.relationships.cadence import DEFAULT_CADENCES, Cadences
from sambot.relationships.coverage import Coverage, coverage_of
from sambot.reports.period import Period, as_utc, local_midnight
from sambot.stakeholders.models import Stakeholder, StakeholderRole
from sambot.touchpoints.models import Sentiment, Touchpoint, TouchpointKind, touchpoint_stakeholders
from sambot.workspaces.models import Workspace


def client_version_for(*, channel_shared_with_client: bool, asked: bool = False) -> bool:
    """Whether a channel gets the client version of the report: when asked for it, and
    always in a channel shared with the client, so that no internal field reaches them."""
    return asked or channel_shared_with_client


KEY_STAKEHOLDER_POWER = 4


@dataclass(frozen=True)
class Figure:
    """A headline number for the month, with the previous month's for comparison."""

    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous


@dataclass(frozen=True)
class ReportAction:
    id: int
    title: str
    owner_id: str
    status: ActionStatus  # as it stood at the end of the month
    due_date: date | None
    completed_on: date | None  # local date
    objective: str | None
    shared_with_client: bool
    obstacle: str | None
    days_late: int  # at the end of the month


@dataclass(frozen=True)
class TouchpointTally:
    kind: TouchpointKind
    total: int
    by_sentiment: dict[Sentiment, int]


@dataclass(frozen=True)
class CoverageGap:
    """A key stakeholder past their touch cadence (sambot.relationships.cadence) at the
    report's day: never met, or last met more than their cadence's days before."""

    id: int
    name: str
    title: str | None
    role: StakeholderRole
    power: int
    influence: int
    interest: int
    attitude: int
    last_touchpoint_on: date | None
    cadence_days: int


@dataclass(frozen=True)
class ObjectiveLine:
    id: int
    title: str
    horizon: Horizon
    status: ObjectiveStatus
    target_date: date | None


@dataclass(frozen=True)
class StaleSection:
    """A section of the account plan nobody updated in the last `stale_days` days."""

    section: Section
    last_updated_on: date | None  # None: never filled in


@dataclass
class MonthlyReport:
    workspace_id: int
    account_id: int
    account_name: str
    channel_id: str | None
    owner_id: str
    period: Period
    timezone: str
    # The day the figures are taken at: the first day after the month, or today for a
    # month still running. "Overdue" and "days late" are counted on that day.
    as_of: date
    actions_completed: Figure
    actions_opened: Figure
    actions_overdue: Figure
    touchpoints: Figure
    stakeholders_engaged: Figure
    completed: list[ReportAction] = field(default_factory=list)
    overdue: list[ReportAction] = field(default_factory=list)
    due_next_month: list[ReportAction] = field(default_factory=list)
    # Open shared-with-client actions whatever their due date: the client version's list.
    shared_open: list[ReportAction] = field(default_factory=list)
    touchpoints_by_kind: list[TouchpointTally] = field(default_factory=list)
    coverage_gaps: list[CoverageGap] = field(default_factory=list)
    objectives: list[ObjectiveLine] = field(default_factory=list)
    # The account's relationship coverage on the report's day (internal version only).
    coverage: Coverage | None = None
    # Internal only: the plan sections to bring up to date.
    stale_sections: list[StaleSection] = field(default_factory=list)
    stale_days: int = DEFAULT_STALE_DAYS
    # The latest alignment checkpoints closed by the month's end, newest first (the trend).
    checkpoints: list[RoundResults] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        """False while the month is still running."""
        return self.as_of >= self.period.end

    @property
    def shared_completed(self) -> list[ReportAction]:
        return [action for action in self.completed if action.shared_with_client]


class _Bounds:
    """The month's instants and days, computed once per batch."""

    def __init__(self, period: Period, zone: ZoneInfo, as_of: date):
        self.period = period
        self.as_of = as_of
        self.start = local_midnight(period.start, zone)
        self.end = local_midnight(period.end, zone)
        self.previous_start = local_midnight(period.previous.start, zone)
        # A finished month is read at its end; a running one up to the end of today, so
        # what was logged today already counts.
        running = as_of < period.end
        self.as_of_instant = local_midnight(as_of + timedelta(days=1) if running else as_of, zone)


def _completed(low: datetime, high: datetime):
    return and_(
        Action.status == ActionStatus.DONE, Action.completed_at >= low, Action.completed_at < high
    )


def _opened(low: datetime, high: datetime):
    return and_(Action.created_at >= low, Action.created_at < high)


def _open_at(instant: datetime):
    """Open at that instant: not yet done or cancelled then (closed later counts as open).

    A cancelled action keeps no cancellation time of its own; its last change stands in,
    so a past month's figures do not move when an action is cancelled afterwards.
    """
    return and_(
        Action.created_at < instant,
        or_(
            Action.status.in_(OPEN_STATUSES),
            and_(Action.status == ActionStatus.DONE, Action.completed_at >= instant),
            and_(Action.status == ActionStatus.CANCELLED, Action.updated_at >= instant),
        ),
    )


def _overdue_at(day: date, instant: datetime):
    return and_(_open_at(instant), Action.due_date < day)


def compute_reports(
    db: Session,
    *,
    workspace_id: int,
    timezone: str,
    period: Period,
    account_ids: Sequence[int],
    today: date | None = None,
    cadences: Cadences = DEFAULT_CADENCES,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> list[MonthlyReport]:
    """The reports of the given accounts (in that order), in fourteen queries whatever their
    number.

    `today` caps the month for a report asked while it is still running; `cadences` are
    the default touch cadences that decide which key stakeholders are overdue a touch. A
    plan section not updated in the `stale_days` before the report's day is named in it.
    """
    zone = ZoneInfo(timezone)
    as_of = min(period.end, today) if today else period.end
    bounds = _Bounds(period, zone, as_of)
    ids = list(account_ids)
    if not ids:
        return []

    accounts = db.execute(
        select(Account.id, Account.name, Account.channel_id, Account.owner_id).where(
            Account.workspace_id == workspace_id, Account.id.in_(ids)
        )
    ).all()
    figures = _action_figures(db, ids, bounds)
    lists = _action_lists(db, ids, bounds, zone)
    tallies, touchpoint_totals = _touchpoint_tallies(db, ids, bounds)
    engaged = _stakeholders_engaged(db, ids, bounds)
    gaps = _coverage_gaps(db, ids, bounds, cadences)
    covered = coverage_of(db, account_ids=ids, today=as_of, cadences=cadences)
    objectives = _objectives(db, ids)
    updates = last_updates(db, ids)
    alignment = latest_results(db, account_ids=ids, before=period.end)

    by_id = {row.id: row for row in accounts}
    reports = []
    for account_id in ids:
        account = by_id.get(account_id)
        if account is None:
            continue
        completed, opened, overdue = figures.get(account_id, ((0, 0), (0, 0), (0, 0)))
        action_lists = lists.get(account_id, {})
        reports.append(
            MonthlyReport(
                workspace_id=workspace_id,
                account_id=account_id,
                account_name=account.name,
                channel_id=account.channel_id,
                owner_id=account.owner_id,
                period=period,
                timezone=timezone,
                as_of=as_of,
                actions_completed=Figure(*completed),
                actions_opened=Figure(*opened),
                actions_overdue=Figure(*overdue),
                touchpoints=Figure(*touchpoint_totals.get(account_id, (0, 0))),
                stakeholders_engaged=Figure(*engaged.get(account_id, (0, 0))),
                completed=action_lists.get("completed", []),
                overdue=action_lists.get("overdue", []),
                due_next_month=action_lists.get("due_next_month", []),
                shared_open=action_lists.get("shared_open", []),
                touchpoints_by_kind=tallies.get(account_id, []),
                coverage_gaps=gaps.get(account_id, []),
                objectives=objectives.get(account_id, []),
                coverage=covered.get(account_id),
                stale_sections=[
                    StaleSection(section, update.at.date() if update else None)
                    for section in Section
                    if is_stale(
                        update := updates.get(account_id, {}).get(section),
                        today=as_of,
                        stale_days=stale_days,
                    )
                ],
                stale_days=stale_days,
                checkpoints=alignment.get(account_id, []),
            )
        )
    return reports


def report_for_account(
    db: Session,
    *,
    workspace: Workspace,
    account: Account,
    period_key: str,
    today: date | None = None,
    cadences: Cadences = DEFAULT_CADENCES,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> MonthlyReport:
    """One account's report (for `/sam report [YYYY-MM]`); ValueError for a bad period key."""
    period = Period.parse(period_key)
    today = today or today_in(workspace.timezone)
    [report] = compute_reports(
        db,
        workspace_id=workspace.id,
        timezone=workspace.timezone,
        period=period,
        account_ids=[account.id],
        today=today,
        cadences=cadences,
        stale_days=stale_days,
    )
    return report


def _action_figures(db: Session, ids: list[int], b: _Bounds) -> dict[int, tuple]:
    rows = db.execute(
        select(
            Action.account_id,
            func.count().filter(_completed(b.start, b.end)),
            func.count().filter(_completed(b.previous_start, b.start)),
            func.count().filter(_opened(b.start, b.end)),
            func.count().filter(_opened(b.previous_start, b.start)),
            func.count().filter(_overdue_at(b.as_of, b.as_of_instant)),
            func.count().filter(_overdue_at(b.period.start, b.start)),
        )
        .where(Action.account_id.in_(ids))
        .group_by(Action.account_id)
    ).all()
    return {row[0]: ((row[1], row[2]), (row[3], row[4]), (row[5], row[6])) for row in rows}


def _action_lists(
    db: Session, ids: list[int], b: _Bounds, zone: ZoneInfo
) -> dict[int, dict[str, list[ReportAction]]]:
    after_next_month = b.period.next.end
    rows = db.execute(
        select(
            Action.id,
            Action.account_id,
            Action.title,
            Action.owner_id,
            Action.due_date,
            Action.status,
            Action.completed_at,
            Action.shared_with_client,
            Action.obstacle,
            Objective.title.label("objective"),
        )
        .outerjoin(Objective, Objective.id == Action.objective_id)
        .where(
            Action.account_id.in_(ids),
            or_(
                _completed(b.start, b.end),
                and_(
                    _open_at(b.as_of_instant),
                    or_(Action.due_date < after_next_month, Action.shared_with_client),
                ),
            ),
        )
        .order_by(Action.account_id, Action.id)
    ).all()
    lists: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    completed_at: dict[int, datetime] = {}
    for row in rows:
        completed = as_utc(row.completed_at) if row.completed_at else None
        done_in_month = row.status == ActionStatus.DONE and b.start <= completed < b.end
        late = (b.as_of - row.due_date).days if row.due_date and row.due_date < b.as_of else 0
        # Done only after the month's end: it was still open when the month ended.
        status = row.status if row.status in OPEN_STATUSES or done_in_month else ActionStatus.OPEN
        action = ReportAction(
            id=row.id,
            title=row.title,
            owner_id=row.owner_id,
            status=status,
            due_date=row.due_date,
            completed_on=completed.astimezone(zone).date() if done_in_month else None,
            objective=row.objective,
            shared_with_client=row.shared_with_client,
            obstacle=row.obstacle,
            days_late=0 if done_in_month else late,
        )
        account_lists = lists[row.account_id]
        if done_in_month:
            completed_at[row.id] = completed
            account_lists["completed"].append(action)
            continue
        if late:
            account_lists["overdue"].append(action)
        # A finished month lists next month's; a running one also the rest of this month.
        elif row.due_date and b.as_of <= row.due_date < after_next_month:
            account_lists["due_next_month"].append(action)
        if row.shared_with_client:
            account_lists["shared_open"].append(action)
    for account_lists in lists.values():
        account_lists["completed"].sort(key=lambda a: (completed_at[a.id], a.id))
        account_lists["overdue"].sort(key=lambda a: (-a.days_late, a.id))
        account_lists["due_next_month"].sort(key=lambda a: (a.due_date, a.id))
        account_lists["shared_open"].sort(key=lambda a: (a.due_date or date.max, a.id))
    return lists


def _touchpoint_tallies(
    db: Session, ids: list[int], b: _Bounds
) -> tuple[dict[int, list[TouchpointTally]], dict[int, tuple[int, int]]]:
    in_month = Touchpoint.occurred_on >= b.period.start
    rows = db.execute(
        select(
            Touchpoint.account_id,
            Touchpoint.kind,
            Touchpoint.sentiment,
            func.count().filter(in_month),
            func.count().filter(~in_month),
        )
        .where(
            Touchpoint.account_id.in_(ids),
            Touchpoint.occurred_on >= b.period.previous.start,
            Touchpoint.occurred_on < b.period.end,
        )
        .group_by(Touchpoint.account_id, Touchpoint.kind, Touchpoint.sentiment)
    ).all()
    counts: dict[int, dict[TouchpointKind, dict[Sentiment, int]]] = defaultdict(dict)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for account_id, kind, sentiment, current, previous in rows:
        totals[account_id][0] += current
        totals[account_id][1] += previous
        if current:
            counts[account_id].setdefault(kind, {})[sentiment] = current
    tallies = {
        account_id: [
            TouchpointTally(
                kind=kind,
                total=sum(by_kind[kind].values()),
                by_sentiment={s: by_kind[kind][s] for s in Sentiment if s in by_kind[kind]},
            )
            for kind in TouchpointKind
            if kind in by_kind
        ]
        for account_id, by_kind in counts.items()
    }
    return tallies, {account_id: tuple(pair) for account_id, pair in totals.items()}


def _stakeholders_engaged(db: Session, ids: list[int], b: _Bounds) -> dict[int, tuple[int, int]]:
    link = touchpoint_stakeholders
    in_month = Touchpoint.occurred_on >= b.period.start
    stakeholder = link.c.stakeholder_id
    rows = db.execute(
        select(
            Touchpoint.account_id,
            func.count(stakeholder.distinct()).filter(in_month),
            func.count(stakeholder.distinct()).filter(~in_month),
        )
        .join(link, link.c.touchpoint_id == Touchpoint.id)
        .where(
            Touchpoint.account_id.in_(ids),
            Touchpoint.occurred_on >= b.period.previous.start,
            Touchpoint.occurred_on < b.period.end,
        )
        .group_by(Touchpoint.account_id)
    ).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def _coverage_gaps(
    db: Session, ids: list[int], b: _Bounds, cadences: Cadences
) -> dict[int, list[CoverageGap]]:
    link = touchpoint_stakeholders
    last_seen = func.max(Touchpoint.occurred_on)
    rows = db.execute(
        select(
            Stakeholder.id,
            Stakeholder.account_id,
            Stakeholder.name,
            Stakeholder.title,
            Stakeholder.role,
            Stakeholder.power,
            Stakeholder.influence,
            Stakeholder.interest,
            Stakeholder.attitude,
            Stakeholder.cadence_days,
            last_seen.label("last_seen"),
        )
        .outerjoin(link, link.c.stakeholder_id == Stakeholder.id)
        .outerjoin(
            Touchpoint,
            and_(Touchpoint.id == link.c.touchpoint_id, Touchpoint.occurred_on < b.as_of),
        )
        .where(
            Stakeholder.account_id.in_(ids),
            Stakeholder.power >= KEY_STAKEHOLDER_POWER,
            Stakeholder.created_at < b.as_of_instant,
            # Someone who left before the month's end is no gap to fill.
            or_(Stakeholder.left_on.is_(None), Stakeholder.left_on >= b.as_of),
        )
        .group_by(Stakeholder.id)
    ).all()
    gaps: dict[int, list[CoverageGap]] = defaultdict(list)
    for row in rows:
        days = cadences.days_for(role=row.role, power=row.power, own=row.cadence_days)
        if row.last_seen is not None and row.last_seen >= b.as_of - timedelta(days=days):
            continue  # met within their cadence
        gaps[row.account_id].append(
            CoverageGap(
                id=row.id,
                name=row.name,
                title=row.title,
                role=row.role,
                power=row.power,
                influence=row.influence,
                interest=row.interest,
                attitude=row.attitude,
                last_touchpoint_on=row.last_seen,
                cadence_days=days,
            )
        )
    for account_gaps in gaps.values():
        account_gaps.sort(key=lambda g: (-g.power, -g.influence, g.name.lower(), g.id))
    return gaps


def _objectives(db: Session, ids: list[int]) -> dict[int, list[ObjectiveLine]]:
    rows = db.execute(
        select(
            Objective.id,
            Objective.account_id,
            Objective.title,
            Objective.horizon,
            Objective.status,
            Objective.target_date,
        ).where(Objective.account_id.in_(ids))
    ).all()
    objectives: dict[int, list[ObjectiveLine]] = defaultdict(list)
    for row in rows:
        objectives[row.account_id].append(
            ObjectiveLine(row.id, row.title, row.horizon, row.status, row.target_date)
        )
    for lines in objectives.values():
        lines.sort(key=lambda o: (o.horizon != Horizon.SHORT_TERM, o.target_date or date.max, o.id))
    return objectives
