"""The Monday digest: whose customers, what moved, what is newly at risk, how it reads, and its chart."""

from __future__ import annotations

import logging
import os
import string
import struct
import warnings
from datetime import date, timedelta

import matplotlib
import pytest
from sqlalchemy import event

from bot.config import Settings
from bot.i18n.build import compiled
from bot.services.coverage import RepCoverage, TierCoverage, team_coverage, under_reached_below
from bot.services.digest import AtRiskAccount, Digest, DigestMove, weekly_digest
from bot.views import chart
from bot.views.digest import render_digest
from tests.builders import (
    add_contact,
    add_customer,
    add_follow_up,
    add_person,
    add_scoring_run,
    add_tier_snapshot,
    local_time,
)

TZ = "Asia/Shanghai"
TODAY = date(2026, 11, 23)  # Monday of ISO week 48; the digest reports week 47 (16-22 November)
LAST_WEEK = TODAY - timedelta(days=7)
SETTINGS = Settings()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_every_digest_text_with_the_same_placeholders():
    english, chinese = compiled("en"), compiled("zh_Hans")
    digest_keys = {key for key in english if key.startswith("digest.")}
    assert len(digest_keys) >= 30
    assert digest_keys == {key for key in chinese if key.startswith("digest.")}
    for key in digest_keys:
        assert placeholders(chinese[key]) == placeholders(english[key]), key


# --- The digest from the database -------------------------------------------------------------------


def build_week(engine) -> dict[str, int]:
    """Two teams, three runs (two weeks ago, a week ago, today) and a week of contacts."""
    ids: dict[str, int] = {}
    ids["admin"] = add_person(engine, name="管理员", role="admin")
    ids["manager"] = add_person(engine, name="张经理", role="manager")
    ids["other_manager"] = add_person(engine, name="Mary", role="manager")
    li = ids["li"] = add_person(engine, name="李代表", manager_id=ids["manager"])
    wang = ids["wang"] = add_person(engine, name="王代表", manager_id=ids["manager"])
    tom = ids["tom"] = add_person(engine, name="Tom Rep", manager_id=ids["other_manager"])
    for key, name, rep in (
        ("renji", "仁济医院", li),
        ("escaped", "<b>&Co</b>", li),
        ("ruijin", "瑞金医院", wang),
        ("huashan", "华山医院", li),
        ("zhongshan", "中山医院", li),
        ("clinic", "社区诊所", wang),
        ("xiehe", "协和医院", wang),
        ("jiangsu", "江苏省人民医院", tom),
        ("far_risk", "南京鼓楼医院", tom),
        ("small_b", "小诊所", tom),
    ):
        ids[key] = add_customer(engine, name=name, rep_id=rep)
    # Two weeks ago 瑞金 was D: the digest compares with last week's run (C), not this one.
    add_scoring_run(engine, as_of=TODAY - timedelta(days=14), tiers={ids["renji"]: "A", ids["ruijin"]: "D"})
    week_ago = {
        "renji": ("A", "active"),
        "escaped": ("B", "active"),
        "ruijin": ("C", "active"),
        "huashan": ("A", "active"),
        "zhongshan": ("B", "at_risk"),
        "clinic": ("C", "active"),
        "jiangsu": ("A", "active"),
        "far_risk": ("B", "active"),
    }  # 协和 was not scored yet
    now = {
        "renji": ("B", "active", [["declining", {"pct": 42.0}], ["last_order", {"days": 38}]]),
        "escaped": ("C", "active", [["revenue", {"amount": 40000.0, "window_days": 365}]]),
        "ruijin": ("B", "active", [["growing", {"pct": 35.0}]]),
        "huashan": (
            "A",
            "at_risk",
            [["top_value", {"amount": 8e5, "top_pct": 5.0}], ["at_risk", {"silent_days": 45, "usual_days": 12}]],
        ),
        "zhongshan": ("B", "at_risk", [["at_risk", {"silent_days": 90, "usual_days": 20}]]),
        "clinic": ("C", "at_risk", [["at_risk", {"silent_days": 70, "usual_days": 30}]]),
        "xiehe": ("A", "at_risk", [["at_risk", {"silent_days": 40, "usual_days": 10}]]),
        "jiangsu": ("D", "lost", [["lost", {"silent_days": 400}]]),
        "far_risk": ("B", "at_risk", [["at_risk", {"silent_days": 50, "usual_days": 15}]]),
        "small_b": ("B", "at_risk", [["at_risk", {"silent_days": 356, "usual_days": 40}]]),
    }
    run = add_scoring_run(engine, as_of=LAST_WEEK)
    for key, (tier, stage) in week_ago.items():
        add_tier_snapshot(engine, run_id=run, customer_id=ids[key], tier=tier, stage=stage)
    run = add_scoring_run(engine, as_of=TODAY)
    monetary = {"huashan": 8e5, "xiehe": 1.5e6, "small_b": 5e3}
    # Key accounts are tier A or the top 10 % by CLV: of these 10 customers, the one with the highest CLV,
    # 南京鼓楼 (a B); the ¥5k B customer silent for 356 days is not key.
    clv = {"far_risk": 9e5, "huashan": 4e5, "small_b": 1e3, "zhongshan": 2e5, "clinic": 1e5}
    for key, (tier, stage, reasons) in now.items():
        add_tier_snapshot(
            engine,
            run_id=run,
            customer_id=ids[key],
            tier=tier,
            stage=stage,
            reasons=reasons,
            monetary=monetary.get(key, 0.0),
            clv=clv.get(key),
        )
    # A run that crashed today says everything is D; it must be ignored.
    add_scoring_run(engine, as_of=TODAY, tiers={ids[key]: "D" for key in now}, finished=False)
    # Li's contacts: two in the reported week (one late on Sunday), one before it, one this morning.
    for customer, day, hhmm in (
        ("renji", date(2026, 11, 17), "10:00"),
        ("huashan", date(2026, 11, 22), "23:30"),
        ("zhongshan", date(2026, 11, 15), "18:00"),
        ("huashan", TODAY, "08:00"),
    ):
        add_contact(engine, person_id=li, customer_id=ids[customer], contacted_at=local_time(day, hhmm, TZ))
    add_follow_up(engine, person_id=wang, customer_id=ids["ruijin"], due_on=date(2026, 11, 20))
    add_follow_up(engine, person_id=tom, customer_id=ids["jiangsu"], due_on=date(2026, 11, 18))
    return ids


