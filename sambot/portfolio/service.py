"""The portfolio as the analysis reads it, conversion rates from a file, and tier changes."""

import csv
import io
import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.accounts.models import Account, Tier
from sambot.accounts.permissions import Viewer, visible_to
from sambot.portfolio.pareto import Analysis, Figures, Metric, Rates, analyse
from sambot.validation import DomainError


def figures(db: Session, *, workspace_id: int, viewer: Viewer | None = None) -> list[Figures]:
    """Every account that is not archived (and the viewer may see), as the analysis reads it."""
    rows = db.execute(
        select(
            Account.id,
            Account.name,
            Account.tier,
            Account.currency,
            Account.annual_revenue,
            Account.gross_margin,
            Account.potential_revenue,
        ).where(
            Account.workspace_id == workspace_id,
            Account.archived.is_(False),
            visible_to(viewer),
        )
    )
    return [Figures(*row) for row in rows]


def analyse_portfolio(
    db: Session,
    *,
    workspace_id: int,
    metric: Metric = Metric.MARGIN,
    rates: Rates | None = None,
    viewer: Viewer | None = None,
) -> Analysis:
    return analyse(figures(db, workspace_id=workspace_id, viewer=viewer), metric, rates)


def set_tier(db: Session, *, workspace_id: int, account_id: int, tier: Tier) -> Account:
    return accounts.update(
        db, workspace_id=workspace_id, account_id=account_id, data={"tier": tier}
    )


class RatesError(DomainError):
    pass


RATE_HEADER = re.compile(r"^rate_to_([A-Za-z]{3})$")


def read_rates(data: bytes | str) -> Rates:
    """A rates file: a header `currency,rate_to_EUR` (the base currency is in the header),
    then one row per currency: `USD,0.92` means 1 USD = 0.92 EUR."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows or len(rows[0]) < 2:
        raise RatesError("The rates file needs a header: currency,rate_to_EUR (your base).")
    header = RATE_HEADER.match(rows[0][1].strip().replace(" ", "_").lower())
    if rows[0][0].strip().lower() != "currency" or header is None:
        raise RatesError(
            f"The rates file's header is {','.join(rows[0])!r}; write currency,rate_to_EUR "
            "(with your base currency)."
        )
    base = header[1].upper()
    rates: dict[str, Decimal] = {}
    for number, row in enumerate(rows[1:], start=2):
        currency = row[0].strip().upper()
        try:
            rate = Decimal(row[1].strip())
        except (InvalidOperation, IndexError):
            raise RatesError(f"Rates file, row {number}: the rate is not a number.") from None
        if not re.fullmatch(r"[A-Z]{3}", currency) or not rate.is_finite() or rate <= 0:
            raise RatesError(f"Rates file, row {number}: give a currency code and a rate above 0.")
        rates[currency] = rate
    return Rates(base, rates)


def metric_named(word: str | None) -> Metric:
    """`margin`, `revenue` or `potential` (a few other spellings too); margin when blank."""
    key = (word or "margin").strip().lower()
    aliases = {"gross_margin": "margin", "gross": "margin", "potential_revenue": "potential"}
    try:
        return Metric(aliases.get(key.replace(" ", "_").replace("-", "_"), key))
    except ValueError:
        raise DomainError(f"I can rank by margin, revenue or potential, not {word!r}.") from None
