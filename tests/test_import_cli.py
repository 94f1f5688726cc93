"""`tierbot import` end to end: what the admin sees, the exit code, and what the database holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.models import Customer, Person, SaleLine

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def tierbot(engine, database_url, tmp_path):
    """Run `tierbot ...` against the test database; return the result."""
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n\n[team]\nlanguage = "en"\n', encoding="utf-8")
    runner = CliRunner()

    def run(*args: str | Path):
        env = {"DATABASE_URL": database_url, "TIERBOT_CONFIG": None}
        return runner.invoke(app, [*map(str, args), "--config", str(config)], env=env)

    return run


def count(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def test_good_files_import_with_exit_code_0(tierbot, engine):
    people = tierbot("import", "people", FIXTURES / "people_zh.csv")
    customers = tierbot("import", "customers", FIXTURES / "customers_zh_gbk.csv")

    assert (people.exit_code, customers.exit_code) == (0, 0)
    assert customers.stdout.splitlines()[:3] == [
        "customers_zh_gbk.csv: 4 rows read (customers; CSV, GBK/GB18030, comma-separated).",
        "Inserted 4, updated 0; 0 unchanged; 0 rejected.",
        "Done.",
    ]
    assert (count(engine, Person), count(engine, Customer)) == (4, 4)


def test_sales_import_then_scores(tierbot, engine):
    tierbot("import", "people", FIXTURES / "people_zh.csv")
    tierbot("import", "customers", FIXTURES / "customers_zh_gbk.csv")

    dry = tierbot("import", "sales", FIXTURES / "sales_zh.csv", "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing was changed." in dry.stdout
    assert count(engine, SaleLine) == 0

    real = tierbot("import", "sales", FIXTURES / "sales_zh.csv")
    assert real.exit_code == 0, real.output
    assert "Inserted 4, updated 0; 0 unchanged; 0 rejected." in real.stdout
    assert count(engine, SaleLine) == 4


def test_bad_rows_exit_1_and_change_nothing(tierbot, engine, tmp_path):
    tierbot("import", "people", FIXTURES / "people_zh.csv")
    path = tmp_path / "客户.csv"
    path.write_text("客户编号,客户名称,负责代表\nH1,一院,R001\nH2,二院,R404\n", encoding="utf-8-sig")

    result = tierbot("import", "customers", path)

    assert result.exit_code == 1
    assert "row 3, column 负责代表: 'R404' is not a known person" in result.stdout
    assert "Nothing was changed" in result.stdout
    assert count(engine, Customer) == 0


def test_accept_good_rows_writes_rejects_and_still_exits_1(tierbot, engine, tmp_path):
    tierbot("import", "people", FIXTURES / "people_zh.csv")
    path = tmp_path / "客户.csv"
    path.write_text("客户编号,客户名称,负责代表\nH1,一院,R001\nH2,二院,R404\n", encoding="utf-8-sig")
    rejects = tmp_path / "rejects.csv"

    result = tierbot("import", "customers", path, "--accept-good-rows", "--rejects", rejects)

    assert result.exit_code == 1
    assert f"The bad rows and their reasons are in {rejects}." in result.stdout
    assert count(engine, Customer) == 1
    assert rejects.read_text(encoding="utf-8-sig").splitlines()[1].startswith("H2,二院,R404,3,负责代表,")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "does not look like a CSV or XLSX file"),
        ("客户编号,城市\nH1,上海\n".encode(), "this is not a usable customers file"),
        (b"", "the file is empty"),
    ],
)
def test_unusable_files_exit_2_with_the_reason(tierbot, engine, tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)

    result = tierbot("import", "customers", path)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}: ")
    assert message in result.stderr
    assert count(engine, Customer) == 0


def test_missing_file_and_rejects_without_accept_exit_2(tierbot, tmp_path):
    missing = tierbot("import", "customers", tmp_path / "nope.csv")
    lonely = tierbot("import", "customers", FIXTURES / "customers_en.csv", "--rejects", tmp_path / "r.csv")

    assert (missing.exit_code, lonely.exit_code) == (2, 2)
    assert "no such file" in missing.stderr
    assert "--rejects only makes sense together with --accept-good-rows" in lonely.stderr
