from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

from sambot.actions.models import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, ActionStatus

Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE_MAX_LENGTH)]
LongText = Annotated[str | None, StringConstraints(max_length=TEXT_MAX_LENGTH)]


def not_in_past(value: date | None, info: ValidationInfo) -> date | None:
    """Validation context `today` is the user's date: a new due date cannot be before it."""
    today = (info.context or {}).get("today")
    if value is not None and today is not None and value < today:
        raise ValueError("The due date is in the past: pick today or a later day.")
    return value


class ActionCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: Title
    owner_id: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    due_date: date | None = None
    objective_id: int | None = None
    detail: LongText = None
    obstacle: LongText = None
    shared_with_client: bool = False

    @field_validator("detail", "obstacle", "objective_id", "due_date", mode="before")
    @classmethod
    def _blank_to_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    _due_not_in_past = field_validator("due_date")(not_in_past)


class ActionUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: Title | None = None
    owner_id: Annotated[str | None, StringConstraints(min_length=1, max_length=32)] = None
    due_date: date | None = None
    objective_id: int | None = None
    detail: LongText = None
    obstacle: LongText = None
    shared_with_client: bool | None = None
    status: ActionStatus | None = None

    _due_not_in_past = field_validator("due_date")(not_in_past)
