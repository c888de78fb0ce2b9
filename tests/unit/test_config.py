import pytest

from sambot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "SAMBOT_TIMEZONE",
        "PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults():
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.sambot_timezone == "UTC"
    assert settings.port == 3000
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.has_slack_http


def test_environment_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("SAMBOT_TIMEZONE=Europe/Paris\nPORT=8080\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@localhost/sambot")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9000/api")
    settings = load_settings()
    assert settings.sambot_timezone == "Europe/Paris"
    assert settings.port == 8080
    assert settings.database_url == "postgresql+psycopg://postgres@localhost/sambot"
    assert settings.slack_api_url == "http://127.0.0.1:9000/api/"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SAMBOT_TIMEZONE", "Mars/Olympus"),
        ("PORT", "seventy"),
        ("PORT", "70000"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token"),
        ("SLACK_API_URL", "slack.com/api"),
        ("SAMBOT_CADENCE_SCHEDULE", "every monday"),
        ("SAMBOT_CADENCE_DEFAULT_DAYS", "0"),
        ("SAMBOT_CADENCE_KEY_DECISION_MAKER_DAYS", "soon"),
    ],
)
def test_a_wrong_value_names_its_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"{variable}:")
    assert "\n" not in message


def test_stale_days_for_the_account_plan(monkeypatch):
    monkeypatch.delenv("SAMBOT_STALE_DAYS", raising=False)
    assert load_settings().sambot_stale_days == 90
    monkeypatch.setenv("SAMBOT_STALE_DAYS", "30")
    assert load_settings().sambot_stale_days == 30
    monkeypatch.setenv("SAMBOT_STALE_DAYS", "0")
    with pytest.raises(ConfigError, match=r"^SAMBOT_STALE_DAYS: must be at least 1 day$"):
        load_settings()


def test_secrets_are_read_from_files_in_sambot_secrets_dir(tmp_path, monkeypatch):
    """A Kubernetes Secret mounted as files: one file per setting, named after it."""
    from sambot.config import load_settings as load

    (tmp_path / "SLACK_BOT_TOKEN").write_text("xoxb-from-a-file")
    (tmp_path / "SLACK_SIGNING_SECRET").write_text("secret-from-a-file")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.setenv("SAMBOT_SECRETS_DIR", str(tmp_path))
    settings = load()
    assert (settings.slack_bot_token, settings.slack_signing_secret) == (
        "xoxb-from-a-file",
        "secret-from-a-file",
    )
