"""The Pareto figures for a known portfolio: ties, zero and negative margins, missing
figures, two currencies, and rates."""

from decimal import Decimal as D

import pytest

from sambot.accounts.models import Tier
from sambot.portfolio.chart import pareto_png
from sambot.portfolio.pareto import Figures, Metric, Rates, analyse
from sambot.portfolio.service import RatesError, metric_named, read_rates
from sambot.portfolio.table import render_csv, render_text
from sambot.validation import DomainError

S, K, OT = Tier.STRATEGIC, Tier.KEY, Tier.OTHER


def portfolio() -> list[Figures]:
    rows = [
        # name, tier, currency, revenue, margin, potential
        ("Acme", S, "USD", "1000", "500", "3000"),
        ("Globex", K, "USD", "900", "300", None),
        ("Umbrella", OT, "USD", "500", "100", "100"),
        ("Initech", S, "USD", "400", "100", "100"),  # tied with Umbrella at the cut
        ("Hooli", S, "USD", "300", "0", None),  # zero margin
        ("Stark", S, "USD", "200", "-50", None),  # loss-making
        ("Wayne", OT, "USD", "100", None, None),  # no margin
        ("Bosch", K, "EUR", "2000", "900", None),
        ("Siemens", S, "EUR", "800", "100", None),
    ]
    return [
        Figures(
            i,
            name,
            tier,
            currency,
            annual_revenue=D(revenue),
            gross_margin=D(margin) if margin else None,
            potential_revenue=D(potential) if potential else None,
        )
        for i, (name, tier, currency, revenue, margin, potential) in enumerate(rows, start=1)
    ]


def test_each_currency_is_ranked_on_its_own():
    analysis = analyse(portfolio(), Metric.MARGIN)
    assert [g.currency for g in analysis.groups] == ["EUR", "USD"]
    eur, usd = analysis.groups
    assert eur.total == D(1000) and usd.total == D(1000)
    assert not eur.converted


def test_ranking_shares_and_the_cut_with_a_tie():
    usd = analyse(portfolio()).groups[1]
    # Equal margins rank by name; zero ranks last; negative and missing are not ranked.
    assert [r.account.name for r in usd.ranked] == [
        "Acme",
        "Globex",
        "Initech",
        "Umbrella",
        "Hooli",
    ]
    assert [r.share for r in usd.ranked] == [D("0.5"), D("0.3"), D("0.1"), D("0.1"), D(0)]
    assert [r.cumulative for r in usd.ranked] == [D("0.5"), D("0.8"), D("0.9"), D(1), D(1)]
    # 80% is reached at Globex exactly: the cut is the top two.
    assert usd.cut_count == 2
    assert [r.in_cut for r in usd.ranked] == [True, True, False, False, False]
    assert usd.cut_share == D("0.8")


def test_a_tie_at_the_cut_puts_equal_accounts_inside_it():
    figures = [f for f in portfolio() if f.name != "Globex"]
    usd = analyse(figures).groups[1]
    # Acme 500 of 700 is 71%; Initech reaches 86%; Umbrella has the same margin: inside too.
    assert [(r.account.name, r.in_cut) for r in usd.ranked] == [
        ("Acme", True),
        ("Initech", True),
        ("Umbrella", True),
        ("Hooli", False),
    ]
    assert usd.cut_count == 3


def test_strategic_share_against_the_benchmark():
    eur, usd = analyse(portfolio()).groups
    # USD strategic: Acme 500 + Initech 100 + Hooli 0 (Stark's loss is not ranked).
    assert usd.strategic_share == D("0.6")
    assert usd.strategic_count == 4  # Stark is strategic too
    assert usd.meets_benchmark
    assert eur.strategic_share == D("0.1")
    assert not eur.meets_benchmark


def test_disagreements_name_the_tier_to_change():
    eur, usd = analyse(portfolio()).groups
    assert [(d.account.name, d.suggested) for d in usd.disagreements] == [
        ("Globex", S),  # inside the cut, key
        ("Initech", K),  # strategic, outside the cut
        ("Hooli", K),  # strategic, zero margin
        ("Stark", K),  # strategic, negative margin
    ]
    assert [(d.account.name, d.suggested) for d in eur.disagreements] == [
        ("Bosch", S),
        ("Siemens", K),
    ]


