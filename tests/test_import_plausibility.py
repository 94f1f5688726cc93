"""Plausibility: sales dated in the future are bad rows; amounts far outside the file's and customer's are flagged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.i18n.phrases import say
from bot.importing import import_file
from bot.importing.report import Outlier
from bot.models import SaleLine
from bot.views.imports import import_summary

FIXTURES = Path(__file__).parent / "fixtures" / "import"
# 09:00 on 23 November 2026 in Shanghai.
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
SALES = (FIXTURES / "sales_zh.csv").read_text(encoding="utf-8-sig")  # 4 lines, 2026-11-05 to 2026-11-07
TYPO = 'SO-1004-1,H002,2026-11-08,"-99,999,999",-3,阿莫西林胶囊\n'


@pytest.fixture
def team(engine):
    assert import_file(engine=engine, kind="people", path=FIXTURES / "people_zh.csv").ok
    assert import_file(engine=engine, kind="customers", path=FIXTURES / "customers_zh_gbk.csv").ok
    return engine


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def line_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(SaleLine.__table__)).scalar_one()


def sales(engine, path: Path, **options):
    return import_file(engine=engine, kind="sales", path=path, now=NOW, **options)


def test_a_sale_dated_after_today_and_the_tolerance_is_a_bad_row(team, tmp_path):
    rows = "客户编号,销售日期,金额\nH001,2026-11-24,100\nH001,2026-11-25,200\nH002,2099-01-01,300\n"
    path = write(tmp_path / "s.csv", rows)

    report = sales(team, path)

    assert [(e.row, e.column, e.value, e.reason) for e in report.rejected] == [
        (3, "销售日期", "2026-11-25", "is after 2026-11-24; a sale cannot be dated in the future"),
        (4, "销售日期", "2099-01-01", "is after 2026-11-24; a sale cannot be dated in the future"),
    ]
    assert not report.committed and line_count(team) == 0
    assert say("zh-Hans", report.rejected[0].reason) == "晚于 2026-11-24；销售日期不能是将来的日期"
    strict = sales(team, path, future_days=0)
    assert [e.row for e in strict.rejected] == [2, 3, 4]


def test_a_month_in_the_future_is_a_bad_row_too(team, tmp_path):
    path = write(tmp_path / "flow.csv", "客户编号,所属月份,金额\nH001,2026-11,100\nH001,2099-01,5\n")

    report = sales(team, path)

    assert [(e.row, e.column) for e in report.rejected] == [(3, "所属月份")]


def test_a_mistyped_return_changes_nothing_and_is_listed_until_accepted(team, tmp_path):
    path = write(tmp_path / "s.csv", SALES + TYPO)

    report = sales(team, path)

    assert report.ok and report.outliers == [Outlier(row=6, customer="H002", amount=-99_999_999.0)]
    assert report.blocked_by_outliers and not report.committed and line_count(team) == 0
    summary = import_summary(report, "en")
    assert "Would insert 5, would update 0; 0 unchanged; 0 rejected." in summary
    assert "  row 6: -99,999,999.00 for customer H002" in summary
    assert summary.endswith("Nothing was changed: 1 amounts look mistyped (listed above). Correct them, or import "
                            "the file again with --accept-outliers if they are right.")  # fmt: skip
    assert "有 1 个金额远超出本文件和该客户的金额范围" in import_summary(report, "zh-Hans")

    accepted = sales(team, path, accept_outliers=True)
    assert accepted.committed and accepted.inserted == 5 and line_count(team) == 5

    # Accepted once, the line is no news: the same file again is not held up by it.
    again = sales(team, path)
    assert again.outliers == [] and again.unchanged == 5


def test_large_amounts_within_the_file_s_or_the_customer_s_range_are_not_flagged(team, tmp_path):
    history = write(tmp_path / "h.csv", "客户编号,销售日期,金额\nH001,2026-10-01,800000\n")
    assert sales(team, history).committed
    tender = "客户编号,销售日期,金额\nH001,2026-11-02,5000000\nH002,2026-11-02,900\nH002,2026-11-03,950\n"
    # 5,000,000 is 5,000 times the file's other lines, but H001 bought for 800,000 before.
    assert sales(team, write(tmp_path / "t.csv", tender)).outliers == []
    # A new customer's 3,000,000 among lines of 50,000: within 100 times the file's 99th percentile.
    big_file = "客户编号,销售日期,金额\n" + "".join(f"P001,2026-11-{d:02d},50000\n" for d in range(1, 20))
    big_file += "C001,2026-11-20,3000000\n"
    assert sales(team, write(tmp_path / "b.csv", big_file)).outliers == []


def test_the_cli_flags_then_accepts_with_accept_outliers(team, database_url, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n\n[team]\nlanguage = "en"\n', encoding="utf-8")
    path = write(tmp_path / "s.csv", SALES + TYPO)

    def tierbot(*args: str):
        return CliRunner().invoke(app, ["import", "sales", str(path), *args, "--config", str(config)],
                                  env={"DATABASE_URL": database_url})  # fmt: skip

    flagged = tierbot()
    assert flagged.exit_code == 1 and "row 6: -99,999,999.00 for customer H002" in flagged.output
    assert line_count(team) == 0
    accepted = tierbot("--accept-outliers")
    assert accepted.exit_code == 0, accepted.output
    assert line_count(team) == 5
