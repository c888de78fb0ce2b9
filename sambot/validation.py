"""Errors the domain raises, and pydantic validation that reports them field by field.

Field names in these errors are the names of the input models' fields; the Slack
layer uses the same names as block ids, so an error lands under its input.
"""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def storable(text: str) -> str:
    """Text a person sent, less the NUL characters: no keyboard types one, and PostgreSQL
    refuses them in text (even in a query's parameter)."""
    return text.replace("\x00", "")


class DomainError(Exception):
    """A problem the user can fix; its message is written for them."""


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    """One message per field that was wrong."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


def field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__all__"
        errors.setdefault(field, _readable(error))
    return errors


def _readable(error: dict[str, Any]) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "missing":
        return "This field is required."
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind in ("greater_than_equal", "less_than_equal"):
        context = error.get("ctx", {})
        low, high = context.get("ge"), context.get("le")
        bound = f"at least {low}" if low is not None else f"at most {high}"
        return f"Must be {bound}."
    if kind == "string_too_long":
        return f"Must be at most {error['ctx']['max_length']} characters."
    if kind == "string_too_short":
        return "This field is required."
    if kind == "enum" or kind == "literal_error":
        return f"Choose one of: {error['ctx'].get('expected', '')}."
    return message[0].upper() + message[1:] + "."


def validate(model: type[Model], data: Any, **context: Any) -> Model:
    """Validate `data` into `model`, raising InvalidInput with one message per field."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from None
