"""Validation speaks to the user: one readable message per field, under that field's name."""

from datetime import date
from typing import Literal

import pytest
from pydantic import BaseModel, model_validator

from sambot.accounts.schemas import AccountCreate, AccountUpdate
from sambot.actions.schemas import ActionCreate, ActionUpdate
from sambot.stakeholders.schemas import StakeholderCreate
from sambot.validation import DomainError, InvalidInput, NotFound, validate

TODAY = date(2026, 11, 28)


def errors(model, data, **context) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        validate(model, data, **context)
    return caught.value.errors


def test_each_kind_of_error_reads_as_a_sentence_for_the_user():
    assert errors(ActionCreate, {"title": "x" * 201, "owner_id": ""}) == {
        "title": "Must be at most 200 characters.",
        "owner_id": "This field is required.",
    }
    assert errors(ActionCreate, {"title": "   ", "owner_id": "U1"}) == {
        "title": "This field is required."
    }
    assert errors(ActionCreate, {"owner_id": "U1"}) == {"title": "This field is required."}
    assert errors(ActionUpdate, {"status": "finished"}) == {
        "status": "Choose one of: 'open', 'in_progress', 'blocked', 'done' or 'cancelled'."
    }
    assert errors(StakeholderCreate, {"name": "Dana", "power": 0, "influence": 6}) == {
        "power": "Must be at least 1.",
        "influence": "Must be at most 5.",
    }
    # Anything else is pydantic's own message, as a sentence.
    assert errors(ActionCreate, {"title": "T", "owner_id": "U1", "objective_id": "abc"}) == {
        "objective_id": "Input should be a valid integer, unable to parse string as an integer."
    }


def test_a_rule_of_ours_keeps_its_own_words():
    assert errors(
        ActionCreate, {"title": "T", "owner_id": "U1", "due_date": "2026-11-27"}, today=TODAY
    ) == {"due_date": "The due date is in the past: pick today or a later day."}
    assert errors(AccountCreate, {"name": "A", "owner_id": "U1", "annual_revenue": "-1"}) == {
        "annual_revenue": "Must be at least 0."
    }
    assert errors(
        AccountCreate,
        {"name": "A", "owner_id": "U1", "annual_revenue": "5", "gross_margin": "6"},
    ) == {"gross_margin": "Gross margin cannot exceed annual revenue."}


class _Choice(BaseModel):
    kind: Literal["call", "meeting"]
    count: int | bool = 0

    @model_validator(mode="after")
    def _never_both(self):
        if self.kind == "call" and self.count:
            raise ValueError("A call has no count.")
        return self


def test_literal_choices_whole_model_errors_and_the_first_error_of_a_field():
    assert errors(_Choice, {"kind": "email"}) == {"kind": "Choose one of: 'call' or 'meeting'."}
    # An error of the whole model has no field: it is reported under "__all__".
    assert errors(_Choice, {"kind": "call", "count": 2}) == {"__all__": "A call has no count."}
    # A union fails once per member; the user reads the first message only.
    assert errors(_Choice, {"kind": "meeting", "count": "many"}) == {
        "count": "Input should be a valid integer, unable to parse string as an integer."
    }


def test_invalid_input_says_every_field_in_its_message():
    error = InvalidInput({"title": "This field is required.", "owner_id": "Too long."})
    assert str(error) == "title: This field is required.; owner_id: Too long."
    assert isinstance(error, DomainError) and issubclass(NotFound, DomainError)


def test_valid_input_comes_back_as_the_model_with_the_context_applied():
    fields = validate(
        ActionCreate,
        {"title": "  Renewal  ", "owner_id": "U1", "due_date": "2026-11-28", "detail": "  "},
        today=TODAY,
    )
    assert fields.title == "Renewal" and fields.due_date == TODAY and fields.detail is None
    # Without a `today` in the context, a past date is not checked (imports, history).
    assert validate(ActionUpdate, {"due_date": "2020-01-01"}).due_date == date(2020, 1, 1)
    assert validate(ActionUpdate, {"due_date": None}, today=TODAY).due_date is None


def test_blank_account_fields_are_empty_not_invalid():
    fields = validate(
        AccountUpdate,
        {"industry": "  ", "annual_revenue": " ", "channel_id": "", "potential_revenue": "1 200"},
    )
    assert fields.industry is None and fields.annual_revenue is None
    assert fields.channel_id is None and str(fields.potential_revenue) == "1200"
