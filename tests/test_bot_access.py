"""Getting in, help, unknown input, settings and invites, through Application.process_update."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.models import Invite, Person
from bot.services.invites import create_invite
from tests.team_fixture import ADMIN_TG, MANAGER_TG, OTHER_MANAGER_TG, REP_TG, STRANGER_TG

STRANGER_ZH = "您好！Tierbot 仅供受邀的销售团队成员使用。\n请向您的经理索取邀请链接。"
STRANGER_EN = "Hello! Tierbot is only for invited members of a sales team.\nPlease ask your manager for an invite link."


async def test_a_stranger_is_told_to_ask_for_an_invite_in_their_language(bot):
    assert (await bot.send(STRANGER_TG, "/today")).texts == [STRANGER_ZH]
    assert (await bot.send(STRANGER_TG, "仁济医院", lang="en")).texts == [STRANGER_EN]
    assert (await bot.send(STRANGER_TG, "/start")).texts == [STRANGER_ZH]


async def test_a_stranger_learns_nothing_from_buttons_or_commands(bot):
    team = bot.team
    reply = await bot.tap(STRANGER_TG, f"c:{team.renji}")
    assert reply.toasts == [STRANGER_ZH]
    assert reply.texts == []
    for text in ("/tier 仁济医院", "/mine", "/team", "/invite R1", "/settings", "rjyy"):
        reply = await bot.send(STRANGER_TG, text, lang="en")
        assert reply.texts == [STRANGER_EN], text
        assert "仁济" not in reply.text


async def test_an_invite_link_lets_a_new_person_in_once(bot, bot_settings: Settings):
    token = create_invite(engine=bot.engine, settings=bot_settings, person_external_id="R3", role="rep")
    reply = await bot.send(777, f"/start {token}", lang="en")
    assert reply.texts[0].startswith("Welcome, <b>Tom Rep</b>! You are signed in as rep.")
    assert "/today" in reply.texts[0]
    # Each role gets its own command menu, for this chat only.
    menus = [c for c in reply.calls if c.method == "setMyCommands"]
    assert len(menus) == 1 and '"chat_id": 777' in str(menus[0].params["scope"]).replace("'", '"')
    assert [c["command"] for c in _commands(menus[0])] == [
        "today",
        "tier",
        "mine",
        "log",
        "followups",
        "undo",
        "challenge",
        "settings",
        "help",
    ]
    with Session(bot.engine) as session:
        assert session.exec(select(Person).where(Person.external_id == "R3")).one().telegram_user_id == 777
    # The same link a second time, by someone else, does nothing.
    again = await bot.send(778, f"/start {token}", lang="en")
    assert again.texts == ["This invite link is no longer valid (already used or expired).\n"
                           "Please ask your manager for a new one."]  # fmt: skip
    with Session(bot.engine) as session:
        assert session.exec(select(Person).where(Person.telegram_user_id == 778)).first() is None


def _commands(call):
    import json

    commands = call.params["commands"]
    return json.loads(commands) if isinstance(commands, str) else commands


async def test_a_forged_or_expired_token_changes_nothing(bot):
    for token in ("nope", "x" * 300, "<b>hi</b>"):
        reply = await bot.send(STRANGER_TG, f"/start {token}")
        assert reply.texts == ["该邀请链接已失效（已被使用或已过期）。\n请向您的经理索取新的邀请链接。"]
    with Session(bot.engine) as session:
        assert session.exec(select(Person).where(Person.telegram_user_id == STRANGER_TG)).first() is None


async def test_members_get_help_for_their_role(bot):
    rep_help = (await bot.send(REP_TG, "/help")).text
    assert rep_help.startswith("<b>我能做什么</b>\n/today — 今天拜访谁，以及原因")
    assert "/team" not in rep_help
    manager_help = (await bot.send(MANAGER_TG, "/help")).text
    assert "/team — 各代表 A、B 类客户的覆盖情况" in manager_help
    assert "邀请任何人" not in manager_help
    assert "/invite <i>人员编号</i> [rep|manager|admin] — 邀请任何人" in (await bot.send(ADMIN_TG, "/help")).text
    # A person's own language setting beats the Telegram app's language.
    assert (await bot.send(OTHER_MANAGER_TG, "/help", lang="zh-hans")).text.startswith("<b>What I can do</b>")


async def test_unknown_commands_and_non_text_get_a_polite_answer(bot):
    assert (await bot.send(REP_TG, "/frobnicate now")).texts == [
        "抱歉，我不认识 /frobnicate 这个命令。发送 /help 查看我能做什么。"
    ]
    reply = await bot.send(REP_TG, "/<b>x</b>", lang="en")
    assert reply.texts == ["Sorry, I don't know /&lt;b&gt;x&lt;/b&gt;. /help shows what I can do."]
    stale = await bot.tap(REP_TG, "zzz:1")
    assert stale.toasts == ["该按钮已失效，请重新查询。"]


async def test_settings_change_language_push_time_and_pause(bot):
    reply = await bot.send(REP_TG, "/settings")
    assert reply.text == "<b>设置</b>\n语言：简体中文\n每日清单推送时间：08:30\n推送：开启"
    assert reply.button_data == ["st:lang", "st:time", "st:pause", "st:resume"]
    assert (await bot.tap(REP_TG, "st:time")).button_data[:3] == ["st:time:07:30", "st:time:08:00", "st:time:08:30"]
    assert "每日清单推送时间：07:30" in (await bot.tap(REP_TG, "st:time:07:30")).text
    assert "推送：暂停至 11月29日周日" in (await bot.tap(REP_TG, "st:pause:7")).text
    switched = await bot.tap(REP_TG, "st:lang:en")
    assert switched.toasts == ["Saved."]
    assert switched.text == "<b>Settings</b>\nLanguage: English\nDaily list at: 07:30\nPushes: paused until Sun 29 Nov"
    assert (await bot.send(REP_TG, "/help")).text.startswith("<b>What I can do</b>")
    assert "Pushes: on" in (await bot.tap(REP_TG, "st:resume")).text
    # Forged settings values are refused and change nothing.
    for data in ("st:time:03:00", "st:lang:fr", "st:pause:999", "st:pause:-1"):
        assert (await bot.tap(REP_TG, data)).toasts == ["That button has expired. Please ask again."]
    with Session(bot.engine) as session:
        rep = session.exec(select(Person).where(Person.telegram_user_id == REP_TG)).one()
        assert (rep.language, rep.push_time, rep.paused_until) == ("en", "07:30", None)


async def test_managers_invite_their_reps_and_nobody_else(bot):
    reply = await bot.send(MANAGER_TG, "/invite R2")
    assert reply.text.startswith(
        "<b>王代表</b> 的邀请（医药代表，仅限一次，72 小时内有效）：\nhttps://t.me/tierbot_local_bot?start="
    )
    assert (await bot.send(MANAGER_TG, "/invite R3")).text == "您只能邀请本团队的代表。"
    assert (await bot.send(MANAGER_TG, "/invite NOBODY")).text == "您只能邀请本团队的代表。"
    assert (await bot.send(MANAGER_TG, "/invite R2 admin")).text == "您只能邀请本团队的代表。"
    assert (await bot.send(REP_TG, "/invite R2")).text == "此功能仅限经理和管理员使用。"
    assert (await bot.send(ADMIN_TG, "/invite NOBODY")).text == "没有该编号的人员。请检查人员文件，或请管理员先导入。"
    assert "地区经理" in (await bot.send(ADMIN_TG, "/invite M2 manager")).text
    assert (await bot.send(ADMIN_TG, "/invite")).text == "请发送 /invite 加人员编号（见人员文件），例如：/invite R001"
    with Session(bot.engine) as session:
        assert len(session.exec(select(Invite)).all()) == 2


async def test_a_handler_that_needs_a_member_gets_one_or_an_error_never_none(bot):
    from bot.context import NotAMember, TierContext
    from bot.services.invites import member_by_telegram_id

    context = TierContext(bot.application)
    assert context.member_or_none is None
    with pytest.raises(NotAMember):
        _ = context.member
    rep = member_by_telegram_id(engine=bot.application.bot_data.engine, telegram_user_id=REP_TG)
    context.member = rep
    assert context.member is rep and context.member_or_none is rep
