"""Sales stored but the scoring after them failed: the truth is told, and a retry needs no file (issue 11 §3).

The scoring run is made to fail by the database itself: a trigger refuses new scoring runs with the
message a full disk gives, in whichever process scores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.services.loading import load_export
from bot.services.scoring_runs import sales_newer_than_tiers
from tests.team_fixture import ADMIN_TG, REP_TG

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FULL = "database or disk is full"


def break_scoring(engine) -> None:
    """Every new scoring run fails as on a full disk."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                f"CREATE TRIGGER no_scoring BEFORE INSERT ON scoring_run BEGIN SELECT RAISE(ABORT, '{FULL}'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION no_scoring() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{FULL}'; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER no_scoring BEFORE INSERT ON scoring_run FOR EACH ROW EXECUTE FUNCTION no_scoring()"
            )


def mend_scoring(engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER no_scoring")
        else:
            connection.exec_driver_sql("DROP TRIGGER no_scoring ON scoring_run")


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def load(engine, kind: str, path: Path):
    return load_export(engine=engine, settings=Settings(), kind=kind, path=path)


@pytest.fixture
def team(engine):
    load(engine, "people", FIXTURES / "people_zh.csv")
    load(engine, "customers", FIXTURES / "customers_zh_gbk.csv")
    return engine


def test_a_failed_scoring_is_told_and_sending_the_file_again_scores(team):
    engine = team
    break_scoring(engine)

    report, summary = load(engine, "sales", FIXTURES / "sales_zh.csv")

    assert report.committed and report.inserted == 4 and summary is None
    assert FULL in report.scoring_error
    assert count(engine, "sale_line") == 4 and count(engine, "scoring_run") == 0
    assert sales_newer_than_tiers(engine)

    mend_scoring(engine)
    again, summary = load(engine, "sales", FIXTURES / "sales_zh.csv")

    assert again.inserted == 0 and not again.committed and again.scoring_error == ""
    assert summary is not None and summary.customers == 4
    assert not sales_newer_than_tiers(engine)
    # Up to date now: the same file once more scores nothing.
    assert load(engine, "sales", FIXTURES / "sales_zh.csv")[1] is None
    assert count(engine, "scoring_run") == 1


def test_nothing_to_catch_up_before_any_sales_import(engine):
    assert not sales_newer_than_tiers(engine)


@pytest.fixture
def tierbot(engine, database_url, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n\n[team]\nlanguage = "en"\n', encoding="utf-8")

    def run(*args: str | Path):
        return CliRunner().invoke(app, [*map(str, args), "--config", str(config)], env={"DATABASE_URL": database_url})

    return run


def test_the_cli_says_what_was_loaded_and_that_tiers_wait(team, tierbot):
    break_scoring(team)

    result = tierbot("import", "sales", FIXTURES / "sales_zh.csv")

    assert result.exit_code == 3, result.output
    assert "Inserted 4, updated 0; 0 unchanged; 0 rejected." in result.output
    assert result.output.splitlines()[-1] == (
        f"Loaded 4 lines; tiers not updated: {FULL}. Run `tierbot score`, or they update tonight."
    )
    mend_scoring(team)
    assert tierbot("score").exit_code == 0
    assert not sales_newer_than_tiers(team)


SALES = "客户编号,日期,金额\nC1,2026-11-02,12000\nC2,2026-11-03,800\n"


async def test_the_bot_says_loaded_but_not_scored_and_offers_a_re_score(bot):
    break_scoring(bot.engine)

    reply = await bot.upload(ADMIN_TG, "11月销售.csv", SALES.encode())

    assert reply.texts[1] == (
        "✅ 销售：读取 2 行 — 新增 2，更新 0，未变 0。\n"
        f"⚠️ 已导入，但客户分级尚未更新：{FULL}。请点“重新分级”，或等今晚自动更新。"
    )
    assert reply.button_data == ["rescore"]
    assert count(bot.engine, "sale_line") == 2

    assert (await bot.tap(ADMIN_TG, "rescore")).texts == [f"⚠️ 客户分级仍未更新：{FULL}。请稍后再试，或等今晚自动更新。"]
    mend_scoring(bot.engine)
    assert (await bot.tap(REP_TG, "rescore")).toasts == ["该按钮已失效，请重新查询。"]
    done = await bot.tap(ADMIN_TG, "rescore")
    assert done.texts[0].startswith("已重新分级：A ")
    assert not sales_newer_than_tiers(bot.engine)


# -------------------------------------------------- scoring out of the bot's process (issue 15 §3)


@pytest.fixture
def scoring_here(monkeypatch):
    """Calls of run_scoring made in this (the bot's) process: a child process imports its own."""
    import bot.services.scoring_runs as scoring_runs

    calls: list[dict] = []

    def recorded(**kwargs):
        calls.append(kwargs)
        raise AssertionError("scored inside the bot's process")

    monkeypatch.setattr(scoring_runs, "run_scoring", recorded)
    return calls


async def test_the_re_score_button_scores_in_a_process_of_its_own(bot, scoring_here):
    done = await bot.tap(ADMIN_TG, "rescore")
    assert done.texts[0].startswith("已重新分级：A ")
    assert scoring_here == []
    with bot.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM scoring_run WHERE trigger = 'admin'")).scalar() == 1


async def test_the_nightly_scoring_runs_in_a_process_of_its_own(bot_settings, team_engine, scoring_here):
    from bot.clock import utc_now
    from bot.pushes.jobs import PushRunner
    from tests.bot_harness import BotHarness

    settings = Settings.model_validate(bot_settings.model_dump() | {"pushes": {"scoring_time": "00:00"}})
    async with BotHarness(settings, team_engine) as harness:
        assert await PushRunner(harness.application).nightly_scoring(utc_now())
        assert harness.errors == []
    assert scoring_here == []
    with team_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM scoring_run WHERE trigger = 'nightly'")).scalar() == 1
