"""The stand-in's OAuth: the authorize page, its redirect, and oauth.v2.access's errors."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sambot.localslack.oauth import CLIENT_ID, CLIENT_SECRET
from sambot.localslack.server import SlackStandIn

REDIRECT = "https://app.example/slack/oauth_redirect"


@pytest.fixture(scope="module")
def standin():
    with SlackStandIn() as server:
        yield server


def code_from(standin: SlackStandIn, redirect_uri: str | None = REDIRECT, team=None) -> str:
    params = {"client_id": CLIENT_ID, "scope": "commands,chat:write", "state": "s1"}
    if redirect_uri:
        params["redirect_uri"] = redirect_uri
    if team:
        params["team"] = team
    page = httpx.get(f"{standin.url}/oauth/v2/authorize", params=params)
    assert page.status_code == 200 and "commands" in page.text
    answer = httpx.get(
        f"{standin.url}/oauth/v2/authorize/decide", params={**params, "decision": "allow"}
    )
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def exchange(standin, code, secret=CLIENT_SECRET, redirect_uri=REDIRECT):
    return WebClient(base_url=standin.base_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=secret, code=code, redirect_uri=redirect_uri
    )


def test_a_code_is_exchanged_once_for_a_working_bot_token(standin):
    code = code_from(standin)
    answer = exchange(standin, code)
    assert answer["team"]["id"] == standin.team_id and answer["token_type"] == "bot"
    token = answer["access_token"]
    assert WebClient(token=token, base_url=standin.base_url).auth_test()["team_id"] == "T0001"
    with pytest.raises(SlackApiError, match="invalid_code"):
        exchange(standin, code)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code": "made-up"}, "invalid_code"),
        ({"secret": "wrong"}, "bad_client_secret"),
        ({"redirect_uri": "https://elsewhere.example/cb"}, "bad_redirect_uri"),
    ],
)
def test_oauth_v2_access_errors(standin, change, error):
    code = code_from(standin)
    options = {"code": code, **change}
    with pytest.raises(SlackApiError) as raised:
        exchange(standin, **options)
    assert raised.value.response["error"] == error


def test_cancel_redirects_with_access_denied(standin):
    params = {"client_id": CLIENT_ID, "state": "s2", "redirect_uri": REDIRECT, "decision": "deny"}
    answer = httpx.get(f"{standin.url}/oauth/v2/authorize/decide", params=params)
    assert answer.headers["location"] == f"{REDIRECT}?error=access_denied&state=s2"


def test_an_unknown_client_id_is_refused_on_the_authorize_page(standin):
    page = httpx.get(f"{standin.url}/oauth/v2/authorize", params={"client_id": "nope"})
    assert page.status_code == 400


def test_a_revoked_token_is_refused_with_token_revoked(standin):
    token = standin.installs.add_team("T0077", "Revoked Inc")
    client = WebClient(token=token, base_url=standin.base_url)
    assert client.auth_test()["team_id"] == "T0077"
    standin.installs.revoke("T0077")
    with pytest.raises(SlackApiError, match="token_revoked"):
        client.auth_test()
