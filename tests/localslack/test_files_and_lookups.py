"""The stand-in's files a person shares (files.info, files.list, url_private), and
users.lookupByEmail and conversations.list, driven by a real WebClient."""

import time

import httpx
import pytest
from slack_sdk import WebClient

from sambot.localslack import SlackStandIn
from sambot.slack.shared_files import download, newest_csv, share_ts, slack_directory
from sambot.validation import DomainError

from .conftest import TOKEN
from .test_server import error_of


def test_a_shared_file_is_described_and_served_with_the_bot_token(
    client: WebClient, standin: SlackStandIn
) -> None:
    event = standin.share_file("C1", "U1", "accounts.csv", "name\nAcme\n")
    assert (event["type"], event["channel_id"], event["user_id"]) == ("file_shared", "C1", "U1")
    [message] = standin.messages("C1")
    assert message["files"][0]["id"] == event["file_id"] and message["user"] == "U1"
    file = client.files_info(file=event["file_id"])["file"]
    assert (file["name"], file["filetype"], file["size"], file["user"]) == (
        "accounts.csv",
        "csv",
        10,
        "U1",
    )
    assert file["shares"]["public"]["C1"][0]["ts"] == message["ts"]
    assert share_ts(file, "C1") == message["ts"]
    assert (
        httpx.get(file["url_private"], headers={"Authorization": f"Bearer {TOKEN}"}).content
        == b"name\nAcme\n"
    )
    # Without the token, Slack answers a sign-in page, not the file.
    refused = httpx.get(file["url_private"])
    assert refused.status_code == 200 and "text/html" in refused.headers["content-type"]
    assert [d["authorized"] for d in standin.file_downloads()] == [True, False]
    # A person's file is not one of the bot's uploads.
    assert standin.uploads() == []


def test_download_refuses_a_sign_in_page(client: WebClient, standin: SlackStandIn) -> None:
    event = standin.share_file("C1", "U1", "a.csv", "name\n")
    file = client.files_info(file=event["file_id"])["file"]
    wrong = WebClient(token="xoxb-other", base_url=standin.base_url)
    with pytest.raises(DomainError, match=r"did not let me download a\.csv"):
        download(wrong, file)
    assert download(client, file) == b"name\n"
    with pytest.raises(DomainError, match="over 20 MB"):
        download(client, {**file, "size": 21 * 1024 * 1024})


def test_files_list_and_the_newest_csv(client: WebClient, standin: SlackStandIn) -> None:
    standin.share_file("C1", "U1", "old.csv", "name\n")
    standin.share_file("C1", "U1", "notes.txt", "hi")
    newest = standin.share_file("C1", "U1", "new.csv", "name\n")
    standin.share_file("C1", "U2", "bob.csv", "name\n")
    standin.share_file("G1", "U1", "hidden.csv", "name\n")  # the bot is not in G1
    listed = client.files_list(channel="C1", user="U1")["files"]
    assert [f["name"] for f in listed] == ["new.csv", "notes.txt", "old.csv"]
    assert newest_csv(client, channel_id="C1", user_id="U1")["id"] == newest["file_id"]
    assert newest_csv(client, channel_id="G1", user_id="U1") is None
    assert error_of(lambda: client.files_info(file="F404")) == "file_not_found"
    # Shared over a day ago: too old for /sam import.
    far = 2 * 24 * 3600 + time.time()
    assert newest_csv(client, channel_id="C1", user_id="U1", now=far) is None


def test_a_file_in_a_direct_message_with_the_bot(client: WebClient, standin: SlackStandIn) -> None:
    event = standin.share_file("U2", "U2", "dm.csv", "name\n")
    assert event["channel_id"] == "DU2"
    file = client.files_info(file=event["file_id"])["file"]
    assert file["ims"] == ["DU2"] and "DU2" in file["shares"]["private"]


def test_users_lookup_by_email(client: WebClient, standin: SlackStandIn) -> None:
    assert client.users_lookupByEmail(email="ALICE@ex.com")["user"]["id"] == "U1"
    assert error_of(lambda: client.users_lookupByEmail(email="nobody@ex.com")) == "users_not_found"


def test_conversations_list(client: WebClient, standin: SlackStandIn) -> None:
    public = [c["name"] for c in client.conversations_list()["channels"]]
    assert public == ["accounts", "outside", "old", "team"]
    both = client.conversations_list(types="public_channel,private_channel", exclude_archived=True)
    # A private channel the bot is not in stays hidden.
    assert [c["name"] for c in both["channels"]] == ["accounts", "outside", "team"]
    paged = client.conversations_list(limit=2)
    assert len(paged["channels"]) == 2 and paged["response_metadata"]["next_cursor"] == "2"


def test_the_directory_for_an_import(client: WebClient, standin: SlackStandIn) -> None:
    from sambot.portfolio.imports import Unresolved

    directory = slack_directory(client)
    assert directory.user_by_email("alice@ex.com") == "U1"
    assert directory.channel_by_name("team") == "C4"
    with pytest.raises(Unresolved, match="No one in this Slack workspace"):
        directory.user_by_email("nobody@ex.com")
    with pytest.raises(Unresolved, match="No channel named #secret"):
        directory.channel_by_name("secret")
    assert len(standin.calls("conversations.list")) == 1  # walked once
