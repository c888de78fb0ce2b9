"""What sambot keeps in a button's value, a block id or a modal's private_metadata.

Slack hands these strings back as they were written, but an old message, another app or a
forged request can hand back anything. Each reference is a small frozen model that writes
itself and reads itself back; what does not read back is a `StaleReference`, which the user
sees as a plain message (never a traceback). Slack's limits: a button value 2,000
characters, a block id 255, private_metadata 3,000.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sambot.accountplan.models import Section
from sambot.validation import DomainError


class StaleReference(DomainError):
    def __init__(self):
        super().__init__(
            "That button or form is out of date (or was not made by sambot). "
            "Run the command again to get a fresh one."
        )


class Reference(BaseModel):
    """Written as compact JSON unless a subclass has a shorter form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def encode(self) -> str:
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        try:
            return cls.model_validate_json(raw or "{}")
        except ValidationError:
            raise StaleReference() from None


class IdReference(Reference):
    """A single row id, written as its digits (as buttons have always carried it)."""

    id: int = Field(gt=0)

    def encode(self) -> str:
        return str(self.id)

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        if not (raw or "").isdigit():
            raise StaleReference()
        try:
            return cls(id=int(raw))
        except ValueError:  # "²" is a digit to isdigit(), not to int(); 0 is no row
            raise StaleReference() from None


class ActionRef(IdReference):
    """The value of an action's buttons (Mark done, Snooze, Change due date, Reassign)."""


class TouchpointRef(IdReference):
    """The value of "Add details" on a logged touchpoint."""


class TeamMemberRef(Reference):
    """A member of an account's team: the value of "Remove", and the block ids of its row."""

    account_id: int = Field(gt=0)
    user_id: str = Field(pattern=r"^[UW][A-Z0-9]+$")

    def encode(self) -> str:
        return f"{self.account_id}:{self.user_id}"

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        account_id, _, user_id = (raw or "").partition(":")
        try:
            return cls(account_id=int(account_id), user_id=user_id)
        except (ValueError, ValidationError):
            raise StaleReference() from None


class TeamBlock(Reference):
    """Block ids of the team message: a member's row, its tools, and the "add" picker."""

    kind: Literal["member", "tools", "add"]
    account_id: int = Field(gt=0)
    user_id: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]+$")

    _PREFIXES: ClassVar = {"member": "member_", "tools": "member_tools_", "add": "team_add_"}
    _READ: ClassVar = re.compile(
        r"^(?:(?P<tools>member_tools_)|(?P<member>member_)|(?P<add>team_add_))"
        r"(?P<account_id>\d+)(?:_(?P<user_id>[UW][A-Z0-9]+))?$"
    )

    def encode(self) -> str:
        return "_".join(
            filter(None, [f"{self._PREFIXES[self.kind]}{self.account_id}", self.user_id])
        )

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        found = cls._READ.match(raw or "")
        if not found:
            raise StaleReference()
        kind = next(k for k in ("tools", "member", "add") if found.group(k))
        try:
            return cls(kind=kind, account_id=int(found["account_id"]), user_id=found["user_id"])
        except ValidationError:
            raise StaleReference() from None


class ReportChoice(Reference):
    """The value of "Post to channel" under a report preview."""

    account_id: int = Field(gt=0)
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    client: bool = False


class FormOrigin(Reference):
    """private_metadata of the account, stakeholder, touchpoint and action forms: where the
    form was opened (to confirm there), and what it edits."""

    channel: str | None = None
    response_url: str | None = None
    touchpoint_id: int | None = None  # "Add details": the touchpoint being completed
    message_ts: str | None = None  # a message shortcut: the message it came from
    message_link: str | None = None


class MessageOrigin(Reference):
    """Where a pressed button was: the Home tab, an ephemeral message, or a channel message."""

    home: bool = False
    response_url: str | None = None
    channel: str | None = None
    ts: str | None = None
    # The message's blocks, to redraw it after a form; too many for private_metadata are
    # kept in the database under the key `stash` (sambot.slack.kept_messages).
    blocks: tuple[dict, ...] = ()
    stash: str | None = None


class ActionFormRef(Reference):
    """private_metadata of "Change due date" and "Reassign"."""

    action_id: int = Field(gt=0)
    origin: MessageOrigin = MessageOrigin()


class PushedFormRef(Reference):
    """private_metadata of the stakeholder form pushed over the touchpoint form."""

    parent_view_id: str
    parent: FormOrigin = FormOrigin()


class ActionStatusChoice(Reference):
    """An option of an action's status menu: the action and the status it moves to."""

    id: int = Field(gt=0)
    status: Literal["open", "in_progress", "blocked", "cancelled"]

    def encode(self) -> str:
        return f"{self.id}:{self.status}"

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        action_id, _, status = (raw or "").partition(":")
        try:
            return cls(id=int(action_id), status=status)
        except (ValueError, ValidationError):
            raise StaleReference() from None


