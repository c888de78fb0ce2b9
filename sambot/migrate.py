"""Alembic, configured from code so `sambot db upgrade` needs no ini file."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "file_template",
        "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    )
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
    _raise_data_version(database_url)


def _raise_data_version(database_url: str) -> None:
    """A migration may have changed what processes already running keep (sambot/readcache.py)
    without the version hook watching: they read it all again."""
    from sqlalchemy import inspect, text

    from sambot.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            if inspect(connection).has_table("data_version"):
                connection.execute(text("UPDATE data_version SET version = version + 1"))
    finally:
        engine.dispose()


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
