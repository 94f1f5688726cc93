"""Reading import files as they come: encodings, headers, XLSX, unusable files, and cell parsing."""

from __future__ import annotations

import re
from datetime import date, datetime
from hashlib import blake2b
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from bot.importing import FIELDS, ImportFileError
from bot.importing.ahead import run_ahead
from bot.importing.readers import open_table
from bot.importing.sales import content_keys
from bot.importing.values import Occurrences, parse_dates, parse_numbers

FIXTURES = Path(__file__).parent / "fixtures" / "import"
DOCS = Path(__file__).parent.parent / "docs" / "import-formats.md"

CUSTOMERS = "客户编号,客户名称,客户类型,城市\nH001,仁济医院,医院,上海\nH002,刘䶮诊所𠮷,诊所,广州\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read_cells(path: Path, kind: str = "customers", chunk_size: int = 1000) -> tuple[list[dict], list[int]]:
    table = open_table(path, kind)
    cells, rows = [], []
    for chunk in table.chunks(chunk_size):
        cells.extend(chunk.cells.to_dict("records"))
        rows.extend(chunk.rows.tolist())
    return cells, rows


@pytest.mark.parametrize(
    ("encoding", "label"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("gb18030", "GBK/GB18030"), ("utf-16", "UTF-16")],
)
def test_each_encoding_reads_the_same_cells(tmp_path, encoding, label):
    path = write(tmp_path / "customers.csv", CUSTOMERS, encoding)

    cells, rows = read_cells(path)

    assert open_table(path, "customers").source.startswith(f"CSV, {label},")
    assert cells == [
        {"external_id": "H001", "name": "仁济医院", "kind": "医院", "city": "上海"},
        {"external_id": "H002", "name": "刘䶮诊所𠮷", "kind": "诊所", "city": "广州"},
    ]
    assert rows == [2, 3]


def test_gbk_file_reads_as_gbk(tmp_path):
    cells, _ = read_cells(FIXTURES / "customers_zh_gbk.csv")
    assert [c["name"] for c in cells] == ["上海市第一人民医院", "仁济医院", "老百姓大药房（南京路店）", "静安社区诊所"]
    with pytest.raises(UnicodeDecodeError):
        (FIXTURES / "customers_zh_gbk.csv").read_bytes().decode("utf-8")


def test_rare_characters_need_gb18030_not_just_gbk():
    with pytest.raises(UnicodeEncodeError):
        "刘䶮诊所𠮷".encode("gbk")


def test_encoding_is_decided_over_the_whole_file_not_a_sample(tmp_path):
    ascii_rows = "".join(f"C{i:05d},Clinic {i},clinic,Shanghai\n" for i in range(20_000))
    path = write(tmp_path / "late.csv", "id,name,type,city\n" + ascii_rows + "H9,仁济医院,医院,上海\n", "gbk")

    cells, rows = read_cells(path, chunk_size=5000)

    assert cells[-1] == {"external_id": "H9", "name": "仁济医院", "kind": "医院", "city": "上海"}
    assert rows[-1] == 20_002


def test_headers_match_english_and_chinese_ignoring_case_spaces_and_notes(tmp_path):
    header = " Customer ID ,CUSTOMER_NAME,客户 类型,*城市（必填）, district ,Rep-ID,潜力"
    path = write(tmp_path / "c.csv", header + "\nH1,A,hospital,SH,Pudong,R1,H\n")

    table = open_table(path, "customers")

    assert table.fields == {
        "external_id": 0,
        "name": 1,
        "kind": 2,
        "city": 3,
        "district": 4,
        "rep": 5,
        "potential": 6,
    }
    assert table.header_of("city") == "*城市（必填）"


def test_unknown_columns_are_ignored(tmp_path):
    path = write(tmp_path / "c.csv", "备注,客户编号,客户名称,联系电话\nx,H1,仁济医院,021-1234\n")
    cells, _ = read_cells(path)
    assert cells == [{"external_id": "H1", "name": "仁济医院"}]


