import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from sambot.stakeholders.models import StakeholderRole

Scale = Annotated[int, Field(ge=1, le=5)]
Attitude = Annotated[int, Field(ge=-2, le=2)]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class StakeholderFields(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: Annotated[str | None, StringConstraints(max_length=100)] = None
    email: Annotated[str | None, StringConstraints(max_length=254)] = None
    relationship_owner_id: str | None = None
    reports_to_id: int | None = None
    # Days between touches, when this person needs another rhythm than the default.
    cadence_days: Annotated[int | None, Field(ge=1, le=365)] = None

    @field_validator(
        "title", "email", "relationship_owner_id", "reports_to_id", "cadence_days", mode="before"
    )
    @classmethod
    def _blank_to_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.match(EMAIL_PATTERN, value):
            raise ValueError("Enter an email address like name@company.com.")
        return value


class StakeholderCreate(StakeholderFields):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    role: StakeholderRole = StakeholderRole.OTHER
    power: Scale = 3
    influence: Scale = 3
    interest: Scale = 3
    attitude: Attitude = 0


class StakeholderUpdate(StakeholderFields):
    name: Annotated[str | None, StringConstraints(min_length=1, max_length=100)] = None
    role: StakeholderRole | None = None
    power: Scale | None = None
    influence: Scale | None = None
    interest: Scale | None = None
    attitude: Attitude | None = None
