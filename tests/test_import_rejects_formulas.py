"""The rejects file is opened in Excel: no cell of it runs as a formula, and it imports back to the same values."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from bot.formulas import neutralised, unquoted
from bot.importing import import_file
from bot.models import Customer, SaleLine

FIXTURES = Path(__file__).parent / "fixtures" / "import"
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "@SUM(A1)", "-2+3", "\tcmd|' /C calc'!A0", "\r=1"]


def load_team(engine) -> None:
    assert import_file(engine=engine, kind="people", path=FIXTURES / "people_zh.csv").ok
    assert import_file(engine=engine, kind="customers", path=FIXTURES / "customers_zh_gbk.csv").ok


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def stored_products(engine) -> dict[str, float]:
    line, customer = SaleLine.__table__, Customer.__table__
    query = select(line.c.product, line.c.amount).join_from(line, customer)
    with engine.connect() as connection:
        return {product: amount for product, amount in connection.execute(query)}


def test_neutralised_cells_are_quoted_once_and_unquoted_back():
    for text in HOSTILE:
        assert neutralised(text) == "'" + text
        assert unquoted(neutralised(text)) == text
        assert neutralised(neutralised(text)) == neutralised(text)
    # Numbers are no formulas: a return's amount stays readable; quotes before other text stay.
    assert [neutralised(n) for n in ("-450", "-1,234.50", "+7", "3")] == ["-450", "-1,234.50", "+7", "3"]
    assert unquoted("'Hara's") == "'Hara's" and unquoted("'") == "'" and unquoted("''=1") == "''=1"


def test_the_rejects_file_holds_no_formula_and_imports_back_to_the_same_values(engine, tmp_path):
    load_team(engine)
    rows = [["客户编号", "销售日期", "金额", "品名"], ["H001", "2026-11-05", "100", "ok"]]
    rows += [["H999", "2026-11-05", "-450", text] for text in HOSTILE]
    rejects = tmp_path / "rejects.csv"

    report = import_file(engine=engine, kind="sales", path=write_csv(tmp_path / "s.csv", rows),
                         accept_good_rows=True, rejects_path=rejects)  # fmt: skip

    assert report.committed and report.rows_rejected == len(HOSTILE)
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert [row[3] for row in written[1:]] == ["'" + text for text in HOSTILE]
    assert {row[2] for row in written[1:]} == {"-450"}
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for row in written for cell in row)

    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(rejects.read_bytes().replace(b"H999", b"H002"))
    again = import_file(engine=engine, kind="sales", path=fixed)

    assert again.ok and again.inserted == len(HOSTILE)
    # The stored product is the text of the original file, not the quoted one; a cell's edge spaces go.
    expected = {text.strip(): -450.0 for text in HOSTILE} | {"ok": 100.0}
    assert stored_products(engine) == expected
