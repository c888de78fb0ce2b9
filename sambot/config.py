"""Settings from environment variables, an optional `.env` file, and secret files."""

import os
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sambot.crontab import parse_crontab

DEFAULT_DATABASE_URL = "sqlite:///var/sambot.db"


class ConfigError(Exception):
    """A setting has a wrong value; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = Field(default=None, description="xapp- token for Socket Mode")
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = DEFAULT_DATABASE_URL
    sambot_timezone: str = "UTC"
    port: int = Field(default=3000, ge=1, le=65535)
    # Scheduled jobs: crontab strings read in SAMBOT_TIMEZONE ("1W" = first weekday of the month).
    sambot_report_schedule: str = "0 9 1W * *"
    sambot_nudge_schedule: str = "0 9 * * mon-fri"
    # Alignment checkpoints (monthly rounds, reminders, closing) and the programme roll-up.
    sambot_checkpoint_schedule: str = "0 9 * * mon-fri"
    sambot_programme_schedule: str = "0 9 1W * *"
    sambot_escalation_days: int = 14
    # Touch cadences (days between touches): key decision makers and economic buyers
    # (power 4-5), and everyone else; a stakeholder's form can set its own. The reminder
    # goes to relationship owners on SAMBOT_CADENCE_SCHEDULE.
    sambot_cadence_key_decision_maker_days: int = 30
    sambot_cadence_default_days: int = 60
    sambot_cadence_schedule: str = "0 9 * * mon"
    # Scheduled messages per second per workspace (chat.postMessage's cap); 0 turns pacing off.
    sambot_post_rate: float = 1.0
    # Workspaces whose scheduled posts are made side by side (each at its own pace).
    sambot_workspaces_at_once: int = Field(default=50, ge=1, le=5000)
    # OAuth install (several workspaces): used when SLACK_BOT_TOKEN is not set.
    slack_client_id: str | None = None
    slack_client_secret: str | None = Field(default=None, repr=False)
    slack_scopes: str | None = Field(default=None, description="comma-separated bot scopes")
    slack_redirect_uri: str | None = None  # when the app lists several redirect URLs
    # Fernet keys, comma-separated: the first encrypts, every one decrypts (key rotation).
    sambot_encryption_key: str | None = Field(default=None, repr=False)
    sambot_retention_days: int = Field(default=30, ge=0)
    # A plan section not updated in this many days is flagged in /sam plan and the report.
    sambot_stale_days: int = 90
    # Seconds a scheduled post's claim holds before another run may take it over.
    sambot_claim_lease: float = Field(default=300.0, gt=0)
    # Seconds the Web API client waits for Slack's answer.
    sambot_slack_timeout: float = Field(default=10.0, gt=0)
    # Connections to Slack a process keeps alive, for its listeners and its scheduled posts
    # alike (one pool). Only as many as calls in flight are opened; more go on, unkept.
    sambot_slack_connections: int = Field(default=64, ge=1)
    # Web processes sharing the port, each with its own GIL (`sambot run` over HTTP): up to
    # one per core. The scheduler still runs once, in the process that starts them.
    sambot_web_processes: int = Field(default=1, ge=1, le=64)
    # Processes that run the work after the acks, each web process its own (0: threads in
    # the web process): the web process's GIL then answers acks alone.
    sambot_work_processes: int = Field(default=0, ge=0, le=64)
    # Threads that run the work after the acks, in each web process (or work process). Each
    # waits on Slack's answers for most of a request: with Slack far away, more keep up.
    sambot_work_threads: int = Field(default=8, ge=1, le=256)
    # "text" (readable) or "json" (one object per line, for a log collector).
    sambot_log_format: Literal["text", "json"] = "text"
    # A port for /metrics in a process without the web server (`sambot scheduler`).
    sambot_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # A CSV of conversion rates (`currency,rate_to_EUR`): `/sam portfolio` converts every
    # figure to its base currency. Without it, each currency is ranked on its own.
    sambot_rates_file: str | None = None

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: str | None) -> str | None:
        if value and not value.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value or None

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: str | None) -> str | None:
        if value and not value.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value or None

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        if value.startswith(("postgresql://", "postgres://")):
            # psycopg 3 is the driver we ship.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("sambot_timezone")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)"
            ) from None
        return value

    @field_validator(
        "sambot_report_schedule",
        "sambot_nudge_schedule",
        "sambot_cadence_schedule",
        "sambot_checkpoint_schedule",
        "sambot_programme_schedule",
    )
    @classmethod
    def _crontab_shape(cls, value: str) -> str:
        try:
            parse_crontab(value, "UTC")
        except ValueError as exc:
            raise ValueError(f"not a crontab schedule ({exc}), e.g. '0 9 * * mon-fri'") from None
        return value

    @field_validator(
        "sambot_escalation_days",
        "sambot_cadence_key_decision_maker_days",
        "sambot_cadence_default_days",
        "sambot_stale_days",
        mode="before",
    )
    @classmethod
    def _whole_days(cls, value):
        try:
            days = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"must be a whole number of days, not {value!r}") from None
        if days < 1:
            raise ValueError("must be at least 1 day")
        return days

    @field_validator("sambot_post_rate", mode="before")
    @classmethod
    def _post_rate(cls, value):
        try:
            rate = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"must be messages per second, such as 1 or 0.5, not {value!r}"
            ) from None
        if rate < 0 or rate != rate:
            raise ValueError("must be 0 (no pacing) or a positive number of messages per second")
        return rate

    @field_validator("sambot_encryption_key")
    @classmethod
    def _encryption_keys(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        from cryptography.fernet import Fernet

        for key in value.split(","):
            try:
                Fernet(key.strip())
            except ValueError:
                raise ValueError(
                    "each key must be 32 url-safe base64-encoded bytes "
                    "(make one with `sambot workspace new-key`)"
                ) from None
        return value

    @cached_property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.sambot_timezone)

    @property
    def oauth_install(self) -> bool:
        """Several workspaces, each installed through /slack/install (no SLACK_BOT_TOKEN)."""
        return bool(not self.slack_bot_token and self.slack_client_id and self.slack_client_secret)

    @property
    def has_slack_http(self) -> bool:
        return bool((self.slack_bot_token or self.oauth_install) and self.slack_signing_secret)

    @property
    def has_socket_mode(self) -> bool:
        return bool((self.slack_bot_token or self.oauth_install) and self.slack_app_token)

    @property
    def secrets(self) -> list[str]:
        """What no log line may show: tokens, the signing secret, keys, the database password."""
        from sqlalchemy.engine import make_url

        try:
            password = make_url(self.database_url).password
        except Exception:
            password = None
        return [
            secret
            for secret in (
                self.slack_bot_token,
                self.slack_signing_secret,
                self.slack_app_token,
                self.slack_client_secret,
                self.sambot_encryption_key,
                password,
            )
            if secret
        ]

    @property
    def scopes(self) -> list[str]:
        if self.slack_scopes:
            return [scope.strip() for scope in self.slack_scopes.split(",") if scope.strip()]
        from sambot.slack.manifest import BOT_SCOPES

        return list(BOT_SCOPES)


def load_settings(**overrides) -> Settings:
    """Read the settings; a wrong value raises ConfigError naming the variable."""
    # SAMBOT_SECRETS_DIR: a folder of files named after the settings (a Kubernetes Secret
    # mounted as a volume), read after the environment and .env.
    secrets_dir = os.environ.get("SAMBOT_SECRETS_DIR") or None
    try:
        return Settings(_secrets_dir=secrets_dir, **overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{variable}: {message}") from None
