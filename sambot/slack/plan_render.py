"""The account plan in Slack: its overview, each section's entries, and the section forms.

The overview has one block per section, whatever the plan holds: two digest lines, the
last update and an Edit button; lists are cut with "and N more", and the section's own
message (paginated) shows them all.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sambot.accountplan.labels import (
    FACTOR_LABELS,
    FIELD_LABELS,
    IMPACT_ARROWS,
    IMPACT_LABELS,
    ITEM_NAMES,
    POSITION_LABELS,
    SECTION_TITLES,
    STAGE_LABELS,
)
from sambot.accountplan.models import (
    FIELD_SECTIONS,
    Competitor,
    ExpansionArea,
    IndustryFactor,
    Position,
    Section,
)
from sambot.accountplan.schemas import FIELD_SCHEMAS
from sambot.accountplan.service import AccountPlan, LastUpdate, is_stale
from sambot.accounts.models import Account
from sambot.actions.models import OPEN_STATUSES, Action, ActionStatus
from sambot.slack import blocks as bk
from sambot.slack.blocks import Message
from sambot.slack.ids import Button, Callback
from sambot.slack.labels import KIND_LABELS, SENTIMENT_EMOJI
from sambot.slack.limits import check_limits
from sambot.slack.modals import modal, option, options, select_input, text_input
from sambot.slack.refs import PlanRef
from sambot.slack.text import escape, format_date, plural, truncate

SECTION_EMOJI = {
    Section.PROFILE: ":office:",
    Section.VALUE: ":gem:",
    Section.STRATEGY: ":world_map:",
    Section.INDUSTRY: ":chart_with_upwards_trend:",
    Section.COMPETITION: ":crossed_swords:",
    Section.RELATIONSHIP: ":handshake:",
    Section.ACTIONS: ":dart:",
}
FORM_TITLES = {
    Section.PROFILE: "Customer profile",
    Section.VALUE: "Value proposition",
    Section.STRATEGY: "Strategy map",
    Section.INDUSTRY: "Industry factor",
    Section.COMPETITION: "Competitor",
    Section.RELATIONSHIP: "Expansion area",
}
DIGEST_LINE = 140
# Entries per page of a section's own message.
PAGE = 15
NOT_SET = "_not set_"


def edit_action_id(section: Section) -> str:
    return f"{Button.PLAN_EDIT}_{section}"


def _clip(text: str | None, limit: int = DIGEST_LINE) -> str:
    return escape(truncate(" ".join((text or "").split()), limit))


def _listed(names: Sequence[str], shown: int = 3) -> str:
    """'A, B, C and 4 more'."""
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text += f" and {len(names) - shown} more"
    return text


def _money(value: Decimal | None, currency: str) -> str:
    return f"{value:,.0f} {currency}" if value is not None else "no estimate"


def last_update_line(update: LastUpdate | None) -> str:
    if update is None:
        return "_Never updated._"
    by = f" by <@{update.by}>" if update.by else ""
    return f"_Updated{by} on {format_date(update.at.date())}._"


# Digests: two lines per section ---------------------------------------------------------------


def digest(plan: AccountPlan, section: Section, account: Account, today: date) -> list[str]:
    if section in FIELD_SECTIONS:
        return _fields_digest(plan.fields.get(section, {}), section)
    if section == Section.INDUSTRY:
        factors = plan.factors
        if not factors:
            return ["_No factor yet: add political, economic, market… factors one at a time._"]
        names = [f"{IMPACT_ARROWS[f.impact]} {FACTOR_LABELS[f.factor]}" for f in factors]
        ups = sum(1 for f in factors if f.impact == "up")
        downs = sum(1 for f in factors if f.impact == "down")
        return [_listed(names, 4), f"{ups} helping the client, {downs} hurting"]
    if section == Section.COMPETITION:
        rivals = plan.competitors
        if not rivals:
            return ["_No competitor assessed yet._"]
        names = [f"{_clip(c.name, 40)} ({POSITION_LABELS[c.position].lower()})" for c in rivals]
        behind = sum(1 for c in rivals if c.position == Position.BEHIND)
        return [
            _listed(names),
            f"{plural(len(rivals), 'competitor')}; we are behind {behind}"
            if behind
            else f"{plural(len(rivals), 'competitor')}; behind none",
        ]
    if section == Section.RELATIONSHIP:
        history = _history(plan)
        areas = plan.expansion
        if areas:
            total = sum((a.estimated_value or 0) for a in areas)
            names = [f"{_clip(a.area, 40)} ({STAGE_LABELS[a.stage].lower()})" for a in areas]
            expansion = f"Expansion: {_money(total, account.currency)} in {_listed(names, 2)}"
        else:
            expansion = "_No expansion area yet._"
        return [history, expansion]
    return _actions_digest(plan, today)


def _history(plan: AccountPlan) -> str:
    """The relationship's timeline in a line: it is the touchpoints, never typed twice."""
    if not plan.touchpoint_count:
        return "_No touchpoint yet: log them with `/touchpoint`._"
    last = plan.recent_touchpoints[0] if plan.recent_touchpoints else None
    return (
        f"{plural(plan.touchpoint_count, 'touchpoint')} since {format_date(plan.first_touchpoint_on)}"
        + (
            f"; last: {KIND_LABELS[last.kind]} on {format_date(last.occurred_on)}"
            if last
            else "; none in the last 90 days"
        )
    )


