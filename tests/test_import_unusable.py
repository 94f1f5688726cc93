"""Files that cannot be used are refused with a reason, never crash, and never put row values in output."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.i18n.phrases import say
from bot.importing import ImportFileError, import_file
from bot.importing.readers import open_table
from bot.models import SaleLine

FIXTURES = Path(__file__).parent / "fixtures" / "import"
WORKBOOK = FIXTURES / "shapes" / "erp_sales_lines_week_a.xlsx"
SECRET = "Secret-Clinic-Value"


def rezipped(path: Path, change: dict[str, bytes | None], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook with some members replaced (None: cut in half)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", compression) as target:
        for name in source.namelist():
            data = source.read(name)
            if name in change:
                data = change[name] if change[name] is not None else data[: len(data) // 2]
            target.writestr(name, data)
    return buffer.getvalue()


def read_all(path: Path, kind: str = "sales") -> int:
    return sum(len(chunk) for chunk in open_table(path, kind).chunks(1000))


def load_team(engine) -> None:
    assert import_file(engine=engine, kind="people", path=FIXTURES / "people_zh.csv").ok
    assert import_file(engine=engine, kind="customers", path=FIXTURES / "customers_zh_gbk.csv").ok


def sale_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(SaleLine.__table__)).scalar_one()


def test_corrupt_sheet_xml_inside_a_valid_zip_is_refused(tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(rezipped(WORKBOOK, {"xl/worksheets/sheet1.xml": None}))

    with pytest.raises(ImportFileError, match=r"not a readable XLSX workbook \(its XML is damaged at line 1"):
        read_all(path)


@pytest.mark.parametrize(
    ("member", "content"),
    [
        # Found by fuzzing the sample workbooks: each crashed openpyxl with another exception.
        ("xl/workbook.xml", b"<workbook><bookViews><workbookView activeTab='x'/></bookViews></workbook>"),
        ("[Content_Types].xml", b"<Types><Default Extension=&x; /></Types>"),
        ("xl/styles.xml", None),
    ],
)  # fmt: skip
def test_damaged_workbook_parts_are_refused(tmp_path, member, content):
    path = tmp_path / "s.xlsx"
    path.write_bytes(rezipped(WORKBOOK, {member: content}))

    with pytest.raises(ImportFileError, match="not a readable XLSX workbook"):
        read_all(path)


def test_a_zip_with_an_unknown_compression_method_is_refused(tmp_path):
    data = bytearray(WORKBOOK.read_bytes())
    central = data.find(b"PK\x01\x02")
    while central >= 0:  # every member's compression method: AES, say
        data[central + 10 : central + 12] = (99).to_bytes(2, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    path = tmp_path / "s.xlsx"
    path.write_bytes(bytes(data))

    with pytest.raises(ImportFileError, match="not a readable XLSX workbook"):
        read_all(path)


def test_odd_length_utf16_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("客户编号,日期,金额\nH001,2026-11-05,1\n".encode("utf-16") + b"x")

    with pytest.raises(ImportFileError, match="UTF-16 text is cut off or damaged"):
        read_all(path)


def test_an_unclosed_quote_is_refused_not_a_crash(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes('客户编号,日期,金额\nH001,2026-11-05,"¥12,'.encode())

    with pytest.raises(ImportFileError, match="not well-formed CSV"):
        read_all(path)


def test_a_nul_byte_after_the_first_8_kb_is_refused_on_both_databases(engine, tmp_path, capsys, caplog):
    load_team(engine)
    body = "".join(f"H001,2026-11-05,{i}\n" for i in range(1000)) + f"H001,2026-11-06,1,{SECRET}\x00\n"
    path = tmp_path / "s.csv"
    path.write_bytes(("客户编号,日期,金额,品名\n" + body).encode())

    with pytest.raises(ImportFileError, match="holds a NUL character") as raised:
        import_file(engine=engine, kind="sales", path=path)

    assert sale_count(engine) == 0
    assert raised.value.__cause__ is None and raised.value.__context__ is None
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err + caplog.text + str(raised.value)


def test_a_nul_in_utf16_text_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("客户编号,日期,金额\nH001,2026-11-05,1\x00\n".encode("utf-16"))

    with pytest.raises(ImportFileError, match="holds a NUL character"):
        read_all(path)


def test_the_new_reasons_are_said_in_chinese(tmp_path):
    reasons = []
    for name, data in (
        ("a.xlsx", rezipped(WORKBOOK, {"xl/worksheets/sheet1.xml": None})),
        ("b.csv", "客户编号,日期,金额\n".encode("utf-16") + b"x"),
        ("c.csv", "客户编号,日期,金额\nH001,2026-11-05,1\x00\n".encode()),
    ):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ImportFileError) as raised:
            read_all(tmp_path / name)
        reasons.append(str(raised.value))

    for reason in reasons:
        chinese = say("zh-Hans", reason)
        assert chinese != reason and not re.search(r"\b[a-z]{3,}\b", chinese.replace(".xlsx", "")), chinese


def test_cli_exits_2_with_the_reason(tmp_path, sqlite_url):
    from typer.testing import CliRunner

    from bot.cli import app

    path = tmp_path / "s.xlsx"
    path.write_bytes(rezipped(WORKBOOK, {"xl/worksheets/sheet1.xml": None}))
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_url}"\n\n[team]\nlanguage = "en"\n', encoding="utf-8")

    result = CliRunner().invoke(app, ["import", "sales", str(path), "--config", str(config)])

    assert result.exit_code == 2
    assert "s.xlsx: this is not a readable XLSX workbook (its XML is damaged at line 1" in result.output
    assert "Traceback" not in result.output
