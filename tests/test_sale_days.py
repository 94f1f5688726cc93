"""The daily rollup (sale_day) stays equal to sale_line grouped by customer and day, whatever writes the lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

import bot.importing.importer as importer
from bot.db import alembic_config, make_engine, upgrade_database
from bot.demo import fill_demo_team
from bot.importing import import_file
from tests.test_import_database import load_team, write

HEAD = "单据行号,客户编号,销售日期,金额\n"
PER_DAY = (
    "SELECT customer_id, sold_on, SUM(amount), SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), COUNT(*), "
    "SUM(CASE WHEN amount > 0 THEN 1 ELSE 0 END) FROM sale_line GROUP BY customer_id, sold_on"
)
ROLLUP = "SELECT customer_id, day, amount, positive_amount, lines, positive_lines FROM sale_day"
EPOCH = date(1970, 1, 1).toordinal()


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        rows = connection.execute(text(sql)).all()
    # Sums are compared to the cent: the rollup adds a day's lines in another order than a GROUP BY.
    return sorted((c, _day(d), round(a, 6), round(p, 6), n, k) for c, d, a, p, n, k in rows)


def _day(value) -> str:
    """A sale_line date (a date, or text on SQLite) or a rollup day number, as YYYY-MM-DD."""
    if isinstance(value, int):
        return date.fromordinal(EPOCH + value).isoformat()
    return str(value)[:10]


def assert_rollup_equals_lines(engine) -> list[tuple]:
    expected = _rows(engine, PER_DAY)
    assert _rows(engine, ROLLUP) == expected
    return expected


def sales_file(tmp_path: Path, name: str, lines: list[str]) -> Path:
    return write(tmp_path / name, HEAD + "".join(line + "\n" for line in lines))


FIRST = [
    "L1,H001,2026-11-02,100",
    "L2,H001,2026-11-02,50",
    "L3,H001,2026-11-03,-20",
    "L4,H002,2026-11-02,300",
    "L5,P001,2026-11-04,0",
    "L6,P001,2026-11-05,75.5",
]


def test_an_import_and_the_same_file_again_leave_the_rollup_equal_to_the_lines(engine, tmp_path):
    load_team(engine)
    first = import_file(engine=engine, kind="sales", path=sales_file(tmp_path, "a.csv", FIRST), chunk_size=2)
    assert first.committed and first.inserted == 6
    days = assert_rollup_equals_lines(engine)
    assert len(days) == 5 and {row[4] for row in days} == {1, 2}  # H001's two lines of 2 Nov are one day

    again = import_file(engine=engine, kind="sales", path=sales_file(tmp_path, "a.csv", FIRST), chunk_size=2)
    assert not again.committed and again.unchanged == 6
    assert assert_rollup_equals_lines(engine) == days

    overlap = [*FIRST[3:], "L7,H001,2026-11-02,25", "L8,C001,2026-11-06,-5", "L9,H002,2026-11-02,1"]
    added = import_file(engine=engine, kind="sales", path=sales_file(tmp_path, "b.csv", overlap), chunk_size=2)
    assert added.committed and (added.inserted, added.unchanged) == (3, 3)
    assert len(assert_rollup_equals_lines(engine)) == 6


def test_corrections_are_applied_to_the_rollup_only_with_replace(engine, tmp_path):
    load_team(engine)
    import_file(engine=engine, kind="sales", path=sales_file(tmp_path, "a.csv", FIRST), chunk_size=2)
    before = assert_rollup_equals_lines(engine)
    corrected = [
        "L1,H001,2026-11-02,110",  # another amount
        "L2,H002,2026-11-02,50",  # another customer
        "L3,H001,2026-11-09,-20",  # another day: 3 Nov is left without lines
        "L4,H002,2026-11-02,300",
        "L5,P001,2026-11-04,8",  # a zero line becomes a purchase
        "L6,P001,2026-11-05,75.5",
        "L10,P001,2026-11-05,4.5",  # and a new line on a corrected customer's day
    ]
    path = sales_file(tmp_path, "fixed.csv", corrected)

    shown = import_file(engine=engine, kind="sales", path=path, chunk_size=3)
    assert not shown.committed and shown.rows_corrected == 4
    assert assert_rollup_equals_lines(engine) == before

    applied = import_file(engine=engine, kind="sales", path=path, chunk_size=3, replace=True)
    assert applied.committed and (applied.inserted, applied.updated) == (1, 4)
    after = assert_rollup_equals_lines(engine)
    assert after != before and not any(day == "2026-11-03" for _, day, *_ in after)


def test_a_failed_import_leaves_the_rollup_as_it_was(engine, tmp_path, monkeypatch):
    load_team(engine)
    import_file(engine=engine, kind="sales", path=sales_file(tmp_path, "a.csv", FIRST))
    before = assert_rollup_equals_lines(engine)

    bad_at_the_end = [*FIRST, "L7,H001,2026-11-08,40", "L8,H002,not a date,10"]
    refused = import_file(engine=engine, kind="sales", path=sales_file(tmp_path, "bad.csv", bad_at_the_end))
    assert not refused.committed and refused.rows_rejected == 1
    assert assert_rollup_equals_lines(engine) == before

    def broken_log(*args, **kwargs):
        raise RuntimeError("the disk filled up")

    # Fails after the lines (and their days) were written, before the commit: all of it is rolled back.
    monkeypatch.setattr(importer, "_log_import", broken_log)
    corrected = ["L1,H001,2026-11-02,999", "L7,H001,2026-11-08,40"]
    with pytest.raises(RuntimeError):
        import_file(engine=engine, kind="sales", path=sales_file(tmp_path, "c.csv", corrected), replace=True)
    assert assert_rollup_equals_lines(engine) == before

    monkeypatch.undo()
    good_rows = import_file(
        engine=engine, kind="sales", path=sales_file(tmp_path, "bad.csv", bad_at_the_end), accept_good_rows=True
    )
    assert good_rows.committed and good_rows.inserted == 1
    assert len(assert_rollup_equals_lines(engine)) == len(before) + 1


def test_the_demo_team_fills_the_rollup_with_its_lines(engine):
    fill_demo_team(engine=engine, seed=3, as_of=date(2026, 11, 23))
    assert len(assert_rollup_equals_lines(engine)) > 1000


def test_the_migration_fills_the_rollup_from_the_stored_lines(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO customer (id, external_id, name, kind, created_at) VALUES "
                "(1, 'H1', 'a', 'hospital', '2026-11-01'), (2, 'H2', 'b', 'hospital', '2026-11-01')"
            )
        )
        connection.execute(
            text("INSERT INTO sale_line (line_key, customer_id, sold_on, amount) VALUES (:k, :c, :d, :a)"),
            [
                {"k": "a", "c": 1, "d": date(2026, 11, 2), "a": 10.0},
                {"k": "b", "c": 1, "d": date(2026, 11, 2), "a": -4.0},
                {"k": "c", "c": 2, "d": date(2026, 11, 3), "a": 7.0},
            ],
        )
    upgrade_database(engine)
    assert assert_rollup_equals_lines(engine) == [
        (1, "2026-11-02", 6.0, 10.0, 2, 1),
        (2, "2026-11-03", 7.0, 7.0, 1, 1),
    ]
    command.downgrade(alembic_config(engine), "0004")
    upgrade_database(engine)
    assert len(assert_rollup_equals_lines(engine)) == 2
    engine.dispose()
