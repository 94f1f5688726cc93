"""The digest's challenges section: challenges decided last week, overrides ending this week, and customers
whose contacts get nowhere (no answer / objection three times in a row), for the viewer's customers only."""

from __future__ import annotations

from datetime import UTC, timedelta

from bot.config import Settings
from bot.services.challenges import decide_challenge, submit_challenge
from bot.services.digest import weekly_digest
from bot.services.people import member_by_person_id
from bot.views.digest import render_digest
from tests.builders import add_contact, local_time
from tests.team_fixture import TODAY, TZ, build_team

SETTINGS = Settings.model_validate({"team": {"timezone": TZ, "language": "zh-Hans"}})


def _at(day, hhmm="10:00"):
    return local_time(day, hhmm, TZ).astimezone(UTC)


def _week_of_challenges(engine):
    team = build_team(engine)
    rep = member_by_person_id(engine=engine, person_id=team.rep)
    manager = member_by_person_id(engine=engine, person_id=team.manager)
    # Approved 30 days on 25 Oct: its last day is Tue 24 Nov, this week.
    old = submit_challenge(engine=engine, member=rep, customer_id=team.pharmacy, kind="tier", proposed="B",
                           reason="连锁总部合作", now=_at(TODAY - timedelta(days=29)), tz=TZ)  # fmt: skip
    decide_challenge(engine=engine, member=manager, challenge_id=old.challenge.id, approve=True, days=30,
                     now=_at(TODAY - timedelta(days=29)), tz=TZ)  # fmt: skip
    # Decided last week (Wed 18 Nov): one approved, one rejected.
    for customer, proposed, approve in ((team.huashan, "A", True), (team.ruijin, "D", False)):
        made = submit_challenge(engine=engine, member=rep, customer_id=customer, kind="tier", proposed=proposed,
                                reason="理由", now=_at(TODAY - timedelta(days=5)), tz=TZ)  # fmt: skip
        decide_challenge(engine=engine, member=manager, challenge_id=made.challenge.id, approve=approve, days=90,
                         now=_at(TODAY - timedelta(days=5), "11:00"), tz=TZ)  # fmt: skip
    # 仁济 (visited on Sunday morning): then three contacts in a row without progress.
    for hhmm, outcome in (("11:00", "no_answer"), ("12:00", "objection"), ("13:00", "no_answer")):
        add_contact(engine, person_id=team.rep, customer_id=team.renji, outcome=outcome,
                    contacted_at=local_time(TODAY - timedelta(days=1), hhmm, TZ))  # fmt: skip
    return team


def test_a_managers_digest_lists_decided_challenges_ending_overrides_and_stuck_customers(engine):
    team = _week_of_challenges(engine)
    digest = weekly_digest(engine=engine, settings=SETTINGS, viewer_id=team.manager, today=TODAY, tz=TZ)
    text = "\n".join(render_digest("zh-Hans", digest))
    assert (
        "<b>上周处理的申诉</b>（2）\n"
        "• 华山医院 C → A — 已批准（张经理）\n"
        "• 瑞金医院 B → D — 已驳回（张经理）\n\n"
        "<b>本周到期的审批级别</b>（1）\n"
        "• 老百姓大药房(徐汇店) B（经理审批，模型为 C，至 11月24日）\n\n"
        "<b>联系无进展的客户</b>（1）\n"
        "• 仁济医院（李代表）：最近 3 次未接通或异议"
    ) in text
    english = "\n".join(render_digest("en", digest))
    assert "• 老百姓大药房(徐汇店) B (manager-approved, model says C, until 24 Nov)" in english
    assert "• 仁济医院 (李代表): last 3 contacts no answer or objection" in english


def test_the_other_team_and_a_quiet_week_show_no_challenges_section(engine):
    team = _week_of_challenges(engine)
    other = weekly_digest(engine=engine, settings=SETTINGS, viewer_id=team.other_manager, today=TODAY, tz=TZ)
    assert "申诉" not in "\n".join(render_digest("zh-Hans", other))
    # Two weeks later nothing was decided, the override has ended, and 仁济's contacts are old news.
    later = weekly_digest(
        engine=engine, settings=SETTINGS, viewer_id=team.manager, today=TODAY + timedelta(days=14), tz=TZ
    )
    text = "\n".join(render_digest("zh-Hans", later))
    assert "上周处理的申诉" not in text and "本周到期" not in text
    # A contact with progress ends the run of no-answers.
    add_contact(engine, person_id=team.rep, customer_id=team.renji, outcome="visited",
                contacted_at=local_time(TODAY - timedelta(days=1), "15:00", TZ))  # fmt: skip
    now = weekly_digest(engine=engine, settings=SETTINGS, viewer_id=team.manager, today=TODAY, tz=TZ)
    assert "联系无进展" not in "\n".join(render_digest("zh-Hans", now))
