"""Exports never carry a live formula: text a rep typed is written so no spreadsheet evaluates it (OWASP CSV rule)."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from bot.config import Settings
from bot.services.scoring_runs import run_scoring
from bot.views.exports import export_table
from tests.builders import add_contact, add_customer, add_person, local_time

AS_OF = date(2026, 11, 23)
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "@SUM(A1)", "-2+3", "\tcmd", "\r=1"]
# XML turns a stored carriage return into a line feed; the quote in front is what matters.
QUOTED_IN_XLSX = {("'" + text).replace("\r", "\n") for text in HOSTILE}


def _hostile_book(engine) -> None:
    rep = add_person(engine, name="=rep()", external_id="R1")
    for n, text in enumerate(HOSTILE):
        customer = add_customer(engine, name=text, rep_id=rep, external_id=f"C{n}")
        morning = local_time(AS_OF, "10:00", "Asia/Shanghai")
        add_contact(engine, person_id=rep, customer_id=customer, contacted_at=morning, note=text)
    run_scoring(engine=engine, settings=Settings(), as_of=AS_OF, trigger="test")


@pytest.mark.parametrize("kind", ["tiers", "contacts"])
def test_hostile_text_is_no_formula_in_xlsx_and_stays_readable(engine, tmp_path, kind):
    _hostile_book(engine)
    path = tmp_path / f"{kind}.xlsx"
    export_table(engine=engine, settings=Settings(), kind=kind, path=path, file_format="xlsx", headers="fields")
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert all(cell.data_type != "f" for row in rows for cell in row)
    names = {row[header.index("customer")].value for row in rows}
    assert names == QUOTED_IN_XLSX
    assert {row[header.index("rep")].value for row in rows} == {"'=rep()"}
    if kind == "contacts":
        assert {row[header.index("note")].value for row in rows} == QUOTED_IN_XLSX
    else:  # numbers stay numbers: monetary is 0 for customers without sales, p_alive a float
        assert all(isinstance(row[header.index("monetary")].value, int | float) for row in rows)


def test_hostile_text_is_quoted_in_csv_raw_text(engine, tmp_path):
    _hostile_book(engine)
    path = tmp_path / "contacts.csv"
    export_table(engine=engine, settings=Settings(), kind="contacts", path=path, file_format="csv", headers="fields")
    raw = path.read_text(encoding="utf-8-sig")
    assert '\'=HYPERLINK(""http://evil.example"",""x"")' in raw
    for text in ("+1+1", "@SUM(A1)", "-2+3"):
        assert f",'{text}," in raw and f",{text}," not in raw
    assert ",=" not in raw and ',"=' not in raw


def test_negative_numbers_stay_numbers_in_exports(engine, tmp_path):
    from tests.test_scoring_runs import add_sales

    rep = add_person(engine, name="代表")
    customer = add_customer(engine, name="退货医院", rep_id=rep)
    add_sales(engine, [(customer, date(2026, 10, 1), 100.0), (customer, date(2026, 11, 1), -300.0)])
    run_scoring(engine=engine, settings=Settings(), as_of=AS_OF, trigger="test")
    path = tmp_path / "tiers.xlsx"
    export_table(engine=engine, settings=Settings(), kind="tiers", path=path, file_format="xlsx", headers="fields")
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    monetary = sheet.cell(row=2, column=header.index("monetary") + 1)
    assert monetary.data_type == "n" and monetary.value == -200
    csv_path = tmp_path / "tiers.csv"
    export_table(engine=engine, settings=Settings(), kind="tiers", path=csv_path, file_format="csv", headers="fields")
    assert ",-200.0," in csv_path.read_text(encoding="utf-8-sig")
