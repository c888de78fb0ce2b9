"""What the bot knows of Slack users: time zone, name and admin status, cached from users.info."""

import copy
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    timezone: str
    # A workspace admin or owner: may change any account and see private ones.
    is_admin: bool = False


class People:
    """A small time-limited cache, so "today" in the user's time zone costs one call an hour.

    The lookup runs between ack() and views.open, and a trigger_id lives 3 seconds, so its
    client must not wait out a rate limit: give it one without retry handlers and a short
    timeout. A failed lookup falls back to the workspace's time zone for a minute.
    """

    FALLBACK_TTL_SECONDS = 60

    def __init__(self, client: WebClient, default_timezone: str, ttl_seconds: float = 3600):
        self._client = client
        self._default_timezone = default_timezone
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, Person]] = {}
        self._lock = threading.Lock()
        self._pending: set[str] = set()  # looked up in the background now
        self._clients: dict[str, WebClient] = {}  # by workspace token
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="people")

    def get(self, user_id: str, token: str | None = None) -> Person:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        person, found = self._look_up(user_id, token)
        # A fallback is remembered briefly only: as if it had been looked up long ago.
        remembered_at = now if found else now - self._ttl + self.FALLBACK_TTL_SECONDS
        with self._lock:
            self._cache[user_id] = (remembered_at, person)
        return person

    def timezone(self, user_id: str, token: str | None = None) -> str:
        return self.get(user_id, token).timezone

    def timezone_at_once(self, user_id: str, token: str | None = None) -> str:
        """The user's time zone without waiting on Slack, for work that runs before its ack
        (a form's submission): the one remembered, however old, else the workspace's.
        A missing or old one is looked up in the background, for the next request."""
        remembered = self._remembered(user_id, token)
        return remembered.timezone if remembered else self._default_timezone

    def _remembered(self, user_id: str, token: str | None) -> Person | None:
        """The person remembered, however old; a missing or old one is looked up in the
        background, for the next request."""
        with self._lock:
            cached = self._cache.get(user_id)
            fresh = cached is not None and time.monotonic() - cached[0] < self._ttl
            if not fresh and user_id not in self._pending:
                self._pending.add(user_id)
                self._background.submit(self._refresh, user_id, token)
        return cached[1] if cached else None

    def is_admin(self, user_id: str, token: str | None = None) -> bool:
        return self.get(user_id, token).is_admin

    def is_admin_at_once(self, user_id: str, token: str | None = None) -> bool:
        """Admin status without waiting on Slack (before an ack): the one remembered, else
        not an admin for now, and looked up in the background for the next request. A form
        is checked when it opens, after an ack, so its submission finds the answer cached."""
        remembered = self._remembered(user_id, token)
        return remembered.is_admin if remembered else False

    def _refresh(self, user_id: str, token: str | None = None) -> None:
        try:
            self.get(user_id, token)
        finally:
            with self._lock:
                self._pending.discard(user_id)

    def _client_for(self, token: str | None) -> WebClient:
        """The lookup client with the workspace's own token (several workspaces)."""
        if token is None or token == self._client.token:
            return self._client
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                client = copy.copy(self._client)
                client.token = token
                self._clients[token] = client
        return client

    def _look_up(self, user_id: str, token: str | None = None) -> tuple[Person, bool]:
        try:
            user = self._client_for(token).users_info(user=user_id)["user"]
        except (SlackApiError, OSError) as exc:
            # Not worth failing the user's request: fall back to the workspace's time zone.
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
            logger.warning("users.info failed for %s: %s", user_id, error)
            return Person(user_id, user_id, self._default_timezone), False
        name = user.get("profile", {}).get("display_name") or user.get("real_name") or user["name"]
        is_admin = any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner"))
        timezone = user.get("tz") or self._default_timezone
        return Person(user_id, name, timezone, is_admin), True