def _fields_digest(fields: dict, section: Section) -> list[str]:
    """The first field filled on one line; as many of the others as fit on the second."""
    filled = [
        (FIELD_LABELS[name], fields[name])
        for name in FIELD_SCHEMAS[section].model_fields
        if fields.get(name)
    ]
    if not filled:
        return ["_Not filled in yet._"]
    (label, value), rest = filled[0], filled[1:]
    lines = [f"*{label}:* {_clip(value)}"]
    if rest:
        parts = [f"*{label}:* {_clip(value, 60)}" for label, value in rest]
        second = parts[0]
        for part in parts[1:]:
            if len(second) + len(part) > 2 * DIGEST_LINE:
                break
            second += f" · {part}"
        lines.append(second)
    return lines


def _actions_digest(plan: AccountPlan, today: date) -> list[str]:
    objectives = plan.objectives
    if objectives:
        names = [f"{_clip(o.title, 40)} ({o.status.value.replace('_', ' ')})" for o in objectives]
        first = f"{plural(len(objectives), 'objective')}: {_listed(names, 2)}"
    else:
        first = "_No objective yet._"
    live = [a for a in plan.actions if a.status in OPEN_STATUSES]
    done = sum(1 for a in plan.actions if a.status == ActionStatus.DONE)
    overdue = sum(1 for a in live if a.days_late(today))
    second = f"{plural(len(live), 'open action')}, {overdue} overdue, {done} done"
    return [first, second]


# The overview ---------------------------------------------------------------------------------


def plan_overview(
    account: Account,
    plan: AccountPlan,
    *,
    today: date,
    stale_days: int,
    preview: bool = False,
    note: str | None = None,
) -> Message:
    """The plan, one block per section; `preview` adds "Post to channel" (not in a channel
    shared with the client: the plan is internal)."""
    stale = [
        s for s in Section if is_stale(plan.updates.get(s), today=today, stale_days=stale_days)
    ]
    blocks: list[dict] = [bk.header(truncate(f"Account plan · {account.name}", 150))]
    if note:
        blocks.append(bk.context(note))
    for section in Section:
        lines = [line for line in digest(plan, section, account, today)[:2]]
        flag = (
            f"  :warning: _not updated in {stale_days} days_"
            if section in stale and plan.updates.get(section)
            else ("  :warning: _never filled in_" if section in stale else "")
        )
        text = "\n".join(
            [
                f"*{SECTION_EMOJI[section]} {SECTION_TITLES[section]}*{flag}",
                *lines,
                last_update_line(plan.updates.get(section)),
            ]
        )
        label = "Open" if section == Section.ACTIONS else "Edit"
        back = "preview" if preview else "plan"
        value = PlanRef(account_id=account.id, section=section, back=back).encode()
        blocks.append(
            bk.section(
                truncate(text, 3000),
                block_id=f"plan_{section}",
                accessory=bk.button(label, edit_action_id(section), value=value),
            )
        )
    summary = (
        f":warning: {plural(len(stale), 'section')} not updated in {stale_days} days."
        if stale
        else ":white_check_mark: Every section updated in the last " + f"{stale_days} days."
    )
    blocks.append(bk.context(f"{summary} `/sam plan export` gives the whole plan as a file."))
    if preview:
        if account.channel_shared_with_client:
            blocks.append(
                bk.context(
                    "Only you can see this: the channel is shared with the client, "
                    "and the plan is internal."
                )
            )
        else:
            post = PlanRef(account_id=account.id).encode()
            blocks.append(
                bk.actions(
                    bk.button("Post to channel", Button.PLAN_POST, value=post, style="primary")
                )
            )
    return Message(f"Account plan of {account.name}", blocks)


