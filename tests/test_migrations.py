"""Migrations build the same schema as the models, on SQLite and PostgreSQL, and go down again."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import bot.models  # noqa: F401
from bot.db import alembic_config, current_revision, make_engine, upgrade_database


def test_upgrade_creates_every_table_and_matches_the_models(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    assert current_revision(engine) == "0007"
    assert set(inspect(engine).get_table_names()) >= {
        "person",
        "invite",
        "customer",
        "sale_line",
        "contact",
        "follow_up",
        "scoring_run",
        "tier_snapshot",
        "push_log",
        "customer_snooze",
        "scheduled_run",
        "change_feed",
        "customer_alias",
        "import_run",
        "tier_challenge",
    }
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    engine.dispose()


def test_downgrade_to_base_and_up_again(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    command.downgrade(alembic_config(engine), "base")
    assert "customer" not in inspect(engine).get_table_names()
    upgrade_database(engine)
    assert current_revision(engine) == "0007"
    engine.dispose()


def test_upgrade_twice_is_harmless(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    upgrade_database(engine)
    assert current_revision(engine) == "0007"
    engine.dispose()


def test_a_database_at_the_first_release_upgrades_to_the_change_feed(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine, "0001")
    assert "change_feed" not in inspect(engine).get_table_names()
    upgrade_database(engine)
    assert current_revision(engine) == "0007"
    assert "change_feed" in inspect(engine).get_table_names()
    command.downgrade(alembic_config(engine), "0001")
    assert "change_feed" not in inspect(engine).get_table_names()
    engine.dispose()


def test_a_database_with_the_change_feed_upgrades_to_customer_aliases(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine, "0002")
    assert "customer_alias" not in inspect(engine).get_table_names()
    upgrade_database(engine)
    assert current_revision(engine) == "0007"
    assert "customer_alias" in inspect(engine).get_table_names()
    assert {"kind_label", "province"} <= {c["name"] for c in inspect(engine).get_columns("customer")}
    command.downgrade(alembic_config(engine), "0002")
    assert "customer_alias" not in inspect(engine).get_table_names()
    assert "kind_label" not in {c["name"] for c in inspect(engine).get_columns("customer")}
    engine.dispose()


def test_a_database_at_the_import_log_upgrades_to_tier_challenges(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine, "0004")
    assert "tier_challenge" not in inspect(engine).get_table_names()
    upgrade_database(engine, "0005")
    assert current_revision(engine) == "0005"
    assert "tier_challenge" in inspect(engine).get_table_names()
    command.downgrade(alembic_config(engine), "0004")
    assert "tier_challenge" not in inspect(engine).get_table_names()
    engine.dispose()
