"""The stand-in, driven by a real slack_sdk WebClient over HTTP."""

import json
import re
import threading
import time
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from sambot.localslack import SlackStandIn

from .conftest import TOKEN


def section(text: str = "hi") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str = "Plan", **extra: Any) -> dict[str, Any]:
    title_text = {"type": "plain_text", "text": title}
    return {"type": "modal", "title": title_text, "blocks": [section()], **extra}


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value.response["error"]


def test_auth_test(client: WebClient) -> None:
    auth = client.auth_test()
    assert (auth["user_id"], auth["team_id"], auth["bot_id"]) == ("UBOT", "T0001", "B0001")


def test_wrong_or_missing_token(standin: SlackStandIn) -> None:
    wrong = WebClient(token="xoxb-wrong", base_url=standin.base_url)
    assert error_of(lambda: wrong.chat_postMessage(channel="C1", text="hi")) == "invalid_auth"
    anonymous = WebClient(base_url=standin.base_url)
    assert error_of(anonymous.auth_test) == "not_authed"
    assert standin.messages("C1") == []


def test_token_as_form_param(standin: SlackStandIn) -> None:
    response = httpx.post(f"{standin.base_url}auth.test", data={"token": TOKEN})
    assert response.json()["ok"] is True


def test_unknown_method(client: WebClient) -> None:
    assert error_of(lambda: client.api_call("chat.shout")) == "unknown_method"


def test_post_message_is_recorded(client: WebClient, standin: SlackStandIn) -> None:
    first = client.chat_postMessage(channel="C1", text="plan due", blocks=[section("Plan")])
    second = client.chat_postMessage(channel="#accounts", text="again")
    assert re.fullmatch(r"\d{10}\.\d{6}", first["ts"])
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == [section("Plan")]
    assert [m["text"] for m in standin.messages("C1")] == ["plan due", "again"]
    assert standin.last_message("C1")["ts"] == second["ts"]
    call = standin.wait_for("chat.postMessage", lambda c: c.args["text"] == "again")
    assert call.ok and call.status == 200 and call.args["channel"] == "#accounts"
    assert len(standin.calls("chat.postMessage")) == 2
    assert standin.violations == []


def test_form_encoded_blocks_are_decoded(client: WebClient, standin: SlackStandIn) -> None:
    blocks = json.dumps([section("form")])
    client.api_call("chat.postMessage", params={"channel": "C1", "text": "t", "blocks": blocks})
    assert standin.last_message("C1")["blocks"] == [section("form")]


def test_post_to_a_user_goes_to_their_dm(client: WebClient, standin: SlackStandIn) -> None:
    posted = client.chat_postMessage(channel="U1", text="hello")
    opened = client.conversations_open(users="U1")
    assert posted["channel"] == opened["channel"]["id"] == "DU1"
    client.chat_postMessage(channel="DU1", text="again")
    assert [m["text"] for m in standin.messages("U1")] == ["hello", "again"]
    assert error_of(lambda: client.conversations_open(users="U404")) == "user_not_found"


def test_update_changes_the_stored_message(client: WebClient, standin: SlackStandIn) -> None:
    ts = client.chat_postMessage(channel="C1", text="v1", blocks=[section("one")])["ts"]
    updated = client.chat_update(channel="C1", ts=ts, text="v2")
    assert updated["message"]["text"] == "v2"
    message = standin.last_message("C1")
    assert (message["ts"], message["text"], message["blocks"]) == (ts, "v2", [section("one")])
    client.chat_update(channel="C1", ts=ts, text="v3", blocks=[])
    assert standin.last_message("C1")["blocks"] == []
    assert error_of(lambda: client.chat_update(channel="C1", ts="1.2", text="x")) == (
        "message_not_found"
    )
    human = standin.add_message("C1", "U1", "mine")
    assert error_of(lambda: client.chat_update(channel="C1", ts=human["ts"], text="x")) == (
        "cant_update_message"
    )


def test_delete_and_permalink(client: WebClient, standin: SlackStandIn) -> None:
    ts = client.chat_postMessage(channel="C1", text="bye")["ts"]
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link == f"https://localslack.example/archives/C1/p{ts.replace('.', '')}"
    client.chat_delete(channel="C1", ts=ts)
    assert standin.messages("C1") == []
    assert error_of(lambda: client.chat_getPermalink(channel="C1", message_ts=ts)) == (
        "message_not_found"
    )


