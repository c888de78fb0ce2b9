from tests.slack.conftest import ACME_CHANNEL, DANA


def test_help(slack):
    response = slack.command("/sam", "help")
    assert response.status_code == 200
    message = slack.ephemeral(DANA, "/touchpoint call Discussed the renewal timeline")
    assert message["channel"] == ACME_CHANNEL
