"""Honest errors: a database that cannot be used is named as such, in one line, in the user's language.

- the CLI with a wrong DATABASE_URL prints one line saying what to check (no traceback, no password);
- a full disk (SQLite's "database or disk is full") is not called "busy with another import";
- PostgreSQL going down while a rep logs gets "not saved, please retry", not the generic apology.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from bot import cli
from bot.config import Settings
from bot.db import make_engine, upgrade_database
from tests.bot_harness import BotHarness
from tests.team_fixture import REP_TG, build_team

FIXTURES = Path(__file__).parent / "fixtures" / "import"
NOT_SAVED = {
    "zh-hans": "⚠️ 未保存：数据库没有响应，请重试。",
    "en": "⚠️ Not saved: the database did not answer. Please try again.",
}


def run_cli(monkeypatch, capsys, tmp_path, url: str, *args: str) -> tuple[int, str, str]:
    """`tierbot ARGS` through the real entry point (bot.cli.main); (exit code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TIERBOT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["tierbot", *args])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.mark.parametrize(
    "command",
    [
        ["score"],
        ["db", "current"],
        ["db", "upgrade"],
        ["export", "tiers", "--output", "tiers.csv"],
        ["import", "customers", str(FIXTURES / "customers_en.csv")],
        ["invite", "--role", "rep", "--person", "R1"],
    ],
)
def test_a_wrong_database_url_prints_one_line_on_every_command(monkeypatch, capsys, tmp_path, command):
    url = "postgresql://tierbot:s3cret-pw@127.0.0.1:1/tierbot"
    code, out, err = run_cli(monkeypatch, capsys, tmp_path, url, *command)
    assert code == 2
    lines = (out + err).strip().splitlines()
    assert len(lines) == 1, out + err
    assert "Traceback" not in err and "s3cret-pw" not in err
    assert "127.0.0.1" in lines[0] and "DATABASE_URL" in lines[0]


@pytest.fixture
def tiny_sqlite_disk():
    """Every SQLite connection may hold 40 pages at most: the database behaves as on a full disk."""

    def limit(dbapi_connection, _record) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            dbapi_connection.execute("PRAGMA max_page_count = 40")

    event.listen(Engine, "connect", limit)
    yield
    event.remove(Engine, "connect", limit)


def test_a_full_disk_is_not_reported_as_busy(monkeypatch, capsys, tmp_path, tiny_sqlite_disk):
    url = f"sqlite:///{tmp_path / 'tierbot.db'}"
    customers = tmp_path / "customers.csv"
    lines = ["customer_id,name,type,rep_id"] + [f"C{n},{'Hospital ' * 12}{n},hospital," for n in range(3000)]
    customers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, url, "import", "customers", str(customers))
    assert code == 2
    assert "busy" not in err and "full" in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _refuse_connections(admin_url: str, database: str, allow: bool) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {"true" if allow else "false"}'))
        if not allow:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"), {"d": database}
            )
    admin.dispose()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
async def test_postgresql_down_while_a_rep_logs_says_not_saved(postgres_url, lang):
    from tests.pg_server import fresh_postgres_database

    url = fresh_postgres_database(postgres_url)
    database = url.rsplit("/", 1)[1]
    settings = Settings.model_validate(
        {"database": {"url": url}, "team": {"timezone": "Asia/Shanghai", "language": "zh-Hans"}}
    )
    engine = make_engine(url)
    upgrade_database(engine)
    build_team(engine)
    moment = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    try:
        with time_machine.travel(moment, tick=True):
            async with BotHarness(settings, engine) as harness:
                assert "华山医院" in (await harness.send(REP_TG, "/today", lang=lang)).text
                _refuse_connections(postgres_url, database, allow=False)
                reply = await harness.send(REP_TG, "/log 华山 拜访; 带资料", lang=lang)
                assert reply.texts == [NOT_SAVED[lang]]
                assert harness.errors, "the failure is still logged by the error handler"
    finally:
        _refuse_connections(postgres_url, database, allow=True)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM contact WHERE dedup_key IS NOT NULL")).scalar_one() == 0
    engine.dispose()


class _InlineExecutor:
    """Runs the upload's child work in this process (without its memory limit), so an in-process fault
    such as tiny_sqlite_disk reaches it; everything around the process boundary stays as it is."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future


async def test_a_full_disk_during_an_upload_is_said_as_such(bot, tiny_sqlite_disk, monkeypatch):
    from bot.services import loading
    from tests.team_fixture import ADMIN_TG

    monkeypatch.setattr(loading, "ProcessPoolExecutor", _InlineExecutor)

    bot.engine.dispose()  # new connections only: each gets the page limit
    lines = ["customer_id,name,type,rep_id"] + [f"C{n},{'Hospital ' * 12}{n},hospital," for n in range(3000)]
    reply = await bot.upload(ADMIN_TG, "客户清单.csv", ("\n".join(lines) + "\n").encode("utf-8"))
    assert reply.texts[-1] == "⚠️ 未保存：服务器磁盘已满。请联系管理员。", reply.texts