def test_ephemeral(client: WebClient, standin: SlackStandIn) -> None:
    client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert [(e["channel"], e["user"], e["text"]) for e in standin.ephemerals("U1")] == [
        ("C1", "U1", "only you")
    ]
    assert standin.ephemerals("U2") == []
    assert standin.messages("C1") == []
    assert error_of(lambda: client.api_call("chat.postEphemeral", json={"channel": "C1"})) == (
        "invalid_arguments"
    )
    not_member = lambda: client.chat_postEphemeral(channel="C4", user="U2", text="x")  # noqa: E731
    assert error_of(not_member) == "user_not_in_channel"


VIOLATIONS = [
    ("too many blocks", [section() for _ in range(51)], "blocks: must have at most 50"),
    ("long section", [section("x" * 3001)], "blocks[0].text.text"),
    (
        "long header",
        [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
        "blocks[0].text.text",
    ),
    (
        "too many options",
        [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "pick",
                        "options": [
                            {"text": {"type": "plain_text", "text": "o"}, "value": str(i)}
                            for i in range(101)
                        ],
                    }
                ],
            }
        ],
        "options: must have at most 100",
    ),
]


@pytest.mark.parametrize(("what", "blocks", "fragment"), VIOLATIONS)
def test_block_kit_violations_are_rejected(
    client: WebClient, standin: SlackStandIn, what: str, blocks: list, fragment: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="t", blocks=blocks)
    response = raised.value.response
    assert response["error"] == "invalid_blocks"
    assert any(fragment in error for error in response["errors"]), response["errors"]
    assert standin.messages("C1") == []
    assert len(standin.violations) == 1
    assert (
        standin.violations[0].startswith("chat.postMessage: ")
        and fragment in (standin.violations[0])
    )


def test_too_much_block_text(client: WebClient, standin: SlackStandIn) -> None:
    blocks = [section("x" * 2500) for _ in range(5)]
    error = error_of(lambda: client.chat_postMessage(channel="C1", text="t", blocks=blocks))
    assert error == "msg_blocks_too_long"
    assert standin.violations


def test_long_modal_title_is_rejected(client: WebClient, standin: SlackStandIn) -> None:
    trigger = standin.issue_trigger_id()
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id=trigger, view=modal("x" * 25))
    response = raised.value.response
    assert response["error"] == "invalid_arguments"
    assert "view.title.text" in response["response_metadata"]["messages"][0]
    assert standin.views() == []
    assert standin.violations[0].startswith("views.open: view.title.text")
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]  # trigger not spent


def test_rate_limit_is_retried_after_retry_after(client: WebClient, standin: SlackStandIn) -> None:
    standin.rate_limit("chat.postMessage", retry_after=1)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="late")["ok"]
    assert time.monotonic() - started >= 1.0
    calls = standin.calls("chat.postMessage")
    assert [(c.status, c.response.get("error")) for c in calls] == [
        (429, "ratelimited"),
        (200, None),
    ]
    assert len(standin.messages("C1")) == 1


def test_rate_limit_without_retry_handler(standin: SlackStandIn) -> None:
    bare = WebClient(token=TOKEN, base_url=standin.base_url, retry_handlers=[])
    standin.rate_limit("users.info", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        bare.users_info(user="U1")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert bare.users_info(user="U1")["ok"]


def test_server_error_is_retried(standin: SlackStandIn) -> None:
    client = WebClient(token=TOKEN, base_url=standin.base_url)
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=1))
    standin.server_error("conversations.info", status=503)
    assert client.conversations_info(channel="C1")["channel"]["name"] == "accounts"
    assert [c.status for c in standin.calls("conversations.info")] == [503, 200]


@pytest.mark.parametrize(
    ("channel", "error"),
    [
        ("C2", "not_in_channel"),
        ("C404", "channel_not_found"),
        ("G1", "channel_not_found"),  # private and the bot is not in it: invisible
        ("C3", "is_archived"),
    ],
)
def test_posting_where_slack_refuses(
    client: WebClient, standin: SlackStandIn, channel: str, error: str
) -> None:
    assert error_of(lambda: client.chat_postMessage(channel=channel, text="x")) == error
    assert standin.calls("chat.postMessage")[0].response == {"ok": False, "error": error}


def test_chat_write_public_posts_without_joining(standin: SlackStandIn) -> None:
    standin.chat_write_public = True
    client = WebClient(token=TOKEN, base_url=standin.base_url)
    assert client.chat_postMessage(channel="C2", text="x")["ok"]
    assert error_of(lambda: client.chat_postMessage(channel="G1", text="x")) == (
        "channel_not_found"
    )


