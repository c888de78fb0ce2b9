"""What every listener needs besides the Slack payload, injected by a global middleware."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.config import Settings
from sambot.dates import today_in
from sambot.db import Database, utcnow
from sambot.slack.people import People
from sambot.validation import DomainError
from sambot.workspaces import service as workspaces
from sambot.workspaces.models import Workspace


@dataclass
class Sam:
    """The bot's services, available to every listener as the `sam` argument."""

    database: Database
    settings: Settings
    people: People
    # What time it is: the real time, or the local shell's clock, which `:time` moves.
    clock: Callable[[], datetime] = utcnow
    _workspaces: dict[str, Workspace] = field(default_factory=dict, repr=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.database.session() as session:
            yield session

    def workspace(self, session: Session, team_id: str) -> Workspace:
        """The team's workspace, remembered after the first request so later ones skip a query.

        It is created in a transaction of its own, committed before it is remembered: the
        caller's work may still roll back. Call it before the caller's first query.
        """
        known = self._workspaces.get(team_id)
        if known is None:
            try:
                known = self._ensure_workspace(team_id)
            except IntegrityError:
                # Two first requests from a new team at once: the other one created it.
                known = self._ensure_workspace(team_id)
            self._workspaces[team_id] = known
        return known

    def _ensure_workspace(self, team_id: str) -> Workspace:
        with self.database.session() as own:
            return workspaces.ensure(own, team_id=team_id, timezone=self.settings.sambot_timezone)

    def today_for(self, user_id: str) -> date:
        """Today where the user is: their own Slack time zone decides."""
        return today_in(self.people.timezone(user_id), now=self.clock())

    def linked_account(
        self, session: Session, team_id: str, channel_id: str, *, doing: str
    ) -> tuple[Workspace, Account]:
        """The workspace and the channel's account, or NotLinked explaining what to do."""
        workspace = self.workspace(session, team_id)
        account = self.channel_account(session, workspace, channel_id)
        if account is None:
            raise NotLinked(doing)
        return workspace, account

    def channel_account(
        self, session: Session, workspace: Workspace, channel_id: str | None
    ) -> Account | None:
        if not channel_id:
            return None
        return accounts.get_by_channel(session, workspace_id=workspace.id, channel_id=channel_id)


class NotLinked(DomainError):
    """A command that needs the channel's account, run in a channel linked to none."""

    def __init__(self, doing: str):
        super().__init__(
            f"This channel is not linked to an account, so I can't {doing} here. "
            "Link it with `/sam link &lt;account name&gt;` (or create one with `/sam account new`), "
            "or run the command in an account's channel."
        )


def sam_middleware(sam: Sam):
    def inject(context, next):
        context["sam"] = sam
        next()

    return inject
