from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from sambot.accounts.models import TeamRole, Tier

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
OptionalText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=100)]
SlackId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Amount = Annotated[Decimal | None, Field(ge=0, max_digits=18, decimal_places=2)]


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class AccountFields(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    industry: OptionalText = None
    annual_revenue: Amount = None
    gross_margin: Annotated[Decimal | None, Field(max_digits=18, decimal_places=2)] = None
    potential_revenue: Amount = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)] = "USD"
    channel_id: str | None = None

    _blanks = field_validator(
        "industry",
        "annual_revenue",
        "gross_margin",
        "potential_revenue",
        "channel_id",
        mode="before",
    )(_blank_to_none)

    @field_validator("annual_revenue", "gross_margin", "potential_revenue", mode="before")
    @classmethod
    def _amount_as_typed(cls, value):
        # People type "1,200,000" or "1 200 000"; the separators carry no meaning.
        if isinstance(value, str):
            return value.replace(",", "").replace(" ", "").replace("_", "")
        return value

    @field_validator("gross_margin")
    @classmethod
    def _margin_within_revenue(cls, margin, info: ValidationInfo):
        revenue = info.data.get("annual_revenue")
        if margin is not None and revenue is not None and margin > revenue:
            raise ValueError("Gross margin cannot exceed annual revenue.")
        return margin


class AccountCreate(AccountFields):
    name: Name
    owner_id: SlackId
    tier: Tier = Tier.STRATEGIC


class AccountUpdate(AccountFields):
    name: Name | None = None
    owner_id: SlackId | None = None
    tier: Tier | None = None
    currency: Annotated[str | None, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)] = (
        None
    )


class TeamMemberSet(BaseModel):
    user_id: SlackId
    role: TeamRole
