"""SlackRequests: signing, state.values, and payloads a real Bolt app accepts and routes."""

import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from sambot.localslack import SlackRequests, SlackStandIn, values_for

from .conftest import TOKEN

SECRET = "local-signing-secret"


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(value: str) -> dict[str, Any]:
    return {"text": plain(value.title()), "value": value}


def field(block_id: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(block_id),
        "element": {"action_id": block_id, **element},
    }


PLAN_MODAL = {
    "type": "modal",
    "callback_id": "plan",
    "private_metadata": "account=42",
    "notify_on_close": True,
    "title": plain("New plan"),
    "submit": plain("Save"),
    "blocks": [
        field("name", {"type": "plain_text_input"}),
        field("due", {"type": "datepicker"}),
        field("owner", {"type": "users_select"}),
        field("tier", {"type": "static_select", "options": [option("gold"), option("silver")]}),
        field("tags", {"type": "checkboxes", "options": [option("a"), option("b")]}, True),
        field("notes", {"type": "plain_text_input", "multiline": True}, True),
        field("account", {"type": "external_select"}, True),
    ],
}
DONE_BUTTON = {
    "type": "actions",
    "block_id": "card",
    "elements": [
        {"type": "button", "action_id": "done", "text": plain("Done"), "value": "action-7"}
    ],
}


def test_signatures_verify_as_slack_checks_them(standin: SlackStandIn) -> None:
    requests = SlackRequests("http://127.0.0.1:9/", SECRET, standin)
    verifier = SignatureVerifier(SECRET)
    body = "payload=%7B%7D"

    def valid(headers: dict[str, str]) -> bool:
        timestamp = headers["X-Slack-Request-Timestamp"]
        return verifier.is_valid(body, timestamp, headers["X-Slack-Signature"])

    assert valid(requests.signed_headers(body))
    assert not valid(requests.signed_headers(body, timestamp_offset=-400))
    assert not valid(requests.signed_headers(body, signature="forged"))
    assert requests.signed_headers(body, signature="none") == {}
    requests.close()


def test_values_for_builds_slack_shapes() -> None:
    view = {**PLAN_MODAL, "blocks": [*PLAN_MODAL["blocks"], field("n", {"type": "number_input"})]}
    answers = {"name": "Acme", "due": date(2025, 1, 31), "owner": "U2", "tier": "gold", "n": 3}
    values = values_for(view, {**answers, "tags": ["a", "b"], "account": "acme"})
    assert values["name"]["name"] == {"type": "plain_text_input", "value": "Acme"}
    assert values["due"]["due"] == {"type": "datepicker", "selected_date": "2025-01-31"}
    assert values["owner"]["owner"] == {"type": "users_select", "selected_user": "U2"}
    assert values["tier"]["tier"]["selected_option"] == option("gold")
    assert values["tags"]["tags"]["selected_options"] == [option("a"), option("b")]
    assert values["account"]["account"]["selected_option"]["value"] == "acme"
    assert values["n"]["n"] == {"type": "number_input", "value": "3"}
    assert values["notes"]["notes"] == {"type": "plain_text_input", "value": None}


def test_values_for_unanswered_and_initial_values() -> None:
    view = {
        "blocks": [
            field("who", {"type": "multi_users_select"}),
            field("where", {"type": "conversations_select"}),
            field("when", {"type": "datepicker", "initial_date": "2025-02-01"}),
            field("tier", {"type": "radio_buttons", "options": [option("gold")]}),
            field("text", {"type": "plain_text_input", "initial_value": "draft"}),
            {"type": "section", "text": plain("not an input")},
        ]
    }
    values = values_for(view, {})
    assert values == {
        "who": {"who": {"type": "multi_users_select", "selected_users": []}},
        "where": {"where": {"type": "conversations_select", "selected_conversation": None}},
        "when": {"when": {"type": "datepicker", "selected_date": "2025-02-01"}},
        "tier": {"tier": {"type": "radio_buttons", "selected_option": None}},
        "text": {"text": {"type": "plain_text_input", "value": "draft"}},
    }


def test_values_for_refuses_what_a_user_could_not_do() -> None:
    with pytest.raises(ValueError, match="no input blocks"):
        values_for(PLAN_MODAL, {"nmae": "typo"})
    with pytest.raises(ValueError, match="offers no option"):
        values_for(PLAN_MODAL, {"tier": "platinum"})


class _BoltServer(ThreadingHTTPServer):
    app: App