def test_title_rows_above_the_header_are_skipped_and_row_numbers_stay_true(tmp_path):
    text = "2026年11月销售明细,,\n,,\n客户编号,日期,金额\nH1,2026-11-05,100\n\nH2,2026-11-06,200\n"
    path = write(tmp_path / "s.csv", text, "utf-8-sig")

    table = open_table(path, "sales")
    cells, rows = read_cells(path, "sales")

    assert table.header_row == 3
    assert rows == [4, 6]  # the blank row 5 is skipped, not renumbered
    assert [c["customer"] for c in cells] == ["H1", "H2"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files(tmp_path, delimiter):
    path = write(tmp_path / "c.csv", f"客户编号{delimiter}客户名称\nH1{delimiter}仁济医院\n")
    cells, _ = read_cells(path)
    assert cells == [{"external_id": "H1", "name": "仁济医院"}]


def test_quoted_cells_with_commas_and_newlines_count_as_one_row(tmp_path):
    path = write(tmp_path / "c.csv", 'id,name\nH1,"Renji, East\nCampus"\nH2,Ruijin\n')
    cells, rows = read_cells(path)
    assert cells[0]["name"] == "Renji, East\nCampus"
    assert rows == [2, 3]


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_cells_read_as_their_csv_text(tmp_path):
    path = _workbook(
        tmp_path / "sales.xlsx",
        {
            "销售": [
                ["客户编号", "销售日期", "金额", "数量", "品名"],
                [1001, datetime(2026, 11, 5), 12800.5, 40.0, "阿莫西林胶囊"],
                [1002, date(2026, 11, 6), 980, None, None],
                [],
                ["H3", "2026/11/7", "¥1,200", 3, "布洛芬"],
            ]
        },
    )

    table = open_table(path, "sales")
    cells, rows = read_cells(path, "sales")

    assert table.source == "XLSX, sheet '销售'"
    assert rows == [2, 3, 5]
    assert cells == [
        {"customer": "1001", "date": "2026-11-05", "amount": "12800.5", "quantity": "40", "product": "阿莫西林胶囊"},
        {"customer": "1002", "date": "2026-11-06", "amount": "980", "quantity": "", "product": ""},
        {"customer": "H3", "date": "2026/11/7", "amount": "¥1,200", "quantity": "3", "product": "布洛芬"},
    ]


def test_xlsx_uses_the_first_sheet_that_has_the_columns(tmp_path):
    path = _workbook(
        tmp_path / "customers.xlsx",
        {"说明": [["本文件由ERP导出"]], "客户": [["客户编号", "客户名称"], ["H1", "仁济医院"]]},
    )
    assert read_cells(path)[0] == [{"external_id": "H1", "name": "仁济医院"}]
    assert open_table(path, "customers").sheet == "客户"


def test_missing_required_column_says_which_and_what_headers_count(tmp_path):
    path = write(tmp_path / "c.csv", "客户编号,城市\nH1,上海\n")

    with pytest.raises(ImportFileError) as caught:
        open_table(path, "customers")

    message = str(caught.value)
    assert message.startswith("this is not a usable customers file: it has no column for")
    assert (
        "the customer's name (accepted headers: name, customer_name, 客户名称, 名称, 客户名, Account Name)" in message
    )
    assert "The columns found are: '客户编号', '城市'." in message


def test_a_sales_file_imported_as_customers_gets_a_hint(tmp_path):
    with pytest.raises(ImportFileError, match="It looks like a sales file"):
        open_table(FIXTURES / "sales_en.csv", "customers")


def test_the_same_header_twice_is_refused(tmp_path):
    path = write(tmp_path / "c.csv", "客户编号,客户编号（必填）,客户名称\nH1,H1,仁济医院\n")
    with pytest.raises(ImportFileError, match="'客户编号' and '客户编号（必填）' both give the customer's id"):
        open_table(path, "customers")


def test_of_two_columns_for_one_field_the_preferred_is_read_and_the_other_listed_unused(tmp_path):
    path = write(
        tmp_path / "invoices.csv",
        "Invoice Number,Account Name,Account Name.id,Due Date,Invoice Date,Grand Total,Sub Total\n"
        "INV-1,Renji,zcrm_1,2026-12-05,2026-11-05,100,90\n",
    )
    table = open_table(path, "sales")

    assert table.header_of("date") == "Invoice Date"
    assert table.header_of("customer") == "Account Name.id"
    assert table.shape == "zoho.invoices"
    assert [(u.header, u.reason, u.used_instead) for u in table.unused] == [
        ("Due Date", "instead", "Invoice Date"),
        ("Sub Total", "unknown", None),
    ]


def test_an_unknown_header_gets_the_closest_accepted_names(tmp_path):
    path = write(tmp_path / "s.csv", "客户编号,销售日期,销售金額\nH1,2026-11-05,10\n")
    with pytest.raises(ImportFileError, match="'销售金額' looks like '销售金额'"):
        open_table(path, "sales")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match="the file is empty"):
        open_table(path, "customers")


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ImportFileError, match="does not look like a CSV or XLSX file"):
        open_table(path, "customers")


