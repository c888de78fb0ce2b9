"""Modal builders. Block ids are domain field names (see forms.py); action ids are "value"."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sambot.accounts.models import Account, Tier
from sambot.actions.models import Action
from sambot.plans.models import Objective
from sambot.slack import blocks as bk
from sambot.slack.forms import VALUE
from sambot.slack.ids import Button, Callback
from sambot.slack.labels import (
    ATTITUDE_OPTIONS,
    KIND_LABELS,
    ROLE_LABELS,
    SENTIMENT_LABELS,
    TIER_LABELS,
)
from sambot.slack.text import truncate
from sambot.stakeholders.models import Stakeholder, StakeholderRole
from sambot.touchpoints.models import SUMMARY_MAX_LENGTH, Sentiment, TouchpointKind

MAX_OPTIONS = 100


def option(label: str, value: Any) -> dict:
    return bk.option(truncate(label, 75), value)


def options(pairs: Sequence[tuple[Any, str]]) -> list[dict]:
    return [option(label, value) for value, label in pairs[:MAX_OPTIONS]]


def pick(choices: list[dict], value: Any) -> dict | None:
    return next(
        (choice for choice in choices if value is not None and choice["value"] == str(value)), None
    )


def text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    multiline: bool = False,
    optional: bool = False,
    placeholder: str | None = None,
    hint: str | None = None,
) -> dict:
    element = bk.element(
        "plain_text_input",
        VALUE,
        placeholder=placeholder,
        initial_value=initial or None,
        multiline=multiline or None,
    )
    return bk.input_block(block_id, label, element, optional=optional, hint=hint)


def select_input(
    block_id: str,
    label: str,
    choices: list[dict],
    *,
    initial: Any = None,
    optional: bool = False,
    dispatch: bool = False,
    hint: str | None = None,
) -> dict:
    element = bk.static_select(
        VALUE, choices, placeholder="Choose…", initial_option=pick(choices, initial)
    )
    return bk.input_block(
        block_id, label, element, optional=optional, hint=hint, dispatch_action=dispatch
    )


def user_input(
    block_id: str, label: str, *, initial: str | None = None, optional: bool = False
) -> dict:
    element = bk.element("users_select", VALUE, placeholder="Choose someone", initial_user=initial)
    return bk.input_block(block_id, label, element, optional=optional)


def date_input(
    block_id: str, label: str, *, initial: date | str | None = None, optional: bool = False
) -> dict:
    element = bk.element("datepicker", VALUE, initial_date=str(initial) if initial else None)
    return bk.input_block(block_id, label, element, optional=optional)


def score_input(block_id: str, label: str, initial: int) -> dict:
    element = bk.element(
        "number_input", VALUE, is_decimal_allowed=False, initial_value=str(initial)
    )
    return bk.input_block(block_id, label, element, hint="1 (low) to 5 (high)")


def objective_input(objectives: Sequence[Objective], initial: int | None = None) -> list[dict]:
    """The optional objective chooser, when the account has objectives to choose from."""
    if not objectives:
        return []
    choices = options([(o.id, o.title) for o in objectives])
    return [select_input("objective_id", "Objective", choices, initial=initial, optional=True)]


def reports_to_input(managers: Sequence[Stakeholder], initial: int | None = None) -> list[dict]:
    """The optional "reports to" chooser, when there is anyone to report to."""
    if not managers:
        return []
    choices = options([(manager.id, manager.name) for manager in managers])
    return [select_input("reports_to_id", "Reports to", choices, initial=initial, optional=True)]


def cadence_input(initial: int | None = None) -> dict:
    """A stakeholder's own touch cadence; left empty, the default for their role and power."""
    element = bk.element(
        "number_input",
        VALUE,
        is_decimal_allowed=False,
        min_value="1",
        max_value="365",
        initial_value=str(initial) if initial else None,
    )
    return bk.input_block(
        "cadence_days",
        "Touch cadence (days)",
        element,
        optional=True,
        hint="How often to meet them. Empty: the default for their role and power.",
    )


def account_choices(accounts: Sequence[Account]) -> list[dict]:
    """The accounts as options, in the order given (the caller puts the chosen one first)."""
    return options([(account.id, account.name) for account in accounts])


def modal(
    callback_id: str, title: str, blocks: list, *, submit: str = "Save", metadata: str = ""
) -> dict:
    return bk.modal(callback_id, title, blocks, submit=submit, private_metadata=metadata)


def account_modal(
    *, owner_id: str, channel_id: str | None, name: str = "", metadata: str = ""
) -> dict:
    blocks = [
        text_input("name", "Account name", initial=name, placeholder="e.g. Acme Corporation"),
        user_input("owner_id", "Account owner", initial=owner_id),
        select_input("tier", "Tier", options(list(TIER_LABELS.items())), initial=Tier.STRATEGIC),
        text_input("industry", "Industry", optional=True),
        text_input("annual_revenue", "Annual revenue", optional=True, placeholder="e.g. 2,500,000"),
        text_input(
            "gross_margin",
            "Gross margin",
            optional=True,
            placeholder="e.g. 600,000",
            hint="An amount; the margin percentage is worked out from the revenue.",
        ),
        text_input("potential_revenue", "Potential revenue", optional=True),
        text_input("currency", "Currency", initial="USD", optional=True),
        bk.input_block(
            "channel_id",
            "Account channel",
            bk.element(
                "conversations_select",
                VALUE,
                initial_conversation=channel_id,
                filter={"include": ["public", "private"], "exclude_bot_users": True},
            ),
            optional=True,
            hint="Where the team talks about this account; sambot posts there.",
        ),
    ]
    return modal(Callback.ACCOUNT_NEW, "New account", blocks, submit="Create", metadata=metadata)


