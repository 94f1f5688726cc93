"""Scoring runs over the database: SQL aggregates equal the pure ones, snapshots, history, changes, exports."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings
from bot.importing.sale_days import add_lines_after, last_line_id
from bot.services.scoring_runs import load_aggregates, load_customers, rules_from_settings, run_scoring
from bot.services.snapshot_store import jsonable
from bot.services.tiers import TierMove, latest_tier, tier_changes, tier_history
from bot.views.exports import export_table
from scoring.aggregate import aggregate_sales
from scoring.engine import score_customers
from scoring.moves import MOVE_REASON_PARAMS
from tests.builders import add_contact, add_customer, add_person, local_time

AS_OF = date(2026, 11, 23)


def add_sales(engine, rows: list[tuple[int, date, float]]) -> None:
    with engine.begin() as connection:
        last_id = last_line_id(connection)
        connection.execute(
            text("INSERT INTO sale_line (line_key, customer_id, sold_on, amount) VALUES (:k, :c, :d, :a)"),
            [{"k": f"t:{n}", "c": c, "d": d, "a": a} for n, (c, d, a) in enumerate(rows)],
        )
        add_lines_after(connection, last_id)  # as every writer of sale_line keeps the daily rollup


def random_book(engine, customers: int = 40, lines: int = 3000, seed: int = 3) -> list[tuple[int, date, float]]:
    rng = np.random.default_rng(seed)
    rep = add_person(engine, name="代表")
    ids = [add_customer(engine, name=f"客户{n}", rep_id=rep, potential_value=float(rng.integers(10, 500)))
           for n in range(customers)]  # fmt: skip
    rows = []
    for _ in range(lines):
        day = AS_OF - timedelta(days=int(rng.integers(-20, 800)))  # a few lines after as_of must not count
        amount = float(np.round(rng.lognormal(7, 1), 2)) * (-1 if rng.random() < 0.03 else 1)
        rows.append((ids[int(rng.pareto(1.2)) % customers], day, amount))
    rows += [(ids[0], AS_OF - timedelta(days=3), 500.0)] * 3  # several lines on one day: one purchase day
    add_sales(engine, rows)
    return rows


def test_the_database_aggregates_exactly_as_the_pure_scoring_does(engine):
    rows = random_book(engine)
    with engine.connect() as connection:
        from_sql = load_aggregates(connection, as_of=AS_OF, window_days=365, chunk_rows=7)
    sales = pd.DataFrame(rows, columns=["customer_id", "sold_on", "amount"])
    sales["sold_on"] = pd.to_datetime(sales["sold_on"])
    in_memory = aggregate_sales(sales, AS_OF, 365)
    key = "customer_id"
    pd.testing.assert_frame_equal(
        from_sql.sort_values(key).reset_index(drop=True), in_memory.sort_values(key).reset_index(drop=True),
        check_exact=False, rtol=1e-9,
    )  # fmt: skip


def test_a_run_stores_a_snapshot_per_customer_and_the_next_run_lists_changes(engine):
    settings = Settings()
    random_book(engine)
    prospect = add_customer(engine, name="从未下单医院", potential_class="L")
    first = run_scoring(engine=engine, settings=settings, as_of=AS_OF - timedelta(days=180), trigger="test")
    assert first.customers == 41 and first.previous_run_id is None
    assert sum(first.per_tier.values()) == 41 and first.per_stage["prospect"] >= 1
    assert "first run: no tier changes to compare" in first.render()
    second = run_scoring(engine=engine, settings=settings, as_of=AS_OF, trigger="test")
    assert second.previous_run_id == first.run_id
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM tier_snapshot WHERE run_id = :r"),
                                    {"r": second.run_id}).scalar()  # fmt: skip
    assert stored == 41
    changes = tier_changes(engine=engine, from_run_id=first.run_id, to_run_id=second.run_id)
    assert len(changes) == second.moved_up + second.moved_down
    assert {(c.customer_id, c.before, c.after) for c in changes} == {(c, b, a) for c, b, a in second.changes}
    assert f"since run {first.run_id}: {second.moved_up} moved up, {second.moved_down} moved down" in second.render()
    # The stored snapshot is what the pure scoring says, reasons included.
    tier = latest_tier(engine=engine, customer_id=prospect)
    assert tier is not None and tier.tier == "D" and tier.stage == "prospect"
    assert tier.reasons[0][0] == "prospect"
    # It stayed D: its history lists no move. Every customer that moved has the reasons of its move.
    assert tier_history(engine=engine, customer_id=prospect) == []
    assert changes and all(c.reasons and c.reasons[0][0] in MOVE_REASON_PARAMS for c in changes)
    moved = changes[0]
    assert tier_history(engine=engine, customer_id=moved.customer_id) == [
        TierMove(AS_OF, moved.before, moved.after, moved.reasons)
    ]


def test_hysteresis_uses_the_previous_run(engine):
    settings = Settings()
    random_book(engine, seed=5)
    run_scoring(engine=engine, settings=settings, as_of=AS_OF, trigger="test")
    with engine.connect() as connection:
        aggregates = load_aggregates(connection, as_of=AS_OF, window_days=365)
        previous = pd.DataFrame(
            connection.execute(text("SELECT customer_id, tier, value_score FROM tier_snapshot")).all(),
            columns=["customer_id", "tier", "value_score"],
        )
        customers = load_customers(connection)
    expected = score_customers(aggregates, customers, rules_from_settings(settings), AS_OF, previous)
    second = run_scoring(engine=engine, settings=settings, as_of=AS_OF, trigger="test")
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT customer_id, tier FROM tier_snapshot WHERE run_id = :r"),
                                         {"r": second.run_id}).all())  # fmt: skip
        stored_reasons = dict(connection.execute(text("SELECT customer_id, reasons_json FROM tier_snapshot "
                                                      "WHERE run_id = :r"), {"r": second.run_id}).all())  # fmt: skip
    assert stored == dict(zip(expected["customer_id"], expected["tier"], strict=True))
    # The run stores reasons built a batch at a time: the same as score_customers builds at once.
    assert {c: json.loads(r) for c, r in stored_reasons.items()} == {
        int(c): jsonable(list(r)) for c, r in zip(expected["customer_id"], expected["reasons"], strict=True)
    }
    assert second.moved_up == second.moved_down == 0  # same data, same day: nobody moves


def test_an_empty_team_scores_to_an_empty_run(engine):
    summary = run_scoring(engine=engine, settings=Settings(), as_of=AS_OF, trigger="test")
    assert summary.customers == 0 and summary.per_tier == {}


def test_tiers_and_contacts_export_to_csv_and_xlsx(engine, tmp_path):
    settings = Settings()
    random_book(engine, customers=5, lines=200)
    rep = add_person(engine, name="李代表", external_id="R9")
    customer = add_customer(engine, name="仁济医院", rep_id=rep, external_id="C9")
    add_contact(engine, person_id=rep, customer_id=customer, contacted_at=local_time(AS_OF, "10:15", "Asia/Shanghai"),
                note="样品, \"特价\"")  # fmt: skip
    run_scoring(engine=engine, settings=settings, as_of=AS_OF, trigger="test")
    rows = export_table(
        engine=engine, settings=settings, kind="tiers", path=tmp_path / "t.csv", file_format="csv", headers="fields"
    )
    assert rows == 6
    with (tmp_path / "t.csv").open(encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle))
    assert {"customer_id", "customer", "tier", "stage", "rfm", "abc_class", "p_alive", "clv", "reason"} <= set(
        records[0]
    )
    renji = next(r for r in records if r["customer"] == "仁济医院")
    assert (renji["tier"], renji["stage"], renji["reason"]) == ("D", "prospect", "从未下单；潜力未知")
    assert export_table(engine=engine, settings=settings, kind="contacts", path=tmp_path / "c.xlsx",
                        file_format="xlsx", headers="fields") == 1  # fmt: skip
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx").active
    header, first = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert dict(zip(header, first, strict=True)) | {} == {
        "contacted_at": "2026-11-23 10:15", "customer_id": "C9", "customer": "仁济医院", "rep_id": "R9",
        "rep": "李代表", "outcome": "visited", "note": "样品, \"特价\"", "follow_up": None,
    }  # fmt: skip


@pytest.mark.parametrize("as_of", ["2026-11-23", "not-a-date"])
def test_the_score_command_prints_tiers_and_stages(sqlite_url, tmp_path, as_of, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["score", "--as-of", as_of, "--lang", "en"])
    if as_of == "not-a-date":
        assert result.exit_code == 2 and "--as-of must be a date as YYYY-MM-DD, not 'not-a-date'" in result.output
        return
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Scoring run 1 as of 2026-11-23: 0 customers")
    chinese = CliRunner().invoke(app, ["score", "--as-of", as_of])
    assert chinese.output.startswith("第 2 次分级（截至 2026-11-23）：0 家客户")
