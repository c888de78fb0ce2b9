"""The import report and the Pareto analysis as Slack messages."""

from sambot.accounts.models import Tier
from sambot.portfolio import table
from sambot.portfolio.imports import ImportReport, RowResult, describe
from sambot.portfolio.pareto import Analysis, Group
from sambot.slack import blocks as bk
from sambot.slack.blocks import Message
from sambot.slack.ids import Button
from sambot.slack.labels import TIER_LABELS
from sambot.slack.limits import check_limits
from sambot.slack.refs import TierChoice
from sambot.slack.text import escape, plural, split_lines, truncate

MAX_ROW_LINES = 25  # bad rows or dry-run changes listed in the thread; the rest counted
MAX_RANKED = 15  # ranked accounts per currency in the message; all of them in the CSV
MAX_DISAGREEMENTS = 10  # each with its button


def _field_label(name: str) -> str:
    return {"owner_id": "owner", "channel_id": "channel"}.get(name, name.replace("_", " "))


def _change_text(row: RowResult) -> str:
    def value(field: str, raw: object) -> str:
        if raw is None:
            return "(blank)"
        if field == "owner_id":
            return f"<@{raw}>"
        if field == "channel_id":
            return f"<#{raw}>"
        return escape(describe(raw))

    if row.outcome == "create":
        parts = [f"{_field_label(c.field)} {value(c.field, c.new)}" for c in row.changes]
        return f"Row {row.row}, create *{escape(row.name)}*: " + ", ".join(parts)
    parts = [
        f"{_field_label(c.field)} {value(c.field, c.old)} → {value(c.field, c.new)}"
        for c in row.changes
    ]
    return f"Row {row.row}, update *{escape(row.name)}*: " + ", ".join(parts)


def import_report_message(report: ImportReport, filename: str) -> Message:
    name = escape(filename)
    created, updated = report.count("create"), report.count("update")
    unchanged, bad = report.count("unchanged"), len(report.bad_rows)
    counts = (
        f"{created} to create, {updated} to update, {unchanged} unchanged"
        if not report.written
        else f"{created} created, {updated} updated, {unchanged} unchanged"
    )
    bad_text = f", {plural(bad, 'bad row')}" if bad else ""
    if report.dry_run:
        headline = f":mag: Dry run of *{name}*: nothing was written. {counts}{bad_text}."
    elif not report.written:
        headline = (
            f":no_entry: Nothing imported from *{name}*: {plural(bad, 'row')} "
            "could not be read, and the import was all-or-nothing. Fix them and share it again."
        )
    else:
        skipped = f"; {plural(bad, 'bad row')} left out" if bad else ""
        headline = f":inbox_tray: Imported *{name}*: {counts}{skipped}."
    blocks = [bk.section(headline)]
    if report.written:
        good = created + updated + unchanged
        blocks.append(
            bk.context(
                f"Figures recorded as the {report.period} snapshot of {plural(good, 'account')}."
            )
        )
    if report.unknown_columns:
        unknown = ", ".join(f"`{escape(c)}`" for c in report.unknown_columns)
        blocks.append(bk.context(f"Columns I don't know, left out: {unknown}"))
    if bad:
        lines = [
            f"Row {row.row}, *{escape(error.column)}*: {escape(error.reason)}"
            for row in report.bad_rows
            for error in row.errors
        ]
        blocks += _listed("*Bad rows*", lines)
    if report.dry_run:
        changed = [row for row in report.rows if row.outcome in ("create", "update")]
        blocks += _listed("*What would change*", [_change_text(row) for row in changed])
    text = headline.replace("*", "")
    return Message(text, _fit(blocks))


def _listed(title: str, lines: list[str]) -> list[dict]:
    shown = lines[:MAX_ROW_LINES]
    if len(lines) > MAX_ROW_LINES:
        shown.append(f"… and {len(lines) - MAX_ROW_LINES} more.")
    return [bk.section(text) for text in split_lines([title, *shown], 2900)]


def _fit(blocks: list[dict]) -> list[dict]:
    """Drop trailing blocks until Slack takes the message, saying so."""
    while check_limits(blocks) and len(blocks) > 1:
        blocks = [*blocks[:-2], bk.context("… (cut to fit in a Slack message)")]
    return blocks


# -- the Pareto analysis -----------------------------------------------------------------

ACTION_WORD = {Tier.STRATEGIC: "Make strategic", Tier.KEY: "Make key", Tier.OTHER: "Make other"}


def _group_blocks(analysis: Analysis, group: Group, budget: list[int]) -> list[dict]:
    ranking = "\n".join(table.ranking_lines(group, limit=MAX_RANKED, name_width=20))
    blocks = [
        bk.section(f"*{escape(table.group_title(analysis, group))}*"),
        bk.section(truncate(f"```{escape(ranking)}```", 3000)),
        bk.section(
            f"{escape(table.cut_line(analysis, group))}\n"
            f"{':white_check_mark:' if group.meets_benchmark else ':warning:'} "
            f"{escape(table.strategic_line(analysis, group))}"
        ),
    ]
    for line in table.aside_lines(analysis, group):
        blocks.append(bk.context(escape(line)))
    for d in group.disagreements:
        if budget[0] <= 0:
            break
        budget[0] -= 1
        where = (
            f"rank {d.ranked.rank} ({table.percent(d.ranked.share)}), "
            f"{'inside' if d.ranked.in_cut else 'outside'} the 80% cut"
            if d.ranked
            else f"negative {analysis.metric.label}"
        )
        choice = TierChoice(
            account_id=d.account.account_id, tier=d.suggested, metric=analysis.metric
        )
        blocks.append(
            bk.section(
                f"*{escape(d.account.name)}*: {where}; tier {TIER_LABELS[d.account.tier].lower()}",
                accessory=bk.button(
                    ACTION_WORD[d.suggested], Button.PORTFOLIO_TIER, value=choice.encode()
                ),
            )
        )
    return blocks


def portfolio_message(
    analysis: Analysis, *, note: str | None = None, files_note: str | None = None
) -> Message:
    label = analysis.metric.label
    blocks: list[dict] = []
    if note:
        blocks.append(bk.section(note))
    blocks.append(bk.header(f"Pareto selection by {label}"))
    if not analysis.groups:
        blocks.append(
            bk.section(f"No account has a {label} to rank yet. Import them with `/sam import`.")
        )
    budget = [MAX_DISAGREEMENTS]
    for group in analysis.groups:
        blocks += _group_blocks(analysis, group, budget)
    total_disagreements = sum(len(g.disagreements) for g in analysis.groups)
    if total_disagreements > MAX_DISAGREEMENTS:
        blocks.append(
            bk.context(
                f"… and {total_disagreements - MAX_DISAGREEMENTS} more tier disagreements "
                "(the CSV lists them all)."
            )
        )
    for line in table.aside_lines(analysis):
        blocks.append(bk.context(escape(truncate(line, 1900))))
    if analysis.groups and not analysis.rates_base and len(analysis.groups) > 1:
        blocks.append(
            bk.context(
                "Each currency is ranked on its own: amounts in different currencies are never summed."
            )
        )
    if files_note:
        blocks.append(bk.context(files_note))
    while check_limits(blocks) and len(blocks) > 2:
        blocks.pop(-1)  # a portfolio with many currencies: the last ones go (the CSV has all)
    summary = "; ".join(
        f"{g.currency}: {g.cut_count} of {len(g.ranked)} accounts make 80% of the {label}"
        for g in analysis.groups
    )
    return Message(f"Pareto selection by {label}. {summary}", blocks)
