"""Every demo customer's card, read as a manager would: no tier the numbers contradict without a reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.db import make_engine, upgrade_database
from bot.demo import fill_demo_team
from bot.services.scoring_runs import run_scoring
from tests.bot_harness import BotHarness

AS_OF = date(2026, 11, 23)
ADMIN_TG = 801
# What states the reason a customer is A or B although it has almost surely stopped buying, per language:
# B only for its potential (a development or win-back target) or held by hysteresis, never for growth;
# A for its top value rank (or held), with the silence stated beside it.
TIER_GROUNDS = {
    "zh-Hans": {"A": ("排名前", "保持 A"), "B": ("潜力高", "开发目标", "保持 B")},
    "en": {"A": ("top ", "stays A"), "B": ("high potential", "development target", "stays B")},
}
# The 12-month revenue and the order count, as the reasons and the facts line write them.
FIGURES = {
    "zh-Hans": (r"近12个月：? ?¥", r"\d+ 次下单"),
    "en": (r"¥[\d.,]+[kmb]? in 12 months|12 months: ¥", r"\d+ orders"),
}
SILENCE = {"zh-Hans": ("天未下单", "仅下过一单"), "en": ("silent ", "no order for", "one order only")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[tuple[Engine, Settings, list[int]]]:
    """The demo team, scored weekly for a month up to 23 Nov 2026, with the admin signed in."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo_cards') / 'tierbot.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    fill_demo_team(engine=engine, seed=7, as_of=AS_OF)
    settings = Settings.model_validate({"database": {"url": url}, "team": {"timezone": "Asia/Shanghai"}})
    for weeks in (3, 2, 1, 0):
        run_scoring(engine=engine, settings=settings, as_of=AS_OF - timedelta(weeks=weeks), trigger="test")
    with engine.begin() as connection:
        connection.execute(text("UPDATE person SET telegram_user_id = :tg WHERE role = 'admin'"), {"tg": ADMIN_TG})
        ids = list(connection.execute(text("SELECT id FROM customer ORDER BY id")).scalars())
    yield engine, settings, ids
    engine.dispose()


async def _cards(engine: Engine, settings: Settings, ids: list[int], lang: str) -> dict[int, str]:
    with engine.begin() as connection:  # the member's own language setting wins over Telegram's
        connection.execute(text("UPDATE person SET language = :lang WHERE role = 'admin'"), {"lang": lang})
    async with BotHarness(settings, engine) as bot:
        cards = {customer_id: (await bot.tap(ADMIN_TG, f"c:{customer_id}", lang=lang)).texts[0] for customer_id in ids}
    assert bot.errors == []
    return cards


def _tier_section(card: str) -> list[str]:
    """The card's lines from the tier line down to the contacts (which may repeat words on purpose)."""
    lines = card.split("\n")
    start = next(i for i, line in enumerate(lines) if "<b>" in line and i > 0 and ("级别" in line or "Tier" in line))
    return lines[start : lines.index("", start)]


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
async def test_no_card_shows_a_or_b_with_p_alive_under_5_percent_without_its_reason(demo, lang):
    engine, settings, ids = demo
    cards = await _cards(engine, settings, ids, lang)
    assert len(cards) == 600
    alive_pattern = r"仍活跃概率：(\d+)%" if lang == "zh-Hans" else r"Still active: (\d+)%"
    checked, unexplained = 0, []
    for customer_id, card in cards.items():
        section = _tier_section(card)
        tier = re.search(r"<b>([ABCD])</b>", section[0]).group(1)  # type: ignore[union-attr]
        alive = re.search(alive_pattern, card)
        if tier in "AB" and alive and int(alive.group(1)) < 5:
            checked += 1
            grounded = any(ground in section[1] for ground in TIER_GROUNDS[lang][tier])
            silence = tier == "B" or any(word in section[1] for word in SILENCE[lang])
            if not (grounded and silence):
                unexplained.append((customer_id, section[:2]))
        # Each figure once: no line of the tier section repeats, and the order count is stated once.
        assert len(set(section)) == len(section), section
        for figure in FIGURES[lang]:
            assert len(re.findall(figure, "\n".join(section))) <= 1, section
    assert checked >= 10  # the demo has such customers: the scan is not vacuous
    assert unexplained == []


async def test_a_large_hospital_that_does_not_buy_yet_is_a_development_target(demo):
    engine, settings, _ = demo
    with engine.connect() as connection:
        hospital = connection.execute(text("SELECT id FROM customer WHERE name = '上海市长宁区人民医院'")).scalar_one()
    zh = (await _cards(engine, settings, [hospital], "zh-Hans"))[hospital]
    en = (await _cards(engine, settings, [hospital], "en"))[hospital]
    assert _tier_section(zh)[:2] == ["级别 <b>B</b> 潜力客户 · 潜在客户", "开发目标：潜力 4/5 (960)；从未下单"]
    assert _tier_section(en)[:2] == [
        "Tier <b>B</b> potential · prospect",
        "development target: potential 4/5 (960); has never ordered",
    ]


async def test_a_customer_down_a_lot_is_marked_declining_beside_its_stage(demo):
    engine, settings, _ = demo
    with engine.connect() as connection:
        pharmacy = connection.execute(
            text("SELECT id FROM customer WHERE name = '益丰大药房(天目西路店)'")
        ).scalar_one()
    zh = _tier_section((await _cards(engine, settings, [pharmacy], "zh-Hans"))[pharmacy])
    en = _tier_section((await _cards(engine, settings, [pharmacy], "en"))[pharmacy])
    assert zh[:2] == ["级别 <b>B</b> 潜力客户 · 流失风险 · 下滑 76%", "潜力高 5/5；已 305 天未下单，平时约每 11 天一单"]
    assert en[:2] == [
        "Tier <b>B</b> potential · at risk · declining 76%",
        "high potential 5/5; silent 305 days, usually orders every 11 days",
    ]
    assert "最近下单 R1 · 频次 F2 · 金额 M3" in zh and "Recency R1 · Frequency F2 · Monetary M3" in en