def digest_for(engine, viewer: int, today: date = TODAY) -> Digest:
    return weekly_digest(engine=engine, settings=SETTINGS, viewer_id=viewer, today=today, tz=TZ)


def moves(items) -> list[tuple[str, str, str, str | None]]:
    return [(m.customer_name, m.before, m.after, m.rep_name) for m in items]


def test_a_manager_gets_their_team_moves_and_newly_at_risk_key_accounts(engine):
    ids = build_week(engine)

    digest = digest_for(engine, ids["manager"])

    assert (digest.week_start, digest.week_end, digest.week_number) == (date(2026, 11, 16), date(2026, 11, 22), 47)
    assert (digest.compared_with, digest.latest_run, digest.everyone) == (LAST_WEEK, TODAY, False)
    assert moves(digest.moved_down) == [("仁济医院", "A", "B", "李代表"), ("<b>&Co</b>", "B", "C", "李代表")]
    assert moves(digest.moved_up) == [("瑞金医院", "C", "B", "王代表")]
    assert digest.moved_down[0].reasons == (("declining", {"pct": 42.0}), ("last_order", {"days": 38}))
    # Not 中山 (already at risk a week ago), not the tier C clinic, not the ¥5k B 小诊所 (neither A nor top CLV),
    # not another team's; 协和 was not scored before.
    assert [(a.customer_name, a.tier, a.rep_name, a.monetary) for a in digest.newly_at_risk] == [
        ("协和医院", "A", "王代表", 1.5e6),
        ("华山医院", "A", "李代表", 8e5),
    ]
    assert digest.newly_at_risk[1].reasons[0] == ("at_risk", {"silent_days": 45, "usual_days": 12})  # the alert leads
    assert [(r.name, r.contacts_recent, r.overdue_follow_ups) for r in digest.reps] == [
        ("李代表", 2, 0),
        ("王代表", 0, 1),
    ]


def test_an_admin_gets_everyone(engine):
    ids = build_week(engine)

    digest = digest_for(engine, ids["admin"])

    assert digest.everyone
    assert moves(digest.moved_down) == [
        ("仁济医院", "A", "B", "李代表"),
        ("江苏省人民医院", "A", "D", "Tom Rep"),
        ("<b>&Co</b>", "B", "C", "李代表"),
    ]
    # 南京鼓楼 is B but has the top CLV; 小诊所 (B, ¥5k, silent 356 days) is not a key account.
    assert [a.customer_name for a in digest.newly_at_risk] == ["协和医院", "华山医院", "南京鼓楼医院"]
    assert [(r.name, r.overdue_follow_ups) for r in digest.reps] == [("Tom Rep", 1), ("李代表", 0), ("王代表", 1)]


