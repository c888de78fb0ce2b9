"""The programme roll-up for leadership: one line per strategic account, paged with "Next"."""

from collections.abc import Sequence
from datetime import date

from sambot.programme.service import ProgrammeRow
from sambot.slack import blocks as bk
from sambot.slack.blocks import Message
from sambot.slack.ids import ProgrammeButton
from sambot.slack.refs import ProgrammePage
from sambot.slack.relationship_render import coverage_badge
from sambot.slack.text import escape, format_date, truncate

# 20 accounts of about 400 characters: 8,000 characters and 24 blocks, under both caps.
PAGE_SIZE = 20


def _money(value, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def row_text(row: ProgrammeRow, today: date, completed_label: str) -> str:
    channel = f"<#{row.channel_id}>" if row.channel_id else "no channel"
    sponsors = ", ".join(f"<@{user}>" for user in row.sponsor_ids[:3]) or "*none*"
    head = (
        f"*{escape(truncate(row.name, 100))}* · owner <@{row.owner_id}> · sponsor {sponsors} "
        f"· {channel}"
    )
    if row.last_touchpoint is None:
        last = "no touchpoint yet"
    else:
        days = (today - row.last_touchpoint).days
        last = f"last touchpoint {format_date(row.last_touchpoint)} ({days} days ago)"
    overdue = f"*{row.overdue_actions} overdue*" if row.overdue_actions else "0 overdue"
    figures = [
        f"{row.open_actions} open",
        overdue,
        f"{row.completed_this_month} {completed_label}",
        last,
    ]
    if row.coverage is not None:
        figures.append(f"coverage {coverage_badge(row.coverage)}")
    if row.annual_revenue is not None:
        revenue = f"revenue {_money(row.annual_revenue, row.currency)}"
        if row.revenue_change is not None:
            revenue += f" ({row.revenue_change:+,.0f})"
        figures.append(revenue)
    if row.gross_margin is not None:
        margin = f"margin {_money(row.gross_margin, row.currency)}"
        if row.margin_change is not None:
            margin += f" ({row.margin_change:+,.0f})"
        figures.append(margin)
    lines = [head, " · ".join(figures)]
    if row.warnings:
        lines.insert(1, ":warning: " + ", ".join(row.warnings))
    return "\n".join(lines)


def programme_message(
    rows: Sequence[ProgrammeRow],
    today: date,
    *,
    offset: int = 0,
    completed_label: str = "done this month",
) -> Message:
    total = len(rows)
    if not total:
        return Message(
            "No strategic accounts",
            [bk.section("No strategic accounts yet: an account's tier is set when it is created.")],
        )
    offset = max(0, min(offset, ((total - 1) // PAGE_SIZE) * PAGE_SIZE))
    page = rows[offset : offset + PAGE_SIZE]
    attention = [row for row in rows if row.needs_attention]
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    blocks: list[dict] = [
        bk.header("Strategic accounts programme"),
        bk.section(
            f"*{total}* strategic account{'s' if total != 1 else ''} · "
            f"*{len(attention)}* need attention "
            f"(no executive sponsor, no linked channel, or no touchpoint in 30 days) · "
            f"{sum(row.overdue_actions for row in rows)} overdue actions in all."
        ),
    ]
    blocks += [bk.section(row_text(row, today, completed_label)) for row in page]
    shown = f"Accounts {offset + 1}-{offset + len(page)} of {total} · page {offset // PAGE_SIZE + 1} of {pages}"
    blocks.append(bk.context(f"{shown} · as of {format_date(today)}"))
    buttons = []
    if offset + PAGE_SIZE < total:
        next_page = ProgrammePage(offset=offset + PAGE_SIZE).encode()
        buttons.append(bk.button("Next", ProgrammeButton.NEXT, value=next_page, style="primary"))
    if offset:
        first = ProgrammePage(offset=0).encode()
        buttons.append(bk.button("First page", ProgrammeButton.FIRST, value=first))
    if buttons:
        blocks.append(bk.actions(*buttons, block_id="programme_pages"))
    return Message(
        f"Strategic accounts programme: {total} accounts, {len(attention)} need attention", blocks
    )
