"""Importing into real databases (a SQLite file and PostgreSQL): validation, atomicity, idempotency."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.importing import ImportFileError, import_file
from bot.models import Customer, Person, SaleLine
from bot.views.imports import import_summary

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def write(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def people(engine: Engine) -> dict[str, dict]:
    table = Person.__table__
    with engine.connect() as connection:
        rows = connection.execute(select(table)).mappings().all()
    by_id = {row["id"]: row["external_id"] for row in rows}
    return {row["external_id"]: {**row, "manager": by_id.get(row["manager_id"])} for row in rows}


def customers(engine: Engine) -> dict[str, dict]:
    table = Customer.__table__
    with engine.connect() as connection:
        return {row["external_id"]: dict(row) for row in connection.execute(select(table)).mappings()}


def sales(engine: Engine) -> list[tuple]:
    """(customer external id, day, amount, quantity, product) per line, in a stable order."""
    line, customer = SaleLine.__table__, Customer.__table__
    query = select(customer.c.external_id, line.c.sold_on, line.c.amount, line.c.quantity, line.c.product)
    with engine.connect() as connection:
        rows = connection.execute(query.join_from(line, customer)).all()
    return sorted((tuple(row) for row in rows), key=repr)


def counts(report) -> tuple[int, int, int, int]:
    return report.inserted, report.updated, report.unchanged, report.rows_rejected


def load_team(engine: Engine) -> None:
    assert import_file(engine=engine, kind="people", path=FIXTURES / "people_zh.csv").ok
    assert import_file(engine=engine, kind="customers", path=FIXTURES / "customers_zh_gbk.csv").ok


def test_people_customers_and_sales_from_chinese_exports(engine):
    load_team(engine)
    report = import_file(engine=engine, kind="sales", path=FIXTURES / "sales_zh.csv")

    assert report.ok and report.committed and counts(report) == (4, 0, 0, 0)
    team = people(engine)
    assert {k: (v["name"], v["role"], v["manager"], v["language"]) for k, v in team.items()} == {
        "M01": ("王经理", "manager", None, "zh-Hans"),
        "R001": ("张伟", "rep", "M01", "zh-Hans"),
        "R002": ("Li Na", "rep", "M01", "en"),
        "A01": ("运营管理员", "admin", None, "zh-Hans"),
    }
    found = customers(engine)
    assert found["H001"]["rep_id"] == team["R001"]["id"]
    assert (found["H001"]["kind"], found["H001"]["potential_value"], found["H001"]["potential_class"]) == (
        "hospital",
        1800.0,
        None,
    )
    assert (found["H002"]["potential_value"], found["H002"]["potential_class"]) == (None, "H")
    assert (found["P001"]["name"], found["P001"]["kind"], found["P001"]["potential_class"]) == (
        "老百姓大药房（南京路店）",
        "pharmacy",
        "M",
    )
    assert (found["C001"]["potential_value"], found["C001"]["potential_class"]) == (None, None)
    assert sales(engine) == sorted(
        [
            ("H001", date(2026, 11, 5), 12800.0, 40.0, "阿莫西林胶囊"),
            ("H001", date(2026, 11, 5), 3200.5, 10.0, "头孢克肟片"),
            ("P001", date(2026, 11, 6), 980.0, 20.0, "布洛芬缓释胶囊"),
            ("H002", date(2026, 11, 7), -450.0, -3.0, "阿莫西林胶囊"),
        ],
        key=repr,
    )


def test_english_headers_load_the_same_team(engine):
    assert import_file(engine=engine, kind="people", path=FIXTURES / "people_en.csv").ok
    assert import_file(engine=engine, kind="customers", path=FIXTURES / "customers_en.csv").ok
    assert people(engine)["R001"]["manager"] == "M01"
    assert customers(engine)["P001"]["kind"] == "pharmacy"


def test_importing_the_same_files_again_changes_nothing(engine):
    load_team(engine)
    import_file(engine=engine, kind="sales", path=FIXTURES / "sales_zh.csv")
    import_file(engine=engine, kind="sales", path=FIXTURES / "sales_en.csv")
    before = (people(engine), customers(engine), sales(engine))

    again = [
        import_file(engine=engine, kind=kind, path=FIXTURES / name)
        for kind, name in [
            ("people", "people_zh.csv"),
            ("customers", "customers_zh_gbk.csv"),
            ("sales", "sales_zh.csv"),
            ("sales", "sales_en.csv"),
        ]
    ]

    assert [counts(r) for r in again] == [(0, 0, 4, 0), (0, 0, 4, 0), (0, 0, 4, 0), (0, 0, 5, 0)]
    assert not any(r.committed for r in again)
    assert (people(engine), customers(engine), sales(engine)) == before
    assert "Nothing changed: the database already had every row." in import_summary(again[-1], "en")


def test_identical_lines_in_one_file_are_separate_sales_imported_once(engine, tmp_path):
    load_team(engine)
    line = "H001,2026-11-05,100,1,阿莫西林胶囊\n"
    three = write(tmp_path / "three.csv", "客户编号,日期,金额,数量,品名\n" + line * 3)
    two = write(tmp_path / "two.csv", "客户编号,日期,金额,数量,品名\n" + line * 2 + "H002,2026-11-06,5,,\n")

    first = import_file(engine=engine, kind="sales", path=three)
    second = import_file(engine=engine, kind="sales", path=three)
    overlapping = import_file(engine=engine, kind="sales", path=two)

    assert counts(first) == (3, 0, 0, 0)
    assert counts(second) == (0, 0, 3, 0)
    assert counts(overlapping) == (1, 0, 2, 0)
    assert len(sales(engine)) == 4


def test_line_keys_do_not_depend_on_how_the_file_is_chunked(engine, tmp_path):
    load_team(engine)
    body = "".join(f"H00{1 + i % 2},2026-11-0{1 + i % 3},100,,\n" for i in range(12))
    path = write(tmp_path / "s.csv", "客户编号,日期,金额,数量,品名\n" + body)

    first = import_file(engine=engine, kind="sales", path=path, chunk_size=2)
    second = import_file(engine=engine, kind="sales", path=path, chunk_size=5)

    assert counts(first) == (12, 0, 0, 0)
    assert counts(second) == (0, 0, 12, 0)


def test_changed_name_and_rep_count_as_updated(engine, tmp_path):
    load_team(engine)
    changed = write(
        tmp_path / "c.csv",
        "客户编号,客户名称,客户类型,城市,区县,负责代表,床位数\n"
        "H001,上海市第一人民医院,医院,上海,虹口区,R001,1800\n"
        "H002,仁济医院（东院）,医院,上海,浦东新区,R001,H\n"
        "P001,老百姓大药房（南京路店）,药房,上海,黄浦区,R001,中\n"
        "C001,静安社区诊所,诊所,上海,静安区,R002,\n"
        "C002,新客户诊所,诊所,上海,静安区,,\n",
    )

    report = import_file(engine=engine, kind="customers", path=changed)

    assert counts(report) == (1, 2, 2, 0) and report.committed
    found, team = customers(engine), people(engine)
    assert found["H002"]["name"] == "仁济医院（东院）"
    assert found["P001"]["rep_id"] == team["R001"]["id"]
    assert found["C002"]["rep_id"] is None and found["C002"]["kind"] == "clinic"


def test_a_column_left_out_leaves_that_value_alone(engine, tmp_path):
    load_team(engine)
    report = import_file(
        engine=engine, kind="customers", path=write(tmp_path / "c.csv", "客户编号,客户名称\nH001,一院\n")
    )
    assert counts(report) == (0, 1, 0, 0)
    h001 = customers(engine)["H001"]
    assert (h001["name"], h001["city"], h001["kind"], h001["potential_value"]) == ("一院", "上海", "hospital", 1800)


def test_bad_customer_rows_are_reported_with_row_column_and_reason(engine, tmp_path):
    load_team(engine)
    path = write(
        tmp_path / "c.csv",
        "客户编号,客户名称,客户类型,负责代表,潜力\n"
        "N1,新医院,医院,R001,300\n"
        ",无编号诊所,诊所,R001,\n"
        "N3,超市,超市,R999,很高\n"
        "N4,,医院,,-5\n"
        "N1,重复医院,医院,R001,H\n",
    )

    report = import_file(engine=engine, kind="customers", path=path)

    assert [str(e) for e in report.rejected] == [
        "row 3, column 客户编号: is empty; a customer id is required",
        "row 4, column 负责代表: 'R999' is not a known person; import the people file first, or correct the staff id",
        "row 4, column 潜力: '很高' is neither a number nor H/M/L (高/中/低)",
        "row 5, column 客户名称: is empty; a name is required",
        "row 5, column 潜力: '-5' is negative; potential is a size such as a bed count",
        "row 6, column 客户编号: 'N1' is the customer id of row 2 too; each may appear only once",
    ]
    assert not report.ok and not report.committed
    assert (report.rows_read, report.rows_rejected, report.inserted) == (5, 4, 1)
    assert "N1" not in customers(engine)


def test_bad_sales_rows_are_reported_with_row_column_and_reason(engine, tmp_path):
    load_team(engine)
    path = write(
        tmp_path / "s.csv",
        "客户编号,销售日期,金额,数量\nH001,2026-11-05,100,1\nH999,2026-11-05,100,1\nH001,2026-13-05,abc,\nH001,,,x\n",
    )

    report = import_file(engine=engine, kind="sales", path=path)

    assert [str(e) for e in report.rejected] == [
        "row 3, column 客户编号: 'H999' is not a known customer; import the customers file first, or correct the id",
        "row 4, column 销售日期: '2026-13-05' is not a date; write dates year first, as 2026-11-05, 2026/11/5, "
        "20261105 or 2026年11月5日",
        "row 4, column 金额: 'abc' is not a number",
        "row 5, column 销售日期: is empty; a date is required",
        "row 5, column 金额: is empty; an amount is required",
        "row 5, column 数量: 'x' is not a number",
    ]
    assert report.rows_rejected == 3 and sales(engine) == []


def test_people_managers_may_be_later_in_the_file_but_must_exist(engine, tmp_path):
    path = write(
        tmp_path / "p.csv",
        "工号,姓名,角色,经理工号,邮箱,时区\n"
        "R1,张伟,代表,M1,zw@example.com,asia/shanghai\n"
        "R2,李娜,代表,M9,,\n"
        "R3,王强,代表,R2,,\n"
        "R4,赵敏,代表,R4,not-an-email,Mars/Olympus\n"
        "M1,王经理,经理,,,\n"
        "R1,张伟,代表,M1,,\n",
    )

    report = import_file(engine=engine, kind="people", path=path, accept_good_rows=True)

    assert [str(e) for e in report.rejected] == [
        "row 3, column 经理工号: 'M9' is not a known person, neither in the database nor a good row of this file",
        "row 4, column 经理工号: 'R2' is not a known person, neither in the database nor a good row of this file",
        "row 5, column 邮箱: 'not-an-email' is not an e-mail address",
        "row 5, column 时区: 'Mars/Olympus' is not a time zone such as Asia/Shanghai",
        "row 5, column 经理工号: 'R4' is this person's own staff id; a person cannot manage themselves",
        "row 7, column 工号: 'R1' is the staff id of row 2 too; each may appear only once",
    ]
    team = people(engine)
    assert set(team) == {"R1", "M1"}
    assert (team["R1"]["manager"], team["R1"]["timezone"], team["M1"]["role"]) == ("M1", "Asia/Shanghai", "manager")


def test_changing_a_manager_counts_as_an_update(engine, tmp_path):
    import_file(engine=engine, kind="people", path=FIXTURES / "people_zh.csv")
    path = write(tmp_path / "p.csv", "工号,姓名,经理工号\nR001,张伟,M02\nM02,新经理,\nR002,Li Na,M01\n")

    report = import_file(engine=engine, kind="people", path=path)

    assert counts(report) == (1, 1, 1, 0)
    team = people(engine)
    assert team["R001"]["manager"] == "M02" and team["R001"]["role"] == "rep"
    assert team["M02"]["role"] == "rep"  # no role column: a new person is a rep


def test_duplicate_line_ids_are_bad_rows(engine, tmp_path):
    load_team(engine)
    text = "单据行号,客户编号,日期,金额\n1,H001,2026-11-05,10\n2,H001,2026-11-05,20\n1,H002,2026-11-06,30\n"

    report = import_file(engine=engine, kind="sales", path=write(tmp_path / "s.csv", text), chunk_size=2)

    assert [str(e) for e in report.rejected] == [
        "row 4, column 单据行号: '1' is the line id of row 2 too; each may appear only once"
    ]


def test_a_corrected_line_with_a_line_id_is_shown_and_applied_only_with_replace(engine, tmp_path):
    load_team(engine)
    header = "单据行号,客户编号,销售日期,金额,数量,品名\n"
    lines = ["L1,H001,2026-11-05,100,1,A\n", "L2,H001,2026-11-05,200,2,B\n", "L3,H002,2026-11-06,300,3,C\n"]
    first = write(tmp_path / "a.csv", header + "".join(lines))
    lines[1] = lines[1].replace(",200,", ",250,")
    fixed = write(tmp_path / "b.csv", header + "".join(lines) + "L4,H002,2026-11-07,1,,\n")

    import_file(engine=engine, kind="sales", path=first)
    before = sales(engine)
    shown = import_file(engine=engine, kind="sales", path=fixed)

    assert not shown.committed and sales(engine) == before
    assert [(c.row, c.field, c.old, c.new) for c in shown.corrections] == [(3, "amount", "200", "250")]

    report = import_file(engine=engine, kind="sales", path=fixed, replace=True)

    assert report.committed and counts(report) == (1, 1, 2, 0)
    assert ("H001", date(2026, 11, 5), 250.0, 2.0, "B") in sales(engine)
    assert len(sales(engine)) == 4


def test_lines_without_a_line_id_in_a_line_id_file_are_keyed_by_content(engine, tmp_path):
    load_team(engine)
    text = "单据行号,客户编号,日期,金额\nL1,H001,2026-11-05,10\n,H001,2026-11-05,10\n,H001,2026-11-05,10\n"
    path = write(tmp_path / "s.csv", text)

    first = import_file(engine=engine, kind="sales", path=path)
    second = import_file(engine=engine, kind="sales", path=path)

    assert counts(first) == (3, 0, 0, 0) and counts(second) == (0, 0, 3, 0)
    with engine.connect() as connection:
        keys = sorted(connection.execute(select(SaleLine.__table__.c.line_key)).scalars())
    assert keys[-1] == "id:L1" and [k[:2] for k in keys[:2]] == ["h:", "h:"]


@pytest.mark.parametrize("kind", ["sales", "customers"])
def test_one_bad_row_at_the_end_changes_nothing_even_after_earlier_chunks(engine, tmp_path, kind):
    load_team(engine)
    before = (customers(engine), sales(engine))
    if kind == "sales":
        body = "".join(f"H001,2026-11-{day:02d},{day}00\n" for day in range(1, 10)) + "H001,2026-11-10,oops\n"
        path = write(tmp_path / "s.csv", "客户编号,日期,金额\n" + body)
    else:
        body = "".join(f"N{i},诊所{i},诊所\n" for i in range(9)) + "H001,,诊所\n"  # no name
        path = write(tmp_path / "c.csv", "客户编号,客户名称,类型\n" + body)

    report = import_file(engine=engine, kind=kind, path=path, chunk_size=3)

    assert report.inserted == 9 and report.rows_rejected == 1 and report.rejected[0].row == 11
    assert not report.committed
    assert (customers(engine), sales(engine)) == before
    assert "Nothing was changed, because 1 rows have problems." in import_summary(report, "en")
    assert "Would insert 9" in import_summary(report, "en")


def test_accept_good_rows_imports_them_and_writes_the_rejects(engine, tmp_path):
    load_team(engine)
    path = write(
        tmp_path / "s.csv",
        "客户编号,销售日期,金额,备注\nH001,2026-11-05,100,ok\nH999,2026-11-05,5,客户未建档\nH002,2026-11-31,abc,\nH002,2026-11-06,7,\n",
    )
    rejects = tmp_path / "out" / "rejects.csv"

    report = import_file(engine=engine, kind="sales", path=path, accept_good_rows=True, rejects_path=rejects)

    assert report.committed and counts(report) == (2, 0, 0, 2)
    assert len(sales(engine)) == 2
    assert report.rejects_path == rejects
    assert rejects.read_bytes().startswith(b"\xef\xbb\xbf")
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["客户编号", "销售日期", "金额", "备注", "row", "column", "reason"],
            [
                "H999",
                "2026-11-05",
                "5",
                "客户未建档",
                "3",
                "客户编号",
                "column 客户编号: 'H999' is not a known customer; import the customers file first, or correct the id",
            ],
            [
                "H002",
                "2026-11-31",
                "abc",
                "",
                "4",
                "销售日期; 金额",
                "column 销售日期: '2026-11-31' is not a date; write dates year first, as 2026-11-05, 2026/11/5, "
                "20261105 or 2026年11月5日; column 金额: 'abc' is not a number",
            ],
        ]

    # The rejects file, corrected, imports as it is.
    text = rejects.read_text(encoding="utf-8-sig").replace("H999", "H001").replace("2026-11-31,abc", "2026-11-30,9")
    again = import_file(engine=engine, kind="sales", path=write(tmp_path / "fixed.csv", text))
    assert again.ok and counts(again) == (2, 0, 0, 0)


def test_dry_run_changes_nothing_and_says_what_would_happen(engine, tmp_path):
    load_team(engine)
    before = (customers(engine), sales(engine))

    report = import_file(engine=engine, kind="sales", path=FIXTURES / "sales_zh.csv", dry_run=True)
    update = import_file(
        engine=engine, kind="customers", path=write(tmp_path / "c.csv", "客户编号,客户名称\nH001,一院\n"), dry_run=True
    )

    assert counts(report) == (4, 0, 0, 0) and counts(update) == (0, 1, 0, 0)
    assert not report.committed and not update.committed
    assert (customers(engine), sales(engine)) == before
    assert "Dry run: nothing was changed." in import_summary(report, "en")


def test_xlsx_with_date_cells_and_numeric_ids(engine, tmp_path):
    load_team(engine)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Customer ID", "Customer Name", "Type"])
    sheet.append([2001, "Numeric Id Clinic", "clinic"])
    workbook.save(tmp_path / "c.xlsx")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["客户编号", "销售日期", "金额"])
    sheet.append([2001, datetime(2026, 11, 5), 99.5])
    sheet.append(["H001", "2026年11月6日", "¥1,000"])
    workbook.save(tmp_path / "s.xlsx")

    assert import_file(engine=engine, kind="customers", path=tmp_path / "c.xlsx").ok
    report = import_file(engine=engine, kind="sales", path=tmp_path / "s.xlsx")

    assert report.ok and counts(report) == (2, 0, 0, 0)
    assert ("2001", date(2026, 11, 5), 99.5, None, None) in sales(engine)
    assert ("H001", date(2026, 11, 6), 1000.0, None, None) in sales(engine)


def test_header_only_file_imports_nothing(engine, tmp_path):
    report = import_file(engine=engine, kind="customers", path=write(tmp_path / "c.csv", "客户编号,客户名称\n"))
    assert report.ok and report.rows_read == 0 and not report.committed
    assert "The file has no rows; nothing was changed." in import_summary(report, "en")


def test_summary_shows_fifty_problems_and_the_rejects_file_has_all(engine, tmp_path):
    body = "".join(f"X{i},2026-11-05,1\n" for i in range(60))
    path = write(tmp_path / "s.csv", "客户编号,日期,金额\n" + body)
    rejects = tmp_path / "rejects.csv"

    report = import_file(engine=engine, kind="sales", path=path, accept_good_rows=True, rejects_path=rejects)

    lines = import_summary(report, "en").splitlines()
    assert lines[-1] == "  and 10 more"
    assert lines[-2].startswith("  row 51, column 客户编号: 'X49' is not a known customer")
    assert len(report.rejected) == 60
    assert len(rejects.read_text(encoding="utf-8-sig").splitlines()) == 61


def test_progress_reports_rows_as_chunks_finish(engine, tmp_path):
    load_team(engine)
    body = "".join(f"H001,2026-11-05,{i}\n" for i in range(10))
    calls: list[tuple[int, int | None]] = []

    import_file(
        engine=engine,
        kind="sales",
        path=write(tmp_path / "s.csv", "客户编号,日期,金额\n" + body),
        chunk_size=4,
        progress=lambda done, total: calls.append((done, total)),
    )

    assert [done for done, _ in calls] == [0, 4, 8, 10, 10]
    assert calls[-1] == (10, 10)


def test_a_malformed_row_late_in_the_file_raises_and_changes_nothing(engine, tmp_path):
    load_team(engine)
    body = "".join(f"H001,2026-11-05,{i}\n" for i in range(7)) + "H999,2026-11-05,1\n" + "H001,2026-11-06,5,extra\n"
    path = write(tmp_path / "s.csv", "客户编号,日期,金额\n" + body)
    rejects = tmp_path / "rejects.csv"

    with pytest.raises(ImportFileError, match="not well-formed CSV"):
        import_file(engine=engine, kind="sales", path=path, chunk_size=3, accept_good_rows=True, rejects_path=rejects)

    assert sales(engine) == []
    assert not rejects.exists()