@pytest.mark.parametrize(
    "error", ["not_in_channel", "channel_not_found", "is_archived", "invalid_auth"]
)
def test_injected_failures(client: WebClient, standin: SlackStandIn, error: str) -> None:
    standin.fail("chat.postMessage", error, when=lambda args: args.get("channel") == "C1")
    assert client.chat_postMessage(channel="C4", text="elsewhere")["ok"]  # `when` filters
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x")) == error
    assert client.chat_postMessage(channel="C1", text="x")["ok"]  # times=1
    assert [c.ok for c in standin.calls("chat.postMessage")] == [True, False, True]


def test_injected_failure_until_reset(client: WebClient, standin: SlackStandIn) -> None:
    standin.fail("*", "account_inactive", times=None)
    for _ in range(3):
        assert error_of(client.auth_test) == "account_inactive"
    standin.reset()
    assert client.auth_test()["ok"]
    assert standin.calls("auth.test")[0].ok  # reset forgot the earlier calls


def test_conversations_join(client: WebClient, standin: SlackStandIn) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C2", text="x")) == "not_in_channel"
    assert client.conversations_join(channel="C2")["channel"]["is_member"] is True
    assert client.chat_postMessage(channel="C2", text="x")["ok"]
    assert client.conversations_join(channel="C1")["warning"] == "already_in_channel"
    assert error_of(lambda: client.conversations_join(channel="G1")) == (
        "method_not_supported_for_channel_type"
    )
    assert error_of(lambda: client.conversations_join(channel="C3")) == "is_archived"
    assert error_of(lambda: client.conversations_join(channel="C404")) == "channel_not_found"


def test_conversations_info_and_members(client: WebClient, standin: SlackStandIn) -> None:
    info = client.conversations_info(channel="C2")["channel"]
    assert (info["name"], info["is_member"], info["is_private"]) == ("outside", False, False)
    assert error_of(lambda: client.conversations_info(channel="C404")) == "channel_not_found"
    assert client.conversations_members(channel="C1")["members"] == ["U1", "U2", "UBOT"]
    assert client.conversations_members(channel="C4")["members"] == ["U1", "UBOT"]
    first = client.conversations_members(channel="C1", limit=2)
    rest = client.conversations_members(
        channel="C1", limit=2, cursor=first["response_metadata"]["next_cursor"]
    )
    assert first["members"] + rest["members"] == ["U1", "U2", "UBOT"]
    assert rest["response_metadata"]["next_cursor"] == ""


