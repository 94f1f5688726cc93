"""Service by tier (差异化服务, issue 13 §3): each tier's playbook, a hint on each /today line and on the card."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from bot.services.playbook import channel_of, follows_playbook, playbook_for
from tests.bot_harness import BotHarness
from tests.team_fixture import REP_TG


async def test_the_card_says_how_the_tier_is_served(bot):
    # Seen: the card said nothing of how to serve the customer. Wanted: the tier's playbook in one line.
    card = await bot.send(REP_TG, "仁济医院")
    assert "最近下单 6 天前\n服务方式：拜访主任/科室会\n\n<b>最近联系</b>" in card.text
    english = await bot.send(REP_TG, "瑞金医院", lang="en")
    assert "high potential\n" in english.text
    assert "\nService: samples / academic material\n\n<b>Last contacts</b>" in english.text


async def test_traditional_chinese_reads_the_playbook_in_its_own_script(bot):
    card = await bot.send(REP_TG, "瑞金医院", lang="zh-hant")
    assert "服務方式：送樣/學術資料" in card.text


async def test_a_teams_own_playbook_shows_on_the_list_and_the_card(bot_settings, team_engine, frozen_morning, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{bot_settings.database_url}"\n'
        '[playbook.C]\nchannels = ["phone", "wechat"]\nzh = "电话回访/企业微信"\nen = "call back or WeChat"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, environ={})
    async with BotHarness(settings, team_engine) as bot:
        today = await bot.send(REP_TG, "/today")
        assert "2. <b>华山医院</b> [C] 从未联系 · 👉 电话回访/企业微信" in today.text
        assert "1. <b>瑞金医院</b> [B] 跟进已逾期（原定 11月21日周六） · 👉 送样/学术资料" in today.text
        english = await bot.send(REP_TG, "/today", lang="en")
        assert "2. <b>华山医院</b> [C] never contacted · 👉 call back or WeChat" in english.text
        card = await bot.send(REP_TG, "华山医院", lang="en")
        assert "\nService: call back or WeChat\n" in card.text
        assert bot.errors == []


def test_the_playbook_defaults_and_what_counts_as_its_channel():
    settings = load_settings(None, environ={})
    assert [playbook_for(settings, tier).channels for tier in "ABCD"] == [
        ("visit",),
        ("visit",),
        ("visit",),
        ("phone", "wechat"),
    ]
    assert playbook_for(settings, None) is None
    assert (channel_of("visited"), channel_of("called"), channel_of("no_answer"), channel_of("other")) == (
        "visit",
        "phone",
        "phone",
        None,
    )
    # A D customer called is served as its playbook says; an A customer called is not.
    assert follows_playbook(settings, "D", "called") and not follows_playbook(settings, "A", "called")
    assert follows_playbook(settings, "A", "visited") and not follows_playbook(settings, None, "visited")


@pytest.mark.parametrize(
    "body, key",
    [
        ('[playbook.A]\nchannels = ["fax"]\n', "playbook.A.channels"),
        ("[playbook.B]\nchannels = []\n", "playbook.B.channels"),
        ('[playbook.E]\nchannels = ["visit"]\n', "playbook.E"),
    ],
)
def test_a_wrong_playbook_stops_the_bot_naming_the_key(tmp_path, body, key):
    config = tmp_path / "config.toml"
    config.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"\[{key}"):
        load_settings(config, environ={})
