"""Alembic environment: runs migrations on the engine handed over by bot.db (never on a URL string)."""

from alembic import context
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (registers every table on the metadata for autogenerate)
from bot.db import make_engine

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:
        from bot.config import load_settings

        engine = make_engine(load_settings().database_url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations()
