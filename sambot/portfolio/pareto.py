"""The Pareto analysis that selects strategic accounts (the article's 80/20 rule).

Rules, in the order they apply:
- **Missing figures**: an account with no figure for the metric is not ranked; it is
  listed apart ("no gross margin").
- **Mixed currencies** are never summed: each currency is ranked on its own, unless
  rates are given (a rates file); then every figure is converted to the rates' base
  currency, and an account whose currency has no rate is listed apart ("no rate").
- **Negative figures** (a loss-making account's margin) are not ranked and do not lower
  the total: shares are of the positive total. They are listed apart, and a strategic
  one is named as a disagreement.
- **Zero figures** are ranked, last; their share is 0.
- **Ties** rank by name (A to Z), so the order is stable; at the cut, accounts with the
  same figure as the last one inside it are inside it too: equal accounts fall on the
  same side.
- **The cut** is the smallest number of top accounts whose cumulative share reaches 80%
  (then widened over ties). With a total of zero there is no cut.
- **Disagreements**: an account inside the cut that is not strategic (suggested:
  strategic), and a strategic account outside it or with a negative figure (suggested:
  key).
- The strategic tier's share is the strategic accounts' part of the total, against the
  article's benchmark: strategic accounts should make 25% or more.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from sambot.accounts.models import Tier

CUT = Decimal("0.8")
BENCHMARK = Decimal("0.25")
CENT = Decimal("0.01")


class Metric(StrEnum):
    MARGIN = "margin"
    REVENUE = "revenue"
    POTENTIAL = "potential"

    @property
    def field(self) -> str:
        return {"margin": "gross_margin", "revenue": "annual_revenue"}.get(
            self.value, "potential_revenue"
        )

    @property
    def label(self) -> str:
        return self.field.replace("_", " ")


@dataclass(frozen=True)
class Figures:
    """What the analysis reads of an account."""

    account_id: int
    name: str
    tier: Tier
    currency: str
    annual_revenue: Decimal | None = None
    gross_margin: Decimal | None = None
    potential_revenue: Decimal | None = None


@dataclass(frozen=True)
class Rates:
    """Conversion rates to a base currency: 1 unit of `currency` = rates[currency] base."""

    base: str
    rates: dict[str, Decimal]

    def convert(self, value: Decimal, currency: str) -> Decimal | None:
        if currency == self.base:
            return value
        rate = self.rates.get(currency)
        return None if rate is None else (value * rate).quantize(CENT)


@dataclass(frozen=True)
class Ranked:
    rank: int
    account: Figures
    value: Decimal  # in the group's currency
    share: Decimal  # of the group's total, 0 to 1
    cumulative: Decimal
    in_cut: bool


@dataclass(frozen=True)
class Disagreement:
    account: Figures
    suggested: Tier
    ranked: Ranked | None  # None for a negative figure (not ranked)


@dataclass
class Group:
    """One ranking: one currency, or every account converted to the rates' base."""

    currency: str
    converted: bool
    ranked: list[Ranked]
    total: Decimal
    cut_count: int
    strategic_share: Decimal | None
    strategic_count: int
    negative: list[tuple[Figures, Decimal]]
    disagreements: list[Disagreement]

    @property
    def cut_share(self) -> Decimal:
        return self.ranked[self.cut_count - 1].cumulative if self.cut_count else Decimal(0)

    @property
    def meets_benchmark(self) -> bool:
        return self.strategic_share is not None and self.strategic_share >= BENCHMARK


@dataclass
class Analysis:
    metric: Metric
    groups: list[Group]
    missing: list[Figures] = field(default_factory=list)  # no figure for the metric
    no_rate: list[Figures] = field(default_factory=list)  # a currency the rates lack
    rates_base: str | None = None


def analyse(
    accounts: Iterable[Figures], metric: Metric = Metric.MARGIN, rates: Rates | None = None
) -> Analysis:
    analysis = Analysis(metric, [], rates_base=rates.base if rates else None)
    by_currency: dict[str, list[tuple[Figures, Decimal]]] = {}
    for account in accounts:
        value = getattr(account, metric.field)
        if value is None:
            analysis.missing.append(account)
            continue
        currency = account.currency
        if rates is not None:
            value, currency = rates.convert(value, account.currency), rates.base
            if value is None:
                analysis.no_rate.append(account)
                continue
        by_currency.setdefault(currency, []).append((account, value))
    for currency in sorted(by_currency):
        analysis.groups.append(_rank(currency, by_currency[currency], converted=bool(rates)))
    analysis.missing.sort(key=lambda a: a.name.lower())
    analysis.no_rate.sort(key=lambda a: a.name.lower())
    return analysis


def _rank(currency: str, items: list[tuple[Figures, Decimal]], *, converted: bool) -> Group:
    negative = sorted(
        ((account, value) for account, value in items if value < 0),
        key=lambda item: (item[1], item[0].name.lower()),
    )
    kept = sorted(
        ((account, value) for account, value in items if value >= 0),
        key=lambda item: (-item[1], item[0].name.lower()),
    )
    total = sum((value for _, value in kept), Decimal(0))
    cut_count = 0
    if total > 0:
        running = Decimal(0)
        for i, (_, value) in enumerate(kept):
            running += value
            if running >= CUT * total:
                cut_count = i + 1
                break
        while cut_count < len(kept) and kept[cut_count][1] == kept[cut_count - 1][1]:
            cut_count += 1  # a tie with the last account inside the cut
    ranked, running = [], Decimal(0)
    for i, (account, value) in enumerate(kept):
        running += value
        share = value / total if total else Decimal(0)
        cumulative = running / total if total else Decimal(0)
        ranked.append(Ranked(i + 1, account, value, share, cumulative, i < cut_count))
    strategic = [r for r in ranked if r.account.tier == Tier.STRATEGIC]
    strategic_total = sum((r.value for r in strategic), Decimal(0))
    disagreements = [
        Disagreement(r.account, Tier.STRATEGIC, r)
        for r in ranked
        if r.in_cut and r.account.tier != Tier.STRATEGIC
    ]
    disagreements += [
        Disagreement(r.account, Tier.KEY, r)
        for r in ranked
        if not r.in_cut and r.account.tier == Tier.STRATEGIC
    ]
    disagreements += [
        Disagreement(account, Tier.KEY, None)
        for account, _ in negative
        if account.tier == Tier.STRATEGIC
    ]
    return Group(
        currency=currency,
        converted=converted,
        ranked=ranked,
        total=total,
        cut_count=cut_count,
        strategic_share=strategic_total / total if total else None,
        strategic_count=len(strategic) + sum(1 for a, _ in negative if a.tier == Tier.STRATEGIC),
        negative=negative,
        disagreements=disagreements,
    )


def percent(fraction: Decimal) -> str:
    return f"{fraction * 100:.1f}%"


def amount(value: Decimal) -> str:
    return f"{value:,.2f}".removesuffix(".00")
