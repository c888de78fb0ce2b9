"""Posting scheduled messages: claim, post at the workspace's pace, record, handle Slack's faults.

429s and server errors are retried inside the Web API client (its retry handlers, see
`sambot.slack.client`). What is left arrives here as a Slack error, handled so that one
account's failure never stops the others, except a revoked token, which stops the
workspace's run.

Each post carries its delivery id in its message metadata (event type `sambot_delivery`).
A post whose outcome is unknown (Slack did not answer in time, or the run was killed
before recording the answer) is looked for in the channel's recent history by the run
that takes it over: found, it is recorded as posted; otherwise it is posted. Never lost,
never made twice.
"""

import contextvars
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Connection

from sambot.accounts.models import Account
from sambot.db import Database, utcnow
from sambot.deliveries.models import DeliveryStatus
from sambot.installs import service as installs
from sambot.jobs import deliveries
from sambot.jobs.summary import RunSummary
from sambot.ops.metrics import DELIVERY_LAG, POSTS
from sambot.slack.blocks import Message
from sambot.slack.report_render import readable_text

log = logging.getLogger("sambot.jobs")

# The token no longer works: the app was uninstalled or the workspace is gone.
AUTH_ERRORS = {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"}
CHANNEL_GONE = {"channel_not_found", "is_archived"}
# A post sent whose answer never came: Slack may have made it. The run that tries it again
# first looks for it in the channel's history.
UNANSWERED = "no answer from Slack in time (it may have been posted): checked before trying again"
METADATA_EVENT = "sambot_delivery"
# History is searched from a little before the earlier attempt's claim (clocks differ).
HISTORY_MARGIN = timedelta(minutes=2)
HISTORY_PAGES = 10
JOB_LABELS = {
    "monthly-report": "monthly report",
    "nudges": "overdue-action reminder",
    "cadence": "touch-cadence reminder",
    "checkpoints": "alignment checkpoint results",
    "programme": "programme roll-up",
}


class Stopping(Exception):
    """The process is shutting down: the posts under way are finished, no other starts."""


# Set on SIGTERM (`stop_gracefully`): runs stop after their current post.
STOPPING = threading.Event()


class WorkspaceStopped(Exception):
    """Slack refused the token: nothing more can be posted in this workspace."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class Outcome(StrEnum):
    POSTED = "posted"
    ALREADY_POSTED = "already posted"
    SKIPPED = "skipped"
    FAILED = "failed"
    DRY_RUN = "dry run"


@dataclass(frozen=True)
class Target:
    """Where a post goes: an account's channel, or a person's direct messages."""

    label: str
    channel: str  # a channel id, or a user id for a direct message
    account_id: int | None = None
    recipient_id: str | None = None
    account_name: str = ""
    # Told by direct message when the account's channel cannot be posted to.
    account_owner_id: str | None = None


# Told where a post went: (the connection that recorded it, channel id, ts).
OnPosted = Callable[[Connection, str, str], None]


class Pacer:
    """Spaces posts at a steady rate; shared by every job posting in one workspace."""

    def __init__(self, rate: float):
        self.interval = 1 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            time.sleep(delay)


_sqlite_writers = threading.Lock()
_pacers: dict[tuple[int, float], Pacer] = {}
_pacers_guard = threading.Lock()


def pacer_for(workspace_id: int, rate: float) -> Pacer:
    with _pacers_guard:
        return _pacers.setdefault((workspace_id, rate), Pacer(rate))


class Poster:
    """Posts one job run's messages in one workspace, each at most once."""

    def __init__(
        self,
        database: Database,
        client: WebClient | None,
        *,
        workspace_id: int,
        job_kind: str,
        period_key: str,
        notice_period_key: str,
        summary: RunSummary,
        pacer: Pacer,
        dry_run: bool = False,
        echo: Callable[[str], None] | None = None,
        lease: timedelta = deliveries.DEFAULT_LEASE,
        scheduled_at: datetime | None = None,
    ):
        self.database = database
        self.client = client
        self.workspace_id = workspace_id
        self.job_kind = job_kind
        self.period_key = period_key
        # Notices to owners are deduplicated per month, whatever the job's period.
        self.notice_period_key = notice_period_key
        self.summary = summary
        self.pacer = pacer
        self.dry_run = dry_run
        self.echo = echo or print
        self.started = installs.uninstalls_so_far()  # an uninstall after this stops the run
        self.lease = lease
        self.scheduled_at = scheduled_at  # for the delivery lag

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for one claim or record, taken from the pool only while it runs: not
        held through a post or the pace's wait, so many workspaces posting side by side
        need few connections. SQLite takes one writer at a time and its busy wait is not
        first come, first served: with hundreds of workspaces posting, some writers would
        wait past its timeout, so this process queues its writers itself."""
        queue = _sqlite_writers if self.database.engine.dialect.name == "sqlite" else nullcontext()
        with queue, self.database.engine.connect() as connection:
            yield connection

    def post(self, target: Target, message: Message, on_posted: OnPosted | None = None) -> Outcome:
        """Post once; `on_posted` is given where it went (channel id, ts) when it was made,
        on the connection that recorded it, so the job can keep it with its own rows."""
        if self.dry_run:
            self.echo(f"--- would post to {target.label} ---\n{readable_text(message)}\n")
            self.summary.posted.append(target.label)
            return Outcome.DRY_RUN
        if installs.stopped_since(self.workspace_id, self.started):
            raise WorkspaceStopped("app_uninstalled")
        with self.connection() as connection:
            delivery_id, held, earlier = deliveries.claim(
                connection,
                workspace_id=self.workspace_id,
                job_kind=self.job_kind,
                period_key=self.period_key,
                channel_id=target.channel,
                account_id=target.account_id,
                recipient_id=target.recipient_id,
                lease=self.lease,
            )
        if delivery_id is None:
            if held == DeliveryStatus.POSTED:
                self.summary.skipped.append((target.label, "already posted"))
                return Outcome.ALREADY_POSTED
            self.summary.skipped.append((target.label, HELD))
            return Outcome.SKIPPED
        if earlier is not None:
            POSTS.labels(self.job_kind, "retried").inc()
        if earlier is not None and outcome_unknown(earlier):
            try:
                found = self._find_in_history(target.channel, delivery_id, earlier.claimed_at)
            except Exception as exc:
                error = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
                if error in AUTH_ERRORS | CHANNEL_GONE | {"not_in_channel"}:
                    # It cannot be posted there now anyway: handled as a refused post.
                    return self._failed(target, delivery_id, error)
                # Not known whether it was posted: left for a later run to look again.
                log.warning("%s: %s: history unreadable: %s", self.job_kind, target.label, error)
                with self.connection() as connection:
                    deliveries.record_failed(connection, delivery_id=delivery_id, error=UNANSWERED)
                self.summary.failed.append((target.label, UNANSWERED))
                return Outcome.FAILED
            if found is not None:
                channel_id, ts = found
                with self.connection() as connection:
                    deliveries.record_posted(
                        connection, delivery_id=delivery_id, channel_id=channel_id, message_ts=ts
                    )
                    self._tell_posted(on_posted, connection, target, channel_id, ts)
                log.info("%s: %s was posted before (found in history)", self.job_kind, target.label)
                POSTS.labels(self.job_kind, "found").inc()
                self.summary.posted.append(target.label)
                return Outcome.POSTED
        try:
            response = self._post(target.channel, message, delivery_id)
        except SlackApiError as exc:
            error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
            return self._failed(target, delivery_id, error)
        except TimeoutError:
            # Sent, but unanswered (a connection that failed before sending is a URLError):
            # the next run looks in the channel's history before it posts again.
            with self.connection() as connection:
                deliveries.record_failed(connection, delivery_id=delivery_id, error=UNANSWERED)
            self.summary.failed.append((target.label, UNANSWERED))
            POSTS.labels(self.job_kind, "failed").inc()
            log.warning("%s: %s: %s", self.job_kind, target.label, UNANSWERED)
            return Outcome.FAILED
        except Exception as exc:  # network trouble after the client's own retries
            return self._failed(target, delivery_id, f"{type(exc).__name__}: {exc}")
        with self.connection() as connection:
            deliveries.record_posted(
                connection,
                delivery_id=delivery_id,
                channel_id=response["channel"],
                message_ts=response["ts"],
            )
            self._tell_posted(on_posted, connection, target, response["channel"], response["ts"])
        self.summary.posted.append(target.label)
        POSTS.labels(self.job_kind, "delivered").inc()
        if self.scheduled_at is not None:
            DELIVERY_LAG.labels(self.job_kind).observe(
                (utcnow() - self.scheduled_at).total_seconds()
            )
        return Outcome.POSTED

    def _tell_posted(self, on_posted, connection, target: Target, channel_id: str, ts: str):
        if on_posted is None:
            return
        try:
            on_posted(connection, channel_id, ts)
        except Exception:  # the post is made and recorded: the others go on
            log.exception("%s: %s: where it was posted not kept", self.job_kind, target.label)

    def _post(self, channel: str, message: Message, delivery_id: int):
        self.pacer.wait()
        try:
            return self._chat_post(channel, message, delivery_id)
        except SlackApiError as exc:
            # A public channel the bot left can be joined again; a private one cannot.
            if exc.response.get("error") != "not_in_channel" or not self._join(channel):
                raise
        self.pacer.wait()
        return self._chat_post(channel, message, delivery_id)

    def _chat_post(self, channel: str, message: Message, delivery_id: int):
        return self.client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks or None,
            unfurl_links=False,
            unfurl_media=False,
            metadata=delivery_metadata(delivery_id, self.job_kind, self.period_key),
        )

    def _find_in_history(
        self, channel: str, delivery_id: int, since: datetime
    ) -> tuple[str, str] | None:
        """(channel id, ts) of the message carrying this delivery id, if it was posted."""
        if channel[:1] in ("U", "W"):
            # A direct message goes to a user id; its conversation has its own id.
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        oldest = f"{(since - HISTORY_MARGIN).timestamp():.6f}"
        cursor = None
        for _ in range(HISTORY_PAGES):
            page = self.client.conversations_history(
                channel=channel,
                oldest=oldest,
                limit=200,
                include_all_metadata=True,
                cursor=cursor,
            )
            for found in page.get("messages", []):
                if carries_delivery(found, delivery_id):
                    return channel, found["ts"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        # Busier than we read: not known, so not posted again (record_failed above).
        raise RuntimeError(f"more than {HISTORY_PAGES} pages of history since {oldest}")

    def _join(self, channel: str) -> bool:
        try:
            self.client.conversations_join(channel=channel)
        except SlackApiError as exc:
            log.info("cannot join %s: %s", channel, exc.response.get("error"))
            return False
        return True

    def _failed(self, target: Target, delivery_id: int, error: str) -> Outcome:
        with self.connection() as connection:
            deliveries.record_failed(connection, delivery_id=delivery_id, error=error)
        self.summary.failed.append((target.label, error))
        POSTS.labels(self.job_kind, "failed").inc()
        log.warning("%s: could not post to %s: %s", self.job_kind, target.label, error)
        if error in AUTH_ERRORS:
            raise WorkspaceStopped(error)
        if target.account_id is not None and error in CHANNEL_GONE:
            self._mark_channel_unavailable(target)
            # Slack answers channel_not_found for a private channel the bot is not in, too.
            where = (
                "is archived"
                if error == "is_archived"
                else "was not found (or it is private and I am not a member)"
            )
            self._tell_owner(
                target,
                "channel-gone",
                f":warning: I could not post the {JOB_LABELS.get(self.job_kind, self.job_kind)} "
                f"for *{target.account_name}*: its channel <#{target.channel}> {where}. "
                "Scheduled posts for this account are paused until it is linked to a channel "
                f"again (`/sam link {target.account_name}` in that channel).",
            )
        elif target.account_id is not None and error == "not_in_channel":
            # Joining failed: a private channel (or no permission to join).
            self._tell_owner(
                target,
                "invite",
                f":wave: I could not post the {JOB_LABELS.get(self.job_kind, self.job_kind)} for "
                f"*{target.account_name}* in <#{target.channel}>: I am not a member and cannot "
                "join it myself (a private channel?). Please invite me (`/invite @sambot`).",
            )
        return Outcome.FAILED

    def _mark_channel_unavailable(self, target: Target) -> None:
        with self.database.session() as db:
            # Through the ORM, so the audit trail records it.
            account = db.get(Account, target.account_id)
            if account is not None and account.channel_id == target.channel:
                account.channel_unavailable_at = utcnow()

    def _tell_owner(self, target: Target, notice: str, text: str) -> None:
        """A direct message to the account owner, at most once a month per account and kind."""
        if not target.account_owner_id:
            return
        notice_poster = Poster(
            self.database,
            self.client,
            workspace_id=self.workspace_id,
            job_kind=f"notice-{notice}",
            period_key=self.notice_period_key,
            notice_period_key=self.notice_period_key,
            summary=RunSummary(f"notice-{notice}", self.summary.workspace, self.period_key),
            pacer=self.pacer,
            lease=self.lease,
        )
        notice_target = Target(
            label=f"owner of {target.account_name}",
            channel=target.account_owner_id,
            account_id=target.account_id,
            account_name=target.account_name,
        )
        # The notice is keyed on the account (one per account a month), sent to its owner.
        outcome = notice_poster.post(notice_target, Message(text=text, blocks=[]))
        if outcome == Outcome.POSTED:
            self.summary.notified.append(f"{target.account_owner_id} ({notice}, {target.label})")
        for what, why in notice_poster.summary.failed:
            self.summary.failed.append((f"notice to {what}", why))


HELD = "claimed by another run that has not finished or was interrupted"


def outcome_unknown(earlier: deliveries.Earlier) -> bool:
    """Did the earlier attempt perhaps reach Slack? Not when Slack answered with an error
    (`ratelimited`, `HTTP 503`); a stale claim, a timeout or a connection lost may have."""
    if earlier.status == DeliveryStatus.CLAIMED:
        return True
    return not re.fullmatch(r"[a-z_.]+|HTTP \d+", earlier.error or "")


def delivery_metadata(delivery_id: int, job_kind: str, period_key: str) -> dict:
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {"delivery_id": delivery_id, "job": job_kind, "period": period_key},
    }


def carries_delivery(message: dict, delivery_id: int) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return (
        metadata.get("event_type") == METADATA_EVENT and payload.get("delivery_id") == delivery_id
    )


_STOP = object()


class PostQueue:
    """Makes a run's posts in background threads while the job prepares the next ones.

    With one thread (the default) the posts are made in the order they were submitted.
    An exception in a thread (a revoked token, the process being stopped) stops the
    queue, and is raised again in the job by the next `submit`, `flush` or the end of
    the `with` block.
    """

    def __init__(self, poster: Poster, threads: int = 1, depth: int = 64):
        self.poster = poster
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._stopping = False
        self._threads = [
            # In the job's context (its log fields, the audit's "who"): one copy per thread.
            threading.Thread(
                target=contextvars.copy_context().run,
                args=(self._work,),
                name=f"sambot-posting-{n}",
                daemon=True,
            )
            for n in range(threads)
        ]

    def __enter__(self) -> "PostQueue":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        graceful = exc_type is None
        if graceful:
            try:
                for _ in self._threads:
                    self._put(_STOP)  # after every post already queued
            except BaseException:
                graceful = False
        if not graceful:
            self._stopping = True  # finish the posts under way, start no other
            for _ in self._threads:
                with suppress(queue.Full):
                    self._queue.put_nowait(_STOP)
        for thread in self._threads:
            thread.join()
        if exc_type is None:
            self._raise()

    def submit(
        self,
        target: Target,
        message: Message,
        done: Callable[[Outcome], None] | None = None,
        on_posted: OnPosted | None = None,
    ) -> None:
        """Queue a post; `done` is called with its outcome, and `on_posted` with where it
        went when it was made (see `Poster.post`), in a posting thread."""
        self._put((target, message, done, on_posted))

    def flush(self) -> None:
        """Wait until every post submitted so far is made."""
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                self._raise()
                self._queue.all_tasks_done.wait(0.1)
        self._raise()

    def _put(self, item) -> None:
        while True:
            self._raise()
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        poster = self.poster
        try:
            while True:
                item = self._queue.get()
                try:
                    if item is _STOP or self._stopping or self._error is not None:
                        return
                    if STOPPING.is_set():
                        raise Stopping()
                    target, message, done, on_posted = item
                    outcome = poster.post(target, message, on_posted)
                    if done is not None:
                        done(outcome)
                finally:
                    self._queue.task_done()
        except BaseException as exc:  # handed over to the job's thread
            self._error = exc
