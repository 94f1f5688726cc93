"""People leave: deactivation and handover through the CLI and the services, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.models import Contact, Customer, FollowUp, Person
from bot.pushes.compose import recipients
from bot.services.handover import HandoverRefused, hand_over
from bot.services.invites import member_by_telegram_id
from bot.services.people import DeactivationRefused, deactivate_person
from tests.builders import add_contact, add_customer, add_follow_up, add_person


@pytest.fixture
def tierbot(engine, database_url, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n\n[team]\nlanguage = "en"\n', encoding="utf-8")
    runner = CliRunner()

    def run(*args: str | Path):
        return runner.invoke(app, [*map(str, args), "--config", str(config)], env={"DATABASE_URL": database_url})

    return run


def active(engine, external_id: str) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(Person.active).where(Person.external_id == external_id)).scalar_one()


def owners(engine) -> tuple[dict, dict, dict]:
    with engine.connect() as connection:
        return (
            dict(connection.execute(select(Customer.external_id, Customer.rep_id)).all()),
            dict(connection.execute(select(FollowUp.id, FollowUp.person_id)).all()),
            dict(connection.execute(select(Contact.id, Contact.person_id)).all()),
        )


def test_deactivate_makes_a_stranger_with_no_pushes_and_says_who_needs_a_new_rep(tierbot, engine):
    rep = add_person(engine, external_id="R01", name="徐平", telegram_user_id=4242)
    add_customer(engine, external_id="H1", rep_id=rep)
    assert member_by_telegram_id(engine=engine, telegram_user_id=4242) is not None

    result = tierbot("people", "deactivate", "R01")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "R01 徐平 is deactivated: no bot access and no pushes from now on.",
        "1 customers need a new rep: tierbot handover R01 --to STAFF_ID",
    ]
    assert member_by_telegram_id(engine=engine, telegram_user_id=4242) is None
    assert [r.person_id for r in recipients(engine=engine, settings=Settings())] == []
    assert "R01\t徐平\trep\t-\tLEFT\tjoined\t1 customers" in tierbot("people", "list").stdout
    again = tierbot("people", "deactivate", "R01")
    assert again.exit_code == 2 and "already inactive" in again.output


def test_handover_moves_customers_and_open_follow_ups_and_keeps_contacts(tierbot, engine):
    old = add_person(engine, external_id="R01", name="徐平")
    new = add_person(engine, external_id="R02", name="单雄信")
    renji = add_customer(engine, external_id="H1", name="仁济医院", rep_id=old)
    ruijin = add_customer(engine, external_id="H2", name="瑞金医院", rep_id=old)
    add_customer(engine, external_id="H3", name="华山医院", rep_id=new)
    visit = add_contact(engine, person_id=old, customer_id=renji, contacted_at=datetime(2026, 11, 2, 3, tzinfo=UTC))
    due = add_follow_up(engine, person_id=old, customer_id=ruijin, due_on=date(2026, 12, 1))
    done = add_follow_up(engine, person_id=old, customer_id=renji, due_on=date(2026, 11, 3),
                         done_at=datetime(2026, 11, 3, 5, tzinfo=UTC))  # fmt: skip

    result = tierbot("handover", "R01", "--to", "R02", "--deactivate")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Handed over from R01 徐平 to R02 单雄信: 2 customers, 1 open follow-ups.",
        "  仁济医院",
        "  瑞金医院",
        "R01 徐平 is deactivated.",
    ]
    customers, follow_ups, contacts = owners(engine)
    assert customers == {"H1": new, "H2": new, "H3": new}
    assert follow_ups == {due: new, done: old} and contacts == {visit: old}
    assert not active(engine, "R01")


def test_handover_to_a_leaver_or_an_unknown_person_is_refused_and_changes_nothing(tierbot, engine):
    old = add_person(engine, external_id="R01", name="徐平")
    add_person(engine, external_id="R02", name="单雄信", active=False)
    add_customer(engine, external_id="H1", rep_id=old)

    for target in ("R02", "R99"):
        result = tierbot("handover", "R01", "--to", target)
        assert result.exit_code == 2
    assert owners(engine)[0] == {"H1": old}


def test_a_manager_hands_over_and_deactivates_only_within_their_team(engine):
    boss = add_person(engine, external_id="M1", name="王芳", role="manager")
    other_boss = add_person(engine, external_id="M2", name="李强", role="manager")
    rep = add_person(engine, external_id="R01", name="徐平", manager_id=boss)
    peer = add_person(engine, external_id="R02", name="单雄信", manager_id=boss)
    add_person(engine, external_id="R03", name="刘洋", manager_id=other_boss)

    for giver, taker, by in (("R01", "R03", boss), ("R03", "R01", boss), ("R01", "R02", peer), ("R01", "R02", rep)):
        with pytest.raises(HandoverRefused) as refused:
            hand_over(engine=engine, giver=giver, taker=taker, by_id=by)
        assert refused.value.code == "not_allowed"
    for person, by in (("R03", boss), ("R02", rep), ("M1", boss)):
        with pytest.raises(DeactivationRefused) as refused:
            deactivate_person(engine=engine, person=person, by_id=by)
        assert refused.value.code == "not_allowed"

    assert hand_over(engine=engine, giver="R01", taker="M1", by_id=boss).to_id == boss
    assert deactivate_person(engine=engine, person="R01", by_id=boss).name == "徐平"
    assert not active(engine, "R01") and active(engine, "R02")


def test_import_people_full_lists_the_leavers_and_a_dry_run_changes_nothing(tierbot, engine, tmp_path):
    path = tmp_path / "人员.csv"
    path.write_text("姓名,员工编号,职位,汇报对象,员工状态\n王芳,M01,区域经理,,正常\n徐平,R001,医药代表,王芳,正常\n",
                    encoding="utf-8")  # fmt: skip
    gone = add_person(engine, external_id="R009", name="钱多多", telegram_user_id=4242)
    add_customer(engine, external_id="H9", name="仁济医院", rep_id=gone)

    dry = tierbot("import", "people", path, "--full", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert (
        "What the file would change about the team:\nLeft (not in the file, --full) (1):\n  R009 钱多多\n" in dry.stdout
    )
    assert active(engine, "R009")

    result = tierbot("import", "people", path, "--full")
    assert result.exit_code == 0, result.output
    assert "Left (not in the file, --full) (1):\n  R009 钱多多\n" in result.stdout
    assert "Customers needing a new rep (their rep has left) (1):\n  H9 仁济医院 (R009 钱多多)" in result.stdout
    assert not active(engine, "R009") and member_by_telegram_id(engine=engine, telegram_user_id=4242) is None
    assert tierbot("import", "sales", path, "--full").exit_code == 2