# A section's own message -------------------------------------------------------------------------


def _factor_line(f: IndustryFactor) -> str:
    line = f"{IMPACT_ARROWS[f.impact]} *{FACTOR_LABELS[f.factor]}* · {IMPACT_LABELS[f.impact]}"
    if f.trend:
        line += f" · trend: {_clip(f.trend, 150)}"
    if f.note:
        line += f"\n{_clip(f.note, 400)}"
    return line


def _competitor_line(c: Competitor) -> str:
    line = f"*{_clip(c.name, 100)}* · {POSITION_LABELS[c.position]}"
    for label, text in (
        ("Strengths", c.strengths),
        ("Weaknesses here", c.weaknesses),
        ("Our differentiators", c.differentiators),
    ):
        if text:
            line += f"\n{label}: {_clip(text, 250)}"
    return line


def _expansion_line(a: ExpansionArea, currency: str) -> str:
    line = (
        f"*{_clip(a.area, 150)}* · {STAGE_LABELS[a.stage]} · {_money(a.estimated_value, currency)}"
    )
    if a.next_step:
        line += f"\nNext step: {_clip(a.next_step, 300)}"
    return line


def item_line(section: Section, item, account: Account) -> str:
    if section == Section.INDUSTRY:
        return _factor_line(item)
    if section == Section.COMPETITION:
        return _competitor_line(item)
    return _expansion_line(item, account.currency)


def _timeline(plan: AccountPlan) -> list[str]:
    if not plan.recent_touchpoints:
        return ["_No touchpoint in the last 90 days._"]
    lines = []
    for t in plan.recent_touchpoints[:5]:
        lines.append(
            f"{SENTIMENT_EMOJI[t.sentiment]} {format_date(t.occurred_on)} · {KIND_LABELS[t.kind]}: "
            f"{_clip(t.summary, 120)}"
        )
    if len(plan.recent_touchpoints) > 5:
        lines.append(f"…and {len(plan.recent_touchpoints) - 5} more in the last 90 days.")
    return lines


