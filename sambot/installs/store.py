"""slack-sdk's SQLAlchemy installation store, with the tokens encrypted at rest.

With SAMBOT_ENCRYPTION_KEY set, every token is written as a Fernet token (MultiFernet: the
first key encrypts, every key decrypts, so a key is rotated by putting the new one first
and running `sambot workspace rotate-key`). A token stored before a key was set is read as
it is. Tokens are never logged. A Slack bot token (about 57 characters) encrypts to about
164, within the store's 200.
"""

import copy
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, select, update

from sambot.installs.models import BOTS, INSTALLATIONS, OAUTH_STATES

log = logging.getLogger("sambot.installs")

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
# How long an install link stays valid (Slack's own authorize page waits on the user).
STATE_EXPIRATION_S = 600


class TokenCipher:
    """Encrypts tokens with the first key, decrypts with any; no keys: stored as they are."""

    def __init__(self, keys: str | None):
        keys = [key.strip() for key in (keys or "").split(",") if key.strip()]
        self._fernet = MultiFernet([Fernet(key) for key in keys]) if keys else None

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def encrypt(self, value: str | None) -> str | None:
        # Only a plain token (they all start xox): the store saves a bot again after its
        # installation, already sealed.
        if value is None or self._fernet is None or not value.startswith("xox"):
            return value
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str | None) -> str | None:
        if value is None or value.startswith("xox"):
            return value  # plain: stored before a key was set
        if self._fernet is None:
            raise RuntimeError("a token is encrypted but SAMBOT_ENCRYPTION_KEY is not set")
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            raise RuntimeError(
                "a stored token cannot be decrypted with any key in SAMBOT_ENCRYPTION_KEY"
            ) from None

    def rotate(self, value: str | None) -> str | None:
        """The value encrypted with the first key (plain values are encrypted)."""
        if value is None or self._fernet is None:
            return value
        return self.encrypt(self.decrypt(value))


class InstallationStore(SQLAlchemyInstallationStore):
    """The store on sambot's tables, tokens encrypted by `cipher`."""

    def __init__(self, client_id: str, engine: Engine, cipher: TokenCipher):
        super().__init__(client_id=client_id, engine=engine, logger=log)
        # The same tables as the migrations create (sambot.installs.models).
        self.installations, self.bots, self.metadata = INSTALLATIONS, BOTS, INSTALLATIONS.metadata
        self.cipher = cipher

    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(self._sealed(bot))

    def find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False) -> Bot | None:
        return self._opened(
            super().find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    def find_installation(
        self, *, enterprise_id, team_id, user_id=None, is_enterprise_install=False
    ) -> Installation | None:
        return self._opened(
            super().find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    def bot_for_workspace(self, *, team_id: str, enterprise_id: str | None) -> Bot | None:
        """The bot that serves a workspace: its own install, else its org's org-wide one."""
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None and enterprise_id:
            bot = self.find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        return bot

    def remove_workspace(self, *, team_id: str | None, enterprise_id: str | None) -> None:
        """Every installation and bot of a workspace (or an org-wide install: team None)."""
        self.delete_all(enterprise_id=enterprise_id, team_id=team_id)

    def rotate_keys(self) -> int:
        """Re-encrypt every stored token with the first key; the number of rows rewritten."""
        rows = 0
        with self.engine.begin() as connection:
            for table in (INSTALLATIONS, BOTS):
                fields = [name for name in TOKEN_FIELDS if name in table.c]
                for row in connection.execute(select(table.c.id, *[table.c[f] for f in fields])):
                    values = {f: self.cipher.rotate(getattr(row, f)) for f in fields}
                    connection.execute(update(table).where(table.c.id == row.id).values(values))
                    rows += 1
        return rows

    def _sealed(self, item):
        sealed = copy.copy(item)
        for name in TOKEN_FIELDS:
            if hasattr(sealed, name):
                setattr(sealed, name, self.cipher.encrypt(getattr(sealed, name)))
        return sealed

    def _opened(self, item):
        if item is None:
            return None
        for name in TOKEN_FIELDS:
            if hasattr(item, name):
                setattr(item, name, self.cipher.decrypt(getattr(item, name)))
        return item


class StateStore(SQLAlchemyOAuthStateStore):
    def __init__(self, engine: Engine):
        super().__init__(expiration_seconds=STATE_EXPIRATION_S, engine=engine, logger=log)
        self.oauth_states, self.metadata = OAUTH_STATES, OAUTH_STATES.metadata
