"""A small XLSX cannot take gigabytes: bounded before it is parsed, and bot uploads read in a limited child."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.importing import ImportFileError
from bot.importing.readers import open_table
from bot.importing.workbooks import XlsxLimits
from bot.services.loading import load_export
from tests.team_fixture import ADMIN_TG
from tests.xlsx_parts import write_xlsx

HEADER = ["客户编号", "客户名称", "类型"]


@pytest.fixture
def bomb(tmp_path):
    """A 0.5 MB workbook whose shared-text table unpacks to 155 MB (1.4 million texts)."""
    return write_xlsx(tmp_path / "customers.xlsx", [HEADER, ["C1", "东方医院", "医院"]], filler_strings=1_400_000)


def test_a_small_xlsx_with_a_huge_shared_text_table_is_refused_quickly_in_little_memory(bomb):
    assert bomb.stat().st_size < 1024 * 1024
    open_table(write_xlsx(bomb.with_name("small.xlsx"), [HEADER]), "customers")  # openpyxl's modules loaded
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ImportFileError, match=r"shared text table is 155 MB, more than the 100 MB allowed "
                           r"\(setting \[import\] xlsx_max_shared_strings_mb\)"):  # fmt: skip
            open_table(bomb, "customers")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 5 * 1024 * 1024


def test_the_shared_texts_are_counted_not_taken_from_the_file_s_word(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [HEADER, ["C1", "东方医院", "医院"]], filler_strings=5_000, filler_text="x")
    # 5,006 texts: the <si> elements are counted, the file's own count attributes are not trusted.
    with pytest.raises(ImportFileError, match=r"holds more than 1,000 texts \(setting \[import\] xlsx_max_shared"):
        open_table(path, "customers", XlsxLimits(max_shared_strings=1_000))
    assert open_table(path, "customers", XlsxLimits(max_shared_strings=5_006)).headers == HEADER


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(tmp_path):
    rows = [HEADER] + [[f"C{i}", f"诊所{i}", "诊所"] for i in range(20_000)]
    path = write_xlsx(tmp_path / "c.xlsx", rows)

    with pytest.raises(ImportFileError, match=r"unpacks to \d MB, more than the 1 MB allowed \(setting \[import\] "
                       r"xlsx_max_inflated_mb\)"):  # fmt: skip
        open_table(path, "customers", XlsxLimits(max_inflated_mb=1))
    assert sum(len(chunk) for chunk in open_table(path, "customers").chunks(5_000)) == 20_000


def test_the_limits_come_from_the_import_settings(engine, tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [HEADER, ["C1", "东方医院", "医院"]], filler_strings=3_000)
    settings = Settings.model_validate({"import": {"xlsx_max_shared_strings": 1_000}})

    with pytest.raises(ImportFileError, match="holds more than 1,000 texts"):
        load_export(engine=engine, settings=settings, kind="customers", path=path)
    assert load_export(engine=engine, settings=Settings(), kind="customers", path=path)[0].inserted == 1


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()


async def test_the_bot_refuses_the_bomb_and_says_why_in_chinese(bot, bomb):
    reply = await bot.upload(ADMIN_TG, "customers.xlsx", bomb.read_bytes())

    assert reply.texts[1] == (
        "⚠️ 无法读取该文件，未导入任何数据：该工作簿的共享文本表有 155 MB，超过允许的 100 MB"
        "（设置 [import] xlsx_max_shared_strings_mb）。请另存为 CSV，CSV 没有此限制。"
    )
    assert count(bot.engine, "customer") == 6