def test_old_xls_workbook_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(ImportFileError, match=r"save it as \.xlsx or as CSV"):
        open_table(path, "customers")


def test_corrupt_xlsx_is_refused(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    with pytest.raises(ImportFileError, match="not a readable XLSX workbook"):
        open_table(path, "customers")


def test_text_in_no_known_encoding_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("id,name\nH1,Clínica São José\n".encode("cp1252") + b"\x80\xff\n")
    with pytest.raises(ImportFileError, match="neither UTF-8 nor GBK/GB18030"):
        open_table(path, "customers")


def test_a_row_with_more_cells_than_the_header_is_a_malformed_file(tmp_path):
    path = write(tmp_path / "c.csv", "id,name\nH1,Renji\nH2,Renji, East Campus\n")
    with pytest.raises(ImportFileError, match="not well-formed CSV"):
        read_cells(path)


def test_dates_are_year_first_in_the_usual_spellings():
    cells = pd.Series(
        [
            "2026-11-05",
            "2026-11-5",
            "2026/11/05",
            "2026/11/5",
            "2026.11.5",
            "20261105",
            "2026年11月5日",
            "2026年11月5",
            "2026-11-05 14:23:00",
            "2026-11-05T14:23",
            "",
        ],
        dtype=object,
    )
    parsed, bad = parse_dates(cells)
    assert parsed.iloc[:-1].dt.date.tolist() == [date(2026, 11, 5)] * 10
    assert pd.isna(parsed.iloc[-1])
    assert not bad.any()


@pytest.mark.parametrize(
    "cell", ["11/05/2026", "05.11.2026", "2026-13-01", "2026-02-30", "1899-12-31", "abc", "2026年11月", "261105"]
)
def test_ambiguous_or_impossible_dates_are_refused(cell):
    parsed, bad = parse_dates(pd.Series([cell, "2026-01-01"], dtype=object))
    assert bad.tolist() == [True, False]
    assert pd.isna(parsed.iloc[0])


def test_numbers_with_currency_signs_and_thousands_separators():
    cells = ["1234.5", "1,234.50", "¥1,234", "￥-20", "-¥20", "(1,234.00)", "1 234", "12,800.00元", "-0", ""]
    numbers, bad = parse_numbers(pd.Series(cells, dtype=object))
    assert numbers[:-1].tolist() == [1234.5, 1234.5, 1234.0, -20.0, -20.0, -1234.0, 1234.0, 12800.0, 0.0]
    assert np.isnan(numbers[-1])
    assert not bad.any()


@pytest.mark.parametrize("cell", ["abc", "12.3.4", "nan", "inf", "1,2,x", "--5"])
def test_non_numbers_are_refused(cell):
    numbers, bad = parse_numbers(pd.Series([cell, "5"], dtype=object))
    assert bad.tolist() == [True, False]
    assert np.isnan(numbers[0])


def test_occurrences_count_repeats_across_chunks():
    seen = Occurrences()
    first = seen.see(np.array([7, 9, 7], dtype=np.uint64), np.array([2, 3, 4]))
    second = seen.see(np.array([7, 5, 9, 5], dtype=np.uint64), np.array([5, 6, 7, 8]))
    third = seen.see(np.array([7, 5, 1], dtype=np.uint64), np.array([9, 10, 11]))
    assert first[0].tolist() == [0, 0, 1] and first[1].tolist() == [2, 3, 2]
    assert second[0].tolist() == [2, 0, 1, 1] and second[1].tolist() == [2, 6, 3, 6]
    assert third[0].tolist() == [3, 2, 0] and third[1].tolist() == [2, 6, 11]


def test_content_key_follows_the_documented_recipe():
    keys = content_keys(
        ["H001", "H001", "P001"],
        ["2026-11-05", "2026-11-05", "2026-11-06"],
        np.array([12800.00001, 12800.0, 980.0]),
        np.array([40.0, 40.0, np.nan]),
        ["Amoxicillin capsules", "Amoxicillin capsules", None],
        Occurrences(),
        np.array([2, 3, 4]),
    )
    text = "H001\x1f2026-11-05\x1f12800.0\x1f40.0\x1fAmoxicillin capsules"
    assert keys == [
        "h:" + blake2b(text.encode(), digest_size=16).hexdigest(),
        "h:" + blake2b((text + "\x1f1").encode(), digest_size=16).hexdigest(),
        "h:" + blake2b(b"P001\x1f2026-11-06\x1f980.0\x1f\x1f", digest_size=16).hexdigest(),
    ]
    # Pinned: a change here would make every re-import of an old file add its lines a second time.
    assert keys[0] == "h:0698a1906809d651f9ff6e5b99f5f01d"


def test_the_format_docs_list_every_accepted_header():
    docs = re.sub(r"```.*?```", "", DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)
    documented = set(re.findall(r"`([^`]+)`", docs))
    missing = [h for fields in FIELDS.values() for spec in fields for h in spec.headers if h not in documented]
    assert missing == []


def test_run_ahead_yields_in_order_and_raises_where_the_producer_failed():
    def numbers():
        yield from range(5)
        raise ValueError("row 6 is broken")

    seen = []
    with pytest.raises(ValueError, match="row 6 is broken"):
        for number in run_ahead(numbers()):
            seen.append(number)
    assert seen == [0, 1, 2, 3, 4]


def test_run_ahead_closes_the_producer_when_the_consumer_stops():
    closed = []

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.append(True)

    ahead = run_ahead(endless())
    assert [next(ahead) for _ in range(3)] == [0, 1, 2]
    ahead.close()
    assert closed == [True]


def test_an_xlsx_whose_dimension_understates_the_used_range_is_read_whole(tmp_path):
    from tests.xlsx_parts import write_xlsx

    rows = [["客户编号", "客户名称", "类型"]] + [[f"C{i:04d}", f"诊所{i}", "诊所"] for i in range(1000)]
    path = write_xlsx(tmp_path / "customers.xlsx", rows, dimension="A1:C10")

    cells, numbers = read_cells(path)

    assert len(cells) == 1000 and numbers[-1] == 1001
    assert cells[-1] == {"external_id": "C0999", "name": "诊所999", "kind": "诊所"}


def test_an_xlsx_whose_dimension_understates_the_columns_keeps_them(tmp_path):
    from tests.xlsx_parts import write_xlsx

    rows = [["客户编号", "客户名称", "类型", "城市"], ["C1", "东方医院", "医院", "上海"]]
    path = write_xlsx(tmp_path / "customers.xlsx", rows, dimension="A1:B2")

    cells, _ = read_cells(path)

    assert cells == [{"external_id": "C1", "name": "东方医院", "kind": "医院", "city": "上海"}]
