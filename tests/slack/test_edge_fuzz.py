"""Random requests through the real HTTP stack, signed and unsigned: never a 5xx.

Bodies range from raw bytes to payloads shaped like Slack's (known types, the keys Bolt
reads, values of every JSON type), so signed ones get past the signature and exercise the
payload checks, Bolt and the listeners.
"""

import json
import logging
import time
from urllib.parse import urlencode

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA
from tests.slack.test_edge import signature_headers

FORM = "application/x-www-form-urlencoded"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
ids = st.sampled_from(["T0001", DANA, ACME_CHANNEL, "", "1", "x" * 300])
refs = st.fixed_dictionaries({}, optional={"id": ids | json_values, "name": st.text(max_size=5)})
slack_keys = st.sampled_from(
    [
        "team",
        "team_id",
        "user",
        "user_id",
        "channel",
        "channel_id",
        "enterprise",
        "enterprise_id",
        "event",
        "event_id",
        "message",
        "previous_message",
        "item",
        "view",
        "state",
        "values",
        "actions",
        "action_id",
        "block_id",
        "value",
        "callback_id",
        "trigger_id",
        "response_url",
        "response_urls",
        "authorizations",
        "private_metadata",
        "container",
        "command",
        "text",
        "challenge",
        "thread_ts",
    ]
)
shaped = st.dictionaries(slack_keys, ids | refs | json_values | st.lists(refs, max_size=2))
types = st.sampled_from(
    [
        "block_actions",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "block_suggestion",
        "event_callback",
        "url_verification",
        "app_rate_limited",
        "interactive_message",
    ]
)
payloads = st.builds(lambda kind, rest: {**rest, "type": kind}, types, shaped)
command_forms = st.builds(
    lambda command, text, rest: {**rest, "command": command, "text": text},
    st.sampled_from(["/sam", "/touchpoint", "/action", "/nope", "sam"]),
    st.text(max_size=40),
    st.dictionaries(
        st.sampled_from(["team_id", "user_id", "channel_id", "trigger_id", "response_url"]),
        ids,
    ),
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    payloads.map(lambda p: urlencode({"payload": json.dumps(p)}).encode()),
    payloads.map(lambda p: json.dumps(p).encode()),
    command_forms.map(lambda form: urlencode(form).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
)
content_types = st.sampled_from(
    [FORM, "application/json", "application/json; charset=utf-8", "text/plain", "", "a/b;;"]
)
signatures = st.sampled_from(["valid", "valid", "valid", "forged", "stale", "none"])
extra_headers = st.dictionaries(
    st.sampled_from(["X-Slack-Retry-Num", "X-Slack-Retry-Reason", "Content-Encoding", "X-Any"]),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=20),
    max_size=2,
)


def signed(body: bytes, how: str) -> dict[str, str]:
    if how == "none":
        return {}
    if how == "forged":
        return signature_headers(body, secret="forged")
    at = time.time() - (400 if how == "stale" else 0)
    return signature_headers(body, at=at)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies, content_type=content_types, how=signatures, extra=extra_headers)
def test_no_request_ever_gets_a_5xx(slack, db, caplog, body, content_type, how, extra):
    if not getattr(slack, "seeded", False):  # once per test, not per example
        seed.acme(db)
        slack.seeded = True
    caplog.set_level(logging.WARNING)
    headers = {**extra, **signed(body, how)}
    if content_type:
        headers["Content-Type"] = content_type
    response = httpx.post(slack.url, content=body, headers=headers, timeout=10)
    assert response.status_code < 500, (response.status_code, response.text)
    if how != "valid":
        assert response.status_code == 401 or response.text == ""  # ssl_check aside
    slack.in_flight.settle()
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
    assert tracebacks == []