def test_the_other_manager_sees_nothing_of_the_first_team(engine):
    ids = build_week(engine)

    digest = digest_for(engine, ids["other_manager"])

    assert moves(digest.moved_down) == [("江苏省人民医院", "A", "D", "Tom Rep")]
    assert digest.moved_up == ()
    assert [a.customer_name for a in digest.newly_at_risk] == ["南京鼓楼医院"]
    text = "\n".join(render_digest("en", digest))
    assert not any(name in text for name in ("仁济", "瑞金", "华山", "协和", "李代表", "王代表"))


def test_a_stranger_gets_no_digest(engine):
    build_week(engine)
    with pytest.raises(PermissionError):
        digest_for(engine, 10_000)


def test_a_week_without_a_new_run_has_no_changes_and_says_why(engine):
    ids = build_week(engine)

    digest = digest_for(engine, ids["manager"], today=TODAY + timedelta(days=7))  # no run since TODAY

    assert (digest.moved_down, digest.moved_up, digest.newly_at_risk) == ((), (), ())
    assert digest.compared_with == digest.latest_run == TODAY
    text = render_digest("zh-Hans", digest)[0]
    assert text.splitlines()[0] == "<b>第48周 团队分级变化：↑0 ↓0 · 新增风险客户 0</b>"
    assert "自 11月23日周一 以来没有新的评分，分级没有变化。" in text


def test_the_first_digest_calls_nothing_new_without_a_run_to_compare_with(engine):
    manager = add_person(engine, name="张经理", role="manager")
    rep = add_person(engine, name="李代表", manager_id=manager)
    run = add_scoring_run(engine, as_of=TODAY)
    for name, tier, stage, clv in (
        ("华山医院", "A", "at_risk", 1e5),
        ("协和医院", "B", "at_risk", 9e5),  # top CLV
        ("小诊所", "B", "at_risk", 1e3),  # neither A nor top CLV
        ("仁济医院", "A", "active", 2e5),
    ):
        customer = add_customer(engine, name=name, rep_id=rep)
        reasons = [["at_risk", {"silent_days": 60, "usual_days": 20}]]
        add_tier_snapshot(engine, run_id=run, customer_id=customer, tier=tier, stage=stage, clv=clv, reasons=reasons)

    digest = digest_for(engine, manager)
    [zh] = render_digest("zh-Hans", digest)
    [english] = render_digest("en", digest)

    assert digest.compared_with is None and not digest.at_risk_is_new
    assert [a.customer_name for a in digest.newly_at_risk] == ["华山医院", "协和医院"]
    assert zh.splitlines()[0] == "<b>第47周 团队分级变化：↑0 ↓0 · 有风险的重点客户 2</b>"
    assert "<b>⚠️ 有流失风险的重点客户 2 家</b>" in zh and "新增" not in zh
    assert english.splitlines()[0] == "<b>Week 47 team tier changes: ↑0 ↓0 · 2 key accounts at risk</b>"
    assert "<b>⚠️ Key accounts at risk: 2</b>" in english and "newly" not in english


def test_a_quiet_week_and_an_empty_database_still_read_well(engine):
    manager = add_person(engine, name="张经理", role="manager")
    rep = add_person(engine, name="李代表", manager_id=manager)
    customer = add_customer(engine, name="仁济医院", rep_id=rep)

    empty = digest_for(engine, manager)
    add_scoring_run(engine, as_of=LAST_WEEK, tiers={customer: "A"})
    add_scoring_run(engine, as_of=TODAY, tiers={customer: "A"})
    quiet = digest_for(engine, manager)
    lonely = digest_for(engine, add_person(engine, name="New Manager", role="manager"))

    assert "No scoring run yet, so there are no tiers to compare." in render_digest("en", empty)[0]
    [text] = render_digest("en", quiet)
    assert text.splitlines()[:3] == [
        "<b>Week 47 team tier changes: ↑0 ↓0 · 0 key accounts newly at risk</b>",
        "Mon 16 Nov – Sun 22 Nov",
        "No customer changed tier and no key account became at risk this week. 👍",
    ]
    assert "<b>李代表</b> · A 0/1 (0%) ⚠️ under · B – · 0 contacts · 0 overdue follow-ups" in text
    assert "Your team has no reps yet." in render_digest("en", lonely)[0]


