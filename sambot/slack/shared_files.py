"""CSV files people share with sambot: find the newest one, download it with the bot token,
and the Slack lookups an import needs (emails and #channel names to ids)."""

import time

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sambot.portfolio.imports import Directory, Unresolved
from sambot.portfolio.sheet import MAX_BYTES
from sambot.validation import DomainError

# `/sam import` reads the newest CSV the person shared in the conversation this long ago at most.
RECENT_S = 24 * 3600


def is_csv(file: dict) -> bool:
    return file.get("filetype") == "csv" or str(file.get("name", "")).lower().endswith(".csv")


def newest_csv(client: WebClient, *, channel_id: str, user_id: str, now: float | None = None):
    """The newest CSV file `user_id` shared in the conversation in the last day, or None."""
    listed = client.files_list(channel=channel_id, user=user_id, count=20)
    since = (now or time.time()) - RECENT_S
    files = [f for f in listed.get("files", []) if is_csv(f) and f.get("created", 0) >= since]
    return max(files, key=lambda f: f.get("created", 0), default=None)


def share_ts(file: dict, channel_id: str) -> str | None:
    """The message that shared the file in the conversation: the import answers in its thread."""
    for kind in ("public", "private"):
        found = ((file.get("shares") or {}).get(kind) or {}).get(channel_id)
        if found:
            return found[0].get("ts")
    return None


def download(client: WebClient, file: dict) -> bytes:
    """The file's bytes, fetched with the bot token (files:read). Slack answers a refused
    token with a sign-in page, not an error status, so an HTML answer is a refusal."""
    if int(file.get("size") or 0) > MAX_BYTES:
        raise DomainError(f"{file.get('name')} is over {MAX_BYTES // 1024 // 1024} MB.")
    url = file.get("url_private_download") or file.get("url_private")
    response = httpx.get(
        url, headers={"Authorization": f"Bearer {client.token}"}, follow_redirects=True, timeout=30
    )
    if response.status_code != 200 or "text/html" in response.headers.get("content-type", ""):
        raise DomainError(
            f"Slack did not let me download {file.get('name')} (HTTP {response.status_code}). "
            "Share it again, in a conversation I am in."
        )
    return response.content


def slack_directory(client: WebClient) -> Directory:
    """Emails through users.lookupByEmail; #names through one conversations.list walk."""
    names: dict[str, str] = {}

    def user_by_email(email: str) -> str:
        try:
            return client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                raise Unresolved(f"No one in this Slack workspace has the email {email}.") from None
            raise

    def channel_by_name(name: str) -> str:
        if not names:
            for page in client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=1000
            ):
                names.update((c["name"].lower(), c["id"]) for c in page["channels"])
            names.setdefault("", "")  # walked once, even when there are no channels
        found = names.get(name.lower())
        if not found:
            raise Unresolved(f"No channel named #{name} that sambot can see.")
        return found

    return Directory(user_by_email, channel_by_name)
