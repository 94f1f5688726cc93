"""The admin's language: import reports, refusals and exports say everything in zh-Hans, zh-Hant or en."""

from __future__ import annotations

import csv
import re

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.test_import_database import FIXTURES, load_team, write

BAD_SALES = (
    "单据编号,行号,客户编号,销售日期,金额,数量,状态\n"
    "X1,1,H001,2026-11-05,abc,1,已确认\n"
    "X1,1,H001,2026-11-06,10,x,已确认\n"
    "X2,1,H999,2026-13-05,,1,已确认\n"
    "X3,1,H001,2026-11-05,10,1,已作废\n"
)


@pytest.fixture
def tierbot(engine, database_url, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")

    def run(*args):
        return CliRunner().invoke(app, [*map(str, args), "--config", str(config)], env={"DATABASE_URL": database_url})

    return run


def problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  ") and ("行" in line or "row" in line)]


def test_the_default_report_is_in_the_teams_chinese_with_every_reason_translated(engine, tierbot, tmp_path):
    load_team(engine)
    result = tierbot("import", "sales", write(tmp_path / "s.csv", BAD_SALES))

    assert result.exit_code == 1
    output = result.stdout
    assert "读取 4 行" in output and "没有做任何修改" in output and "跳过 1 行" in output
    lines = problem_lines(output)
    assert len(lines) >= 5
    for line in lines:
        # Everything but the file's own values and headers is Chinese: no English reason is left.
        assert not re.search(r"\b(is|not|the|row|column|empty)\b", line), line
    assert "不是数字" in output and "不是已知客户" in output and "与第 2 行的单据编号+行号重复" in output


def test_the_same_report_in_english_and_traditional_chinese(engine, tierbot, tmp_path):
    load_team(engine)
    path = write(tmp_path / "s.csv", BAD_SALES)

    english = tierbot("import", "sales", path, "--lang", "en").stdout
    traditional = tierbot("import", "sales", path, "--lang", "zh-Hant").stdout

    assert "row 2, column 金额: 'abc' is not a number" in english
    assert "is not a sale (void, draft or not confirmed)" in english
    assert "不是數字" in traditional and "沒有做任何修改" in traditional


def test_a_refused_file_is_explained_in_chinese(engine, tierbot, tmp_path):
    path = write(tmp_path / "s.csv", "客户编号,销售金額\nH001,10\n")

    result = tierbot("import", "sales", path)

    assert result.exit_code == 2
    assert "这不是可用的销售文件" in result.output and "您是否想写" in result.output


def test_rejects_file_keeps_the_cells_and_gives_reasons_in_the_admins_language(engine, tierbot, tmp_path):
    load_team(engine)
    rejects = tmp_path / "rejects.csv"

    tierbot("import", "sales", write(tmp_path / "s.csv", BAD_SALES), "--accept-good-rows", "--rejects", rejects)

    rows = list(csv.reader(rejects.open(encoding="utf-8-sig")))
    assert rows[1][:3] == ["X1", "1", "H001"]
    assert "不是数字" in rows[1][-1]


def test_exports_have_headers_in_the_teams_language_or_field_names(engine, tierbot, tmp_path):
    load_team(engine)
    tierbot("import", "sales", FIXTURES / "sales_zh.csv")
    tierbot("score")

    tierbot("export", "tiers", "-o", tmp_path / "zh.csv")
    tierbot("export", "tiers", "-o", tmp_path / "en.csv", "--headers", "en")

    chinese = next(csv.reader((tmp_path / "zh.csv").open(encoding="utf-8-sig")))
    fields = next(csv.reader((tmp_path / "en.csv").open(encoding="utf-8-sig")))
    assert chinese[:3] == ["客户编号", "客户名称", "客户类型"] and "级别" in chinese
    assert fields[:3] == ["customer_id", "customer", "kind"] and "tier" in fields
