"""The forms that correct what is stored: an action (edit, blocked, cancel), a stakeholder,
an account, an objective. Block ids are domain field names, as in `modals`."""

from collections.abc import Sequence

from sambot.accounts.models import Account
from sambot.actions.models import TEXT_MAX_LENGTH, Action
from sambot.plans.models import Horizon, Objective, ObjectiveStatus
from sambot.slack import blocks as bk
from sambot.slack.forms import VALUE
from sambot.slack.ids import Callback
from sambot.slack.labels import ATTITUDE_OPTIONS, ROLE_LABELS, TIER_LABELS
from sambot.slack.modals import (
    cadence_input,
    date_input,
    modal,
    objective_input,
    option,
    options,
    reports_to_input,
    score_input,
    select_input,
    text_input,
    user_input,
)
from sambot.slack.text import escape, truncate
from sambot.stakeholders.models import Stakeholder

OBJECTIVE_STATUS_LABELS = {
    ObjectiveStatus.NOT_STARTED: "Not started",
    ObjectiveStatus.ON_TRACK: "On track",
    ObjectiveStatus.AT_RISK: "At risk",
    ObjectiveStatus.ACHIEVED: "Achieved",
    ObjectiveStatus.DROPPED: "Dropped",
}
HORIZON_LABELS = {Horizon.SHORT_TERM: "Short term", Horizon.LONG_TERM: "Long term"}

YES = "yes"


def checkbox(block_id: str, label: str, text: str, *, checked: bool) -> dict:
    choice = option(text, YES)
    element = bk.element(
        "checkboxes", VALUE, options=[choice], initial_options=[choice] if checked else None
    )
    return bk.input_block(block_id, label, element, optional=True)


def _amount(value) -> str | None:
    return None if value is None else f"{value:,.2f}".removesuffix(".00")


def _long(value: str | None) -> str | None:
    return truncate(value, TEXT_MAX_LENGTH) if value else None


def action_edit_modal(action: Action, *, objectives: Sequence[Objective], metadata: str) -> dict:
    blocks: list = [
        text_input("title", "Action", initial=truncate(action.title, 200)),
        user_input("owner_id", "Owner", initial=action.owner_id),
        date_input("due_date", "Due date", initial=action.due_date, optional=True),
    ]
    blocks += objective_input(objectives, initial=action.objective_id)
    blocks += [
        text_input(
            "obstacle",
            "Obstacle",
            initial=_long(action.obstacle),
            multiline=True,
            optional=True,
            hint="What could stop this? The team sees it; the client never does.",
        ),
        text_input("detail", "Detail", initial=_long(action.detail), multiline=True, optional=True),
        checkbox(
            "shared_with_client",
            "Client",
            "Shared with the client (shows in the client report)",
            checked=action.shared_with_client,
        ),
    ]
    return modal(Callback.ACTION_EDIT, "Edit action", blocks, metadata=metadata)


def action_blocked_modal(action: Action, *, metadata: str) -> dict:
    blocks = [
        bk.section(f"*{escape(truncate(action.title, 200))}*"),
        text_input(
            "obstacle",
            "What blocks it?",
            initial=_long(action.obstacle),
            multiline=True,
            hint="The team sees it; the client never does.",
        ),
    ]
    return modal(
        Callback.ACTION_BLOCKED, "Blocked", blocks, submit="Mark blocked", metadata=metadata
    )


def action_cancel_modal(action: Action, *, metadata: str) -> dict:
    blocks = [
        bk.section(f"*{escape(truncate(action.title, 200))}*"),
        text_input(
            "cancel_reason",
            "Why cancel it?",
            multiline=True,
            hint="Kept for the team. A cancelled action is never nudged or counted as done.",
        ),
    ]
    return modal(
        Callback.ACTION_CANCEL, "Cancel action", blocks, submit="Cancel action", metadata=metadata
    )


def stakeholder_edit_modal(
    person: Stakeholder, *, managers: Sequence[Stakeholder], metadata: str
) -> dict:
    blocks = [
        text_input("name", "Name", initial=person.name),
        text_input("title", "Job title", initial=person.title, optional=True),
        text_input("email", "Email", initial=person.email, optional=True),
        select_input("role", "Role", options(list(ROLE_LABELS.items())), initial=person.role),
        score_input("power", "Power", person.power),
        score_input("influence", "Influence", person.influence),
        score_input("interest", "Interest", person.interest),
        select_input("attitude", "Attitude", options(ATTITUDE_OPTIONS), initial=person.attitude),
        user_input(
            "relationship_owner_id",
            "Relationship owner",
            initial=person.relationship_owner_id,
            optional=True,
        ),
        cadence_input(person.cadence_days),
    ]
    others = [manager for manager in managers if manager.id != person.id]
    blocks += reports_to_input(others, initial=person.reports_to_id)
    blocks.append(
        checkbox(
            "left_company",
            "Left the company",
            "Left the company (kept in history, out of lists and reports)",
            checked=person.left_on is not None,
        )
    )
    return modal(Callback.STAKEHOLDER_EDIT, "Edit stakeholder", blocks, metadata=metadata)


def account_edit_modal(account: Account, *, metadata: str) -> dict:
    blocks = [
        text_input("name", "Account name", initial=account.name),
        user_input("owner_id", "Account owner", initial=account.owner_id),
        select_input("tier", "Tier", options(list(TIER_LABELS.items())), initial=account.tier),
        text_input("industry", "Industry", initial=account.industry, optional=True),
        text_input(
            "annual_revenue",
            "Annual revenue",
            initial=_amount(account.annual_revenue),
            optional=True,
        ),
        text_input(
            "gross_margin",
            "Gross margin",
            initial=_amount(account.gross_margin),
            optional=True,
            hint="An amount; the margin percentage is worked out from the revenue.",
        ),
        text_input(
            "potential_revenue",
            "Potential revenue",
            initial=_amount(account.potential_revenue),
            optional=True,
        ),
        text_input("currency", "Currency", initial=account.currency),
    ]
    return modal(Callback.ACCOUNT_EDIT, "Edit account", blocks, metadata=metadata)


def objective_modal(objective: Objective | None, *, metadata: str) -> dict:
    blocks = [
        text_input(
            "title",
            "Objective",
            initial=objective.title if objective else None,
            placeholder="e.g. Become the preferred supplier for Europe",
        ),
        select_input(
            "horizon",
            "Horizon",
            options(list(HORIZON_LABELS.items())),
            initial=objective.horizon if objective else Horizon.SHORT_TERM,
        ),
        date_input(
            "target_date",
            "Target date",
            initial=objective.target_date if objective else None,
            optional=True,
        ),
        select_input(
            "status",
            "Status",
            options(list(OBJECTIVE_STATUS_LABELS.items())),
            initial=objective.status if objective else ObjectiveStatus.NOT_STARTED,
        ),
    ]
    title = "Edit objective" if objective else "New objective"
    return modal(Callback.OBJECTIVE, title, blocks, metadata=metadata)