class _BoltHandler(BaseHTTPRequestHandler):
    """Serves a Bolt App over HTTP, as the adapters do."""

    server: _BoltServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        headers = {name.lower(): value for name, value in self.headers.items()}
        response = self.server.app.dispatch(BoltRequest(body=body, headers=headers))
        payload = response.body.encode()
        self.send_response(response.status)
        for name, values in response.headers.items():
            for value in values:
                if name != "content-length":
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bolt(standin: SlackStandIn) -> Iterator[tuple[SlackRequests, list[dict[str, Any]]]]:
    """A small Bolt app behind HTTP, the requests sent to it, and the bodies it received."""
    app = App(
        token=TOKEN,
        signing_secret=SECRET,
        client=WebClient(token=TOKEN, base_url=standin.base_url),
    )
    seen: list[dict[str, Any]] = []  # appended before ack(), so complete once answered

    @app.command("/sam")
    def sam(ack: Any, body: dict, client: WebClient) -> None:
        seen.append(body)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=PLAN_MODAL)

    @app.view("plan")
    def plan(ack: Any, body: dict, view: dict, client: WebClient) -> None:
        seen.append(body)
        ack()
        values = view["state"]["values"]
        name, due = values["name"]["name"]["value"], values["due"]["due"]["selected_date"]
        client.chat_postMessage(channel="C1", text=f"{name} due {due}")

    @app.view_closed("plan")
    def closed(ack: Any, body: dict) -> None:
        seen.append(body)
        ack()

    @app.action("done")
    def done(ack: Any, body: dict, respond: Any) -> None:
        seen.append(body)
        ack()
        respond(text="Done by you", replace_original=True)

    @app.shortcut("log_touchpoint")
    @app.shortcut("new_account")
    def shortcut(ack: Any, body: dict) -> None:
        seen.append(body)
        ack()

    @app.options("account")
    def accounts(ack: Any, body: dict) -> None:
        seen.append(body)
        ack(options=[option(body["value"])])

    @app.event("app_mention")
    def mention(event: dict, client: WebClient) -> None:
        client.chat_postMessage(channel=event["channel"], text="Hi!")

    server = _BoltServer(("127.0.0.1", 0), _BoltHandler)
    server.app = app
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    with SlackRequests(url, SECRET, standin) as requests:
        yield requests, seen
    server.shutdown()
    server.server_close()
    thread.join()


def test_command_opens_the_modal(bolt: Any, standin: SlackStandIn) -> None:
    requests, seen = bolt
    assert requests.command("/sam", "acme", user_id="U1", channel_id="C1").status_code == 200
    opened = standin.wait_for("views.open")
    assert opened.ok and opened.response["view"]["callback_id"] == "plan"
    body = seen[0]
    assert (body["user_name"], body["channel_name"], body["text"]) == ("alice", "accounts", "acme")
    assert body["response_url"].startswith(f"{standin.url}/response/")
    expected = {"team_id", "team_domain", "api_app_id", "is_enterprise_install", "trigger_id"}
    assert expected <= set(body)
    assert standin.violations == []


def test_modal_submission_and_close(bolt: Any, standin: SlackStandIn) -> None:
    requests, seen = bolt
    requests.command("/sam", user_id="U1", channel_id="C1")
    view = standin.wait_for("views.open").response["view"]
    answers = {"name": "Acme plan", "due": date(2025, 1, 31), "owner": "U2", "tier": "gold"}
    response = requests.view_submission(view, values_for(view, answers), user_id="U1")
    assert (response.status_code, response.text) == (200, "")
    posted = standin.wait_for("chat.postMessage")
    assert posted.args["text"] == "Acme plan due 2025-01-31"
    submitted = seen[-1]["view"]
    assert (submitted["id"], submitted["private_metadata"]) == (view["id"], "account=42")
    assert requests.view_closed(view, user_id="U1").status_code == 200
    assert seen[-1]["type"] == "view_closed"


def test_button_on_a_message_replaces_it(
    bolt: Any, client: WebClient, standin: SlackStandIn
) -> None:
    requests, seen = bolt
    client.chat_postMessage(channel="C1", text="Call Acme", blocks=[DONE_BUTTON])
    message = standin.last_message("C1")
    assert requests.block_action("U1", "done", message=message, channel_id="C1").status_code == 200
    standin.wait_for("response_url")
    assert standin.last_message("C1")["text"] == "Done by you"
    assert standin.last_message("C1")["ts"] == message["ts"]
    action = seen[-1]["actions"][0]
    assert (action["type"], action["block_id"], action["value"]) == ("button", "card", "action-7")
    assert seen[-1]["container"]["message_ts"] == message["ts"]


@pytest.mark.parametrize(
    "options", [{"signature": "forged"}, {"signature": "none"}, {"timestamp_offset": -400}]
)
def test_bad_signatures_are_refused(bolt: Any, standin: SlackStandIn, options: dict) -> None:
    requests, seen = bolt
    response = requests.command("/sam", user_id="U1", channel_id="C1", **options)
    assert response.status_code == 401
    assert seen == [] and standin.calls("views.open") == []


def test_shortcuts_suggestions_and_events(bolt: Any, standin: SlackStandIn) -> None:
    requests, seen = bolt
    note = standin.add_message("C1", "U2", "Met Acme's CFO")
    assert requests.message_shortcut("log_touchpoint", note, "C1", "U1").status_code == 200
    assert (seen[-1]["type"], seen[-1]["message"]["text"]) == ("message_action", note["text"])
    assert requests.global_shortcut("new_account", "U1").status_code == 200
    assert seen[-1]["type"] == "shortcut"
    suggestion = requests.block_suggestion("account", "ac", "U1", view=PLAN_MODAL)
    assert suggestion.json() == {"options": [option("ac")]}
    assert seen[-1]["block_id"] == "account"
    mention = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C1"}
    assert requests.event(mention, event_id="Ev1", retry_num=1).status_code == 200
    assert standin.wait_for("chat.postMessage").args["text"] == "Hi!"
