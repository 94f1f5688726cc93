"""Admins load exports by sending them to the bot: same rules as the CLI, and a clear answer for bad files."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import text

from handlers.upload import guess_kind
from tests.team_fixture import ADMIN_TG, MANAGER_TG, REP_TG

CUSTOMERS = "客户编号,客户名称,类型,城市,代表工号\nC100,东方医院,医院,上海,R1\nC101,同济医院,医院,上海,R1\n"
SALES = "客户编号,日期,金额\nC1,2026-11-02,12000\nC2,2026-11-03,800\nC1,2026-10-01,5000\n"


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()


async def test_an_admin_loads_customers_and_can_search_them_at_once(bot):
    reply = await bot.upload(ADMIN_TG, "客户清单.csv", CUSTOMERS.encode("utf-8-sig"))
    assert reply.texts == ["正在把“客户清单.csv”作为客户导入……", "✅ 客户：读取 2 行 — 新增 2，更新 0，未变 0。"]
    assert count(bot.engine, "customer") == 8
    assert (await bot.send(REP_TG, "东方医院")).text.startswith("<b>东方医院</b>")
    # The same file again changes nothing.
    again = await bot.upload(ADMIN_TG, "客户清单.csv", CUSTOMERS.encode("utf-8-sig"))
    assert again.texts[-1] == "✅ 客户：读取 2 行 — 新增 0，更新 0，未变 2。"


async def test_sales_in_gbk_are_loaded_and_the_team_is_scored_again(bot):
    reply = await bot.upload(ADMIN_TG, "data.csv", SALES.encode("gbk"), caption="11月销售流向", lang="en")
    assert reply.texts[0] == "Loading “data.csv” as sales…"
    assert reply.texts[1].startswith("✅ sales: 3 rows read — 3 new, 0 updated, 0 unchanged.\nTiers recomputed: A ")
    assert count(bot.engine, "sale_line") == 3
    assert count(bot.engine, "scoring_run") == 2


async def test_a_file_with_bad_rows_loads_nothing_and_says_which_rows(bot):
    bad = "客户编号,日期,金额\nC1,2026-11-02,12000\nC404,2026-11-03,800\nC2,yesterday,abc\n"
    reply = await bot.upload(ADMIN_TG, "sales.csv", bad.encode())
    assert reply.texts[1].startswith("⚠️ 未导入任何数据：有 2 行有问题。请修改后重新发送文件：\n• 第 3 行，")
    assert "• 第 4 行，" in reply.texts[1]
    assert count(bot.engine, "sale_line") == 0


async def test_an_unreadable_file_gets_a_clear_answer(bot):
    reply = await bot.upload(ADMIN_TG, "customers.xlsx", b"\x00\x01not really a spreadsheet\xff" * 20)
    assert reply.texts[1].startswith("⚠️ 无法读取该文件，未导入任何数据：")
    assert count(bot.engine, "customer") == 6


async def test_an_xlsx_of_unclear_kind_is_asked_about_then_loaded(bot):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "角色", "经理工号"])
    sheet.append(["R9", "新代表", "代表", "M1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    reply = await bot.upload(ADMIN_TG, "export.xlsx", buffer.getvalue())
    assert reply.texts == ["“export.xlsx” 是哪类数据？"]
    assert reply.button_data == ["up:customers", "up:sales", "up:people", "up:contacts"]
    loaded = await bot.tap(ADMIN_TG, "up:people")
    assert loaded.texts[-1] == "✅ 人员：读取 1 行 — 新增 1，更新 0，未变 0。"
    assert (await bot.tap(ADMIN_TG, "up:people")).toasts == ["该按钮已失效，请重新查询。"]


async def test_only_admins_load_files(bot):
    for who in (REP_TG, MANAGER_TG):
        reply = await bot.upload(who, "customers.csv", CUSTOMERS.encode())
        assert reply.texts == ["只有管理员可以导入文件。请把文件发给销售运营管理员。"]
    assert count(bot.engine, "customer") == 6
    stranger = await bot.upload(999, "customers.csv", CUSTOMERS.encode())
    assert stranger.texts[0].startswith("您好！Tierbot 仅供受邀的销售团队成员使用。")


def test_the_kind_comes_from_the_caption_then_the_file_name():
    assert guess_kind("", "客户清单.xlsx") == "customers"
    assert guess_kind("sales for November", "export.csv") == "sales"
    assert guess_kind("", "员工.csv") == "people"
    assert guess_kind("", "export.csv") is None
    assert guess_kind("", "客户销售.csv") is None  # both: ask
    assert guess_kind("销售", "客户.csv") == "sales"  # the caption decides


FLOW = (
    "流向商业公司名,单据日期,终端名称,品规,销售数量,单价\n"
    "国药控股,2026-11-02,仁济医院(东院),阿莫西林,10,12.5\n"
    "国药控股,2026-11-03,瑞金医院,阿莫西林,4,12.5\n"
)


async def test_an_unknown_name_in_an_uploaded_file_is_confirmed_with_a_button_and_the_file_loads_again(bot):
    reply = await bot.upload(ADMIN_TG, "11月流向.csv", FLOW.encode("gbk"))

    assert "第 2 行" in reply.texts[1] and "不是已知客户" in reply.texts[1]
    assert reply.texts[1].endswith("有些客户名称对不上任何客户。请点选每个名称对应的客户，我会记住：")
    labels = [label for row in reply.buttons for label, _ in row]
    assert labels[0] == "仁济医院(东院) → 仁济医院（C1）"
    assert count(bot.engine, "sale_line") == 0

    saved = await bot.tap(ADMIN_TG, reply.button_data[0])
    assert saved.texts == [
        "✅ 已记住：“仁济医院(东院)”就是 仁济医院（C1）。点下方按钮重新导入该文件，或先确认其他名称。"
    ]
    with bot.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM customer_alias")).scalar() == 1

    loaded = await bot.tap(ADMIN_TG, saved.button_data[0])
    assert loaded.texts[-1].startswith("✅ 销售：读取 2 行 — 新增 2，更新 0，未变 0。")
    assert count(bot.engine, "sale_line") == 2
    # The next flow file names it the same way and loads by itself.
    again = await bot.upload(ADMIN_TG, "10月流向.csv", FLOW.replace("2026-11", "2026-10").encode("gbk"))
    assert again.texts[-1].startswith("✅ 销售：读取 2 行 — 新增 2，")


async def test_alias_buttons_are_for_the_admin_who_got_them_and_forged_ones_do_nothing(bot):
    reply = await bot.upload(ADMIN_TG, "11月流向.csv", FLOW.encode("gbk"))

    assert (await bot.tap(MANAGER_TG, reply.button_data[0])).toasts == ["该按钮已失效，请重新查询。"]
    assert (await bot.tap(ADMIN_TG, "al:99")).toasts == ["该按钮已失效，请重新查询。"]
    assert (await bot.tap(ADMIN_TG, "al:x")).toasts == ["该按钮已失效，请重新查询。"]
    with bot.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM customer_alias")).scalar() == 0
