from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

from sambot.touchpoints.models import SUMMARY_MAX_LENGTH, Sentiment, Source, TouchpointKind


class TouchpointCreate(BaseModel):
    """Validation context: `today` (the user's date) keeps touchpoints out of the future."""

    model_config = ConfigDict(str_strip_whitespace=True)

    occurred_on: date
    kind: TouchpointKind
    summary: Annotated[str, StringConstraints(min_length=1, max_length=SUMMARY_MAX_LENGTH)]
    sentiment: Sentiment = Sentiment.NEUTRAL
    stakeholder_ids: list[int] = []
    source: Source = Source.COMMAND
    message_link: str | None = None

    @field_validator("occurred_on")
    @classmethod
    def _not_in_future(cls, value: date, info: ValidationInfo) -> date:
        today = (info.context or {}).get("today")
        if today is not None and value > today:
            raise ValueError("A touchpoint is something that happened: pick today or earlier.")
        return value
