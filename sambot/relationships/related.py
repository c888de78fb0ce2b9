"""The open actions to review at a touchpoint: those that involve the people met, or serve
the same objectives (the article: align actions with touchpoints).

Actions have no stakeholder field, so an action involves a stakeholder when its title,
detail or obstacle names them. Their objectives are those of these actions and of the
touchpoint's own follow-up action.
"""

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sambot.actions.models import OPEN_STATUSES, Action


def _names(action: Action, names: Sequence[str]) -> bool:
    text = " ".join(filter(None, [action.title, action.detail, action.obstacle])).casefold()
    return any(name.casefold() in text for name in names)


def actions_to_review(
    db: Session,
    *,
    account_id: int,
    stakeholder_names: Sequence[str],
    objective_ids: Iterable[int | None] = (),
    leave_out: Iterable[int] = (),
) -> list[Action]:
    """The account's open actions naming one of these people, or serving the objectives of
    those or the given ones; overdue (earliest due) first."""
    open_actions = list(
        db.scalars(
            select(Action)
            .where(Action.account_id == account_id, Action.status.in_(OPEN_STATUSES))
            .order_by(Action.due_date.is_(None), Action.due_date, Action.id)
        )
    )
    names = [name for name in stakeholder_names if name.strip()]
    naming = [action for action in open_actions if names and _names(action, names)]
    objectives = {action.objective_id for action in naming} | set(objective_ids)
    objectives.discard(None)
    skip = set(leave_out)
    return [
        action
        for action in open_actions
        if action.id not in skip and (action in naming or action.objective_id in objectives)
    ]
