"""`tierbot console --as PERSON --date D`: the bot on a simulated clock, with the scheduled pushes (issue 13 §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot import clock
from bot.cli import app
from bot.models.tables import push_log_table


@pytest.fixture
def console(team_engine, bot_settings, tmp_path):
    """Run `tierbot console ...` on the hand-made team with `typed` as its standard input."""
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{bot_settings.database_url}"\n', encoding="utf-8")
    runner = CliRunner()

    def run(*args: str, typed: str = ""):
        env = {"DATABASE_URL": None, "TIERBOT_CONFIG": None}
        return runner.invoke(app, ["console", *args, "--config", str(config)], input=typed, env=env)

    return run


def pushed_logs(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(push_log_table)).scalar_one()


def test_a_reps_day_on_the_simulated_clock_brings_the_morning_list_then_the_nudge(console, team_engine):
    result = console("--as", "R1", "--date", "2026-11-23", typed="/today\n:clock 16:00\n/today\n")

    assert result.exit_code == 0, result.output
    out = result.output
    assert "模拟时钟：11月23日周一 09:00（Asia/Shanghai）" in out
    morning = out.index("📬 09:00 定时推送：早间清单\n☀️ 李代表，早上好！\n今天 11月23日周一")
    asked = out.index("> /today\n\n今天 11月23日周一")
    nudge = out.index("📬 16:00 定时推送：跟进提醒")
    assert morning < asked < nudge
    assert "瑞金医院 — bring samples ⚠️ 已逾期" in out[nudge:]
    # Each push once, however many lines follow; nothing claimed in the real push log.
    assert out.count("📬") == 2
    assert pushed_logs(team_engine) == 0
    # The simulated clock ends with the console.
    assert abs(clock.utc_now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_manager_gets_the_monday_digest_in_english_with_its_chart(console):
    result = console("--as", "M2", "--date", "2026-11-23", typed="")

    assert result.exit_code == 0, result.output
    out = result.output
    assert "Simulated clock: Mon 23 Nov 09:00 (Asia/Shanghai)." in out
    assert "📬 Scheduled push at 09:00: Weekly digest" in out
    assert "Week 47 team tier changes" in out and "Tom Rep" in out
    [chart] = [line.removeprefix("Chart: ") for line in out.splitlines() if line.startswith("Chart: ")]
    with open(chart, "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"


def test_no_push_before_its_time_and_none_on_a_weekend(console):
    early = console("--as", "R1", "--date", "2026-11-23", "--time", "07:00", typed=":clock 08:30\n")
    saturday = console("--as", "R1", "--date", "2026-11-28", typed=":clock 16:30\n")

    assert early.output.index("模拟时钟：11月23日周一 08:30") < early.output.index("📬 08:30 定时推送：早间清单")
    assert "📬" not in saturday.output


def test_the_clock_only_moves_on_and_bad_options_are_refused(console):
    back = console("--as", "R1", "--date", "2026-11-23", typed=":clock 08:00\n:clock soon\n")
    bad_date = console("--as", "R1", "--date", "23/11/2026")
    bad_time = console("--as", "R1", "--date", "2026-11-23", "--time", "9am")

    assert (
        back.output.count("时钟只能往后拨：请输入 :clock HH:MM 或 :clock YYYY-MM-DD HH:MM，且晚于 2026-11-23 09:00。")
        == 2
    )
    assert bad_date.exit_code == bad_time.exit_code == 2
    assert "--date must be a date as YYYY-MM-DD, not '23/11/2026'" in bad_date.output
    assert "--time must be a time as HH:MM, not '9am'" in bad_time.output
