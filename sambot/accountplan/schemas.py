"""What each section's form may hold. Field names are the forms' block ids."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from sambot.accountplan.models import Factor, Impact, Position, Section, Stage

NOTE_MAX_LENGTH = 1000

Note = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=NOTE_MAX_LENGTH)]


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class Fields(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _blanks(cls, value):
        return _blank_to_none(value)


class ProfileFields(Fields):
    """Customer profile and needs: what the client does, what it needs, how it buys."""

    business: Note = None
    needs: Note = None
    buying_process: Note = None
    buying_cycle: Note = None
    budget_timing: Note = None


class ValueFields(Fields):
    """Value proposition: our unique value for this client, and what proves it."""

    unique_value: Note = None
    proof_points: Note = None


class StrategyFields(Fields):
    """Customer strategy map: what the client aims for, so our objectives serve theirs."""

    client_objectives: Note = None
    challenges: Note = None
    culture: Note = None


FIELD_SCHEMAS: dict[Section, type[Fields]] = {
    Section.PROFILE: ProfileFields,
    Section.VALUE: ValueFields,
    Section.STRATEGY: StrategyFields,
}


class FactorInput(Fields):
    factor: Factor
    impact: Impact
    trend: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)] = None
    note: Note = None


class CompetitorInput(Fields):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    strengths: Note = None
    weaknesses: Note = None
    position: Position = Position.UNKNOWN
    differentiators: Note = None


class ExpansionInput(Fields):
    area: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    estimated_value: Annotated[Decimal | None, Field(ge=0, max_digits=18, decimal_places=2)] = None
    stage: Stage = Stage.IDEA
    next_step: Note = None

    @field_validator("estimated_value", mode="before")
    @classmethod
    def _amount_as_typed(cls, value):
        # People type "250,000" or "250 000"; the separators carry no meaning.
        if isinstance(value, str):
            value = value.replace(",", "").replace(" ", "").replace("_", "")
            try:
                Decimal(value)
            except ArithmeticError:
                raise ValueError("Enter an amount, such as 250,000.") from None
        return value


ITEM_SCHEMAS: dict[Section, type[Fields]] = {
    Section.INDUSTRY: FactorInput,
    Section.COMPETITION: CompetitorInput,
    Section.RELATIONSHIP: ExpansionInput,
}
