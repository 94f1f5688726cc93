"""`tierbot preview daily|nudge|digest --as PERSON [--date D]`: the push as the person gets it (issue 13 §5)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.i18n import text_of
from bot.models.tables import push_log_table
from bot.pushes import compose
from bot.pushes.push_log import day_period
from tests.team_fixture import TODAY

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def tierbot(team_engine, bot_settings, tmp_path):
    """Run `tierbot ...` on the hand-made team (a zh-Hans team; Mary Manager reads English)."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{bot_settings.database_url}"\n\n[team]\nlanguage = "zh-Hans"\n', encoding="utf-8"
    )
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [*args, "--config", str(config)], env={"DATABASE_URL": None, "TIERBOT_CONFIG": None})

    return run


def test_the_morning_list_reads_as_the_scheduled_push_composes_it(tierbot, team_engine, bot_settings):
    result = tierbot("preview", "daily", "--as", "R1", "--date", "2026-11-23")

    assert result.exit_code == 0, result.output
    who = compose.recipient_of(engine=team_engine, settings=bot_settings, person_id=team_engine.team.rep)
    push = compose.daily_list_push(
        engine=team_engine, settings=bot_settings, who=who, today=TODAY, period=day_period(TODAY)
    )
    lines = result.output.splitlines()
    assert lines[0] == "— 李代表（R1，医药代表）11月23日周一 收到的早间清单 —"
    assert text_of(push.parts[0][0]) in result.output
    assert "☀️ 李代表，早上好！" in result.output and "瑞金医院" in result.output
    assert "按钮：" in lines and any("📝 记录" in line for line in lines)
    # Nothing was sent or claimed.
    with team_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(push_log_table)).scalar_one() == 0


def test_the_person_is_found_by_name_and_the_nudge_lists_the_due_promise(tierbot):
    result = tierbot("preview", "nudge", "--as", "李代表", "--date", "2026-11-23")

    assert result.exit_code == 0, result.output
    assert "瑞金医院 — bring samples ⚠️ 已逾期" in result.output


def test_no_nudge_is_said_as_such(tierbot):
    result = tierbot("preview", "nudge", "--as", "R2", "--date", "2026-11-23")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "11月23日周一 没有到期的跟进：王代表 这天不会收到提醒。"


def test_the_digest_in_the_managers_language_with_its_chart_written_to_a_png(tierbot, tmp_path):
    chart = tmp_path / "chart.png"

    result = tierbot("preview", "digest", "--as", "M2", "--date", "2026-11-23", "--chart", str(chart))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "— Weekly digest for Mary Manager (M2, manager) on Mon 23 Nov —"
    assert f"Chart: {chart}" in lines
    assert chart.read_bytes()[:8] == PNG_SIGNATURE
    assert "Week 47 team tier changes" in result.output and "Tom Rep" in result.output
    assert "<b>" not in result.output  # plain text, not Telegram HTML


def test_the_chart_goes_to_a_temporary_file_by_default(tierbot):
    result = tierbot("preview", "digest", "--as", "M1", "--date", "2026-11-23")

    assert result.exit_code == 0, result.output
    [path] = [line.removeprefix("图表：") for line in result.output.splitlines() if line.startswith("图表：")]
    with open(path, "rb") as png:
        assert png.read(8) == PNG_SIGNATURE


def test_a_day_without_that_push_says_so_and_still_shows_it(tierbot):
    saturday = tierbot("preview", "daily", "--as", "R1", "--date", "2026-11-28")
    tuesday = tierbot("preview", "digest", "--as", "M2", "--date", "2026-11-24")

    assert saturday.exit_code == tuesday.exit_code == 0
    assert "注意：11月28日周六 不是工作日，这一天不会推送。推送内容将是：" in saturday.output
    assert (
        "Note: the digest goes out on Mondays, and Tue 24 Nov is not one. On that day it would read:" in tuesday.output
    )


def test_the_date_defaults_to_the_persons_today(tierbot):
    # 01:00 on Saturday in Shanghai is still Friday in UTC: the person's own day counts.
    with time_machine.travel(datetime(2026, 11, 28, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        result = tierbot("preview", "daily", "--as", "R1")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "— 李代表（R1，医药代表）11月28日周六 收到的早间清单 —"
    assert "11月28日周六 不是工作日" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["daily", "--as", "NOBODY"], "没有在职人员 NOBODY：请给出工号（如 R001）或人员文件中的姓名。"),
        (["daily", "--as", "R1", "--date", "2026-02-30"], "--date 必须是 YYYY-MM-DD 格式的日期，而不是 2026-02-30。"),
        (["daily", "--as", "R1", "--date", "next monday"], "--date 必须是 YYYY-MM-DD 格式的日期，而不是 next monday。"),
        (["digest", "--as", "R1"], "李代表 是代表：每周摘要只发给经理和管理员。"),
    ],
)
def test_a_bad_person_date_or_kind_is_refused_clearly_with_a_non_zero_exit(tierbot, args, message):
    result = tierbot("preview", *args)

    assert result.exit_code == 2
    assert message in result.output


def test_an_unknown_kind_is_refused(tierbot):
    result = tierbot("preview", "weekly", "--as", "R1")

    assert result.exit_code == 2
    assert "daily" in result.output and "digest" in result.output
