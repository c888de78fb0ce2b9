"""What every listener needs besides the Slack payload, injected by a global middleware."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.config import Settings
from sambot.dates import today_in
from sambot.db import Database, utcnow
from sambot.readcache import ReadCache
from sambot.slack.client import KeptConnections, PooledRespond, PooledWebClient
from sambot.slack.envelopes import RECEIVED_AT
from sambot.slack.people import People
from sambot.validation import DomainError
from sambot.workspaces import service as workspaces
from sambot.workspaces.models import Workspace

# A trigger_id can open a modal for 3 seconds after the user acted (Slack's "Handling user
# interaction" guide, https://api.slack.com/interactivity/handling).
TRIGGER_LIFE_S = 3
# The wall clock the trigger's age is read on (a test moves it).
wall_clock = time.time


@dataclass
class Sam:
    """The bot's services, available to every listener as the `sam` argument."""

    database: Database
    settings: Settings
    people: People
    # What time it is: the real time, or the local shell's clock, which `:time` moves.
    clock: Callable[[], datetime] = utcnow
    # The installation store when several workspaces install the app (OAuth), else None.
    installations: Any = None
    # What forms list, kept while the data version stays (sambot/readcache.py).
    reads: ReadCache = field(default_factory=ReadCache)
    _workspaces: dict[str, Workspace] = field(default_factory=dict, repr=False)
    # Enterprise Grid: the org of each team seen in a request, recorded with its workspace.
    _enterprise_ids: dict[str, str] = field(default_factory=dict, repr=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.database.session() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.database.reading() as connection:
            yield connection

    def workspace(self, team_id: str) -> Workspace:
        """The team's workspace, remembered after the first request so later ones skip a query.

        It is created in a transaction of its own, committed before it is remembered, so the
        caller's own work may still roll back.
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
            workspace = workspaces.ensure(
                own,
                team_id=team_id,
                timezone=self.settings.sambot_timezone,
                enterprise_id=self._enterprise_ids.get(team_id),
            )
            if workspace.uninstalled_at is not None and self.installations is None:
                # One workspace, one token: a request from it means it is installed again.
                workspace.uninstalled_at = None
            return workspace

    def forget_workspace(self, team_id: str) -> None:
        """Read the workspace again on its next request (it was uninstalled)."""
        self._workspaces.pop(team_id, None)

    def today_for(
        self, user_id: str, *, before_ack: bool = False, token: str | None = None
    ) -> date:
        """Today where the user is: their own Slack time zone decides. Before an ack, only
        a time zone already known is used: users.info never delays an ack."""
        people = self.people
        timezone = (
            people.timezone_at_once(user_id, token=token)
            if before_ack
            else people.timezone(user_id, token=token)
        )
        return today_in(timezone, now=self.clock())


@dataclass
class Interaction:
    """Who acts, in which workspace and channel: read from the payload once, for every listener.

    What costs a lookup (the workspace, the user's today, the channel's account) is looked up
    when a listener first asks, so nothing slow runs before the listener's ack.
    """

    sam: Sam
    team_id: str
    user_id: str | None
    channel_id: str | None
    # When Slack sent the request (its signed timestamp, whole seconds) and when it reached
    # this process's web edge (None in Socket Mode), to know a trigger_id has expired.
    sent_at: float | None = None
    received_at: float | None = None
    trigger_id: str | None = None  # lets a listener open a form, for 3 seconds
    response_url: str | None = None  # answers the user alone
    # A form's submission: its listener acks after the work, so nothing may wait on Slack.
    before_ack: bool = False
    # The workspace's bot token for this request (its installation's, or SLACK_BOT_TOKEN).
    token: str | None = field(default=None, repr=False)

    @cached_property
    def workspace(self) -> Workspace:
        return self.sam.workspace(self.team_id)

    @cached_property
    def is_admin(self) -> bool:
        """A workspace admin or owner, per users.info. Before an ack only a remembered answer
        counts: users.info never delays an ack."""
        people = self.sam.people
        if self.before_ack:
            return people.is_admin_at_once(self.user_id, token=self.token)
        return people.is_admin(self.user_id, token=self.token)

    @cached_property
    def today(self) -> date:
        return self.sam.today_for(self.user_id, before_ack=self.before_ack, token=self.token)

    def account(self, session: Session) -> Account | None:
        """The account whose channel this is, if any."""
        if not self.channel_id:
            return None
        return accounts.get_by_channel(
            session, workspace_id=self.workspace.id, channel_id=self.channel_id
        )

    def linked_account(self, session: Session, *, doing: str) -> Account:
        """The channel's account, or NotLinked explaining what to do."""
        account = self.account(session)
        if account is None:
            raise NotLinked(doing)
        return account

    def trigger_expired(self, now: float | None = None) -> bool:
        """Whether the trigger_id has certainly expired: it lives 3 s from the user's act.

        Its age is at least the time since the request reached sambot (under a burst it may
        wait behind other work that long), and at least the time since Slack's timestamp,
        less the second that timestamp may be behind (it counts whole seconds).
        """
        now = wall_clock() if now is None else now
        ages = [now - self.received_at] if self.received_at is not None else []
        if self.sent_at is not None:
            ages.append(now - self.sent_at - 1)
        return bool(ages) and max(ages) > TRIGGER_LIFE_S


class NotLinked(DomainError):
    """A command that needs the channel's account, run in a channel linked to none."""

    def __init__(self, doing: str):
        super().__init__(
            f"This channel is not linked to an account, so I can't {doing} here. "
            "Link it with `/sam link &lt;account name&gt;` (or create one with `/sam account new`), "
            "or run the command in an account's channel."
        )


def context_middleware(sam: Sam, pool: KeptConnections):
    """Puts `sam` and the `interaction` into Bolt's context for every listener, and a
    `client` and a `respond()` that keep their connections alive."""

    def inject(context, body, request, next):
        context["sam"] = sam
        context["client"] = pooled(context.client, pool)
        if context.response_url:
            context["respond"] = PooledRespond(response_url=context.response_url, pool=pool)
        team_id = context.team_id or workspace_of(body)
        if team_id:
            if context.enterprise_id:
                sam._enterprise_ids.setdefault(team_id, context.enterprise_id)
            timestamp = (request.headers.get("x-slack-request-timestamp") or [None])[0]
            context["interaction"] = Interaction(
                sam,
                team_id=team_id,
                user_id=context.user_id,
                channel_id=context.channel_id,
                sent_at=float(timestamp) if timestamp and timestamp.isdigit() else None,
                received_at=context.get(RECEIVED_AT),
                trigger_id=body.get("trigger_id"),
                response_url=context.response_url,
                before_ack=body.get("type") == "view_submission",
                token=context.bot_token,
            )
        next()

    return inject


def pooled(client: WebClient, pool: KeptConnections) -> PooledWebClient:
    """Bolt's client for this request (its workspace's token set by Bolt's authorize) over the
    shared pool: Bolt builds a plain WebClient per request, which opens a new connection, and
    against Slack a new TLS session, for every call."""
    return PooledWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        headers=client.headers,
        team_id=client.default_params.get("team_id"),
        logger=client.logger,
        retry_handlers=client.retry_handlers,
        pool=pool,
    )


def workspace_of(body: dict) -> str | None:
    """The workspace a request comes from when Bolt's context has no team: an org-wide
    install's events and interactions name the org's install, the workspace elsewhere."""
    for holder in (body, body.get("user"), body.get("view"), body.get("event")):
        if isinstance(holder, dict) and isinstance(holder.get("team_id"), str):
            return holder["team_id"]
    team = body.get("team")
    return team.get("id") if isinstance(team, dict) else None
