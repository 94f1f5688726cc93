"""Leavers in the bot: a deactivated rep is a stranger at once, and /handover for managers, through process_update."""

from __future__ import annotations

from sqlalchemy import select

from bot.changes import tracker_for
from bot.db import make_engine
from bot.importing import import_file
from bot.models import Customer, Person
from bot.pushes.compose import recipients
from tests.team_fixture import MANAGER_TG, OTHER_MANAGER_TG, OTHER_REP_TG, REP_TG

STRANGER_ZH = "您好！Tierbot 仅供受邀的销售团队成员使用。\n请向您的经理索取邀请链接。"


def customers_of(engine, person_id: int) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(select(Customer.name).where(Customer.rep_id == person_id)).scalars())


async def test_a_rep_marked_已停用_by_an_import_elsewhere_is_a_stranger_and_gets_no_pushes(bot, tmp_path):
    assert "瑞金医院" in (await bot.send(REP_TG, "/today")).text  # now kept in memory
    path = tmp_path / "人员.csv"
    path.write_text("员工编号,姓名,员工状态\nR1,李代表,已停用\n", encoding="utf-8")
    other = make_engine(bot.settings.database_url)  # the CLI is another process: the bot learns through the feed
    assert import_file(engine=other, kind="people", path=path).committed
    other.dispose()
    tracker_for(bot.engine).read_at = float("-inf")  # as if the feed interval had passed

    assert (await bot.send(REP_TG, "/today")).texts == [STRANGER_ZH]
    assert (await bot.tap(REP_TG, f"c:{bot.team.renji}")).toasts == [STRANGER_ZH]
    assert bot.team.rep not in {r.person_id for r in recipients(engine=bot.engine, settings=bot.settings)}


async def test_a_manager_hands_a_leaving_rep_over_and_the_successor_is_told(bot):
    team = bot.team
    assert "瑞金医院" in (await bot.send(REP_TG, "/today")).text

    preview = await bot.send(MANAGER_TG, "/handover R1 R2")

    assert preview.texts == [
        "从 <b>李代表</b> 交接给 <b>王代表</b>：4 家客户，1 条未完成的跟进。拜访记录保留。\n"
        "• 仁济医院\n• 华山医院\n• 瑞金医院\n• 老百姓大药房(徐汇店)"
    ]
    assert preview.buttons == [
        [("交接", f"ho:{team.rep}:{team.other_rep}:0")],
        [("交接并停用 李代表", f"ho:{team.rep}:{team.other_rep}:1")],
    ]
    assert customers_of(bot.engine, team.rep) == {"仁济医院", "瑞金医院", "华山医院", "老百姓大药房(徐汇店)"}

    done = await bot.tap(MANAGER_TG, f"ho:{team.rep}:{team.other_rep}:1")

    assert done.texts[0] == (
        "✅ 已从 <b>李代表</b> 交接给 <b>王代表</b>：4 家客户，1 条未完成的跟进。\n"
        "李代表 已停用：从现在起不能使用机器人，也不再收到推送。"
    )
    told = [c for c in done.calls if c.method == "sendMessage" and c.params["chat_id"] == OTHER_REP_TG]
    assert [c.text for c in told] == [
        "📥 <b>李代表</b> 把 4 家客户和 1 条未完成的跟进交接给了您：\n"
        "• 仁济医院\n• 华山医院\n• 瑞金医院\n• 老百姓大药房(徐汇店)"
    ]
    assert customers_of(bot.engine, team.rep) == set()
    assert {"仁济医院", "仁爱医院"} <= customers_of(bot.engine, team.other_rep)
    assert (await bot.send(REP_TG, "/today")).texts == [STRANGER_ZH]
    assert "瑞金医院" in (await bot.send(OTHER_REP_TG, "/mine")).text


async def test_reps_and_other_teams_managers_cannot_hand_over_even_with_a_forged_button(bot):
    team = bot.team
    assert (await bot.send(REP_TG, "/handover R1 R2")).texts == ["此功能仅限经理和管理员使用。"]
    assert (await bot.send(MANAGER_TG, "/handover R1 R3")).texts == ["您只能在本团队成员之间交接。"]
    assert (await bot.send(OTHER_MANAGER_TG, "/handover R1 R3", lang="en")).texts == [
        "You can hand over only between people of your own team."
    ]
    assert (await bot.send(MANAGER_TG, "/handover R1 R2 R3")).texts == [
        "请发送 /handover 加离职人员编号和接手人编号，例如：/handover R001 R002；"
        "只发 /handover R001 则先停用 R001、暂不指定接手人"
    ]

    forged_by_rep = await bot.tap(REP_TG, f"ho:{team.other_rep}:{team.rep}:1")
    forged_by_other_manager = await bot.tap(OTHER_MANAGER_TG, f"ho:{team.rep}:{team.far_rep}:1", lang="en")

    assert forged_by_rep.toasts == ["此功能仅限经理和管理员使用。"]
    assert forged_by_other_manager.toasts == ["You can hand over only between people of your own team."]
    with bot.engine.connect() as connection:
        assert all(connection.execute(select(Person.active)).scalars())
    assert len(customers_of(bot.engine, team.rep)) == 4


async def test_a_manager_deactivates_a_rep_of_their_team_with_a_button_and_hands_over_later(bot):
    team = bot.team
    assert "瑞金医院" in (await bot.send(REP_TG, "/today")).text

    offer = await bot.send(MANAGER_TG, "/handover R1")

    assert offer.texts == [
        "<b>李代表</b> 负责 4 家客户。停用后立即不能使用机器人、不再收到推送；"
        "其客户等待新的负责代表（/handover R1 <i>接手人编号</i>）。"
    ]
    assert offer.buttons == [[("停用 李代表", f"hx:{team.rep}")]]
    assert (await bot.tap(OTHER_MANAGER_TG, f"hx:{team.rep}", lang="en")).toasts == [
        "You can deactivate only reps of your own team."
    ]
    assert (await bot.tap(OTHER_REP_TG, f"hx:{team.rep}")).toasts == ["此功能仅限经理和管理员使用。"]
    assert "瑞金医院" in (await bot.send(REP_TG, "/today")).text  # still a member

    done = await bot.tap(MANAGER_TG, f"hx:{team.rep}")

    assert done.texts == [
        "李代表 已停用：从现在起不能使用机器人，也不再收到推送。"
        "4 家客户需要新的负责代表：/handover R1 <i>接手人编号</i>"
    ]
    assert (await bot.send(REP_TG, "/today")).texts == [STRANGER_ZH]
    assert (await bot.tap(MANAGER_TG, f"hx:{team.rep}")).toasts == ["此人已停用。"]
    # The customers wait for a successor; handing them over later still works.
    await bot.tap(MANAGER_TG, f"ho:{team.rep}:{team.other_rep}:0")
    assert customers_of(bot.engine, team.rep) == set()


async def test_handover_counts_read_in_the_singular_and_the_plural(bot):
    english = await bot.send(MANAGER_TG, "/handover R1 R2", lang="en")
    offer = await bot.send(MANAGER_TG, "/handover R1", lang="en")

    assert english.texts[0].startswith(
        "Hand over from <b>李代表</b> to <b>王代表</b>: 4 customers, 1 open follow-up. Visits stay in the history.\n"
    )
    assert offer.texts[0].startswith("<b>李代表</b> has 4 customers. Deactivated, they lose access to the bot")
    assert "their customers wait for a new rep (/handover R1 <i>successor-id</i>)." in offer.texts[0]
