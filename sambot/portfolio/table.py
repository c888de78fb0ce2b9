"""The Pareto analysis as text (the terminal, and the monospace table in Slack) and CSV."""

import csv
import io
from decimal import Decimal

from sambot.portfolio.pareto import Analysis, Group, amount, percent


def _accounts(count: int) -> str:
    return f"{count} account{'' if count == 1 else 's'}"


def group_title(analysis: Analysis, group: Group) -> str:
    converted = f", converted to {group.currency}" if group.converted else ""
    return (
        f"{analysis.metric.label.capitalize()} in {group.currency}{converted}: "
        f"{_accounts(len(group.ranked))} ranked, total {amount(group.total)} {group.currency}"
    )


def cut_line(analysis: Analysis, group: Group) -> str:
    if not group.cut_count:
        return "No cut: the total is zero."
    of_accounts = percent(group.cut_count / Decimal(len(group.ranked)))
    return (
        f"80% cut: the top {group.cut_count} of {_accounts(len(group.ranked))} ({of_accounts}) "
        f"make {percent(group.cut_share)} of the {analysis.metric.label}."
    )


def strategic_line(analysis: Analysis, group: Group) -> str:
    if group.strategic_share is None:
        return "Strategic tier: no share (the total is zero)."
    verdict = "meets" if group.meets_benchmark else "is below"
    return (
        f"Strategic tier: {_accounts(group.strategic_count)} "
        f"{'makes' if group.strategic_count == 1 else 'make'} "
        f"{percent(group.strategic_share)} of the {analysis.metric.label}; that {verdict} the "
        f"article's benchmark of 25% or more."
    )


def ranking_lines(group: Group, limit: int | None = None, name_width: int = 24) -> list[str]:
    """Fixed-width rows: rank, account, tier, figure, share, cumulative; the cut marked."""
    head = f"{'#':>4}  {'account':<{name_width}}  {'tier':<9}  {'figure':>14}  {'share':>6}  {'cum.':>6}"
    lines = [head]
    shown = group.ranked if limit is None else group.ranked[:limit]
    for ranked in shown:
        name = ranked.account.name
        if len(name) > name_width:
            name = name[: name_width - 1] + "…"
        lines.append(
            f"{ranked.rank:>4}  {name:<{name_width}}  {ranked.account.tier.value:<9}  "
            f"{amount(ranked.value):>14}  {percent(ranked.share):>6}  {percent(ranked.cumulative):>6}"
        )
        if ranked.rank == group.cut_count and ranked.rank != len(group.ranked):
            lines.append(f"{'':->4}  {'80% cut':-<{name_width + 45}}")
    if limit is not None and len(group.ranked) > limit:
        lines.append(f"      … and {len(group.ranked) - limit} more")
    return lines


def aside_lines(analysis: Analysis, group: Group | None = None) -> list[str]:
    """What is not ranked, and why."""
    label = analysis.metric.label
    lines = []
    if group is not None and group.negative:
        listed = ", ".join(f"{a.name} ({amount(v)})" for a, v in group.negative)
        lines.append(f"Negative {label}, not ranked: {listed}")
    if group is None:
        if analysis.missing:
            lines.append(f"No {label}, not ranked: " + ", ".join(a.name for a in analysis.missing))
        if analysis.no_rate:
            listed = ", ".join(f"{a.name} ({a.currency})" for a in analysis.no_rate)
            lines.append(f"No rate to {analysis.rates_base}, not ranked: {listed}")
    return lines


def disagreement_lines(group: Group) -> list[str]:
    lines = []
    for d in group.disagreements:
        where = (
            f"rank {d.ranked.rank}, {'inside' if d.ranked.in_cut else 'outside'} the cut"
            if d.ranked
            else "negative figure"
        )
        lines.append(
            f"{d.account.name}: {where}; tier {d.account.tier.value}, suggested {d.suggested.value}"
        )
    return lines


def render_text(analysis: Analysis) -> str:
    """The whole analysis for the terminal."""
    out = []
    if not analysis.groups:
        out.append(f"No account has a {analysis.metric.label} to rank.")
    for group in analysis.groups:
        out += [group_title(analysis, group), *ranking_lines(group), ""]
        out += [cut_line(analysis, group), strategic_line(analysis, group)]
        out += aside_lines(analysis, group)
        disagreements = disagreement_lines(group)
        if disagreements:
            out.append("The analysis disagrees with these tiers:")
            out += [f"  {line}" for line in disagreements]
        out.append("")
    out += aside_lines(analysis)
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    """A name a spreadsheet would run as a formula ("=HYPERLINK(...)") is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def render_csv(analysis: Analysis) -> str:
    """Every ranked account, one row each (what `--csv` writes and Slack gets as a file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "currency",
            "rank",
            "account",
            "tier",
            analysis.metric.field,
            "share",
            "cumulative_share",
            "in_80_cut",
            "suggested_tier",
        ]
    )
    for group in analysis.groups:
        suggested = {d.account.account_id: d.suggested.value for d in group.disagreements}
        for r in group.ranked:
            writer.writerow(
                [
                    group.currency,
                    r.rank,
                    _cell(r.account.name),
                    r.account.tier.value,
                    f"{r.value:.2f}",
                    f"{r.share:.4f}",
                    f"{r.cumulative:.4f}",
                    "yes" if r.in_cut else "no",
                    suggested.get(r.account.account_id, ""),
                ]
            )
    return buffer.getvalue()
