"""Logging a touchpoint with its optional follow-up action, validated together."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sambot.actions import service as actions
from sambot.actions.models import Action
from sambot.touchpoints import service as touchpoints
from sambot.touchpoints.models import Touchpoint
from sambot.validation import InvalidInput

FOLLOW_UP_PREFIX = "followup_"


def log_with_follow_up(
    db: Session,
    *,
    workspace_id: int,
    account_id: int,
    logged_by: str,
    data: Mapping[str, Any],
    follow_up: Mapping[str, Any] | None,
    today: date,
    touchpoint_id: int | None = None,
) -> tuple[Touchpoint, Action | None]:
    """Create (or, with touchpoint_id, update) a touchpoint and create its follow-up action.

    Errors of both come back at once; the follow-up's fields carry the `followup_` prefix.
    Nothing is written unless both are valid.
    """
    errors: dict[str, str] = {}
    touchpoint = action = None
    with db.begin_nested():  # a savepoint: an error below undoes both writes
        try:
            if touchpoint_id is None:
                touchpoint = touchpoints.create(
                    db,
                    workspace_id=workspace_id,
                    account_id=account_id,
                    logged_by=logged_by,
                    data=data,
                    today=today,
                )
            else:
                touchpoint = touchpoints.update(
                    db,
                    workspace_id=workspace_id,
                    touchpoint_id=touchpoint_id,
                    account_id=account_id,
                    data=data,
                    today=today,
                )
        except InvalidInput as exc:
            errors.update(exc.errors)
        if follow_up:
            try:
                action = actions.create(
                    db,
                    workspace_id=workspace_id,
                    account_id=account_id,
                    created_by=logged_by,
                    data=follow_up,
                    today=today,
                )
            except InvalidInput as exc:
                errors.update({FOLLOW_UP_PREFIX + field: msg for field, msg in exc.errors.items()})
        if errors:
            raise InvalidInput(errors)
    return touchpoint, action