def items_message(
    account: Account,
    plan: AccountPlan,
    section: Section,
    *,
    offset: int = 0,
    note: str | None = None,
) -> Message:
    """Every entry of an item section, a page at a time, each with Edit and Remove."""
    page = PAGE
    while True:
        message = _items_page(account, plan, section, offset=offset, page=page, note=note)
        if not check_limits(message.blocks) or page == 1:
            return message
        page = max(1, page // 2)


def _items_page(
    account: Account,
    plan: AccountPlan,
    section: Section,
    *,
    offset: int,
    page: int,
    note: str | None,
) -> Message:
    one, many = ITEM_NAMES[section]
    items = plan.items(section)
    offset = min(offset, max(0, len(items) - 1))
    title = f"{SECTION_EMOJI[section]} *{SECTION_TITLES[section]} · {escape(account.name)}*"
    blocks: list[dict] = [bk.section(f"{title} ({plural(len(items), one, many)})")]
    if note:
        blocks.append(bk.context(note))
    if section == Section.RELATIONSHIP:
        history = _history(plan)
        blocks.append(
            bk.section(truncate("\n".join([f"*Timeline:* {history}", *_timeline(plan)]), 3000))
        )
        blocks.append(bk.section(f"*Expansion areas* ({len(items)})"))
    shown = items[offset : offset + page]
    for item in shown:
        menu = [
            option(
                "Edit",
                PlanRef(
                    account_id=account.id,
                    section=section,
                    item_id=item.id,
                    verb="edit",
                    back="items",
                ).encode(),
            ),
            option(
                "Remove",
                PlanRef(
                    account_id=account.id,
                    section=section,
                    item_id=item.id,
                    verb="remove",
                    back="items",
                ).encode(),
            ),
        ]
        blocks.append(
            bk.section(
                truncate(item_line(section, item, account), 3000),
                block_id=f"plan_item_{item.id}",
                accessory=bk.element("overflow", Button.PLAN_ITEM, options=menu),
            )
        )
    if not items:
        blocks.append(bk.section(f"_No {one} yet._"))
    buttons = [
        bk.button(
            f"Add {'an' if one[0] in 'aeiou' else 'a'} {one}",
            Button.PLAN_ADD,
            value=PlanRef(account_id=account.id, section=section, back="items").encode(),
            style="primary",
        )
    ]
    rest = len(items) - offset - len(shown)
    more = f"Next {min(rest, page)} of {rest} more" if rest > 0 else None
    buttons += _more_and_back(account, section, more=more, next_offset=offset + len(shown))
    blocks.append(bk.actions(*buttons))
    position = (
        f"{offset + 1} to {offset + len(shown)} of {len(items)} · " if len(items) > page else ""
    )
    blocks.append(bk.context(position + last_update_line(plan.updates.get(section))))
    return Message(f"{SECTION_TITLES[section]} of {account.name}", blocks)


def objectives_message(
    account: Account, plan: AccountPlan, *, today: date, offset: int = 0
) -> Message:
    """The objectives with their actions, a page at a time (the action plan itself is
    edited where it lives: each action's buttons, `/action`)."""
    page = 10
    while True:
        message = _objectives_page(account, plan, today=today, offset=offset, page=page)
        if not check_limits(message.blocks) or page == 1:
            return message
        page = max(1, page // 2)


def _objectives_page(
    account: Account, plan: AccountPlan, *, today: date, offset: int, page: int
) -> Message:
    groups: list[tuple[str, list[Action]]] = []
    for o in plan.objectives:
        target = f" · target {format_date(o.target_date)}" if o.target_date else ""
        head = f"*{_clip(o.title, 150)}* · {o.status.value.replace('_', ' ')} · {o.horizon.value.replace('_', ' ')}{target}"
        groups.append((head, plan.actions_of(o.id)))
    loose = plan.actions_of(None)
    if loose:
        groups.append(("*Actions serving no objective*", loose))
    shown = groups[offset : offset + page]
    blocks: list[dict] = [
        bk.section(
            f"{SECTION_EMOJI[Section.ACTIONS]} *{SECTION_TITLES[Section.ACTIONS]} · {escape(account.name)}*"
        )
    ]
    for head, acts in shown:
        live = [a for a in acts if a.status != ActionStatus.CANCELLED]
        done = sum(1 for a in live if a.status == ActionStatus.DONE)
        lines = [f"{head} · {done}/{len(live)} done"]
        for a in [a for a in live if a.status in OPEN_STATUSES][:8]:
            due = f" · due {format_date(a.due_date)}" if a.due_date else ""
            late = f" · *{plural(a.days_late(today), 'day')} late*" if a.days_late(today) else ""
            lines.append(f"• {_clip(a.title, 120)} · <@{a.owner_id}>{due}{late}")
        open_count = sum(1 for a in live if a.status in OPEN_STATUSES)
        if open_count > 8:
            lines.append(f"…and {open_count - 8} more open.")
        blocks.append(bk.section(truncate("\n".join(lines), 3000)))
    if not groups:
        blocks.append(bk.section("_No objective or action yet._"))
    more = "Next objectives" if len(groups) > offset + page else None
    blocks.append(
        bk.actions(*_more_and_back(account, Section.ACTIONS, more=more, next_offset=offset + page))
    )
    blocks.append(bk.context("New actions: `/action`. Each action's own message has its buttons."))
    return Message(f"Objectives and actions of {account.name}", blocks)


def _more_and_back(
    account: Account, section: Section, *, more: str | None, next_offset: int
) -> list[dict]:
    """Under a section's list: the button to the next page (labelled `more`, none when the
    list is all shown) and `Back to the plan`."""
    buttons = []
    if more:
        buttons.append(
            bk.button(
                more,
                Button.PLAN_MORE,
                value=PlanRef(account_id=account.id, section=section, offset=next_offset).encode(),
            )
        )
    buttons.append(
        bk.button(
            "Back to the plan",
            Button.PLAN_OPEN,
            value=PlanRef(account_id=account.id, back="items").encode(),
        )
    )
    return buttons


# Forms ---------------------------------------------------------------------------------------


def fields_modal(account: Account, section: Section, fields: dict, *, metadata: str) -> dict:
    blocks: list[dict] = [bk.context(f"*{escape(account.name)}* · {SECTION_TITLES[section]}")]
    for name in FIELD_SCHEMAS[section].model_fields:
        blocks.append(
            text_input(
                name,
                FIELD_LABELS[name],
                initial=fields.get(name),
                multiline=True,
                optional=True,
            )
        )
    return modal(Callback.PLAN_FIELDS, FORM_TITLES[section], blocks, metadata=metadata)


def item_modal(account: Account, section: Section, item=None, *, metadata: str) -> dict:
    one, _ = ITEM_NAMES[section]
    heading = bk.context(f"*{escape(account.name)}* · {SECTION_TITLES[section]}")
    value = (lambda name: getattr(item, name, None)) if item is not None else (lambda name: None)
    if section == Section.INDUSTRY:
        blocks = [
            heading,
            select_input(
                "factor", "Factor", options(list(FACTOR_LABELS.items())), initial=value("factor")
            ),
            select_input(
                "impact",
                "Impact on the client",
                options(list(IMPACT_LABELS.items())),
                initial=value("impact"),
            ),
            text_input(
                "trend",
                "Trend",
                initial=value("trend"),
                optional=True,
                placeholder="e.g. tightening over the next 2 years",
            ),
            text_input("note", "Note", initial=value("note"), multiline=True, optional=True),
        ]
    elif section == Section.COMPETITION:
        blocks = [
            heading,
            text_input("name", "Competitor", initial=value("name")),
            select_input(
                "position",
                "Our position, as the client sees it",
                options(list(POSITION_LABELS.items())),
                initial=value("position") or Position.UNKNOWN,
            ),
            text_input(
                "strengths",
                "Their strengths at this client",
                initial=value("strengths"),
                multiline=True,
                optional=True,
            ),
            text_input(
                "weaknesses",
                "Their weaknesses at this client",
                initial=value("weaknesses"),
                multiline=True,
                optional=True,
            ),
            text_input(
                "differentiators",
                "Our differentiators",
                initial=value("differentiators"),
                multiline=True,
                optional=True,
            ),
        ]
    else:
        amount = value("estimated_value")
        blocks = [
            heading,
            text_input(
                "area",
                "Product or department",
                initial=value("area"),
                placeholder="e.g. Automotive line",
            ),
            text_input(
                "estimated_value",
                f"Estimated value ({account.currency})",
                initial=f"{amount:f}" if amount is not None else None,
                optional=True,
                placeholder="e.g. 250,000",
            ),
            select_input(
                "stage",
                "Stage",
                options(list(STAGE_LABELS.items())),
                initial=value("stage") or "idea",
            ),
            text_input(
                "next_step", "Next step", initial=value("next_step"), multiline=True, optional=True
            ),
        ]
    title = FORM_TITLES[section] if item is not None else f"New {one}"
    return modal(Callback.PLAN_ITEM, truncate(title, 24), blocks, metadata=metadata)
