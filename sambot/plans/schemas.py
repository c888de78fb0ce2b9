from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from sambot.plans.models import Horizon, ObjectiveStatus


class ObjectiveCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    horizon: Horizon = Horizon.SHORT_TERM
    target_date: date | None = None
    status: ObjectiveStatus = ObjectiveStatus.NOT_STARTED


class ObjectiveUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: Annotated[str | None, StringConstraints(min_length=1, max_length=200)] = None
    horizon: Horizon | None = None
    target_date: date | None = None
    status: ObjectiveStatus | None = None