def test_users_info(client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    assert (user["id"], user["name"], user["real_name"], user["tz"]) == (
        "U1",
        "alice",
        "Alice Martin",
        "Europe/Paris",
    )
    assert user["tz_offset"] in (3600, 7200)
    assert user["profile"]["email"] == "alice@ex.com"
    assert user["profile"]["display_name"] == "alice"
    assert error_of(lambda: client.users_info(user="U404")) == "user_not_found"


def test_users_list(client: WebClient) -> None:
    members = client.users_list()["members"]
    assert [(m["id"], m["is_bot"]) for m in members] == [
        ("UBOT", True),
        ("U1", False),
        ("U2", False),
    ]


def test_trigger_id_is_single_use(client: WebClient, standin: SlackStandIn) -> None:
    trigger = standin.issue_trigger_id()
    view = client.views_open(trigger_id=trigger, view=modal(callback_id="plan"))["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "plan"
    assert view["state"] == {"values": {}}
    again = lambda: client.views_open(trigger_id=trigger, view=modal())  # noqa: E731
    assert error_of(again) == "invalid_trigger_id"
    assert client.views_open(trigger_id="never-issued", view=modal())["ok"]
    assert error_of(lambda: client.views_open(trigger_id="never-issued", view=modal())) == (
        "invalid_trigger_id"
    )
    assert len(standin.views()) == 2


def test_trigger_id_expires(client: WebClient, standin: SlackStandIn) -> None:
    standin.trigger_ttl = 0.05
    trigger = standin.issue_trigger_id()
    time.sleep(0.1)
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == (
        "expired_trigger_id"
    )


def test_an_external_id_names_one_view_only(client: WebClient, standin: SlackStandIn) -> None:
    client.views_open(trigger_id=standin.issue_trigger_id(), view=modal())  # none: no clash
    client.views_open(trigger_id=standin.issue_trigger_id(), view=modal())
    client.views_open(trigger_id=standin.issue_trigger_id(), view=modal(external_id="plan-7"))
    again = lambda: client.views_open(  # noqa: E731
        trigger_id=standin.issue_trigger_id(), view=modal(external_id="plan-7")
    )
    assert error_of(again) == "duplicate_external_id"


def test_views_update_push_publish(client: WebClient, standin: SlackStandIn) -> None:
    opened = client.views_open(
        trigger_id=standin.issue_trigger_id(), view=modal(external_id="plan-1")
    )["view"]
    by_id = client.views_update(view_id=opened["id"], view=modal("Two"), hash=opened["hash"])
    assert by_id["view"]["title"]["text"] == "Two" and by_id["view"]["id"] == opened["id"]
    stale = lambda: client.views_update(view_id=opened["id"], view=modal(), hash=opened["hash"])  # noqa: E731
    assert error_of(stale) == "hash_conflict"
    by_external = client.views_update(external_id="plan-1", view=modal("Three"))["view"]
    assert by_external["id"] == opened["id"]
    assert error_of(lambda: client.views_update(view_id="V404", view=modal())) == "not_found"
    pushed = client.views_push(trigger_id=standin.issue_trigger_id(opened["id"]), view=modal())
    assert pushed["view"]["previous_view_id"] == opened["id"]
    assert pushed["view"]["root_view_id"] == opened["id"]
    third = client.views_push(
        trigger_id=standin.issue_trigger_id(pushed["view"]["id"]), view=modal()
    )
    fourth = lambda: client.views_push(  # noqa: E731
        trigger_id=standin.issue_trigger_id(third["view"]["id"]), view=modal()
    )
    assert error_of(fourth) == "push_limit_reached"
    home = {"type": "home", "blocks": [section("Home")]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    second = client.views_publish(user_id="U1", view=home)["view"]
    assert first["id"] == second["id"] and first["type"] == "home"
    assert error_of(lambda: client.views_publish(user_id="U1", view=modal())) == (
        "invalid_arguments"
    )


def test_response_url(client: WebClient, standin: SlackStandIn) -> None:
    ts = client.chat_postMessage(channel="C1", text="card", blocks=[section("card")])["ts"]
    url = standin.new_response_url("C1", "U1", message_ts=ts)
    hook = WebhookClient(url)
    answer = hook.send(text="only you")
    assert (answer.status_code, answer.body) == (200, "ok")
    assert [e["text"] for e in standin.ephemerals("U1")] == ["only you"]
    assert hook.send(text="shared", response_type="in_channel").status_code == 200
    assert standin.last_message("C1")["text"] == "shared"
    assert hook.send(text="done", blocks=[section("done")], replace_original=True).body == "ok"
    replaced = standin.messages("C1")[0]
    assert (replaced["ts"], replaced["text"], replaced["blocks"]) == (ts, "done", [section("done")])
    assert hook.send(delete_original=True).status_code == 200
    assert [m["text"] for m in standin.messages("C1")] == ["shared"]
    assert hook.send(text="fifth").status_code == 200  # a response_url works 5 times
    used = hook.send(text="sixth")
    assert (used.status_code, used.body) == (404, "used_url")
    calls = standin.calls("response_url")
    assert len(calls) == 6 and calls[-1].args["response_url"] == url
    assert [c.ok for c in calls] == [True] * 5 + [False]


def test_response_url_replaces_its_own_ephemeral(standin: SlackStandIn) -> None:
    hook = WebhookClient(standin.new_response_url("C1", "U1"))
    hook.send(text="working...")
    hook.send(text="done", replace_original=True)
    assert [e["text"] for e in standin.ephemerals("U1")] == ["done"]


def test_response_url_checks_blocks(standin: SlackStandIn) -> None:
    hook = WebhookClient(standin.new_response_url("C1", "U1"))
    answer = hook.send(text="t", blocks=[section("x" * 3001)])
    assert (answer.status_code, answer.body) == (400, "invalid_blocks")
    assert standin.violations[0].startswith("response_url: blocks[0].text.text")
    assert standin.ephemerals() == []
    unknown = httpx.post(f"{standin.url}/response/nope", json={"text": "x"})
    assert unknown.status_code == 404


def test_wait_for_waits_for_calls_from_other_threads(
    client: WebClient, standin: SlackStandIn
) -> None:
    timer = threading.Timer(0.2, lambda: client.chat_postMessage(channel="C1", text="later"))
    timer.start()
    call = standin.wait_for("chat.postMessage", lambda c: c.args["text"] == "later", timeout=5)
    assert call.response["ok"] is True
    timer.join()
    with pytest.raises(TimeoutError):
        standin.wait_for("views.open", timeout=0.1)


def test_reset_keeps_the_workspace_unless_everything(
    client: WebClient, standin: SlackStandIn
) -> None:
    client.chat_postMessage(channel="C1", text="x")
    standin.reset()
    assert standin.calls() == [] and standin.messages("C1") == []
    assert client.users_info(user="U1")["ok"]
    standin.reset(everything=True)
    assert error_of(lambda: client.users_info(user="U1")) == "user_not_found"
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x")) == (
        "channel_not_found"
    )


def test_latency(standin: SlackStandIn, client: WebClient) -> None:
    standin.latency = 0.2
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2


def test_parallel_posts_are_all_recorded(standin: SlackStandIn) -> None:
    def post(n: int) -> None:
        client = WebClient(token=TOKEN, base_url=standin.base_url)
        for i in range(10):
            client.chat_postMessage(channel="C1", text=f"{n}-{i}")

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = standin.messages("C1")
    assert len(messages) == 80
    assert len({m["ts"] for m in messages}) == 80
    assert [m["ts"] for m in messages] == sorted(m["ts"] for m in messages)


# -- files_upload_v2 ---------------------------------------------------------------------

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # not UTF-8: sent as raw bytes


def test_files_upload_v2_shares_the_file_in_the_channel(
    client: WebClient, standin: SlackStandIn
) -> None:
    response = client.files_upload_v2(
        channel="C1",
        content=PNG_BYTES,
        filename="map.png",
        title="Stakeholder map",
        initial_comment="The map",
    )
    [upload] = standin.uploads()
    assert upload["content"] == PNG_BYTES
    assert (upload["filename"], upload["title"]) == ("map.png", "Stakeholder map")
    assert (upload["channel"], upload["initial_comment"]) == ("C1", "The map")
    assert response["file"]["id"] == upload["id"]
    [message] = standin.messages("C1")
    assert message["text"] == "The map"
    assert message["files"] == [{"id": upload["id"], "name": "map.png", "title": "Stakeholder map"}]
    assert [c.method for c in standin.calls()] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_files_upload_v2_in_a_thread_with_several_files(
    client: WebClient, standin: SlackStandIn
) -> None:
    client.files_upload_v2(
        channel="C1",
        thread_ts="1700000000.000100",
        file_uploads=[
            {"content": "# Plan", "filename": "plan.md"},
            {"content": "<html></html>", "filename": "plan.html", "title": "Plan (HTML)"},
        ],
    )
    uploads = standin.uploads()
    assert [(u["filename"], u["title"], u["content"]) for u in uploads] == [
        ("plan.md", "plan.md", b"# Plan"),
        ("plan.html", "Plan (HTML)", b"<html></html>"),
    ]
    assert {u["thread_ts"] for u in uploads} == {"1700000000.000100"}
    assert len(standin.messages("C1")) == 1


def test_files_upload_v2_refused_where_the_bot_cannot_post(
    client: WebClient, standin: SlackStandIn
) -> None:
    assert (
        error_of(lambda: client.files_upload_v2(channel="C2", content=b"x", filename="a.txt"))
        == "not_in_channel"
    )
    assert standin.uploads() == []
    assert standin.messages("C2") == []


def test_files_complete_upload_needs_the_bytes_first(
    client: WebClient, standin: SlackStandIn
) -> None:
    started = client.files_getUploadURLExternal(filename="a.txt", length=3)
    files = [{"id": started["file_id"], "title": "a"}]
    error = error_of(lambda: client.files_completeUploadExternal(files=files, channel_id="C1"))
    assert error == "file_not_found"
    assert error_of(lambda: client.files_getUploadURLExternal(filename="a.txt", length=0)) == (
        "invalid_arguments"
    )
    assert httpx.post(f"{standin.url}/upload/v1/F-unknown", content=b"x").status_code == 404


def test_an_answer_leaves_in_one_write(standin: SlackStandIn, monkeypatch) -> None:
    """Headers and body together, as Slack's servers send a small answer: in two writes, a
    kept-alive client woke twice a call (and waited on a delayed ACK without TCP_NODELAY)."""
    import socket

    writes: list[bytes] = []
    client_thread = threading.get_ident()

    def recording(method):
        def recorded(self, data, *args):
            if threading.get_ident() != client_thread:  # the stand-in's, not the client's
                writes.append(bytes(data))
            return method(self, data, *args)

        return recorded

    monkeypatch.setattr(socket.socket, "send", recording(socket.socket.send))
    monkeypatch.setattr(socket.socket, "sendall", recording(socket.socket.sendall))
    answer = httpx.post(
        f"{standin.base_url}auth.test", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.json()["ok"] is True
    assert len(writes) == 1
    assert writes[0].startswith(b"HTTP/1.1 200") and writes[0].endswith(answer.content)
