"""People files as teams export them: managers by name, roles from titles, leavers, cycles, --full."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.importing import import_file
from bot.importing.person_names import AMBIGUOUS, NamedPerson, PersonNames
from bot.importing.roster import RosterChanges
from bot.models import Person
from tests.builders import add_customer, add_person

FXIAOKE = (
    "姓名,员工编号,主属部门,职位,汇报对象,员工状态,手机号,邮箱\n"
    "王芳,M01,华东大区,区域经理,,正常,13800000000,wang@example.com\n"
    "徐平,R001,上海一区,医药代表,王芳,正常,13800000001,\n"
    "单雄信,R002,上海一区,销售专员,王芳,已停用,13800000002,\n"
    "刘洋,R003,上海一区,市场分析,R001,正常,,\n"
)


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def people(engine: Engine) -> dict[str, dict]:
    table = Person.__table__
    with engine.connect() as connection:
        rows = connection.execute(select(table)).mappings().all()
    by_id = {row["id"]: row["external_id"] for row in rows}
    return {row["external_id"]: {**row, "manager": by_id.get(row["manager_id"])} for row in rows}


def load(engine, path, **options):
    roster = RosterChanges()
    report = import_file(engine=engine, kind="people", path=path, roster=roster, **options)
    return report, roster


def test_pinyin_names_match_in_either_order_and_every_surname_reading():
    names = PersonNames(
        [NamedPerson(1, "R01", "徐平"), NamedPerson(2, "R02", "单雄信"), NamedPerson(3, "R03", "曾平"),
         NamedPerson(4, "R04", "欧阳修"), NamedPerson(5, "R05", "Li Na")]
    )  # fmt: skip
    cells = pd.Series(["Xu Ping", "Ping Xu", "xu ping", "XuPing", " 徐平 ", "R02", "Shan Xiongxin", "Xiongxin Shan",
                       "Zeng Ping", "Xiu Ouyang", "LI  NA", "", "Xu Pin"])  # fmt: skip
    assert names.match(cells).tolist() == [1, 1, 1, 1, 1, 2, 2, 2, 3, 4, 5, -1, -1]
    assert names.candidates("Xu Pin") == [("R01", "徐平")]


def test_two_people_with_one_name_are_ambiguous_with_both_as_candidates():
    names = PersonNames([NamedPerson(1, "R01", "张伟"), NamedPerson(2, "R07", "张伟"), NamedPerson(3, "R08", "李娜")])
    assert names.match(pd.Series(["张伟", "Zhang Wei", "Wei Zhang", "R07"])).tolist() == [AMBIGUOUS] * 3 + [2]
    assert names.candidates("Zhang Wei") == [("R01", "张伟"), ("R07", "张伟")]


def test_a_fxiaoke_people_export_loads_with_managers_by_name_titles_and_status(engine, tmp_path):
    report, roster = load(engine, write(tmp_path / "人员.csv", FXIAOKE))

    assert report.ok and report.committed and report.inserted == 4
    team = people(engine)
    assert {k: (v["role"], v["manager"], v["active"]) for k, v in team.items()} == {
        "M01": ("manager", None, True),
        "R001": ("rep", "M01", True),
        "R002": ("rep", "M01", False),
        "R003": ("rep", "R001", True),  # 市场分析 says neither: a new person becomes a rep, and the summary says so
    }
    assert [(str(p), title) for p, title in roster.unknown_titles] == [("R003 刘洋", "市场分析")]


def test_a_role_column_wins_over_the_title(engine, tmp_path):
    path = write(
        tmp_path / "p.csv",
        "工号,姓名,角色,职位\nA1,赵敏,管理员,销售经理\nR1,李雷,代表,区域经理\nM1,韩梅,,Sales Director\n",
    )
    assert load(engine, path)[0].ok
    assert {k: v["role"] for k, v in people(engine).items()} == {"A1": "admin", "R1": "rep", "M1": "rep"}


def test_titles_change_roles_but_never_an_admins(engine, tmp_path):
    add_person(engine, external_id="A1", name="赵敏", role="admin")
    add_person(engine, external_id="R1", name="李雷", role="rep")
    add_person(engine, external_id="R2", name="韩梅", role="manager")
    path = write(tmp_path / "p.csv", "工号,姓名,职位\nA1,赵敏,运营经理\nR1,李雷,区域经理\nR2,韩梅,Analyst\n")

    report, roster = load(engine, path)

    assert report.committed
    assert {k: v["role"] for k, v in people(engine).items()} == {"A1": "admin", "R1": "manager", "R2": "manager"}
    assert [(str(p), old, new) for p, old, new in roster.role_changes] == [("R1 李雷", "rep", "manager")]
    assert roster.unknown_titles == []  # R2 is stored: an unknown title leaves the role alone


def test_a_shared_manager_name_rejects_the_row_with_both_staff_ids(engine, tmp_path):
    add_person(engine, external_id="M01", name="张伟", role="manager")
    add_person(engine, external_id="M02", name="张伟", role="manager")
    path = write(tmp_path / "p.csv", "工号,姓名,汇报对象\nR1,李雷,张伟\nR2,韩梅,M02\nR3,王强,Zhang Wei\n")

    report, _ = load(engine, path)

    assert [str(e) for e in report.rejected] == [
        "row 2, column 汇报对象: '张伟' names more than one person (M01 张伟, M02 张伟); give the staff id",
        "row 4, column 汇报对象: 'Zhang Wei' names more than one person (M01 张伟, M02 张伟); give the staff id",
    ]
    assert not report.committed and "R2" not in people(engine)


def test_a_manager_cycle_is_refused_naming_it_counting_stored_people(engine, tmp_path):
    boss = add_person(engine, external_id="M001", name="王芳", role="manager")
    add_person(engine, external_id="M002", name="李强", role="manager", manager_id=boss)
    path = write(tmp_path / "p.csv", "工号,姓名,上级工号\nM001,王芳,M002\nR1,韩梅,M001\nR2,刘洋,\n")

    report, _ = load(engine, path, accept_good_rows=True)

    assert [str(e) for e in report.rejected] == [
        "row 2, column 上级工号: 'M002' makes a management cycle: M001 王芳 -> M002 李强 -> M001 王芳",
    ]
    team = people(engine)
    assert team["M001"]["manager"] is None and team["R1"]["manager"] == "M001" and "R2" in team


def test_a_cycle_within_the_file_rejects_each_of_its_rows(engine, tmp_path):
    path = write(tmp_path / "p.csv", "工号,姓名,经理\nA,甲,C\nB,乙,A\nC,丙,B\nD,丁,A\n")

    report, _ = load(engine, path)

    cycle = "makes a management cycle: A 甲 -> C 丙 -> B 乙 -> A 甲"
    assert [(e.row, e.reason) for e in report.rejected] == [
        (2, cycle),
        (3, cycle),
        (4, cycle),
        (5, "is not a known person, neither in the database nor a good row of this file"),
    ]
    assert people(engine) == {}


def test_full_deactivates_who_is_missing_and_lists_them_and_a_dry_run_changes_nothing(engine, tmp_path):
    path = write(tmp_path / "p.csv", FXIAOKE)
    load(engine, path)
    old = add_person(engine, external_id="R009", name="钱多多", role="rep", telegram_user_id=4242)
    add_customer(engine, external_id="H9", name="仁济医院", rep_id=old)

    report, roster = load(engine, path, full=True, dry_run=True)
    assert [str(p) for p in roster.missing_from_file] == ["R009 钱多多"]
    assert report.updated == 1 and not report.committed
    assert people(engine)["R009"]["active"] is True

    report, roster = load(engine, path, full=True)
    assert report.committed and people(engine)["R009"]["active"] is False
    assert [str(p) for p in roster.missing_from_file] == ["R009 钱多多"]
    assert roster.orphaned_customers == [("H9", "仁济医院", "R009 钱多多")]
    assert "Left (not in the file, --full) (1):" in roster.lines()
    assert "  H9 仁济医院 (R009 钱多多)" in roster.lines()


def test_a_leaver_and_a_new_manager_are_listed(engine, tmp_path):
    load(engine, write(tmp_path / "a.csv", FXIAOKE))
    changed = FXIAOKE.replace("徐平,R001,上海一区,医药代表,王芳,正常", "徐平,R001,上海一区,医药代表,王芳,离职").replace(
        "刘洋,R003,上海一区,市场分析,R001", "刘洋,R003,上海一区,市场分析,Wang Fang"
    )

    report, roster = load(engine, write(tmp_path / "b.csv", changed))

    assert report.committed and report.updated == 2
    assert [str(p) for p in roster.leavers] == ["R001 徐平"]
    assert [(str(p), a, b) for p, a, b in roster.manager_changes] == [("R003 刘洋", "R001 徐平", "M01 王芳")]
