"""A team's own outcome list ([outcomes] in the config): the buttons it offers, the words a line is read with."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings
from tests.log_steps import flow_of, new_contacts
from tests.team_fixture import REP_TG

OFFERED = ["sample", "dept_meeting", "visited", "online", "other"]


@pytest.fixture
def bot_settings(sqlite_url: str) -> Settings:
    """A team that offers five outcomes, 送样 first, and calls a sample drop 带样品 too."""
    return Settings.model_validate(
        {
            "database": {"url": sqlite_url},
            "team": {"timezone": "Asia/Shanghai", "language": "zh-Hans"},
            "outcomes": {"offered": OFFERED, "words": {"sample": ["带样品", "left a trial pack"]}},
        }
    )


@pytest.mark.parametrize(
    ("lang", "labels", "cancel"),
    [
        ("zh-hans", ["送样", "科室会", "拜访", "微信/线上", "其他"], "✖ 取消"),
        ("en", ["sample drop", "department meeting", "visited", "WeChat/online", "other"], "✖ Cancel"),
    ],
)
async def test_the_buttons_are_the_teams_outcomes_in_its_order(bot, lang, labels, cancel):
    asked = await bot.send(REP_TG, "/log 华山医院", lang=lang)
    flow = flow_of(asked)
    cells = [(label, f"lo:{flow}:{n}") for n, label in enumerate(labels)]
    assert asked.buttons == [cells[0:3], cells[3:5], [(cancel, f"lx:{flow}")]]
    await bot.tap(REP_TG, f"lo:{flow}:1", lang=lang)
    # A button beyond the team's list (forged, or from a longer list) changes nothing.
    other = flow_of(await bot.send(REP_TG, "/log 瑞金医院", lang=lang))
    assert (await bot.tap(REP_TG, f"lo:{other}:7", lang=lang)).texts == []
    assert new_contacts(bot.engine) == []


async def test_a_line_is_read_with_the_teams_words(bot):
    team = bot.team
    own = await bot.send(REP_TG, "/log 华山医院带样品")
    assert own.texts == ["✅ 已记录：<b>华山医院</b> — 送样。"]
    english = await bot.send(REP_TG, "/log ruijin left a trial pack", lang="en")
    assert english.texts == ["✅ Logged: <b>瑞金医院</b> — sample drop."]
    # 电话 is not an outcome of this team: the bot asks for one instead of storing "called".
    asked = await bot.send(REP_TG, "/log 仁济医院；电话")
    assert asked.texts == ["<b>仁济医院</b> — 结果如何？"]
    assert new_contacts(bot.engine) == [
        (team.rep, team.huashan, "sample", None),
        (team.rep, team.ruijin, "sample", None),
    ]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('offered = ["visited", "tender"]', "[outcomes.offered] unknown outcome 'tender'"),
        ('offered = ["visited"]', "[outcomes.offered] must name at least two outcomes, each once"),
        ('offered = ["visited", "other"]\nwords = { sample = ["带样品"] }', "'sample' is not one of the offered"),
    ],
)
def test_a_wrong_outcome_list_stops_the_bot_with_the_key_named(tmp_path, section, message):
    path = tmp_path / "config.toml"
    path.write_text(f"[outcomes]\n{section}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    assert message in str(error.value)