def stakeholder_modal(
    *,
    accounts: Sequence[Account],
    account_id: int | None,
    managers: Sequence[Stakeholder],
    user_id: str,
    metadata: str = "",
    callback_id: str = Callback.STAKEHOLDER_NEW,
) -> dict:
    blocks = [
        select_input("account_id", "Account", account_choices(accounts), initial=account_id),
        text_input("name", "Name"),
        text_input("title", "Job title", optional=True),
        text_input("email", "Email", optional=True),
        select_input(
            "role", "Role", options(list(ROLE_LABELS.items())), initial=StakeholderRole.OTHER
        ),
        score_input("power", "Power", 3),
        score_input("influence", "Influence", 3),
        score_input("interest", "Interest", 3),
        select_input("attitude", "Attitude", options(ATTITUDE_OPTIONS), initial=0),
        user_input("relationship_owner_id", "Relationship owner", initial=user_id, optional=True),
        cadence_input(),
    ]
    blocks += reports_to_input(managers)
    return modal(callback_id, "New stakeholder", blocks, submit="Add", metadata=metadata)


def touchpoint_modal(
    *,
    accounts: Sequence[Account],
    account_id: int | None,
    stakeholders: Sequence[Stakeholder],
    user_id: str,
    today: date,
    metadata: str = "",
    prefill: dict | None = None,
) -> dict:
    prefill = prefill or {}
    blocks: list = [
        select_input(
            "account_id",
            "Account",
            account_choices(accounts),
            initial=account_id,
            dispatch=True,
        ),
        date_input("occurred_on", "Date", initial=prefill.get("occurred_on") or today),
        select_input(
            "kind",
            "Kind",
            options(list(KIND_LABELS.items())),
            initial=prefill.get("kind", TouchpointKind.MEETING),
        ),
    ]
    people = options([(person.id, person.name) for person in stakeholders])
    if people:
        chosen = [
            choice
            for choice in people
            if int(choice["value"]) in prefill.get("stakeholder_ids", [])
        ]
        element = bk.element(
            "multi_static_select",
            VALUE,
            placeholder="Who was there?",
            options=people,
            initial_options=chosen or None,
        )
        blocks.append(
            bk.input_block("stakeholder_ids", "Stakeholders involved", element, optional=True)
        )
    blocks += [
        bk.actions(
            bk.button("Add a stakeholder", Button.ADD_STAKEHOLDER), block_id="stakeholder_tools"
        ),
        select_input(
            "sentiment",
            "Sentiment",
            options(list(SENTIMENT_LABELS.items())),
            initial=prefill.get("sentiment", Sentiment.NEUTRAL),
        ),
        text_input(
            "summary",
            "Summary",
            multiline=True,
            initial=truncate(prefill.get("summary") or "", SUMMARY_MAX_LENGTH),
            hint=f"Up to {SUMMARY_MAX_LENGTH} characters.",
        ),
    ]
    blocks += [
        bk.section("*Follow-up action* (optional)"),
        text_input(
            "followup_title",
            "Follow-up action",
            optional=True,
            placeholder="e.g. Send the revised proposal",
        ),
        user_input("followup_owner_id", "Follow-up owner", initial=user_id, optional=True),
        date_input("followup_due_date", "Follow-up due date", optional=True),
    ]
    title = "Touchpoint details" if prefill.get("touchpoint_id") else "Log a touchpoint"
    return modal(Callback.TOUCHPOINT, title, blocks, submit="Save", metadata=metadata)


def action_modal(
    *,
    accounts: Sequence[Account],
    account_id: int | None,
    objectives: Sequence[Objective],
    user_id: str,
    metadata: str = "",
    title: str = "",
) -> dict:
    blocks: list = [
        select_input(
            "account_id",
            "Account",
            account_choices(accounts),
            initial=account_id,
            dispatch=True,
        ),
        text_input(
            "title", "Action", initial=truncate(title, 200), placeholder="What must happen?"
        ),
        user_input("owner_id", "Owner", initial=user_id),
        date_input("due_date", "Due date", optional=True),
    ]
    blocks += objective_input(objectives)
    blocks += [
        text_input(
            "obstacle",
            "Obstacle",
            multiline=True,
            optional=True,
            hint="What could stop this? The team sees it; the client never does.",
        ),
        text_input("detail", "Detail", multiline=True, optional=True),
        bk.input_block(
            "shared_with_client",
            "Client",
            bk.element(
                "checkboxes",
                VALUE,
                options=[option("Shared with the client (shows in the client report)", "yes")],
            ),
            optional=True,
        ),
    ]
    return modal(Callback.ACTION, "New action", blocks, submit="Create", metadata=metadata)


def change_due_modal(action: Action, *, today: date, metadata: str) -> dict:
    blocks = [
        bk.section(f"*{action.title}*"),
        date_input("due_date", "New due date", initial=max(action.due_date or today, today)),
    ]
    return modal(Callback.CHANGE_DUE, "Change due date", blocks, metadata=metadata)


def reassign_modal(action: Action, *, metadata: str) -> dict:
    blocks = [
        bk.section(f"*{action.title}*"),
        user_input("owner_id", "New owner", initial=action.owner_id),
    ]
    return modal(Callback.REASSIGN, "Reassign action", blocks, submit="Reassign", metadata=metadata)


def info_modal(title: str, text: str) -> dict:
    blocks = [bk.section(text), bk.context("Type `/sam help` to see every command.")]
    return bk.modal(None, title, blocks, close="Close")
