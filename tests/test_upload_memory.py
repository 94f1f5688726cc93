"""A file sent to the bot is read in a child process with its own memory limit: only the child can run out."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.config import Settings
from tests.team_fixture import ADMIN_TG
from tests.xlsx_parts import write_xlsx

HEADER = ["客户编号", "客户名称", "类型"]


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()


@pytest.fixture
def bot_settings(sqlite_url):
    """The team's settings, with the workbook bounds lifted and the upload child given little memory."""
    limits = {"xlsx_max_inflated_mb": 5_000, "xlsx_max_shared_strings_mb": 5_000, "xlsx_max_shared_strings": 10**8}
    return Settings.model_validate({
        "database": {"url": sqlite_url},
        "team": {"timezone": "Asia/Shanghai", "language": "zh-Hans"},
        "import": {**limits, "upload_memory_mb": 700},
    })  # fmt: skip


async def test_a_file_that_exhausts_the_child_s_memory_leaves_the_bot_answering(bot, tmp_path):
    # 2 million shared texts of 150 characters, within the lifted bounds: reading them needs about 1 GB.
    path = write_xlsx(tmp_path / "c.xlsx", [HEADER, ["C1", "东方医院", "医院"]], filler_strings=2_000_000,
                      filler_text="y" * 150)  # fmt: skip

    reply = await bot.upload(ADMIN_TG, "customers.xlsx", path.read_bytes())

    assert reply.texts[1] == (
        "⚠️ 无法读取该文件，未导入任何数据：读取该文件所需内存超过机器人允许的 700 MB"
        "（设置 [import] upload_memory_mb）；没有做任何修改。请改在服务器上用 tierbot import 导入。"
    )
    assert count(bot.engine, "customer") == 6
    small = "客户编号,客户名称,类型\nC100,东方医院,医院\n".encode("utf-8-sig")
    assert (await bot.upload(ADMIN_TG, "客户清单.csv", small)).texts[
        -1
    ] == "✅ 客户：读取 1 行 — 新增 1，更新 0，未变 0。"
