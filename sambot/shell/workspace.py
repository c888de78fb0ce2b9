"""The local workspace: the people and channels of the Slack stand-in, as the shell knows
them, and the text of a slash command as Slack would send it from there."""

import re
from dataclasses import dataclass

from sqlalchemy import select

from sambot.db import Database
from sambot.localslack.server import SlackStandIn
from sambot.shell import demo

HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass
class Viewer:
    """Who is typing, and where (a channel id, or D + user id for the DM with sambot)."""

    user: str
    channel: str

    @property
    def in_dm(self) -> bool:
        return self.channel.startswith("D")


class LocalWorkspace:
    def __init__(self, standin: SlackStandIn, timezone: str):
        self.standin = standin
        self.timezone = timezone  # of the people the shell creates
        self.users: dict[str, str] = {}  # id -> handle
        self.channels: dict[str, str] = {}  # id -> name

    def populate(self, database: Database) -> None:
        """The demo's people and channels, and any the database mentions, exist in the stand-in
        (so accounts created in an earlier session still find their channel)."""
        from sambot.accounts.models import Account, TeamMember
        from sambot.actions.models import Action

        for user_id, handle, real_name, tz in demo.USERS:
            self.add_user(user_id, handle, real_name, tz)
        # Someone must be able to change `/sam settings`: Dana installed sambot here.
        self.standin.make_admin(demo.ADMIN)
        for channel_id, name in demo.CHANNELS:
            self.add_channel(channel_id, name)
        with database.session() as session:
            user_ids = set(session.scalars(select(TeamMember.user_id)))
            user_ids |= set(session.scalars(select(Action.owner_id).distinct()))
            channel_ids = set(session.scalars(select(Account.channel_id)))
        for user_id in sorted(user_ids - set(self.users)):
            self.add_user(user_id, handle_from_id(user_id))
        for channel_id in sorted(channel_ids - {None} - set(self.channels)):
            self.add_channel(channel_id, handle_from_id(channel_id))

    def add_user(
        self, user_id: str, handle: str, real_name: str | None = None, tz: str | None = None
    ) -> None:
        self.standin.add_user(user_id, handle, real_name or handle.title(), tz=tz or self.timezone)
        self.users[user_id] = handle

    def add_channel(self, channel_id: str, name: str) -> None:
        self.standin.add_channel(channel_id, name)
        self.channels[channel_id] = name

    def user_with_handle(self, handle: str) -> str | None:
        return next((uid for uid, known in self.users.items() if known == handle), None)

    def channel_named(self, name: str) -> str | None:
        return next((cid for cid, known in self.channels.items() if known == name), None)

    def conversations(self) -> list[str]:
        """Every channel, and every person's DM with sambot."""
        return list(self.channels) + [f"D{user_id}" for user_id in self.users]

    def user_name(self, user_id: str) -> str:
        return (self.standin.user(user_id) or {}).get("name") or user_id

    def channel_name(self, channel_id: str) -> str:
        return (self.standin.channel(channel_id) or {}).get("name") or channel_id

    def channel_label(self, channel: str) -> str:
        if channel.startswith("D"):
            return f"DM @{self.user_name(channel[1:])}"
        return f"#{self.channel_name(channel)}"

    def timezone_of(self, user_id: str) -> str:
        return (self.standin.user(user_id) or {}).get("tz") or "UTC"

    def as_slack_sends(self, text: str, *, escape_mentions: bool) -> str:
        """Slack escapes &, < and >; for a command with should_escape ("Escape channels, users,
        and links sent to your app", https://api.slack.com/interactivity/slash-commands) it also
        turns @dana into <@UDANA|dana> and #acme into <#CACME|acme>, for those that exist."""
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if not escape_mentions:
            return text
        by_handle = {handle: user_id for user_id, handle in self.users.items()}
        by_name = {name: channel_id for channel_id, name in self.channels.items()}

        def link(known: dict[str, str], sigil: str):
            def replace(match: re.Match) -> str:
                # "@dana." ends a sentence: the dot is not part of the name.
                name = match.group(1).rstrip("._-")
                rest = match.group(1)[len(name) :]
                found = known.get(name.lower())
                return f"<{sigil}{found}|{name.lower()}>{rest}" if found else match.group(0)

            return replace

        text = re.sub(r"(?<![\w@])@([a-z0-9][\w.-]*)", link(by_handle, "@"), text, flags=re.I)
        return re.sub(r"(?<![\w#&])#([a-z0-9][\w-]*)", link(by_name, "#"), text, flags=re.I)


def slack_id(prefix: str, name: str) -> str:
    """Ids the shell gives the people and channels it creates: @dana is UDANA, #acme CACME."""
    return prefix + re.sub(r"[^A-Z0-9]", "", name.upper())


def handle_from_id(slack_id_: str) -> str:
    """UDANA reads @dana; an id the shell did not make reads as itself, lowercased."""
    return slack_id_[1:].lower() if slack_id_[1:].isalpha() else slack_id_.lower()
