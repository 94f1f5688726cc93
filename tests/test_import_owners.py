"""Customers files naming their rep as CRMs do (负责人, Account Owner), and customers moving between reps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.importing import import_file
from bot.importing.roster import RosterChanges
from bot.models import Contact, Customer, FollowUp
from tests.builders import add_contact, add_customer, add_follow_up, add_person


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def reps(engine: Engine) -> dict[str, int | None]:
    table = Customer.__table__
    with engine.connect() as connection:
        return dict(connection.execute(select(table.c.external_id, table.c.rep_id)).all())


def test_owners_by_name_and_by_pinyin_in_either_order(engine, tmp_path):
    xu = add_person(engine, external_id="R01", name="徐平")
    shan = add_person(engine, external_id="R02", name="单雄信")
    path = write(
        tmp_path / "accounts.csv",
        "customer_id,name,Account Owner\nH1,Renji,Xu Ping\nH2,Ruijin,Ping Xu\nH3,Huashan,xuping\n"
        "H4,Zhongshan,Shan Xiongxin\nH5,Xinhua,R02\n",
    )

    report = import_file(engine=engine, kind="customers", path=path)

    assert report.ok and report.committed
    assert reps(engine) == {"H1": xu, "H2": xu, "H3": xu, "H4": shan, "H5": shan}


def test_a_name_two_reps_share_is_rejected_with_both_staff_ids(engine, tmp_path):
    add_person(engine, external_id="R01", name="张伟")
    add_person(engine, external_id="R07", name="张伟")
    add_person(engine, external_id="R08", name="徐平")
    path = write(
        tmp_path / "客户.csv", "客户编号,客户名称,负责人\nH1,仁济医院,张伟\nH2,瑞金医院,R07\nH3,华山医院,Xu Pin\n"
    )

    report = import_file(engine=engine, kind="customers", path=path)

    assert [str(e) for e in report.rejected] == [
        "row 2, column 负责人: '张伟' names more than one person (R01 张伟, R07 张伟); give the staff id",
        "row 4, column 负责人: 'Xu Pin' is not a known person; import the people file first, or correct the staff id; "
        "closest: R08 徐平",
    ]
    assert not report.committed and reps(engine) == {}


def test_a_customer_moved_by_an_import_takes_its_open_follow_ups_and_keeps_its_history(engine, tmp_path):
    old = add_person(engine, external_id="R01", name="徐平")
    new = add_person(engine, external_id="R02", name="单雄信")
    renji = add_customer(engine, external_id="H1", name="仁济医院", rep_id=old)
    stays = add_customer(engine, external_id="H2", name="瑞金医院", rep_id=old)
    visit = add_contact(engine, person_id=old, customer_id=renji, contacted_at=datetime(2026, 11, 2, 3, tzinfo=UTC))
    open_one = add_follow_up(engine, person_id=old, customer_id=renji, due_on=date(2026, 12, 1))
    done = add_follow_up(engine, person_id=old, customer_id=renji, due_on=date(2026, 11, 3),
                         done_at=datetime(2026, 11, 3, 5, tzinfo=UTC))  # fmt: skip
    other = add_follow_up(engine, person_id=old, customer_id=stays, due_on=date(2026, 12, 1))
    path = write(tmp_path / "c.csv", "客户编号,客户名称,负责人\nH1,仁济医院,单雄信\nH2,瑞金医院,徐平\n")
    roster = RosterChanges()

    report = import_file(engine=engine, kind="customers", path=path, roster=roster)

    assert report.committed and report.updated == 1
    assert roster.rep_moves == [("H1", "仁济医院", "R01 徐平", "R02 单雄信")]
    with engine.connect() as connection:
        owners = dict(connection.execute(select(FollowUp.id, FollowUp.person_id)).all())
        contact_owner = connection.execute(select(Contact.person_id).where(Contact.id == visit)).scalar_one()
    assert owners == {open_one: new, done: old, other: old}
    assert contact_owner == old


def test_customers_whose_rep_has_left_are_listed_as_needing_a_new_rep(engine, tmp_path):
    gone = add_person(engine, external_id="R09", name="钱多多", active=False)
    add_person(engine, external_id="R01", name="徐平")
    add_customer(engine, external_id="H9", name="华山医院", rep_id=gone)
    path = write(tmp_path / "c.csv", "客户编号,客户名称,负责人\nH1,仁济医院,钱多多\nH2,瑞金医院,Xu Ping\n")
    roster = RosterChanges()

    assert import_file(engine=engine, kind="customers", path=path, roster=roster).committed
    assert roster.orphaned_customers == [("H1", "仁济医院", "R09 钱多多"), ("H9", "华山医院", "R09 钱多多")]