def test_rendered_in_chinese_and_english_with_moved_down_first_and_names_escaped(engine):
    ids = build_week(engine)
    digest = digest_for(engine, ids["manager"])

    [zh] = render_digest("zh-Hans", digest, "¥")
    [english] = render_digest("en", digest, "¥")
    [hant] = render_digest("zh-Hant", digest, "¥")

    assert zh.splitlines()[:2] == [
        "<b>第47周 团队分级变化：↑1 ↓2 · 新增风险客户 2</b>",
        "11月16日周一 – 11月22日周日",
    ]
    assert english.splitlines()[0] == "<b>Week 47 team tier changes: ↑1 ↓2 · 2 key accounts newly at risk</b>"
    assert hant.splitlines()[0] == "<b>第47週 團隊分級變化：↑1 ↓2 · 新增風險客戶 2</b>"
    assert "• <b>仁济医院</b> A→B · 李代表\n   <i>比上一周期下降 42%；最近下单 38 天前</i>" in zh
    assert "• <b>协和医院</b> [A] ¥150万 · 王代表\n   <i>已 40 天未下单，平时约每 10 天一单</i>" in zh
    assert "• <b>&lt;b&gt;&amp;Co&lt;/b&gt;</b> B→C · 李代表" in zh
    assert "<b>&Co</b>" not in zh and "<b>&Co</b>" not in english
    positions = [
        zh.index(title) for title in ("⬇️ 降级 2 家", "⬆️ 升级 1 家", "⚠️ 新增风险的重点客户 2 家", "📊 代表覆盖情况")
    ]
    assert positions == sorted(positions)
    # Seen: "（A 周期已过 100%，B 周期已过 50%）" and 李代表 B 1/2 (a fixed fortnight from 16 November).
    # Wanted: /team's rolling windows up to Sunday, with their dates; 中山 (15 November) is inside B's 14 days.
    assert "周期已过" not in zh and "cycle" not in english
    assert "<b>📊 代表覆盖情况</b>（A 11月16日–11月22日，B 11月9日–11月22日）" in zh
    assert "<b>📊 Coverage by rep</b> (A 16 Nov–22 Nov, B 9 Nov–22 Nov)" in english
    # Under-reached reps first.
    assert zh.split("📊")[1].splitlines()[1:3] == [
        "<b>王代表</b> · A 0/1（0%）⚠️不足 · B 0/1（0%）⚠️不足 · 联系 0 次 · 逾期跟进 1 条",
        "<b>李代表</b> · A 1/1（100%）正常 · B 2/2（100%）正常 · 联系 2 次 · 逾期跟进 0 条",
    ]


def test_the_digest_and_team_agree_for_the_same_rep_and_week(engine):
    """Seen: the digest counted fixed cycles (30/90-day blocks from 2024-01-01, "周期已过 N%") while /team
    counted rolling ones, so they disagreed. Wanted: the digest's coverage is /team's on the week's last day."""
    ids = build_week(engine)

    digest = digest_for(engine, ids["manager"])
    team = team_coverage(engine=engine, settings=SETTINGS, viewer_id=ids["manager"], today=digest.week_end, tz=TZ)

    assert digest.reps == tuple(team)
    li = {item.tier: item for item in next(rep for rep in digest.reps if rep.name == "李代表").tiers}
    # The old fixed fortnight began on 16 November (1/2); the rolling 14 days up to Sunday hold 中山's 15 November.
    assert (li["B"].window_start, li["B"].window_end, li["B"].covered, li["B"].customers) == (
        date(2026, 11, 9),
        date(2026, 11, 22),
        2,
        2,
    )
    # C: the 30 days up to Sunday, not the fixed block 2026-11-09..2026-12-08 counted from 2024-01-01.
    assert (li["C"].window_start, li["C"].window_end) == (date(2026, 10, 24), date(2026, 11, 22))
    assert digest.coverage_target == under_reached_below(SETTINGS.priority) == 0.9


