"""One clock per person: every "today" and relative date a handler uses is in the member's own time zone.

The team is in Shanghai; 王代表 works from Los Angeles (Person.timezone). At 08:40 on Monday in LA it
is already Tuesday 00:40 in Shanghai: his /today, his "tomorrow" and his snoozes are Monday's.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import text

from tests.bot_harness import BotHarness
from tests.builders import add_follow_up
from tests.team_fixture import OTHER_REP_TG, REP_TG

LA = ZoneInfo("America/Los_Angeles")
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)


@pytest.fixture
def la_team(team_engine):
    with team_engine.begin() as connection:
        connection.execute(text("UPDATE person SET timezone = 'America/Los_Angeles' WHERE id = :id"),
                           {"id": team_engine.team.other_rep})  # fmt: skip
    return team_engine


async def at(bot_settings, engine, moment: datetime, steps):
    """Run the steps (async callables taking the harness) with the clock at `moment`; no handler may raise."""
    with time_machine.travel(moment, tick=True):
        async with BotHarness(bot_settings, engine) as harness:
            result = await steps(harness)
    assert harness.errors == [], harness.errors
    return result


def follow_ups(engine, person_id: int) -> list[date]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT due_on FROM follow_up WHERE person_id = :p ORDER BY id"), {"p": person_id}
        )
        return [date.fromisoformat(str(due)[:10]) for (due,) in rows]


async def test_today_of_a_rep_in_los_angeles_is_his_monday(bot_settings, la_team):
    team = la_team.team
    add_follow_up(
        la_team, person_id=team.other_rep, customer_id=team.other_rep_customer, due_on=TUESDAY, note="周二再去"
    )
    reply = await at(bot_settings, la_team, datetime(2026, 11, 23, 8, 40, tzinfo=LA),
                     lambda h: h.send(OTHER_REP_TG, "/today"))  # fmt: skip
    assert reply.texts == [
        "<b>今天 11月23日周一</b> — 建议拜访 1 家：\n1. <b>仁爱医院</b> [A] 从未联系 · 👉 拜访主任/科室会"
    ]
    # The Shanghai rep asked at the same moment is already on Tuesday.
    shanghai = await at(bot_settings, la_team, datetime(2026, 11, 23, 8, 40, tzinfo=LA),
                        lambda h: h.send(REP_TG, "/today"))  # fmt: skip
    assert shanghai.texts[0].startswith("<b>今天 11月24日周二</b>")


async def test_follow_up_tomorrow_typed_on_monday_in_los_angeles_is_tuesday(bot_settings, la_team):
    team = la_team.team
    evening = datetime(2026, 11, 23, 17, 0, tzinfo=LA)  # Tuesday 09:00 in Shanghai
    reply = await at(bot_settings, la_team, evening,
                     lambda h: h.send(OTHER_REP_TG, "/log 仁爱 拜访; 明天跟进"))  # fmt: skip
    assert "11月24日周二" in reply.text
    assert follow_ups(la_team, team.other_rep) == [TUESDAY]


async def test_snooze_in_los_angeles_lasts_until_his_tomorrow(bot_settings, la_team):
    team = la_team.team
    reply = await at(bot_settings, la_team, datetime(2026, 11, 23, 17, 0, tzinfo=LA),
                     lambda h: h.tap(OTHER_REP_TG, f"s:{team.other_rep_customer}"))  # fmt: skip
    assert reply.toasts == ["💤 仁爱医院 已从清单移除，直到 11月24日周二。"]
    with la_team.connect() as connection:
        until = connection.execute(text("SELECT until FROM customer_snooze")).scalar_one()
    assert str(until)[:10] == "2026-11-24"


async def test_the_kept_today_answer_is_per_the_members_day(bot_settings, la_team):
    """The LA rep's list kept on his Monday is not served as the Shanghai rep's Tuesday, nor the reverse."""

    async def both(harness):
        la = await harness.send(OTHER_REP_TG, "/today")
        sh = await harness.send(REP_TG, "/today")
        la_again = await harness.send(OTHER_REP_TG, "/today")
        return la, sh, la_again

    la, sh, la_again = await at(bot_settings, la_team, datetime(2026, 11, 23, 8, 40, tzinfo=LA), both)
    assert "周一" in la.texts[0] and "周二" in sh.texts[0] and la_again.texts == la.texts