def test_negative_and_missing_figures_are_listed_apart():
    analysis = analyse(portfolio())
    usd = analysis.groups[1]
    assert [(a.name, v) for a, v in usd.negative] == [("Stark", D(-50))]
    assert [a.name for a in analysis.missing] == ["Wayne"]


def test_other_metrics_read_their_own_figure():
    by_potential = analyse(portfolio(), Metric.POTENTIAL)
    [usd] = by_potential.groups
    assert [(r.account.name, r.value) for r in usd.ranked] == [
        ("Acme", D(3000)),
        ("Initech", D(100)),
        ("Umbrella", D(100)),
    ]
    # Acme alone is 93.75%.
    assert usd.cut_count == 1
    assert len(by_potential.missing) == 6
    revenue = analyse(portfolio(), Metric.REVENUE)
    assert revenue.groups[1].ranked[0].value == D(1000)


def test_rates_convert_every_figure_to_one_currency():
    rates = Rates("USD", {"EUR": D("1.10")})
    analysis = analyse(portfolio(), Metric.MARGIN, rates)
    [group] = analysis.groups
    assert group.currency == "USD" and group.converted
    assert group.ranked[0].account.name == "Bosch"
    assert group.ranked[0].value == D("990.00")
    assert group.total == D("2100.00")
    assert analysis.no_rate == []


def test_a_currency_without_a_rate_is_never_summed():
    figures = [*portfolio(), Figures(99, "Tata", OT, "INR", gross_margin=D(5000))]
    analysis = analyse(figures, Metric.MARGIN, Rates("USD", {"EUR": D("1.1")}))
    assert [a.name for a in analysis.no_rate] == ["Tata"]
    assert "Tata" not in {r.account.name for r in analysis.groups[0].ranked}
    assert "No rate to USD, not ranked: Tata (INR)" in render_text(analysis)


def test_a_total_of_zero_has_no_cut():
    figures = [
        Figures(1, "A", S, "USD", gross_margin=D(0)),
        Figures(2, "B", OT, "USD", gross_margin=D(0)),
    ]
    [group] = analyse(figures).groups
    assert group.cut_count == 0
    assert group.strategic_share is None
    assert [r.share for r in group.ranked] == [D(0), D(0)]
    assert "No cut: the total is zero." in render_text(analyse(figures))


def test_the_table_and_the_csv():
    analysis = analyse(portfolio())
    text = render_text(analysis)
    assert "80% cut: the top 2 of 5 accounts (40.0%) make 80.0% of the gross margin." in text
    assert "Strategic tier: 4 accounts make 60.0% of the gross margin; that meets" in text
    assert "Negative gross margin, not ranked: Stark (-50)" in text
    assert "No gross margin, not ranked: Wayne" in text
    assert "Globex: rank 2, inside the cut; tier key, suggested strategic" in text
    lines = render_csv(analysis).splitlines()
    assert lines[0].startswith("currency,rank,account,tier,gross_margin,share")
    assert "USD,2,Globex,key,300.00,0.3000,0.8000,yes,strategic" in lines
    assert len(lines) == 1 + 2 + 5


def test_the_chart_is_a_png():
    png = pareto_png(analyse(portfolio()))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 10_000
    assert pareto_png(analyse([])).startswith(b"\x89PNG")


def test_rates_files():
    rates = read_rates(b"currency,rate_to_usd\nEUR,1.10\ngbp,1.27\n")
    assert rates == Rates("USD", {"EUR": D("1.10"), "GBP": D("1.27")})
    for bad in (
        b"",
        b"currency,rate\nEUR,1",
        b"currency,rate_to_usd\nEUR,abc",
        b"currency,rate_to_usd\nEUR,0",
    ):
        with pytest.raises(RatesError):
            read_rates(bad)


def test_metric_names():
    assert metric_named(None) == Metric.MARGIN
    assert metric_named("Revenue") == Metric.REVENUE
    assert metric_named("gross margin") == Metric.MARGIN
    with pytest.raises(DomainError):
        metric_named("profit")


def test_a_name_a_spreadsheet_would_run_stays_text_in_the_csv():
    figures = [Figures(1, "=HYPERLINK(evil)", OT, "USD", gross_margin=D(1))]
    assert "'=HYPERLINK(evil)" in render_csv(analyse(figures))
