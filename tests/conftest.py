"""Shared fixtures: real databases (a SQLite file and a real PostgreSQL server) for every DB test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.db import make_engine, upgrade_database
from tests.pg_server import PostgresServer, PostgresUnavailable, fresh_postgres_database


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the session; a test that needs it fails (never skips) when it cannot start."""
    given = os.environ.get("TIERBOT_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL is needed for this test and could not be started: {exc}")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database URL: a SQLite file, then a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tierbot.db'}"
    return fresh_postgres_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A SQLite file URL, for tests whose behaviour does not differ by database."""
    return f"sqlite:///{tmp_path / 'tierbot.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a migrated, empty database (both backends)."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def bot_settings(sqlite_url: str):
    """Settings of a Shanghai team speaking Simplified Chinese, on a SQLite file."""
    from bot.config import Settings

    return Settings.model_validate(
        {"database": {"url": sqlite_url}, "team": {"timezone": "Asia/Shanghai", "language": "zh-Hans"}}
    )


@pytest.fixture
def team_engine(bot_settings):
    """A migrated SQLite database holding the small hand-made team of tests/team_fixture.py."""
    from tests.team_fixture import build_team

    engine = make_engine(bot_settings.database_url)
    upgrade_database(engine)
    engine.team = build_team(engine)  # type: ignore[attr-defined]  (read by tests as bot.team)
    yield engine
    engine.dispose()


@pytest.fixture
def frozen_morning():
    """Monday 23 November 2026, 09:00 in Shanghai."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


@pytest.fixture
async def bot(bot_settings, team_engine, frozen_morning):
    """The real Application on the team database, recording every Bot API call."""
    from tests.bot_harness import BotHarness

    async with BotHarness(bot_settings, team_engine) as harness:
        harness.team = team_engine.team
        yield harness
    assert harness.errors == [], f"handlers raised: {harness.errors!r}"