def test_sql_statements_do_not_grow_with_the_team(engine):
    ids = build_week(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    digest_for(engine, ids["manager"])
    small = len(statements)
    run = add_scoring_run(engine, as_of=TODAY + timedelta(days=1), tiers={ids["renji"]: "C"})
    for n in range(8):
        rep = add_person(engine, name=f"Rep {n}", manager_id=ids["manager"])
        for _ in range(6):
            add_tier_snapshot(
                engine, run_id=run, customer_id=add_customer(engine, rep_id=rep), tier="A", stage="at_risk"
            )
    statements.clear()

    digest = digest_for(engine, ids["manager"], today=TODAY + timedelta(days=1))

    assert len(digest.reps) == 10 and len(digest.newly_at_risk) == 48 and len(digest.moved_down) == 1
    assert len(statements) == small


# --- Rendering a big team ---------------------------------------------------------------------------


WEEK_END = date(2026, 11, 22)


def tier_coverage(tier: str, customers: int, covered: int, days: int) -> TierCoverage:
    share = covered / customers if customers else 0.0
    status = "under" if customers and share < under_reached_below(SETTINGS.priority) else "on_track"
    start = WEEK_END - timedelta(days=days - 1)
    return TierCoverage(tier, customers, covered, max(covered - 1, 0), start, WEEK_END, status, {"visit": covered})


def hand_made_digest(reps: int = 8, moves_down: int = 5, names: str = "上海市第{n}人民医院") -> Digest:
    # Every third rep (n % 3 == 2) covered (nearly) all; the others trail, each by a different amount.
    overviews = tuple(
        RepCoverage(
            person_id=n,
            name=f"{'李王张刘陈杨赵黄'[n % 8]}代表{n}",
            tiers=(
                tier_coverage("A", 10, 10 if n % 3 == 2 else n % 10, 7),
                tier_coverage("B", 20, 20 - n % 2 if n % 3 == 2 else (n * 3) % 20, 14),
                tier_coverage("C", 30, 10, 30),
                tier_coverage("D", 40, 10, 90),
            ),
            contacts_recent=n * 2,
            overdue_follow_ups=n % 4,
            unscored=0,
        )
        for n in range(reps)
    )
    reasons = (("declining", {"pct": 42.0}), ("last_order", {"days": 38}), ("orders", {"count": 3}))
    down = tuple(DigestMove(n, names.format(n=n), "李代表", "A", "C", reasons) for n in range(moves_down))
    up = tuple(
        DigestMove(1000 + n, f"老百姓大药房({n}店)", "王代表", "C", "B", reasons) for n in range(moves_down // 2)
    )
    risk = tuple(
        AtRiskAccount(2000 + n, f"仁济医院{n}", None, "A", 1.2e6, (("at_risk", {"silent_days": 45, "usual_days": 12}),))
        for n in range(moves_down // 3)
    )
    target = under_reached_below(SETTINGS.priority)
    week = (date(2026, 11, 16), WEEK_END)
    return Digest(1, True, TODAY, *week, LAST_WEEK, TODAY, down, up, risk, overviews, coverage_target=target)


def test_a_big_team_is_capped_per_section_and_split_under_telegram_limit():
    digest = hand_made_digest(reps=200, moves_down=600, names="<Hospital & Co> number {n} " + "x" * 200)

    parts = render_digest("en", digest)

    text = "\n".join(parts)
    assert len(parts) >= 2 and all(len(part) <= 4096 for part in parts)
    assert parts[0].startswith("<b>Week 47 team tier changes: ↑300 ↓600 · 200 key accounts newly at risk</b>")
    assert all(part.count("<b>") == part.count("</b>") and part.count("<i>") == part.count("</i>") for part in parts)
    assert "…and 585 more" in text and "…and 285 more" in text and "…and 185 more" in text
    assert "…and 185 more reps: /team" in text
    assert text.count("• <b>&lt;Hospital &amp; Co&gt; number") == 15
    assert "• <b>仁济医院0</b> [A] ¥1.2m · no rep" in text


def test_reps_furthest_behind_come_first():
    digest = hand_made_digest(reps=6)

    [text] = render_digest("en", digest)

    rep_lines = [line for line in text.splitlines() if line.startswith("<b>") and "contacts" in line]
    # Under-reached first, each group by its lowest A or B share; not by name (刘 张 李 杨 王 陈).
    assert [line.split("</b>")[0].removeprefix("<b>") for line in rep_lines] == [
        "李代表0",
        "王代表1",
        "刘代表3",
        "陈代表4",
        "杨代表5",
        "张代表2",
    ]
    assert all("⚠️ under" in line for line in rep_lines[:4]) and not any("⚠️ under" in line for line in rep_lines[4:])


# --- The chart --------------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_the_chart_is_a_phone_sized_png_with_every_glyph_drawn(lang):
    if chart.cjk_font_path() is None:
        # .ci/run installs the font, so CI always draws the Chinese chart; a bare laptop may not have it.
        if os.environ.get("CI"):
            pytest.fail("no CJK font on CI: .ci/run must install fonts-wqy-microhei")
        pytest.skip("no CJK font here: apt-get install fonts-wqy-microhei to test Chinese charts")
    rc_before = dict(matplotlib.rcParams)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font": that would be a tofu box
        png = chart.digest_chart(hand_made_digest(reps=12), lang)

    assert png_size(png) == (1080, 1350)
    assert 20_000 < len(png) < 1_500_000
    assert dict(matplotlib.rcParams) == rc_before


def test_a_team_of_200_reps_and_one_of_none_chart_too():
    assert png_size(chart.digest_chart(hand_made_digest(reps=200), "zh-Hans")) == (1080, 1350)
    assert png_size(chart.digest_chart(hand_made_digest(reps=0, moves_down=0), "en")) == (1080, 1350)


def test_without_a_chinese_font_the_chart_is_in_english_and_warns_once(monkeypatch, caplog):
    monkeypatch.setattr(chart, "cjk_font_path", lambda: None)
    chart._warn_no_cjk_font.cache_clear()
    languages: list[str] = []
    real_t = chart.t
    monkeypatch.setattr(chart, "t", lambda lang, key, **params: languages.append(lang) or real_t(lang, key, **params))

    with caplog.at_level(logging.WARNING, logger="bot.views.chart"), warnings.catch_warnings():
        warnings.simplefilter("error")  # rep names are Chinese: drawn in pinyin, never as boxes
        first = chart.digest_chart(hand_made_digest(reps=8), "zh-Hans")
        second = chart.digest_chart(hand_made_digest(reps=8), "zh-Hant")

    assert png_size(first) == png_size(second) == (1080, 1350)
    assert languages and set(languages) == {"en"}
    assert [record.message for record in caplog.records].count(
        "no CJK font found (install fonts-wqy-microhei); digest charts fall back to English labels"
    ) == 1
    chart._warn_no_cjk_font.cache_clear()


def test_names_are_romanized_only_when_the_font_has_no_chinese():
    font = chart.cjk_font_path()
    latin = matplotlib.font_manager.findfont("DejaVu Sans")
    if font is not None:
        assert chart._drawable("李代表", font, romanize=False) == "李代表"
    assert chart._drawable("李代表 Tom", latin, romanize=True) == "Li Dai Biao Tom"
    assert chart._drawable("$x$ キム", latin, romanize=True) == "$x$"  # katakana: no glyphs, no pinyin


# --- Customers left without an active rep (issue 11 §1) -----------------------------------------------


def test_the_digest_lists_customers_left_without_an_active_rep_to_whoever_sees_them(engine):
    admin = add_person(engine, name="管理员", role="admin")
    manager = add_person(engine, name="张经理", role="manager")
    other_manager = add_person(engine, name="Mary", role="manager")
    gone = add_person(engine, name="钱多多", manager_id=manager, active=False)
    stays = add_person(engine, name="李代表", manager_id=manager)
    add_customer(engine, name="仁济医院", rep_id=gone)
    add_customer(engine, name="瑞金医院", rep_id=stays)
    add_customer(engine, name="无人医院")  # never had a rep: only the admin's digest can show it

    def orphaned(viewer):
        digest = weekly_digest(engine=engine, settings=SETTINGS, viewer_id=viewer, today=TODAY, tz=TZ)
        return digest, [(c.customer_name, c.rep_name) for c in digest.orphaned]

    digest, seen = orphaned(manager)
    assert seen == [("仁济医院", "钱多多")]
    assert (
        "<b>无在职代表的客户（1）</b> — 用 /handover 指定接手人\n• 仁济医院（钱多多）"
        in render_digest("zh-Hans", digest)[0]
    )
    assert orphaned(other_manager)[1] == []
    digest, seen = orphaned(admin)
    assert sorted(seen) == [("仁济医院", "钱多多"), ("无人医院", None)]
    assert "• 无人医院 (no rep)" in render_digest("en", digest)[0]