class CheckpointScoreRef(Reference):
    """The value of a score button in a checkpoint question: round, question, score."""

    round_id: int = Field(gt=0)
    question: Literal["information", "roles", "coordination"]
    score: int = Field(ge=1, le=5)

    def encode(self) -> str:
        return f"{self.round_id}:{self.question}:{self.score}"

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        parts = (raw or "").split(":")
        try:
            round_id, question, score = parts
            return cls(round_id=int(round_id), question=question, score=int(score))
        except (ValueError, ValidationError):
            raise StaleReference() from None


class StakeholderRef(IdReference):
    """The value of a stakeholder's "Edit" button, and the stakeholder form's metadata."""


class ObjectiveRef(IdReference):
    """The value of an objective's "Edit" button."""


class ObjectiveFormRef(Reference):
    """private_metadata of the objective form: its account, and the objective it edits."""

    account_id: int = Field(gt=0)
    objective_id: int | None = Field(default=None, gt=0)
    channel: str | None = None
    response_url: str | None = None


class AccountFormRef(Reference):
    """private_metadata of the account edit form."""

    account_id: int = Field(gt=0)
    channel: str | None = None


class HistoryPage(Reference):
    """The value of the history's Next and Previous buttons: the filters and the page."""

    account_id: int = Field(gt=0)
    stakeholder_id: int | None = Field(default=None, gt=0)
    kind: str | None = Field(default=None, max_length=32)
    since: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    page: int = Field(default=0, ge=0)


class ChangesPage(Reference):
    """The value of the audit trail's Next and Previous buttons: the filters and the page."""

    account_id: int | None = Field(default=None, gt=0)
    since: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    page: int = Field(default=0, ge=0)


class AccountRef(IdReference):
    """The value of "New objective" and of the Home tab's account buttons: the account."""


class ObjectiveStatusChoice(Reference):
    """An option of an objective's status menu: the objective and its new status."""

    id: int = Field(gt=0)
    status: Literal["not_started", "on_track", "at_risk", "achieved", "dropped"]

    def encode(self) -> str:
        return f"{self.id}:{self.status}"

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        objective_id, _, status = (raw or "").partition(":")
        try:
            return cls(id=int(objective_id), status=status)
        except (ValueError, ValidationError):
            raise StaleReference() from None


class StakeholderFormRef(Reference):
    """private_metadata of the stakeholder edit form: who, and the list to redraw."""

    stakeholder_id: int = Field(gt=0)
    channel: str | None = None
    response_url: str | None = None


class CadenceRef(Reference):
    """The value of "Log touchpoint" and "Snooze two weeks" in the cadence reminder."""

    account_id: int = Field(gt=0)
    stakeholder_id: int = Field(gt=0)

    def encode(self) -> str:
        return f"{self.account_id}:{self.stakeholder_id}"

    @classmethod
    def decode(cls, raw: str | None) -> Self:
        account_id, _, stakeholder_id = (raw or "").partition(":")
        if not (account_id.isascii() and account_id.isdigit()):
            raise StaleReference()
        if not (stakeholder_id.isascii() and stakeholder_id.isdigit()):
            raise StaleReference()
        try:
            return cls(account_id=int(account_id), stakeholder_id=int(stakeholder_id))
        except ValidationError:
            raise StaleReference() from None


class PlanRef(Reference):
    """A part of an account's plan: the value of the plan's buttons and menu options.

    `back` says what the button's message is, so a form opened from it redraws that
    message after saving: the plan overview (posted, or the preview only its reader sees),
    or a section's list of entries.
    """

    account_id: int = Field(gt=0)
    section: Section | None = None
    item_id: int | None = Field(default=None, gt=0)
    verb: Literal["edit", "remove"] | None = None
    offset: int = Field(default=0, ge=0)
    back: Literal["plan", "preview", "items"] | None = None


class PlanFormRef(Reference):
    """private_metadata of the plan's forms: what they edit and where they were opened."""

    plan: PlanRef
    channel: str | None = None
    response_url: str | None = None


class CheckpointRef(IdReference):
    """The value of "Add a comment" under a checkpoint's questions: the round's id."""


class CheckpointCommentForm(Reference):
    """private_metadata of the comment form: the round, and the message to redraw."""

    round_id: int = Field(gt=0)
    channel: str | None = None
    ts: str | None = None


class TeamOfferRef(Reference):
    """The value of the owner's choices about a channel member: add (with a role) or remove."""

    account_id: int = Field(gt=0)
    user_id: str = Field(pattern=r"^[UW][A-Z0-9]+$")
    role: str | None = Field(default=None, pattern=r"^[a-z_]{1,32}$")


class ProgrammePage(Reference):
    """The value of "Next" under the programme roll-up: where the next page starts."""

    offset: int = Field(ge=0)


class TierChoice(Reference):
    """The value of a Pareto analysis's "Make strategic" / "Make key" button."""

    account_id: int = Field(gt=0)
    tier: Literal["strategic", "key", "other"]
    metric: Literal["margin", "revenue", "potential"] = "margin"
