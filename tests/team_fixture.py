"""A small, hand-made team for handler tests: an admin, two managers, three reps, a few customers each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.engine import Engine

from tests.builders import (
    add_contact,
    add_customer,
    add_follow_up,
    add_person,
    add_scoring_run,
    add_tier_snapshot,
    local_time,
)

TODAY = date(2026, 11, 23)  # a Monday
TZ = "Asia/Shanghai"

# Telegram user ids of the signed-in members; a stranger uses one that no person has.
ADMIN_TG, MANAGER_TG, OTHER_MANAGER_TG, REP_TG, OTHER_REP_TG, STRANGER_TG = 501, 502, 503, 511, 512, 999


@dataclass
class Team:
    admin: int
    manager: int
    other_manager: int
    rep: int
    other_rep: int
    far_rep: int
    renji: int
    ruijin: int
    huashan: int
    pharmacy: int
    other_rep_customer: int
    far_customer: int


def build_team(engine: Engine) -> Team:
    admin = add_person(engine, name="管理员", role="admin", telegram_user_id=ADMIN_TG, external_id="ADM1")
    manager = add_person(engine, name="张经理", role="manager", telegram_user_id=MANAGER_TG, external_id="M1")
    other_manager = add_person(
        engine, name="Mary Manager", role="manager", telegram_user_id=OTHER_MANAGER_TG, external_id="M2", language="en"
    )
    rep = add_person(engine, name="李代表", role="rep", manager_id=manager, telegram_user_id=REP_TG, external_id="R1")
    other_rep = add_person(
        engine, name="王代表", role="rep", manager_id=manager, telegram_user_id=OTHER_REP_TG, external_id="R2"
    )
    far_rep = add_person(engine, name="Tom Rep", role="rep", manager_id=other_manager, external_id="R3")
    renji = add_customer(engine, name="仁济医院", rep_id=rep, kind="hospital", city="上海", external_id="C1")
    ruijin = add_customer(engine, name="瑞金医院", rep_id=rep, kind="hospital", city="上海", external_id="C2")
    huashan = add_customer(engine, name="华山医院", rep_id=rep, kind="hospital", city="上海", external_id="C3")
    pharmacy = add_customer(
        engine, name="老百姓大药房(徐汇店)", rep_id=rep, kind="pharmacy", city="上海", external_id="C4"
    )
    other_rep_customer = add_customer(engine, name="仁爱医院", rep_id=other_rep, kind="hospital", external_id="C5")
    far_customer = add_customer(engine, name="江苏省人民医院", rep_id=far_rep, kind="hospital", external_id="C6")
    run = add_scoring_run(engine, as_of=TODAY - timedelta(days=1))
    reasons = {
        "A": [["top_value", {"amount": 1200000.0, "top_pct": 3.0}], ["orders", {"count": 14}]],
        "B": [["high_potential", {"score": 5}]],
        "C": [["abc_class", {"class": "C"}]],
    }
    for customer, tier in (
        (renji, "A"),
        (ruijin, "B"),
        (huashan, "C"),
        (pharmacy, "C"),
        (other_rep_customer, "A"),
        (far_customer, "B"),
    ):
        add_tier_snapshot(
            engine,
            run_id=run,
            customer_id=customer,
            tier=tier,
            reasons=reasons.get(tier),
            monetary=1200000.0 if tier == "A" else 50000.0,
            frequency=14,
            recency_days=6.0,
        )
    # 仁济 was visited yesterday; 瑞金 has an overdue promise; 华山 and the pharmacy were never contacted.
    add_contact(
        engine,
        person_id=rep,
        customer_id=renji,
        contacted_at=local_time(TODAY - timedelta(days=1), "10:00", TZ),
        note="interested in samples",
    )
    add_follow_up(engine, person_id=rep, customer_id=ruijin, due_on=TODAY - timedelta(days=2), note="bring samples")
    return Team(
        admin,
        manager,
        other_manager,
        rep,
        other_rep,
        far_rep,
        renji,
        ruijin,
        huashan,
        pharmacy,
        other_rep_customer,
        far_customer,
    )
